package io.peering.routes.collector;

import io.peering.routes.bmp.BmpDecodeException;
import io.peering.routes.bmp.BmpFrameBuffer;
import io.peering.routes.bmp.BmpFramingException;
import io.peering.routes.bmp.BmpSession;
import io.peering.routes.config.CollectorConfig;
import io.peering.routes.repository.RouteStore;
import io.peering.routes.repository.RouterLeases;
import io.peering.routes.repository.SessionStore;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * One router's BMP connection: bytes in, framed and decoded into messages, which its
 * {@link SessionRecorder} turns into writes; the {@link WriteQueue} stores them in the router's order;
 * {@link SessionTimers} flushes and checks the session over time.
 *
 * <p>Everything here runs on the socket's event-loop context. While {@code maxPendingBatches} writes
 * wait, the socket is paused, so a router faster than the database is slowed down by TCP instead of
 * filling memory.
 *
 * <p>When a write fails, the session is closed and nothing the router sent after it is stored
 * (the writes waiting, the batch being built, bytes still arriving): for each prefix the stored
 * state is what the router sent up to some point, never later changes without earlier ones, and
 * the router re-sends everything when it reconnects.
 */
final class RouterConnection {

    private static final Logger LOG = Logger.getLogger(RouterConnection.class);

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

    private final BmpFrameBuffer frames = new BmpFrameBuffer();
    private final BmpSession session = new BmpSession();
    private boolean paused;
    private boolean closed;
    /** Another replica took the router's lease: nothing more of this session is stored. */
    private boolean leaseLost;

    /**
     * @param replica  this collector replica (it takes the router's lease, {@link io.peering.routes.repository.RouterLeases})
     * @param onClosed told once the session's last write is done
     */
    RouterConnection(NetSocket socket, Vertx vertx, String router, String replica, CollectorConfig config, RouteStore store,
                     SessionStore sessions, CollectorMetrics metrics, RouteConverter converter, Consumer<RouterConnection> onClosed) {
        this.socket = socket;
        this.router = router;
        this.replica = replica;
        this.config = config;
        this.metrics = metrics;
        this.onClosed = onClosed;
        this.context = vertx.getOrCreateContext();
        this.writes = new WriteQueue(context, this::onWriteFailed, this::afterWrite);
        this.timers = new SessionTimers(vertx, context, () -> !closed && !leaseLost && !writes.failed());
        this.recorder = new SessionRecorder(router, config, store, sessions, metrics, converter, writes, timers);
    }

    void start() {
        LOG.infof("router %s connected over BMP", router);
        recorder.connected(replica);
        socket.handler(this::onData);
        socket.closeHandler(v -> onClose());
        socket.exceptionHandler(e -> LOG.warnf("router %s: socket error: %s", router, e.getMessage()));
        timers.start(config.flushInterval(), recorder::flush, config.resyncTimeout(), recorder::takeDownPeersNotReported);
    }

    /** The epoch of the router's lease this session took; null until taken. */
    Long leaseEpoch() {
        var lease = recorder.lease();
        return lease == null ? null : lease.epoch();
    }

    /**
     * Another replica took the router's lease (the router connected to it, or this replica stopped renewing for
     * longer than the grace period): this session stores nothing more and closes.
     */
    void leaseLost() {
        context.runOnContext(v -> {
            if (closed || leaseLost) {
                return;
            }
            leaseLost = true;
            logLeaseLost();
            recorder.dropBatch();
            writes.dropWaiting();
            socket.close();
        });
    }

    private void onData(Buffer data) {
        if (closed || leaseLost || writes.failed()) {
            return;
        }
        frames.append(data.getBytes(), 0, data.length());
        try {
            for (ByteBuffer message = frames.next(); message != null; message = frames.next()) {
                metrics.messages.increment();
                try {
                    recorder.record(session.decode(message));
                } catch (BmpFramingException e) {
                    throw e;
                } catch (BmpDecodeException e) {
                    metrics.decodeErrors.increment();
                    LOG.warnf("router %s: skipped a malformed BMP message: %s", router, e.getMessage());
                }
            }
        } catch (BmpFramingException e) {
            metrics.framingErrors.increment();
            LOG.errorf("router %s: BMP stream broken (%s); closing the session, the router will reconnect", router,
                    e.getMessage());
            socket.close();
            return;
        } catch (RuntimeException e) {
            metrics.decodeErrors.increment();
            LOG.errorf(e, "router %s: unexpected error handling its BMP stream; closing the session", router);
            socket.close();
            return;
        }
        if (!paused && writes.waiting() >= config.maxPendingBatches()) {
            paused = true;
            metrics.backpressurePauses.increment();
            socket.pause();
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
        socket.close();
    }

    private void logLeaseLost() {
        metrics.leasesLost.increment();
        LOG.warnf("router %s: its lease is held by another collector replica now (the router connected there); closing"
                + " this replica's session to it without storing more of it", router);
    }

    private void afterWrite() {
        if (paused && writes.waiting() < config.maxPendingBatches() && !closed && !writes.failed()) {
            paused = false;
            socket.resume();
        }
    }

    private void onClose() {
        if (closed) {
            return;
        }
        LOG.infof("router %s: BMP session closed", router);
        timers.cancel();
        if (!leaseLost) {
            recorder.flush();
        }
        closed = true;
        recorder.disconnected(() -> onClosed.accept(this));
    }
}
