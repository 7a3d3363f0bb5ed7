package io.peering.routes.collector;

import io.peering.routes.PeerRef;
import io.peering.routes.RouteChange;
import io.peering.routes.bmp.BgpNotification;
import io.peering.routes.bmp.BgpUpdate;
import io.peering.routes.bmp.BmpDecodeException;
import io.peering.routes.bmp.BmpFrameBuffer;
import io.peering.routes.bmp.BmpFramingException;
import io.peering.routes.bmp.BmpMessage;
import io.peering.routes.bmp.BmpSession;
import io.peering.support.net.IpAddresses;
import io.peering.routes.bmp.StatCounter;
import io.peering.routes.config.CollectorConfig;
import io.peering.routes.repository.RouteStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One router's BMP session: bytes in, decoded messages, writes out in the router's order.
 *
 * <p>Everything here runs on the socket's event-loop context. Writes go through a queue with one
 * write in flight; while {@code maxPendingBatches} writes wait, the socket is paused, so a router
 * faster than the database is slowed down by TCP instead of filling memory.
 *
 * <p>When a write fails, the session is closed and nothing the router sent after it is stored
 * (the writes waiting, the batch being built, bytes still arriving): for each prefix the stored
 * state is what the router sent up to some point, never later changes without earlier ones, and
 * the router re-sends everything when it reconnects.
 */
final class RouterConnection {

    private static final Logger LOG = Logger.getLogger(RouterConnection.class);

    private final NetSocket socket;
    private final Context context;
    private final Vertx vertx;
    private final String router;
    private final CollectorConfig config;
    private final RouteStore store;
    private final CollectorMetrics metrics;
    private final RouteConverter converter;
    private final Runnable onClosed;

    private final BmpFrameBuffer frames = new BmpFrameBuffer();
    private final BmpSession session = new BmpSession();
    private final ArrayDeque<Supplier<Uni<?>>> pending = new ArrayDeque<>();
    private List<RouteChange> batch = new ArrayList<>();
    private boolean writing;
    private boolean paused;
    private boolean closed;
    /** A write failed: nothing more of this session is stored (the router re-sends everything when it reconnects). */
    private boolean failed;
    private boolean closeReported;
    private long flushTimer;
    private long reportCheckTimer;
    /** The peers this session reported up (Peer Up), by distinguisher and address. */
    private final Set<String> reportedPeers = new HashSet<>();

    RouterConnection(NetSocket socket, Vertx vertx, String router, CollectorConfig config, RouteStore store,
                     CollectorMetrics metrics, RouteConverter converter, Runnable onClosed) {
        this.socket = socket;
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.router = router;
        this.config = config;
        this.store = store;
        this.metrics = metrics;
        this.converter = converter;
        this.onClosed = onClosed;
    }

    void start() {
        LOG.infof("router %s connected over BMP", router);
        enqueue(() -> store.routerConnected(router, null, null));
        socket.handler(this::onData);
        socket.closeHandler(v -> onClose());
        socket.exceptionHandler(e -> LOG.warnf("router %s: socket error: %s", router, e.getMessage()));
        flushTimer = vertx.setPeriodic(Math.max(1, config.flushInterval().toMillis()), id -> flushBatch());
        // A router reports every established peer (Peer Up) when its BMP session starts. Peers stored
        // as up that it has not reported by the resync timeout went down while we were not receiving
        // (the collector restarting, the connection broken): take them down now.
        reportCheckTimer = vertx.setTimer(Math.max(1, config.resyncTimeout().toMillis()), id -> context.runOnContext(v -> {
            if (!closed && !failed) {
                Set<String> reported = Set.copyOf(reportedPeers);
                enqueue(() -> takeDownPeersNotReported(reported));
            }
        }));
    }

