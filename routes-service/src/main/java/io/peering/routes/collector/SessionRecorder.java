package io.peering.routes.collector;

import io.peering.routes.PeerRef;
import io.peering.routes.RouteChange;
import io.peering.routes.bmp.BgpNotification;
import io.peering.routes.bmp.BgpUpdate;
import io.peering.routes.bmp.BmpMessage;
import io.peering.routes.bmp.StatCounter;
import io.peering.routes.config.CollectorConfig;
import io.peering.routes.repository.RouteStore;
import io.peering.routes.repository.RouterLeases;
import io.peering.routes.repository.SessionStore;
import io.peering.support.net.IpAddresses;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a router's BMP messages mean for the stores: route changes in batches, End-of-RIB and resync sweeps
 * ({@link RouteStore}); peers up and down, statistics, the router itself ({@link SessionStore}). Each store
 * call goes to the session's {@link WriteQueue},
 * so they are stored in the router's order.
 */
final class SessionRecorder {

    private static final Logger LOG = Logger.getLogger(SessionRecorder.class);

    private final String router;
    private final CollectorConfig config;
    private final RouteStore store;
    private final SessionStore sessions;
    private final CollectorMetrics metrics;
    private final RouteConverter converter;
    private final WriteQueue writes;
    private final SessionTimers timers;

    private List<RouteChange> batch = new ArrayList<>();
    /** The peers this session reported up (Peer Up), by distinguisher and address. */
    private final Set<String> reportedPeers = new HashSet<>();

    SessionRecorder(String router, CollectorConfig config, RouteStore store, SessionStore sessions, CollectorMetrics metrics,
                    RouteConverter converter, WriteQueue writes, SessionTimers timers) {
        this.router = router;
        this.config = config;
        this.store = store;
        this.sessions = sessions;
        this.metrics = metrics;
        this.converter = converter;
        this.writes = writes;
        this.timers = timers;
    }

    /** The router's lease, once taken (the session's first write); null before, or if that write failed. */
    private volatile RouterLeases.Lease lease;

    /** The session's first write: the router is connected, and its lease this replica's ({@code replica}). */
    void connected(String replica) {
        writes.add(() -> sessions.routerConnected(router, replica, config.routerGracePeriod()).invoke(taken -> lease = taken));
    }

    /** A replayed spool's session: its lease was taken already ({@link RouterLeases#takeIfStillAt}). */
    void resumed(RouterLeases.Lease taken) {
        lease = taken;
    }

    RouterLeases.Lease lease() {
        return lease;
    }

