package io.peering.routes.collector;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.peering.routes.PeerRef;
import io.peering.routes.RouteChange;
import io.peering.routes.config.CollectorConfig;
import io.peering.routes.repository.RouteStore;
import io.peering.routes.repository.RouterLeases;
import io.peering.routes.repository.SessionStore;
import io.peering.routes.service.RpkiValidation;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.peering.routes.bmp.BmpBytes.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * When a write of a router's session fails for good (an error trying again cannot fix), the session is closed and
 * nothing the router sent after the failed write is written: a later write succeeding would store the router's
 * later changes without the earlier ones, out of the router's order. When it fails because the database is away,
 * it is tried again until stored, the later writes wait, and the router is read on. Plain Vert.x and stores that
 * fail route writes; no database.
 */
class RouterConnectionWriteFailureTest {

    Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Fails its first route write for good (trying again cannot help) after a while (the router keeps sending meanwhile); counts the writes after it. */
    static final class FailingStore extends RouteStore {
        final AtomicBoolean failedOnce = new AtomicBoolean();
        final AtomicInteger routeWrites = new AtomicInteger();
        final AtomicInteger routeWritesAfterFailure = new AtomicInteger();

        FailingStore() {
            super(null, null);
        }

        @Override
        public Uni<Applied> applyRouteChanges(List<RouteChange> changes, int lanes) {
            if (routeWrites.getAndIncrement() == 0) {
                return Uni.createFrom().item(0).onItem().delayIt().by(Duration.ofMillis(300))
                        .onItem().transformToUni(x -> {
                            failedOnce.set(true);
                            return Uni.createFrom().failure(new IllegalStateException("a write the database refuses for good"));
                        });
            }
            if (failedOnce.get()) {
                routeWritesAfterFailure.incrementAndGet();
            }
            return Uni.createFrom().item(new Applied(changes.size(), changes.size()));
        }
    }

    /** Its first three route writes fail as a database going away fails; records the prefixes of each write that succeeds. */
    static final class DatabaseAwayStore extends RouteStore {
        final AtomicInteger failures = new AtomicInteger();
        final List<String> stored = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        DatabaseAwayStore() {
            super(null, null);
        }

        @Override
        public Uni<Applied> applyRouteChanges(List<RouteChange> changes, int lanes) {
            if (failures.get() < 3) {
                failures.incrementAndGet();
                return Uni.createFrom().failure(io.vertx.sqlclient.ClosedConnectionException.INSTANCE);
            }
            changes.forEach(c -> stored.add(c.prefix()));
            return Uni.createFrom().item(new Applied(changes.size(), changes.size()));
        }
    }

    /** Stores nothing of the router and its sessions, and never fails. */
    static final class QuietSessions extends SessionStore {
        QuietSessions() {
            super(null, null, null);
        }

        @Override
        public Uni<RouterLeases.Lease> routerConnected(String router, String replica, Duration grace) {
            return Uni.createFrom().item(new RouterLeases.Lease(router, 1));
        }

        @Override
        public Uni<Boolean> peerUp(PeerRef peer, Instant time, String peerBgpId, String localAddress, long localAsn) {
            return Uni.createFrom().item(false);
        }

        @Override
        public Uni<Void> routerDisconnected(RouterLeases.Lease lease, Duration grace) {
            return Uni.createFrom().voidItem();
        }
    }

    static CollectorConfig config() {
        return CollectorSettings.with(Map.of("host", "127.0.0.1", "port", 0, "batchSize", 10, "writeLanes", 1,
                "flushInterval", Duration.ofMillis(20), "maxPendingBatches", 2, "routerGracePeriod", Duration.ofMinutes(10),
                "writeRetryMaxBackoff", Duration.ofMillis(200)));
    }

