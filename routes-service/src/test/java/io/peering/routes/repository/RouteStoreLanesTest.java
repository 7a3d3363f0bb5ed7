package io.peering.routes.repository;

import io.peering.routes.PeerRef;
import io.peering.routes.Rib;
import io.peering.routes.RouteChange;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
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
 * A router's batch is written over several lanes at once. The changes of one prefix from several
 * peers (a primary and a backup, say) must reach the change log in the order the router sent them:
 * followers derive events per prefix from that order.
 */
@QuarkusTest
class RouteStoreLanesTest {

    static final String ROUTER = "127.0.0.206";
    static final String PREFIX = "198.51.100.0/24";
    static final int PEERS = 16;

    @Inject
    RouteStore store;

    @Inject
    Pool pool;

    @BeforeEach
    @AfterEach
    void clean() {
        for (String table : List.of("adj_rib_in", "route_changes")) {
            pool.preparedQuery("DELETE FROM routes." + table + " WHERE router = $1::text::inet").execute(Tuple.of(ROUTER))
                    .await().atMost(Duration.ofSeconds(10));
        }
    }

    @Test
    void changesOfOnePrefixFromSeveralPeersKeepTheRoutersOrderInTheLog() {
        Instant now = Instant.now();
        RouteChange.Attributes attributes = new RouteChange.Attributes((short) 0, "64500", 64500, "192.0.2.1", null, null,
                List.of(), List.of(), null, (short) 3, "");
        List<RouteChange> changes = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        for (int round = 0; round < 3; round++) { // announce, withdraw, announce: peer after peer
            for (int p = 1; p <= PEERS; p++) {
                PeerRef peer = new PeerRef(ROUTER, 0, "127.0.6." + p, 64500);
                boolean withdraw = round == 1;
                changes.add(withdraw ? RouteChange.withdraw(now, peer, Rib.ADJ_RIB_IN_PRE_POLICY, PREFIX, 0, "withdrawn by peer")
                        : RouteChange.announce(now, peer, Rib.ADJ_RIB_IN_PRE_POLICY, PREFIX, 0, attributes));
                sent.add(peer.peerAddress() + (withdraw ? " withdraw" : " announce"));
            }
        }

        store.applyRouteChanges(changes, 2).await().atMost(Duration.ofSeconds(30));

        List<String> logged = new ArrayList<>();
        for (Row row : pool.preparedQuery("""
                        SELECT host(peer_address), withdrawn FROM routes.route_changes WHERE router = $1::text::inet ORDER BY seq""")
                .execute(Tuple.of(ROUTER)).await().atMost(Duration.ofSeconds(10))) {
            logged.add(row.getString(0) + (row.getBoolean(1) ? " withdraw" : " announce"));
        }
        assertThat(logged).containsExactlyElementsOf(sent);
    }
}
