package io.peering.routes.e2e;

import io.peering.routes.collector.BmpListener;
import io.peering.routes.testing.Await;
import io.peering.routes.testing.RoutesChannel;
import io.peering.routes.testing.TestRouter;
import io.peering.routes.v1.ListReceivedRoutesRequest;
import io.peering.routes.v1.ReceivedRoute;
import io.peering.routes.v1.RoutesServiceGrpc;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.List;

/**
 * A test class against real routers ({@link Routers}): before its first test they start, exporting BMP to this app's
 * collector, from a database without rows of theirs (router 127.0.0.1, peers P1 and P2); after its last test they stop.
 * Each test gets a gRPC channel to the app. Tests skip, saying why, where the daemons are not installed.
 */
abstract class WithRealRouters {

    /** How long routes and sessions may take from a router's CLI through BGP and BMP to the API. */
    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    BmpListener listener;

    @Inject
    Pool pool;

    RoutesChannel channel;

    /** Whether the class needs R2 (FRR's bgpd) and its peer P3 too. */
    boolean withFrr() {
        return false;
    }

    @BeforeEach
    void startRoutersOnce() throws Exception {
        Routers.requireDaemons(false);
        if (!Routers.exportingTo(listener.port())) {
            TestRouter.forget(pool, Routers.ROUTER, Routers.P1, Routers.P2, Routers.P1_V6, Routers.P2_V6);
            Routers.start(listener.port(), withFrr());
        }
        channel = RoutesChannel.open();
    }

    /** A stub per call: a test here can take longer than one stub's deadline. */
    RoutesServiceGrpc.RoutesServiceBlockingStub routes() {
        return channel.blocking();
    }

    /** Every route of contoso-ams (P1's and P2's sessions) that the routers reported. */
    List<ReceivedRoute> reported() {
        return routes().listReceivedRoutes(ListReceivedRoutesRequest.newBuilder().setParent("peerings/contoso-ams").setPageSize(1000)
                .build()).getRoutesList().stream().filter(r -> r.getRouter().equals(Routers.ROUTER)).toList();
    }

    /** P1 and P2 withdraw everything they announce; returns once the collector holds none of their routes. */
    void clearP1AndP2() throws InterruptedException {
        Routers.run("clear", "p1");
        Routers.run("clear", "p2");
        Await.until("no route of P1 and P2 left", WAIT, () -> reported().isEmpty());
    }

    @AfterEach
    void closeChannel() throws InterruptedException {
        channel.close();
    }

    @AfterAll
    static void stopRouters() {
        if (Routers.started()) {
            Routers.stop();
        }
    }
}
