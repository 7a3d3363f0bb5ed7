package io.peering.routes.collector;

import io.peering.routes.testing.Await;
import io.peering.routes.testing.BmpPeer;
import io.peering.routes.testing.TestRouter;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A router whose BMP session drops and does not come back within the grace period loses its sessions and routes. */
@QuarkusTest
@TestProfile(RouterGracePeriodTest.ShortGrace.class)
class RouterGracePeriodTest {

    public static class ShortGrace implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("peering.bmp.router-grace-period", "PT0.5S");
        }
    }

    static final String GONE = "127.0.0.204";
    static final String BACK = "127.0.0.205";

    @Inject
    BmpListener listener;

    @Inject
    Pool pool;

    @BeforeEach
    void clean() {
        TestRouter.forget(pool, GONE);
        TestRouter.forget(pool, BACK);
    }

    static final BmpPeer AMS_1 = BmpPeer.of("127.0.0.11", 64500); // peerings/contoso-ams/connections/ams-1

    TestRouter routerWithOneRoute(String address) throws Exception {
        TestRouter router = TestRouter.connect(address, listener.port(), AMS_1.up(), AMS_1.announce("198.51.100.0/24", 64500));
        Await.until("route of " + address + " stored", () -> count("SELECT count(*) FROM routes.adj_rib_in WHERE router = $1::text::inet", address) == 1);
        return router;
    }

    long count(String sql, String router) {
        Row row = pool.preparedQuery(sql).execute(Tuple.of(router)).await().atMost(Duration.ofSeconds(5)).iterator().next();
        return row.getLong(0);
    }

    @Test
    void aRouterGoneLongerThanTheGracePeriodHasItsSessionsTakenDownAndRoutesWithdrawn() throws Exception {
        routerWithOneRoute(GONE).close();
        Await.until("routes withdrawn after the grace period",
                () -> count("SELECT count(*) FROM routes.adj_rib_in WHERE router = $1::text::inet", GONE) == 0);
        assertThat(count("SELECT count(*) FROM routes.sessions WHERE router = $1::text::inet AND state = 2", GONE)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM routes.route_changes WHERE router = $1::text::inet AND withdrawn AND reason = 'router disconnected'", GONE))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM routes.session_transitions WHERE router = $1::text::inet AND state = 2", GONE)).isEqualTo(1);
    }

    @Test
    void aRouterBackWithinTheGracePeriodKeepsItsRoutes() throws Exception {
        routerWithOneRoute(BACK).close();
        try (TestRouter again = TestRouter.connect(BACK, listener.port())) { // reconnects at once, as routers do
            long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos(); // twice the grace period
            while (System.nanoTime() < deadline) {
                assertThat(count("SELECT count(*) FROM routes.adj_rib_in WHERE router = $1::text::inet", BACK)).isEqualTo(1);
                Thread.onSpinWait();
            }
            assertThat(count("SELECT count(*) FROM routes.sessions WHERE router = $1::text::inet AND state = 7", BACK)).isEqualTo(1);
        }
    }
}
