package io.peering.routes.repository;

import io.peering.routes.testing.TestRouter;
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
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A session's routes_count (ListSessions) is the number of routes stored for it, whatever order the
 * router's messages come in: routes before the Peer Up, one session reported with two peer ASNs (AS 0
 * on post-policy messages, the real ASN on Loc-RIB messages), withdrawals, Peer Down, and batches
 * written over several lanes.
 */
@QuarkusTest
class RoutesCountTest {

    static final String ROUTER = "127.0.0.207";
    static final String ADDRESS = "127.0.7.1";
    /** One session as post-policy messages report it (AS 0) and as Loc-RIB messages and its Peer Up do (real ASN). */
    static final PeerRef AS0 = new PeerRef(ROUTER, 0, ADDRESS, 0);
    static final PeerRef REAL = new PeerRef(ROUTER, 0, ADDRESS, 64500);
    static final PeerRef OTHER = new PeerRef(ROUTER, 0, "127.0.7.2", 64501);
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

    static RouteChange.Attributes attributes(long originAsn) {
        return new RouteChange.Attributes((short) 0, "64500 " + originAsn, originAsn, "192.0.2.1", null, null,
                List.of(), List.of(), null, (short) 3, "");
    }

    RouteChange announce(PeerRef peer, Rib rib, String prefix) {
        return announce(peer, rib, prefix, 64500);
    }

    RouteChange announce(PeerRef peer, Rib rib, String prefix, long originAsn) {
        return RouteChange.announce(next(), peer, rib, prefix, 0, attributes(originAsn));
    }

    RouteChange withdraw(PeerRef peer, Rib rib, String prefix) {
        return RouteChange.withdraw(next(), peer, rib, prefix, 0, "withdrawn by peer");
    }

    Instant next() {
        time = time.plusMillis(1);
        return time;
    }

    void apply(RouteChange... changes) {
        store.applyRouteChanges(List.of(changes), 2).await().atMost(WAIT);
    }

    void peerUp(PeerRef peer) {
        sessions.peerUp(peer, next(), "192.0.2.9", "127.0.0.2", 65000).await().atMost(WAIT);
    }

    void peerDown(PeerRef peer) {
        sessions.peerDown(peer, next(), "test", 4, 0, 0, "peer down").await().atMost(WAIT);
    }

    /** Per session of the router: "routes_count / routes stored". */
    Map<String, String> countsAndStored() {
        Map<String, String> out = new TreeMap<>();
        for (Row r : pool.preparedQuery("""
                        SELECT host(s.peer_address), s.routes_count, (SELECT count(*) FROM routes.adj_rib_in a
                            WHERE a.router = s.router AND a.peer_distinguisher = s.peer_distinguisher
                              AND a.peer_address = s.peer_address)
                        FROM routes.sessions s WHERE s.router = $1::text::inet""")
                .execute(Tuple.of(ROUTER)).await().atMost(WAIT)) {
            out.put(r.getString(0), r.getLong(1) + " / " + r.getLong(2));
        }
        return out;
    }

    void expect(String step, Map<String, String> countAndStored) {
        assertThat(countsAndStored()).as("routes_count / routes stored, per session, after: " + step)
                .isEqualTo(new TreeMap<>(countAndStored));
    }

    @Test
    void routesCountEqualsTheRoutesStoredAfterMixedSequences() {
        apply(announce(REAL, Rib.ADJ_RIB_IN_PRE_POLICY, "198.51.100.0/24"), announce(REAL, Rib.ADJ_RIB_IN_PRE_POLICY, "198.51.101.0/24"),
                announce(OTHER, Rib.ADJ_RIB_IN_PRE_POLICY, "198.51.100.0/24"));
        peerUp(REAL);
        peerUp(OTHER);
        expect("routes before their session's Peer Up", Map.of(ADDRESS, "2 / 2", "127.0.7.2", "1 / 1"));

        apply(announce(AS0, Rib.ADJ_RIB_IN_POST_POLICY, "198.51.100.0/24"), announce(AS0, Rib.ADJ_RIB_IN_POST_POLICY, "198.51.101.0/24"),
                announce(REAL, Rib.LOC_RIB, "198.51.100.0/24"), announce(REAL, Rib.LOC_RIB, "198.51.102.0/24"));
        expect("one batch with both ASNs of the session", Map.of(ADDRESS, "6 / 6", "127.0.7.2", "1 / 1"));

        List<RouteChange> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(announce(i % 2 == 0 ? AS0 : REAL, i % 2 == 0 ? Rib.ADJ_RIB_IN_POST_POLICY : Rib.LOC_RIB, "203.0." + i + ".0/24"));
        }
        apply(many.toArray(RouteChange[]::new));
        expect("a batch over two lanes with both ASNs", Map.of(ADDRESS, "46 / 46", "127.0.7.2", "1 / 1"));