    void record(BmpMessage message) {
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
            if (update.treatAsWithdraw() != null) {
                metrics.treatAsWithdraw.increment();
                LOG.warnf("router %s: peer %s sent a malformed UPDATE (%s); its %d announced routes are withdrawn"
                                + " instead (RFC 7606 treat-as-withdraw)", router, converter.peer(rm.peer()).peerAddress(),
                        update.treatAsWithdraw().reason(), update.treatAsWithdraw().routes().size());
            }
            converter.changes(rm.peer(), update, this::add);
            if (update.isEndOfRib()) {
                PeerRef peer = converter.peer(rm.peer());
                int family = update.endOfRib().afi() == 2 ? 6 : 4;
                flush();
                writes.add(() -> store.sweepStale(peer, RouteConverter.time(rm.peer()), family, lease));
            }
        } else if (message instanceof BmpMessage.PeerUp up) {
            PeerRef peer = converter.peer(up.peer());
            reportedPeers.add(key(peer));
            String localAddress = up.localAddress() == null ? null : IpAddresses.format(up.localAddress());
            String bgpId = up.peer().bgpId() == null ? null : IpAddresses.format(up.peer().bgpId());
            long localAsn = up.sentOpen() == null ? 0 : up.sentOpen().myAs();
            flush();
            writes.add(() -> sessions.peerUp(peer, RouteConverter.time(up.peer()), bgpId, localAddress, localAsn)
                    .invoke(resync -> {
                        if (resync) { // routes not re-sent by then are swept even without End-of-RIB
                            timers.after(config.resyncTimeout(), () -> writes.add(() -> store.sweepStale(peer, Instant.now(), 0, lease)));
                        }
                    }));
        } else if (message instanceof BmpMessage.PeerDown down) {
            PeerRef peer = converter.peer(down.peer());
            flush();
            BgpNotification n = down.notification();
            writes.add(() -> sessions.peerDown(peer, RouteConverter.time(down.peer()), PeerDownReasons.describe(down),
                    down.reason(), n == null ? 0 : n.code(), n == null ? 0 : n.subcode(), "peer down"));
        } else if (message instanceof BmpMessage.Initiation init) {
            writes.add(() -> sessions.routerIdentified(router, init.sysName(), init.sysDescr()));
        } else if (message instanceof BmpMessage.StatisticsReport stats) {
            PeerRef peer = converter.peer(stats.peer());
            List<Integer> types = stats.counters().stream().map(StatCounter::type).toList();
            List<Long> values = stats.counters().stream().map(StatCounter::value).toList();
            writes.add(() -> sessions.statistics(peer, RouteConverter.time(stats.peer()), types, values));
        } else if (message instanceof BmpMessage.Termination t) {
            LOG.infof("router %s ends its BMP session (reason %s)", router, t.reason());
        } else if (message instanceof BmpMessage.Unsupported u) {
            metrics.unsupportedMessages.increment();
        }
    }

    /**
     * A router reports every established peer (Peer Up) when its BMP session starts. Peers stored as up
     * that it has not reported by now (the resync timeout) went down while we were not receiving (the
     * collector restarting, the connection broken): take them down.
     */
    void takeDownPeersNotReported() {
        Set<String> reported = Set.copyOf(reportedPeers);
        writes.add(() -> takeDownPeersNotReported(reported));
    }

    private Uni<?> takeDownPeersNotReported(Set<String> reported) {
        Instant now = Instant.now();
        return sessions.establishedPeersOf(router)
                .onItem().transformToMulti(peers -> Multi.createFrom().iterable(peers))
                .select().where(peer -> !reported.contains(key(peer)))
                .onItem().transformToUniAndConcatenate(peer -> {
                    LOG.warnf("router %s did not report peer %s within %s of its BMP session starting: it went down while"
                            + " the collector was not receiving; taking it down", router, peer.peerAddress(), config.resyncTimeout());
                    return sessions.peerDown(peer, now, "not reported by the router after its BMP session started again (went"
                            + " down while the collector was not receiving)", 0, 0, 0, "peer down", lease);
                })
                .collect().last();
    }

    private static String key(PeerRef peer) {
        return peer.distinguisher() + " " + peer.peerAddress();
    }

    private void add(RouteChange change) {
        (change.withdrawn() ? metrics.routesWithdrawn : metrics.routesAnnounced).increment();
        batch.add(change);
        if (batch.size() >= config.batchSize() * config.writeLanes()) {
            flush();
        }
    }

    /** Hands the route changes collected so far to the write queue (unless a write failed). */
    void flush() {
        if (batch.isEmpty() || writes.failed()) {
            return;
        }
        List<RouteChange> changes = batch;
        batch = new ArrayList<>(Math.min(config.batchSize(), 1024));
        writes.add(() -> store.applyRouteChanges(changes, config.writeLanes()));
    }

    /** Whether no route change waits in the batch being built (everything recorded is handed to the write queue). */
    boolean batchEmpty() {
        return batch.isEmpty();
    }

    /** A write failed: the changes collected since are not stored either. */
    void dropBatch() {
        batch.clear();
    }

    /**
     * The session's last write (the router disconnected, its lease left to run for the grace period; nothing if
     * the lease was never taken); {@code whenDone} runs once it is stored.
     */
    void disconnected(Runnable whenDone) {
        writes.addLast(() -> lease == null ? Uni.createFrom().voidItem()
                : sessions.routerDisconnected(lease, config.routerGracePeriod()), whenDone);
    }
}
