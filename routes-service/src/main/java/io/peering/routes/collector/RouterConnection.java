package io.peering.routes.collector;

import io.peering.routes.bmp.BmpDecodeException;
import io.peering.routes.bmp.BmpFrameBuffer;
import io.peering.routes.bmp.BmpFramingException;
import io.peering.routes.bmp.BmpMessage;
import io.peering.routes.bmp.BmpSession;
import io.peering.routes.bmp.PerPeerHeader;
import io.peering.routes.config.CollectorConfig;
import io.peering.routes.repository.RouteStore;
import io.peering.routes.repository.RouterLeases;
import io.peering.routes.repository.SessionStore;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One router's BMP session: bytes in, spooled ({@link BmpSpool}), framed and decoded into messages, which its
 * {@link SessionRecorder} turns into writes; the {@link WriteQueue} stores them in the router's order;
 * {@link SessionTimers} flushes and checks the session over time.
 *
 * <p>Everything here runs on the session's event-loop context. The socket is read as fast as the router
 * sends, into the spool; the session decodes from the spool while fewer than {@code maxPendingBatches}
 * writes wait. So a slow or restarting database never stalls the router: its bytes wait on local disk,
 * and only when the spool holds {@code spoolMaxBytes} not yet stored is the socket paused (TCP then slows the
 * router down). A write that fails because the database is away is tried again until it is stored.
 *
 * <p>When a write fails for another reason, the session is closed and nothing the router sent after it
 * is stored: for each prefix the stored state is what the router sent up to some point, never later
 * changes without earlier ones, and the router re-sends everything when it reconnects.
 *
 * <p>A session may also be a spool left by a previous run of the collector ({@link #replay}): it is decoded from
 * its start (the Peer Up messages its later messages need), recorded from where the previous run had stored
 * everything, and ends when the spool is read.
 */
final class RouterConnection {

    private static final Logger LOG = Logger.getLogger(RouterConnection.class);
    /** A spool with everything stored starts over once it has grown past this. */
    private static final long COMPACT_AT = 16L << 20;
    private static final int READ_CHUNK = 64 << 10;

    private final NetSocket socket;
    private final String router;
    private final String replica;
    private final Context context;
    private final CollectorConfig config;
    private final CollectorMetrics metrics;
    private final Consumer<RouterConnection> onClosed;
    private final WriteQueue writes;
    private final SessionTimers timers;
    private final SessionRecorder recorder;
    private final BmpSpool spool;

    private final BmpFrameBuffer frames = new BmpFrameBuffer();
    private final BmpSession session = new BmpSession();
    private final byte[] chunk = new byte[READ_CHUNK];
    /** Offset in the spool of the end of the bytes handed to {@link #frames}, and of the last message taken out. */
    private long framedUpTo;
    private long messageEnd;
    /** Offset of the start of the message being recorded (while {@link #recording}), and of the batch's first. */
    private long messageStart;
    private long batchStart;
    private boolean recording;
    /** Messages ending at or before this are decoded, not recorded: stored by a previous run (a replayed spool). */
    private long storedBefore;
    /** The raw Peer Up message of each peer up: the context decoding later messages needs, kept when the spool starts over. */
    private final Map<String, byte[]> peersUp = new LinkedHashMap<>();

    private boolean paused;
    /** No more input: the socket closed, or (a replayed spool) there never was any. */
    private volatile boolean inputDone;
    /** The session's last write is queued. */
    private boolean ended;
    /** Waiting for a previous run's spool of the same router to be stored first: spooling only. */
    private boolean held;
    private boolean started;
    /** Another replica took the router's lease: nothing more of this session is stored. */
    private boolean leaseLost;
    /** The stream cannot be decoded further (broken framing): what was recorded is stored, the rest is not. */
    private boolean broken;
    /** The session's last write is done (read from other threads: the listener asks whether it is draining). */
    private volatile boolean closedForGood;
    /** The collector is shutting down: what is not stored stays in the spool for the next start. */
    private volatile boolean shuttingDown;

    /**
     * @param replica  this collector replica (it takes the router's lease, {@link io.peering.routes.repository.RouterLeases})
     * @param onClosed told once the session's last write is done
     */
    RouterConnection(NetSocket socket, Vertx vertx, String router, String replica, CollectorConfig config, RouteStore store,
                     SessionStore sessions, CollectorMetrics metrics, RouteConverter converter, Consumer<RouterConnection> onClosed) {
        this(socket, BmpSpool.create(Path.of(config.spoolDirectory()), router), vertx, router, replica, config, store, sessions,
                metrics, converter, onClosed);
    }

    private RouterConnection(NetSocket socket, BmpSpool spool, Vertx vertx, String router, String replica, CollectorConfig config,
                             RouteStore store, SessionStore sessions, CollectorMetrics metrics, RouteConverter converter,
                             Consumer<RouterConnection> onClosed) {
        this.socket = socket;
        this.spool = spool;
        this.storedBefore = spool.committed();
        this.inputDone = socket == null;
        this.router = router;
        this.replica = replica;
        this.config = config;
        this.metrics = metrics;
        this.onClosed = onClosed;
        this.context = vertx.getOrCreateContext();
        this.writes = new WriteQueue(vertx, context, this::covered, config.writeRetryMaxBackoff(), new Writes());
        this.timers = new SessionTimers(vertx, context, () -> !inputDone && !leaseLost && !writes.failed());
        this.recorder = new SessionRecorder(router, config, store, sessions, metrics, converter, writes, timers);
    }

    /**
     * A session of a spool a previous run left with bytes not stored, under the router's lease taken again for it
     * ({@code lease}): {@link #start} stores them, then it ends.
     */
    static RouterConnection replay(BmpSpool spool, RouterLeases.Lease lease, Vertx vertx, String replica, CollectorConfig config,
                                   RouteStore store, SessionStore sessions, CollectorMetrics metrics, RouteConverter converter,
                                   Consumer<RouterConnection> onClosed) {
        RouterConnection replay = new RouterConnection(null, spool, vertx, spool.router(), replica, config, store, sessions, metrics,
                converter, onClosed);
        replay.recorder.resumed(lease);
        return replay;
    }

    String router() {
        return router;
    }

    /** Whether it stores a spool a previous run left, rather than a router's socket. */
    boolean replaying() {
        return socket == null;
    }

    /** Before {@link #start}: only spool what the router sends until {@link #release}. */
    void hold() {
        held = true;
    }

    void start() {
        if (socket != null) {
            LOG.infof("router %s connected over BMP", router);
            socket.handler(this::onData);
            socket.closeHandler(v -> onClose());
            socket.exceptionHandler(e -> LOG.warnf("router %s: socket error: %s", router, e.getMessage()));
        } else {
            LOG.infof("router %s: storing what a previous run of the collector received and did not store (%,d bytes)", router,
                    spool.pending());
        }
        if (!held) {
            context.runOnContext(v -> begin());
        }
    }

    /** The session held ({@link #hold}) may be recorded now. */
    void release() {
        context.runOnContext(v -> {
            if (held) {
                held = false;
                begin();
            }
        });
    }

    private void begin() {
        if (started) {
            return;
        }
        started = true;
        if (socket != null) {
            recorder.connected(replica);
        }
        timers.start(config.flushInterval(), recorder::flush, config.resyncTimeout(), recorder::takeDownPeersNotReported);
        pump();
    }

    /** The epoch of the router's lease this session took; null until taken. */
    Long leaseEpoch() {
        var lease = recorder.lease();
        return lease == null ? null : lease.epoch();
    }

    /** The collector stops: the session's writes may fail now, and its spool must outlive it if they do. */
    void shuttingDown() {
        shuttingDown = true;
    }

    /** Whether its input is done and it is storing the rest of its spool: a new session of its router waits for it. */
    boolean draining() {
        return inputDone && !closedForGood;
    }

    /** Bytes received and not yet stored, and nanoseconds since the oldest of them arrived. */
    /** Its spool on disk ({@link BmpSpool#sync}; from the spool sync thread). */
    void syncSpool() {
        spool.sync();
    }

    long spooled() {
        return spool.pending();
    }

    long spooledNanos() {
        return spool.oldestPendingNanos();
    }

    /**
     * Another replica took the router's lease (the router connected to it, or this replica stopped renewing for
     * longer than the grace period): this session stores nothing more and closes.
     */
    void leaseLost() {
        context.runOnContext(v -> {
            if (ended || leaseLost) {
                return;
            }
            leaseLost = true;
            logLeaseLost();
            recorder.dropBatch();
            writes.dropWaiting();
            stopInput();
        });
    }

    private void onData(Buffer data) {
        if (inputDone || leaseLost || writes.failed()) {
            return;
        }
        try {
            spool.append(data.getBytes(), 0, data.length());
        } catch (RuntimeException e) {
            metrics.writeErrors.increment();
            LOG.errorf(e, "router %s: cannot spool its BMP stream; closing the session", router);
            socket.close();
            return;
        }
        if (!paused && spool.pending() >= config.spoolMaxBytes()) {
            paused = true;
            metrics.backpressurePauses.increment();
            LOG.warnf("router %s: %,d bytes wait in its spool for the database (peering.bmp.spool-max-bytes); reading its"
                    + " socket again once some are stored", router, spool.pending());
            socket.pause();
        }
        pump();
    }

    /**
     * Decodes and records spooled messages while fewer than maxPendingBatches writes wait; once the input is done and
     * everything spooled is recorded (or nothing more may be), queues the session's last write.
     */
    private void pump() {
        if (held || !started || ended) {
            return;
        }
        boolean allRecorded = false;
        if (!leaseLost && !writes.failed() && !broken) {
            try {
                while (writes.waiting() < config.maxPendingBatches()) {
                    ByteBuffer message = frames.next();
                    if (message == null) {
                        int n = spool.read(chunk);
                        if (n == 0) {
                            allRecorded = true; // what is left in frames (if anything) is an incomplete message
                            break;
                        }
                        frames.append(chunk, 0, n);
                        framedUpTo += n;
                        continue;
                    }
                    long start = messageEnd;
                    long end = start + message.remaining();
                    metrics.messages.increment();
                    record(message, start, end);
                    messageEnd = end;
                }
            } catch (BmpFramingException e) {
                metrics.framingErrors.increment();
                LOG.errorf("router %s: BMP stream broken (%s); closing the session, the router will reconnect", router,
                        e.getMessage());
                broken = true;
                stopInput();
            } catch (RuntimeException e) {
                metrics.decodeErrors.increment();
                LOG.errorf(e, "router %s: unexpected error handling its BMP stream; closing the session", router);
                broken = true;
                stopInput();
            }
        }
        if (inputDone && (allRecorded || leaseLost || writes.failed() || broken)) {
            end();
        }
    }

    private void record(ByteBuffer message, long start, long end) {
        byte[] raw = null;
        int type = message.get(message.position() + 5) & 0xFF;
        if (type == 3) { // Peer Up: kept as context (the decoder needs the session's capabilities for what follows)
            raw = new byte[message.remaining()];
            message.duplicate().get(raw);
        }
        BmpMessage decoded;
        try {
            decoded = session.decode(message);
        } catch (BmpDecodeException e) {
            metrics.decodeErrors.increment();
            LOG.warnf("router %s: skipped a malformed BMP message: %s", router, e.getMessage());
            return;
        }
        if (decoded instanceof BmpMessage.PeerUp up) {
            peersUp.put(key(up.peer()), raw);
        } else if (decoded instanceof BmpMessage.PeerDown down) {
            peersUp.remove(key(down.peer()));
        }
        if (end <= storedBefore) {
            return; // stored by the previous run: decoded only, for its context
        }
        boolean wasEmpty = recorder.batchEmpty();
        messageStart = start;
        recording = true;
        try {
            recorder.record(decoded);
        } finally {
            recording = false;
        }
        if (wasEmpty && !recorder.batchEmpty()) {
            batchStart = start;
        }
    }

    private static String key(PerPeerHeader peer) {
        return peer.type() + " " + peer.distinguisher() + " " + peer.address();
    }

    /** How far into the spool every message is covered by the writes added so far (a write added now is tagged so). */
    private long covered() {
        if (!recorder.batchEmpty()) {
            return Math.min(batchStart, recording ? messageStart : messageEnd);
        }
        return recording ? messageStart : messageEnd;
    }

    private final class Writes implements WriteQueue.Listener {
        @Override
        public void failed(Throwable failure) {
            onWriteFailed(failure);
        }

        @Override
        public void retrying(Throwable failure, int attempt, Duration delay) {
            metrics.writeRetries.increment();
            if (attempt == 1) {
                LOG.warnf("router %s: the database is unavailable (%s); keeping the write and trying again (backing off up to"
                        + " %s), the router's BMP stream waits in the spool (%,d bytes)", router, failure.getMessage(),
                        config.writeRetryMaxBackoff(), spool.pending());
            }
        }

        @Override
        public void stored(long covered, int retries) {
            if (retries > 0) {
                LOG.infof("router %s: the database is back; stored after %d retries, %,d bytes wait in the spool", router, retries,
                        spool.pending());
            }
            spool.commit(covered);
            Long epoch = leaseEpoch();
            if (epoch != null) {
                spool.lease(epoch);
            }
        }

        @Override
        public void afterWrite() {
            RouterConnection.this.afterWrite();
        }
    }

    private void onWriteFailed(Throwable failure) {
        if (failure instanceof RouterLeases.LeaseLostException) {
            logLeaseLost();
        } else {
            metrics.writeErrors.increment();
            LOG.errorf(failure, "router %s: database write failed; closing its BMP session so it re-sends"
                    + " its routes when it reconnects", router);
        }
        recorder.dropBatch(); // what the router sent after the failed write is not stored either
        stopInput();
    }

    private void logLeaseLost() {
        metrics.leasesLost.increment();
        LOG.warnf("router %s: its lease is held by another collector replica now (the router connected there); closing"
                + " this replica's session to it without storing more of it", router);
    }

    private void afterWrite() {
        if (!ended && writes.idle() && recorder.batchEmpty() && frames.buffered() == 0 && spool.compact(COMPACT_AT, context())) {
            framedUpTo = messageEnd = messageStart = batchStart = spool.written();
            storedBefore = 0;
        }
        if (paused && spool.pending() < config.spoolMaxBytes() && !inputDone) {
            paused = false;
            socket.resume();
        }
        pump();
    }

    /** The Peer Up messages of the peers up: what the decoder must see again before anything else of this session. */
    private byte[] context() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        peersUp.values().forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** Nothing more is read from the router: its socket is closed (the close handler ends the session). */
    private void stopInput() {
        if (socket != null) {
            socket.close();
        } else {
            onClose();
        }
    }

    private void onClose() {
        if (inputDone && socket != null) {
            return;
        }
        if (socket != null) {
            LOG.infof("router %s: BMP session closed", router);
        }
        inputDone = true;
        pump(); // what it sent is spooled: it is recorded, then the session ends
    }

    /** Queues the session's last write, after the rest of the batch; the spool goes once it is done. */
    private void end() {
        ended = true;
        timers.cancel();
        if (!leaseLost && !writes.failed()) {
            recorder.flush();
        }
        recorder.disconnected(() -> {
            if (shuttingDown && spool.pending() > 0) {
                spool.close(); // the next start stores it (if the router's lease is still this session's)
            } else {
                spool.delete();
            }
            closedForGood = true;
            onClosed.accept(this);
        });
    }
}
