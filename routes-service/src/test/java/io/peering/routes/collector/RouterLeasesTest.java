package io.peering.routes.collector;

import io.peering.routes.PeerRef;
import io.peering.routes.repository.RouteStore;
import io.peering.routes.repository.RouterLeases;
import io.peering.routes.repository.SessionStore;
import io.peering.routes.testing.Await;
import io.peering.routes.testing.BmpPeer;
import io.peering.routes.testing.TestRouter;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Several collector replicas share the routers through leases in the database. The other replica is played
 * by this test, writing its lease rows as a replica would; this replica runs with a 0.5 s grace period, so it
 * renews and claims every 166 ms.
 */
@QuarkusTest
@TestProfile(RouterGracePeriodTest.ShortGrace.class)
class RouterLeasesTest {

    static final String ROUTER = "127.0.0.206";
    static final BmpPeer AMS_1 = BmpPeer.of("127.0.0.11", 64500);

    @Inject
    BmpListener listener;

    @Inject
    SessionStore sessions;

    @Inject
    RouteStore store;

    @Inject
    Pool pool;

    @BeforeEach
    void clean() {
        TestRouter.forget(pool, ROUTER);
    }

    TestRouter routerWithOneRoute() throws Exception {
        TestRouter router = TestRouter.connect(ROUTER, listener.port(), AMS_1.up(), AMS_1.announce("198.51.100.0/24", 64500));
        Await.until("route stored", () -> routes() == 1);
        return router;
    }

    /** Another replica takes the router's lease, as it does when the router connects to it. */
    void anotherReplicaTakesTheLease(String owner, String expiresIn) {
        pool.preparedQuery("""
                        UPDATE routes.router_leases SET owner = $2, epoch = epoch + 1, connected = true, expires = now() + $3::text::interval
                        WHERE router = $1::text::inet""")
                .execute(Tuple.of(ROUTER, owner, expiresIn)).await().atMost(Duration.ofSeconds(5));
    }

    long routes() {
        return count("SELECT count(*) FROM routes.adj_rib_in WHERE router = $1::text::inet");
    }

    long count(String sql) {
        Row row = pool.preparedQuery(sql).execute(Tuple.of(ROUTER)).await().atMost(Duration.ofSeconds(5)).iterator().next();
        return row.getLong(0);
    }

    String leaseOwner() {
        var rows = pool.preparedQuery("SELECT owner FROM routes.router_leases WHERE router = $1::text::inet")
                .execute(Tuple.of(ROUTER)).await().atMost(Duration.ofSeconds(5));
        return rows.size() == 0 ? null : rows.iterator().next().getString(0);
    }

    @Test
    void aRouterConnectingHereTakesItsLeaseFromTheReplicaHoldingIt() throws Exception {
        try (TestRouter router = routerWithOneRoute()) {
            anotherReplicaTakesTheLease("other-replica/1", "1 hour");
        }
        long epochBefore = count("SELECT epoch FROM routes.router_leases WHERE router = $1::text::inet");
        try (TestRouter again = TestRouter.connect(ROUTER, listener.port(), AMS_1.up())) {
            Await.until("lease taken by this replica", () -> leaseOwner() != null && !leaseOwner().equals("other-replica/1"));
            assertThat(count("SELECT epoch FROM routes.router_leases WHERE router = $1::text::inet")).isEqualTo(epochBefore + 1);
            assertThat(count("SELECT count(*) FROM routes.router_leases WHERE router = $1::text::inet AND connected")).isEqualTo(1);
        }
    }

    @Test
    void aReplicaWhoseLeaseWasTakenClosesItsSessionAndStoresNothingMoreOfIt() throws Exception {
        try (TestRouter router = routerWithOneRoute()) {
            anotherReplicaTakesTheLease("other-replica/1", "1 hour");
            assertThat(router.closedByCollectorWithin(Duration.ofSeconds(10))).as("this replica closed its session to the router")
                    .isTrue();
            try {
                router.send(AMS_1.announce("203.0.113.0/24", 64500));
            } catch (IOException e) {
                // closed already: nothing sent
            }
            Thread.sleep(500);
            assertThat(routes()).as("routes stored (the second announcement came after the lease was lost)").isEqualTo(1);
        }
    }

