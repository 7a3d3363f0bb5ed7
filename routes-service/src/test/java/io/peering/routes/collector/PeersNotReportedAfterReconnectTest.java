package io.peering.routes.collector;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.peering.routes.PeerRef;
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

import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.peering.routes.bmp.BmpBytes.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A peer's session went down while the collector was not receiving (it restarted, or the BMP
 * connection broke): when the router's BMP session starts again it reports only the peers still
 * up. Those stored as up but not reported by the resync timeout are taken down (transition logged,
 * routes withdrawn), instead of staying Established with their routes forever. Plain Vert.x and a
 * store that remembers two established peers; no database.
 */
class PeersNotReportedAfterReconnectTest {

    static final String ROUTER = "127.0.0.1";
    static final PeerRef STILL_UP = new PeerRef(ROUTER, 0, "127.0.0.11", 64500);
    static final PeerRef WENT_DOWN = new PeerRef(ROUTER, 0, "127.0.0.12", 64500);

    Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static final class RememberingStore extends SessionStore {
        final List<PeerRef> takenDown = new CopyOnWriteArrayList<>();

        RememberingStore() {
            super(null, null, null);
        }

        @Override
        public Uni<List<PeerRef>> establishedPeersOf(String router) {
            return Uni.createFrom().item(List.of(STILL_UP, WENT_DOWN));
        }

        @Override
        public Uni<Void> peerDown(PeerRef peer, Instant time, String reason, int peerDownReason, int notificationCode,
                                  int notificationSubcode, String withdrawalReason, RouterLeases.Lease lease) {
            takenDown.add(peer);
            return Uni.createFrom().voidItem();
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

    static CollectorConfig config(Duration resyncTimeout) {
        return CollectorSettings.with(Map.of("host", ROUTER, "port", 0, "batchSize", 100, "writeLanes", 1,
                "flushInterval", Duration.ofMillis(20), "routerGracePeriod", Duration.ofMinutes(10), "resyncTimeout", resyncTimeout));
    }

    @Test
    void aPeerStoredAsUpThatTheReconnectedRouterDoesNotReportIsTakenDown() throws Exception {
        RememberingStore store = new RememberingStore();
        RpkiValidation rpki = new RpkiValidation(null, Optional.empty(), Duration.ofSeconds(10));
        NetServer server = vertx.createNetServer().connectHandler(socket -> new RouterConnection(socket, vertx, ROUTER, "test",
                config(Duration.ofMillis(500)), new RouteStore(null, null), store, new CollectorMetrics(new SimpleMeterRegistry()),
                new RouteConverter(ROUTER, rpki), c -> { }).start());
        server.listen(0, ROUTER).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        try (Socket router = new Socket(ROUTER, server.actualPort())) {
            OutputStream out = router.getOutputStream();
            out.write(peerUp(globalPeer(STILL_UP.peerAddress(), 64500),
                    open(65000, "127.0.0.2", fourByteAsnCapability(65000), multiprotocolCapability(1, 1)),
                    open(64500, STILL_UP.peerAddress(), fourByteAsnCapability(64500), multiprotocolCapability(1, 1))));
            out.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (store.takenDown.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }

        assertThat(store.takenDown).containsExactly(WENT_DOWN);
    }
}
