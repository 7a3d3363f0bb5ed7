package io.peering.routes.repository;

import io.peering.routes.PeerRef;
import io.peering.routes.Rib;
import io.peering.routes.RouteChange;
import io.peering.routes.testing.TestRouter;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Only-To-Customer attribute is part of what makes a stored route "the same": an announcement that changes
 * only it is a change of the route, logged; one that repeats it is not. The RIB diff judges a route changed once
 * in a batch by the upsert, one changed several times by its prior state and then change by change, and a
 * withdrawal of the stored route copies its attributes into the log: each path keeps the attribute.
 */
@QuarkusTest
class OnlyToCustomerDiffTest {

    static final String ROUTER = "127.0.0.209";
    static final PeerRef PEER = new PeerRef(ROUTER, 0, "127.0.9.1", 64500);
    static final String PREFIX = "198.51.100.0/24";
    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    RouteStore store;

    @Inject
    SessionStore sessions;

    @Inject
    Pool pool;

    Instant time = Instant.now().minusSeconds(3600);

    @BeforeEach
    @AfterEach
    void clean() {
        TestRouter.forget(pool, ROUTER);
    }

    RouteChange announce(Long onlyToCustomer) {
        time = time.plusMillis(1);
        return RouteChange.announce(time, PEER, Rib.ADJ_RIB_IN_PRE_POLICY, PREFIX, 0, new RouteChange.Attributes((short) 0,
                "64500", 64500, "192.0.2.1", null, null, List.of(), List.of(), onlyToCustomer, (short) 3, ""));
    }

    void apply(RouteChange... changes) {
        store.applyRouteChanges(List.of(changes)).await().atMost(WAIT);
    }

    /** The Only-To-Customer of each logged change of the route, in log order ("withdrawn" marks withdrawals). */
    List<Object> logged() {
        List<Object> out = new ArrayList<>();
        pool.preparedQuery("SELECT withdrawn, only_to_customer FROM routes.route_changes WHERE router = $1::text::inet ORDER BY seq")
                .execute(Tuple.of(ROUTER)).await().atMost(WAIT)
                .forEach(r -> {
                    if (r.getBoolean(0)) {
                        out.add("withdrawn");
                    }
                    out.add(r.getLong(1));
                });
        return out;
    }

    Long stored() {
        return pool.preparedQuery("SELECT only_to_customer FROM routes.adj_rib_in WHERE router = $1::text::inet")
                .execute(Tuple.of(ROUTER)).await().atMost(WAIT).iterator().next().getLong(0);
    }

    @Test
    void batchByBatchAChangeOfOnlyToCustomerAloneIsLoggedAndARepeatIsNot() {
        apply(announce(64501L));
        apply(announce(64501L));
        apply(announce(64502L));
        apply(announce(null));
        apply(announce(null));

        assertThat(logged()).containsExactly(64501L, 64502L, null);
        assertThat(stored()).isNull();
    }

    @Test
    void withinOneBatchAChangeOfOnlyToCustomerAloneIsLoggedAndARepeatIsNot() {
        apply(announce(64501L));
        apply(announce(64501L), announce(64502L), announce(64502L), announce(null), announce(64503L));

        assertThat(logged()).containsExactly(64501L, 64502L, null, 64503L);
        assertThat(stored()).isEqualTo(64503L);
    }

    @Test
    void aPeerDownWithdrawalLogsTheOnlyToCustomerOfTheRouteItRemoves() {
        sessions.peerUp(PEER, time, "192.0.2.9", "127.0.0.2", 65000).await().atMost(WAIT);
        apply(announce(64501L));
        sessions.peerDown(PEER, time.plusSeconds(1), "test", 4, 0, 0, "peer down").await().atMost(WAIT);

        assertThat(logged()).containsExactly(64501L, "withdrawn", 64501L);
    }
}