    /** A collector of one router session on a free loopback port, storing into {@code store}; {@code closed} counts its end. */
    NetServer collector(CollectorConfig config, RouteStore store, CollectorMetrics metrics, RpkiValidation rpki,
                        CountDownLatch closed) throws Exception {
        NetServer server = vertx.createNetServer().connectHandler(socket -> new RouterConnection(socket, vertx, "127.0.0.1",
                "test", config, store, new QuietSessions(), metrics, new RouteConverter("127.0.0.1", rpki), c -> closed.countDown()).start());
        return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The router's stream, after a Peer Up of peer 127.0.0.11 (AS 64500). */
    static OutputStream afterPeerUp(Socket router) throws IOException {
        OutputStream out = new BufferedOutputStream(router.getOutputStream(), 1 << 16);
        out.write(peerUp(globalPeer("127.0.0.11", 64500),
                open(65000, "127.0.0.2", fourByteAsnCapability(65000), multiprotocolCapability(1, 1)),
                open(64500, "127.0.0.11", fourByteAsnCapability(64500), multiprotocolCapability(1, 1))));
        return out;
    }

    @Test
    void aWriteFailingWhileTheDatabaseIsAwayIsTriedAgainAndEverythingIsStoredInOrderWithTheSessionOpen() throws Exception {
        DatabaseAwayStore store = new DatabaseAwayStore();
        CollectorMetrics metrics = new CollectorMetrics(new SimpleMeterRegistry());
        RpkiValidation rpki = new RpkiValidation(null, Optional.empty(), Duration.ofSeconds(10));
        CountDownLatch closed = new CountDownLatch(1);
        NetServer server = collector(config(), store, metrics, rpki, closed);

        List<String> sent = new java.util.ArrayList<>();
        try (Socket router = new Socket("127.0.0.1", server.actualPort())) {
            OutputStream out = afterPeerUp(router);
            byte[] attributes = concat(origin(0), attr(0x40, 2, segment(2, 4, 64500)), nextHop("192.0.2.1"));
            for (int i = 0; i < 5_000; i++) { // far more than the two batches the collector decodes ahead: the rest is spooled
                String prefix = "10." + (i >> 8) + "." + (i & 255) + ".0/24";
                sent.add(prefix);
                out.write(routeMonitoring(globalPeer("127.0.0.11", 64500), update(new byte[0], attributes, prefix(prefix))));
            }
            out.flush(); // the whole stream is taken while the writes fail: nothing pauses the router
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (store.stored.size() < sent.size() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(closed.getCount()).as("the session is still open").isEqualTo(1);
        }
        assertThat(store.failures.get()).isEqualTo(3);
        assertThat(metrics.writeRetries.count()).isEqualTo(3.0);
        assertThat(store.stored).as("every route stored once, in the router's order").isEqualTo(sent);
    }

    @Test
    void nothingTheRouterSentAfterAFailedWriteIsWritten() throws Exception {
        FailingStore store = new FailingStore();
        CollectorConfig config = config();
        CollectorMetrics metrics = new CollectorMetrics(new SimpleMeterRegistry());
        RpkiValidation rpki = new RpkiValidation(null, Optional.empty(), Duration.ofSeconds(10));
        CountDownLatch closed = new CountDownLatch(1);
        NetServer server = collector(config, store, metrics, rpki, closed);

        try (Socket router = new Socket("127.0.0.1", server.actualPort())) {
            OutputStream out = afterPeerUp(router);
            byte[] attributes = concat(origin(0), attr(0x40, 2, segment(2, 4, 64500)), nextHop("192.0.2.1"));
            try {
                for (int i = 0; i < 5_000; i++) { // far more than the two batches the collector holds before pausing
                    out.write(routeMonitoring(globalPeer("127.0.0.11", 64500),
                            update(new byte[0], attributes, prefix("10." + (i >> 8) + "." + (i & 255) + ".0/24"))));
                }
                out.flush();
            } catch (IOException e) {
                // the collector closed the session: expected
            }
            assertThat(closed.await(30, TimeUnit.SECONDS)).as("the collector ended the session").isTrue();
        }

        assertThat(store.failedOnce).isTrue();
        assertThat(store.routeWritesAfterFailure.get()).as("route writes after the failed one").isZero();
    }
}