        apply(withdraw(AS0, Rib.ADJ_RIB_IN_POST_POLICY, "198.51.100.0/24"),
                withdraw(REAL, Rib.LOC_RIB, "192.0.2.0/24"),                        // never stored
                announce(AS0, Rib.ADJ_RIB_IN_POST_POLICY, "198.51.103.0/24"),
                withdraw(AS0, Rib.ADJ_RIB_IN_POST_POLICY, "198.51.103.0/24"),        // announced and withdrawn in one batch
                announce(REAL, Rib.ADJ_RIB_IN_PRE_POLICY, "198.51.100.0/24"),        // repeats the stored route
                announce(AS0, Rib.ADJ_RIB_IN_PRE_POLICY, "198.51.101.0/24", 64511),  // changes the stored route's ASN
                withdraw(REAL, Rib.LOC_RIB, "198.51.102.0/24"), announce(REAL, Rib.LOC_RIB, "198.51.102.0/24"),
                withdraw(OTHER, Rib.ADJ_RIB_IN_PRE_POLICY, "198.51.100.0/24"));
        expect("withdrawals under either ASN", Map.of(ADDRESS, "45 / 45", "127.0.7.2", "0 / 0"));

        peerDown(REAL);
        expect("Peer Down", Map.of(ADDRESS, "0 / 0", "127.0.7.2", "0 / 0"));

        apply(announce(AS0, Rib.ADJ_RIB_IN_POST_POLICY, "198.51.100.0/24"), announce(REAL, Rib.LOC_RIB, "198.51.100.0/24"));
        expect("routes while the session is down", Map.of(ADDRESS, "2 / 2", "127.0.7.2", "0 / 0"));
        peerDown(AS0);
        expect("a second Peer Down", Map.of(ADDRESS, "0 / 0", "127.0.7.2", "0 / 0"));

        apply(announce(AS0, Rib.ADJ_RIB_IN_POST_POLICY, "198.51.100.0/24"));
        peerUp(REAL);
        expect("routes before the Peer Up that re-establishes the session", Map.of(ADDRESS, "1 / 1", "127.0.7.2", "0 / 0"));
    }

    @Test
    void routesCountEqualsTheRoutesStoredAfterRandomSequences() {
        Random random = new Random(9069);
        PeerRef[] peers = {AS0, REAL, OTHER, new PeerRef(ROUTER, 0, "127.0.7.2", 0)};
        for (int step = 0; step < 120; step++) {
            int op = random.nextInt(10);
            PeerRef peer = peers[random.nextInt(peers.length)];
            String what;
            if (op == 0) {
                peerUp(peer);
                what = "Peer Up of " + peer;
            } else if (op == 1) {
                peerDown(peer);
                what = "Peer Down of " + peer;
            } else {
                List<RouteChange> batch = new ArrayList<>();
                for (int i = random.nextInt(12); i >= 0; i--) {
                    PeerRef p = peers[random.nextInt(peers.length)];
                    Rib rib = Rib.values()[random.nextInt(Rib.values().length)];
                    String prefix = "198.51." + random.nextInt(6) + ".0/24";
                    batch.add(random.nextInt(3) == 0 ? withdraw(p, rib, prefix) : announce(p, rib, prefix, 64500 + random.nextInt(2)));
                }
                apply(batch.toArray(RouteChange[]::new));
                what = "a batch of " + batch.size() + " changes";
            }
            int at = step;
            Map<String, String> counts = countsAndStored();
            assertThat(counts.values()).as("step %d (%s): routes_count / routes stored %s", at, what, counts)
                    .allSatisfy(v -> assertThat(v.split(" / ")[0]).isEqualTo(v.split(" / ")[1]));
        }
    }

    @Test
    void aReEstablishedSessionKeepsTheRoutesReSentUnderEitherOfItsAsns() {
        peerUp(REAL);
        apply(announce(AS0, Rib.ADJ_RIB_IN_POST_POLICY, "198.51.100.0/24"), announce(REAL, Rib.LOC_RIB, "198.51.101.0/24"),
                announce(AS0, Rib.ADJ_RIB_IN_POST_POLICY, "198.51.102.0/24"));
        peerUp(REAL); // the router reconnected: what is stored must be re-sent

        apply(announce(AS0, Rib.ADJ_RIB_IN_POST_POLICY, "198.51.100.0/24"), announce(REAL, Rib.LOC_RIB, "198.51.101.0/24"));
        store.sweepStale(AS0, next(), 4, null).await().atMost(WAIT); // End-of-RIB of the post-policy view
        store.sweepStale(REAL, next(), 4, null).await().atMost(WAIT); // and of the Loc-RIB

        List<String> stored = new ArrayList<>();
        for (Row r : pool.preparedQuery("SELECT rib, prefix::text FROM routes.adj_rib_in WHERE router = $1::text::inet ORDER BY 1, 2")
                .execute(Tuple.of(ROUTER)).await().atMost(WAIT)) {
            stored.add(Rib.of(r.getShort(0)) + " " + r.getString(1));
        }
        assertThat(stored).as("the re-sent routes stay, the one not re-sent is withdrawn")
                .containsExactly("ADJ_RIB_IN_POST_POLICY 198.51.100.0/24", "LOC_RIB 198.51.101.0/24");
        expect("the sweep", Map.of(ADDRESS, "2 / 2"));
    }
}
