package io.peering.routes.collector;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.peering.routes.bmp.BmpBytes.concat;
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
        for (String table : List.of("adj_rib_in", "sessions", "route_changes", "session_transitions")) {
            pool.preparedQuery("DELETE FROM routes." + table + " WHERE router IN ($1::text::inet, $2::text::inet)")
                    .execute(Tuple.of(GONE, BACK)).await().atMost(Duration.ofSeconds(10));
        }
    }

    Socket routerWithOneRoute(String address) throws Exception {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(address, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", listener.port()));
        OutputStream out = socket.getOutputStream();
        out.write(concat(BmpCollectorTest.peerUpMessage(), BmpCollectorTest.announce("198.51.100.0/24", 64500)));
        out.flush();
        BmpCollectorTest.await("route of " + address + " stored", () -> count("SELECT count(*) FROM routes.adj_rib_in WHERE router = $1::text::inet", address) == 1);
        return socket;
    }

    long count(String sql, String router) {
        Row row = pool.preparedQuery(sql).execute(Tuple.of(router)).await().atMost(Duration.ofSeconds(5)).iterator().next();
        return row.getLong(0);
    }

    @Test
    void aRouterGoneLongerThanTheGracePeriodHasItsSessionsTakenDownAndRoutesWithdrawn() throws Exception {
        routerWithOneRoute(GONE).close();
        BmpCollectorTest.await("routes withdrawn after the grace period",
                () -> count("SELECT count(*) FROM routes.adj_rib_in WHERE router = $1::text::inet", GONE) == 0);
        assertThat(count("SELECT count(*) FROM routes.sessions WHERE router = $1::text::inet AND state = 2", GONE)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM routes.route_changes WHERE router = $1::text::inet AND withdrawn AND reason = 'router disconnected'", GONE))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM routes.session_transitions WHERE router = $1::text::inet AND state = 2", GONE)).isEqualTo(1);
    }

    @Test
    void aRouterBackWithinTheGracePeriodKeepsItsRoutes() throws Exception {
        Socket first = routerWithOneRoute(BACK);
        first.close();
        try (Socket again = new Socket()) { // reconnects at once, as routers do
            again.bind(new InetSocketAddress(BACK, 0));
            again.connect(new InetSocketAddress("127.0.0.1", listener.port()));
            long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos(); // twice the grace period
            while (System.nanoTime() < deadline) {
                assertThat(count("SELECT count(*) FROM routes.adj_rib_in WHERE router = $1::text::inet", BACK)).isEqualTo(1);
                Thread.onSpinWait();
            }
            assertThat(count("SELECT count(*) FROM routes.sessions WHERE router = $1::text::inet AND state = 7", BACK)).isEqualTo(1);
        }
    }
}