    private void onData(Buffer data) {
        if (closed || failed) {
            return;
        }
        frames.append(data.getBytes(), 0, data.length());
        try {
            for (ByteBuffer message = frames.next(); message != null; message = frames.next()) {
                metrics.messages.increment();
                try {
                    handle(session.decode(message));
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
        if (!paused && pending.size() >= config.maxPendingBatches()) {
            paused = true;
            metrics.backpressurePauses.increment();
            socket.pause();
        }
    }

    private void handle(BmpMessage message) {
        if (message instanceof BmpMessage.RouteMonitoring rm) {
            if (rm.peer().adjRibOut()) {
                metrics.adjRibOutSkipped.increment(); // routes sent, not received: not stored
                return;
            }
            BgpUpdate update = rm.update();
            if (!update.skippedFamilies().isEmpty()) {
                metrics.skippedFamilies.increment(update.skippedFamilies().size());
            }
            if (update.unknownAttributes() > 0) {
                metrics.unknownAttributes.increment(update.unknownAttributes());
            }
            converter.changes(rm.peer(), update, this::add);
            if (update.isEndOfRib()) {
                PeerRef peer = converter.peer(rm.peer());
                int family = update.endOfRib().afi() == 2 ? 6 : 4;
                flushBatch();
                enqueue(() -> store.sweepStale(peer, RouteConverter.time(rm.peer()), family));
            }
        } else if (message instanceof BmpMessage.PeerUp up) {
            PeerRef peer = converter.peer(up.peer());
            reportedPeers.add(key(peer));
            String localAddress = up.localAddress() == null ? null : IpAddresses.format(up.localAddress());
            String bgpId = up.peer().bgpId() == null ? null : IpAddresses.format(up.peer().bgpId());
            long localAsn = up.sentOpen() == null ? 0 : up.sentOpen().myAs();
            flushBatch();
            enqueue(() -> store.peerUp(peer, RouteConverter.time(up.peer()), bgpId, localAddress, localAsn)
                    .invoke(resync -> {
                        if (resync) { // routes not re-sent by then are swept even without End-of-RIB
                            long ms = Math.max(1, config.resyncTimeout().toMillis());
                            vertx.setTimer(ms, id -> context.runOnContext(v -> {
                                if (!closed && !failed) {
                                    enqueue(() -> store.sweepStale(peer, Instant.now(), 0));
                                }
                            }));
                        }
                    }));
        } else if (message instanceof BmpMessage.PeerDown down) {
            PeerRef peer = converter.peer(down.peer());
            flushBatch();
            BgpNotification n = down.notification();
            enqueue(() -> store.peerDown(peer, RouteConverter.time(down.peer()), PeerDownReasons.describe(down),
                    down.reason(), n == null ? 0 : n.code(), n == null ? 0 : n.subcode(), "peer down"));
        } else if (message instanceof BmpMessage.Initiation init) {
            enqueue(() -> store.routerConnected(router, init.sysName(), init.sysDescr()));
        } else if (message instanceof BmpMessage.StatisticsReport stats) {
            PeerRef peer = converter.peer(stats.peer());
            List<Integer> types = stats.counters().stream().map(StatCounter::type).toList();
            List<Long> values = stats.counters().stream().map(StatCounter::value).toList();
            enqueue(() -> store.statistics(peer, RouteConverter.time(stats.peer()), types, values));
        } else if (message instanceof BmpMessage.Termination t) {
            LOG.infof("router %s ends its BMP session (reason %s)", router, t.reason());
        } else if (message instanceof BmpMessage.Unsupported u) {
            metrics.unsupportedMessages.increment();
        }
    }

    private static String key(PeerRef peer) {
        return peer.distinguisher() + " " + peer.peerAddress();
    }

    /** Takes down the router's peers stored as up that this session has not reported. */
    private Uni<?> takeDownPeersNotReported(Set<String> reported) {
        Instant now = Instant.now();
        return store.establishedPeersOf(router)
                .onItem().transformToMulti(peers -> Multi.createFrom().iterable(peers))
                .select().where(peer -> !reported.contains(key(peer)))
                .onItem().transformToUniAndConcatenate(peer -> {
                    LOG.warnf("router %s did not report peer %s within %s of its BMP session starting: it went down while"
                            + " the collector was not receiving; taking it down", router, peer.peerAddress(), config.resyncTimeout());
                    return store.peerDown(peer, now, "not reported by the router after its BMP session started again (went"
                            + " down while the collector was not receiving)", 0, 0, 0, "peer down");
                })
                .collect().last();
    }

    private void add(RouteChange change) {
        (change.withdrawn() ? metrics.routesWithdrawn : metrics.routesAnnounced).increment();
        batch.add(change);
        if (batch.size() >= config.batchSize() * config.writeLanes()) {
            flushBatch();
        }
    }

    private void flushBatch() {
        if (batch.isEmpty() || failed) {
            return;
        }
        List<RouteChange> changes = batch;
        batch = new ArrayList<>(Math.min(config.batchSize(), 1024));
        enqueue(() -> store.applyRouteChanges(changes, config.writeLanes()));
    }

    private void enqueue(Supplier<Uni<?>> write) {
        pending.add(write);
        pump();
    }

    private void pump() {
        if (writing) {
            return;
        }
        Supplier<Uni<?>> next = pending.poll();
        if (next == null) {
            if (closed && !closeReported) {
                closeReported = true;
                onClosed.run();
            }
            return;
        }
        writing = true;
        next.get().subscribe().with(
                ok -> context.runOnContext(v -> afterWrite()),
                failure -> context.runOnContext(v -> {
                    metrics.writeErrors.increment();
                    LOG.errorf(failure, "router %s: database write failed; closing its BMP session so it re-sends"
                            + " its routes when it reconnects", router);
                    failed = true; // what the router sent after the failed write is not stored either
                    pending.clear();
                    batch.clear();
                    socket.close();
                    afterWrite();
                }));
    }

    private void afterWrite() {
        writing = false;
        if (paused && pending.size() < config.maxPendingBatches() && !closed && !failed) {
            paused = false;
            socket.resume();
        }
        pump();
    }

    private void onClose() {
        if (closed) {
            return;
        }
        LOG.infof("router %s: BMP session closed", router);
        vertx.cancelTimer(flushTimer);
        vertx.cancelTimer(reportCheckTimer);
        flushBatch();
        closed = true;
        enqueue(() -> store.routerDisconnected(router));
    }
}
