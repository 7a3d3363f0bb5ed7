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
 * When a write of a router's session fails (the database went away), the session is closed and
 * nothing the router sent after the failed write is written: a later write succeeding (the
 * database back a moment later) would store the router's later changes without the earlier ones,
 * out of the router's order. Plain Vert.x and a store that fails its first route write; no database.
 */
class RouterConnectionWriteFailureTest {

    Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Fails its first route write after a while (the router keeps sending meanwhile); counts the writes after it. */
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
                            return Uni.createFrom().failure(new IllegalStateException("the database went away"));
                        });
            }
            if (failedOnce.get()) {
                routeWritesAfterFailure.incrementAndGet();
            }
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
                "flushInterval", Duration.ofMillis(20), "maxPendingBatches", 2, "routerGracePeriod", Duration.ofMinutes(10)));
    }

    @Test
    void nothingTheRouterSentAfterAFailedWriteIsWritten() throws Exception {
        FailingStore store = new FailingStore();
        CollectorConfig config = config();
        CollectorMetrics metrics = new CollectorMetrics(new SimpleMeterRegistry());
        RpkiValidation rpki = new RpkiValidation(null, Optional.empty(), Duration.ofSeconds(10));
        CountDownLatch closed = new CountDownLatch(1);
        NetServer server = vertx.createNetServer().connectHandler(socket -> new RouterConnection(socket, vertx, "127.0.0.1",
                "test", config, store, new QuietSessions(), metrics, new RouteConverter("127.0.0.1", rpki), c -> closed.countDown()).start());
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        try (Socket router = new Socket("127.0.0.1", server.actualPort())) {
            OutputStream out = new BufferedOutputStream(router.getOutputStream(), 1 << 16);
            out.write(peerUp(globalPeer("127.0.0.11", 64500),
                    open(65000, "127.0.0.2", fourByteAsnCapability(65000), multiprotocolCapability(1, 1)),
                    open(64500, "127.0.0.11", fourByteAsnCapability(64500), multiprotocolCapability(1, 1))));
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