    @Test
    void aRouterConnectedToAnotherReplicaIsNeverTakenDownHere() throws Exception {
        try (TestRouter router = routerWithOneRoute()) {
            anotherReplicaTakesTheLease("other-replica/1", "1 hour");
            assertThat(router.closedByCollectorWithin(Duration.ofSeconds(10))).as("this replica closed its session to the router")
                    .isTrue();
        }
        Thread.sleep(2000); // four grace periods of this replica, about twelve of its lease rounds
        assertThat(routes()).as("routes of a router the other replica holds").isEqualTo(1);
        assertThat(count("SELECT count(*) FROM routes.sessions WHERE router = $1::text::inet AND state = 7")).isEqualTo(1);
        assertThat(leaseOwner()).isEqualTo("other-replica/1");
        assertThat(count("SELECT count(*) FROM routes.router_leases WHERE router = $1::text::inet AND connected"))
                .as("the other replica's lease still says connected (this replica's close did not release it)").isEqualTo(1);
    }

    @Test
    void aLeaseItsDeadReplicaStoppedRenewingRunsOutAndTheRouterIsTakenDownOnce() throws Exception {
        try (TestRouter router = routerWithOneRoute()) {
            anotherReplicaTakesTheLease("dead-replica/1", "0.3 seconds"); // then it died: nobody renews
            Await.until("routes withdrawn once the lease ran out", () -> routes() == 0);
        }
        Await.until("lease ended", () -> leaseOwner() == null);
        assertThat(count("SELECT count(*) FROM routes.sessions WHERE router = $1::text::inet AND state = 2")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM routes.route_changes WHERE router = $1::text::inet AND withdrawn"
                + " AND reason = 'router disconnected'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM routes.session_transitions WHERE router = $1::text::inet AND state = 2")).isEqualTo(1);
    }

    @Test
    void aResyncSweepUnderALeaseThatChangedHandsChangesNothing() throws Exception {
        routerWithOneRoute().close();
        try (TestRouter again = TestRouter.connect(ROUTER, listener.port(), AMS_1.up())) { // re-established: routes stale
            Await.until("the route marked stale", () -> count("SELECT count(*) FROM routes.adj_rib_in WHERE router = $1::text::inet"
                    + " AND stale") == 1);
            long epoch = count("SELECT epoch FROM routes.router_leases WHERE router = $1::text::inet");
            anotherReplicaTakesTheLease("other-replica/1", "1 hour");
            PeerRef peer = new PeerRef(ROUTER, 0, AMS_1.address(), AMS_1.asn());
            assertThatThrownBy(() -> store.sweepStale(peer, Instant.now(), 0, new RouterLeases.Lease(ROUTER, epoch))
                    .await().atMost(Duration.ofSeconds(10)))
                    .isInstanceOf(RouterLeases.LeaseLostException.class);
        }
        assertThat(routes()).as("the stale route, not withdrawn by this replica").isEqualTo(1);
        assertThat(count("SELECT count(*) FROM routes.route_changes WHERE router = $1::text::inet AND withdrawn")).isZero();
    }

    @Test
    void aTakedownUnderALeaseThatChangedHandsChangesNothing() throws Exception {
        try (TestRouter router = routerWithOneRoute()) {
            long epoch = count("SELECT epoch FROM routes.router_leases WHERE router = $1::text::inet");
            anotherReplicaTakesTheLease("other-replica/1", "1 hour");
            PeerRef peer = new PeerRef(ROUTER, 0, AMS_1.address(), AMS_1.asn());
            assertThatThrownBy(() -> sessions.peerDown(peer, Instant.now(), "test", 0, 0, 0, "router disconnected",
                    new RouterLeases.Lease(ROUTER, epoch)).await().atMost(Duration.ofSeconds(10)))
                    .isInstanceOf(RouterLeases.LeaseLostException.class);
        }
        assertThat(routes()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM routes.sessions WHERE router = $1::text::inet AND state = 7")).isEqualTo(1);
    }
}
