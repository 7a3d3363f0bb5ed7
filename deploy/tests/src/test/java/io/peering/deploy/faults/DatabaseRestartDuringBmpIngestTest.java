package io.peering.deploy.faults;

import io.peering.deploy.faults.Bmp.Peer;
import io.peering.deploy.faults.Bmp.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database goes away while a router sends its full table over BMP. BMP has no
 * acknowledgements, so the collector must not pretend: when it cannot store what the router sent,
 * it closes that router's session, the router reconnects and sends its table again (Initiation,
 * Peer Up, every route, End-of-RIB), and in the end the Adj-RIB-In holds exactly what the router
 * holds, each route announced once in the change log.
 */
class DatabaseRestartDuringBmpIngestTest {

    static final String ROUTER = "127.0.0.101";
    static final int ROUTES_PER_PEER = 10_000;
    static final List<Peer> PEERS = List.of(new Peer("127.0.1.1", 64601), new Peer("127.0.1.2", 64602),
            new Peer("127.0.1.3", 64603), new Peer("127.0.1.4", 4_200_000_604L), new Peer("127.0.1.5", 64605));

    static Path dir;
    static PrivateCluster db;
    static ServiceProcess routes;
    static int bmpPort;

    @BeforeAll
    static void start() {
        dir = Local.workDir("bmp-ingest");
        db = PrivateCluster.start(dir);
        bmpPort = Local.freePort();
        Map<String, String> env = new HashMap<>(db.serviceEnvironment());
        env.put("PEERING_BMP_PORT", String.valueOf(bmpPort));
        env.put("PEERING_BMP_HOST", "127.0.0.1");
        routes = ServiceProcess.start("routes-service", dir, env);
    }

    @AfterAll
    static void stop() {
        if (routes != null) {
            routes.close();
        }
        if (db != null) {
            db.close();
        }
    }

    /** A peer's table: IPv4 /24s (the last peer: IPv6 /48s), 100 routes per AS path. */
    static List<Route> table(int peerIndex, Peer peer) {
        List<Route> routes = new ArrayList<>(ROUTES_PER_PEER);
        boolean ipv6 = peerIndex == PEERS.size() - 1;
        for (int i = 0; i < ROUTES_PER_PEER; i++) {
            int group = i / 100;
            List<Long> asPath = List.of(peer.asn(), 65_100L + group % 50, 4_200_000_000L + group);
            routes.add(ipv6
                    ? new Route("2001:db8:" + Integer.toHexString(i + 1) + "::/48", asPath, "2001:db8:ffff::" + (peerIndex + 1))
                    : new Route((11 + peerIndex) + "." + (i >> 8) + "." + (i & 255) + ".0/24", asPath, peer.address()));
        }
        return routes;
    }

    @Test
    void collectorStoresExactlyTheRoutersTableWhenTheDatabaseRestartsMidFeed() throws Exception {
        long started = System.nanoTime();
        int total = PEERS.size() * ROUTES_PER_PEER;
        try (SyntheticRouter router = new SyntheticRouter(ROUTER, bmpPort)) {
            for (int p = 0; p < PEERS.size(); p++) {
                router.peer(PEERS.get(p), table(p, PEERS.get(p)));
            }
            router.pauseFirstTableAfter(total / 2).start();

            // Half the table is on its way; some of it is stored, some may be in flight.
            router.awaitPaused(Duration.ofMinutes(2));
            Local.await(Duration.ofSeconds(60), "a fifth of the table stored", this::stored, n -> n >= total / 5);
            long storedBeforeStop = stored();
            db.stop();
            router.resume(); // the rest of the table arrives while the database is down

            Local.await(Duration.ofSeconds(60), "the collector closing the router's BMP session", () -> router.sessionsLost() >= 1);
            db.startAgain();

            Local.await(Duration.ofMinutes(3), "the router's whole table stored", () -> router.synced() && stored() == total
                    && db.count("SELECT count(*) FROM routes.adj_rib_in WHERE stale") == 0
                    && db.count("SELECT sum(routes_count) FROM routes.sessions") == total);
            long logged = db.count("SELECT count(*) FROM routes.route_changes");
            Local.sleep(1000); // nothing more may come: the collector is done, not still writing
            assertThat(db.count("SELECT count(*) FROM routes.route_changes")).as("change log after a quiet second").isEqualTo(logged);

            Set<String> held = new HashSet<>();
            router.held().forEach((peer, routes) -> routes.forEach(r -> held.add(row(peer, r))));
            Set<String> storedRows = new HashSet<>(db.strings("""
                    SELECT host(peer_address), peer_asn, prefix::text, as_path, origin_asn, host(next_hop)
                    FROM routes.adj_rib_in WHERE router = ?::inet AND rib = 1""", ROUTER));
            long announcements = db.count("SELECT count(*) FROM routes.route_changes WHERE NOT withdrawn");
            long withdrawals = db.count("SELECT count(*) FROM routes.route_changes WHERE withdrawn");
            long repeated = db.count("""
                    SELECT count(*) FROM (SELECT 1 FROM routes.route_changes WHERE NOT withdrawn
                    GROUP BY router, peer_address, rib, prefix, path_id HAVING count(*) > 1) r""");

            System.out.printf("%n== database restart during BMP ingest (%.1f s) ==%n"
                            + "router: %,d routes held over %d peers; sent %,d route announcements in %d BMP sessions (%d closed by"
                            + " the collector; last: %s); acknowledged: none, BMP has no acknowledgements%n"
                            + "stored just before the database stopped: %,d; stored at the end: %,d (Adj-RIB-In rows equal to the router's: %s)%n"
                            + "change log: %,d announcements, %,d withdrawals, %,d routes announced more than once%n",
                    (System.nanoTime() - started) / 1e9, held.size(), PEERS.size(), router.routesSent(), router.sessionsOpened(),
                    router.sessionsLost(), router.lastLoss(), storedBeforeStop, storedRows.size(), held.equals(storedRows),
                    announcements, withdrawals, repeated);

            assertThat(held).hasSize(total);
            assertThat(storedBeforeStop).as("routes stored before the database stopped").isLessThan(total);
            assertThat(router.sessionsOpened()).as("BMP sessions (the router had to reconnect)").isGreaterThanOrEqualTo(2);
            assertThat(difference(held, storedRows)).as("routes the router holds that are not stored").isEmpty();
            assertThat(difference(storedRows, held)).as("stored routes the router does not hold").isEmpty();
            assertThat(announcements).as("announcements in the change log: one per route").isEqualTo(total);
            assertThat(withdrawals).as("withdrawals in the change log").isZero();
            assertThat(repeated).as("routes announced twice though unchanged").isZero();
            assertThat(db.count("SELECT count(*) FROM routes.sessions WHERE state = 7")).as("sessions up").isEqualTo(PEERS.size());
            assertThat(db.count("SELECT count(*) FROM routes.session_transitions")).as("session transitions: one Peer Up each")
                    .isEqualTo(PEERS.size());
        }
    }

    long stored() {
        return db.count("SELECT count(*) FROM routes.adj_rib_in");
    }

    static String row(Peer peer, Route r) {
        return String.join("|", peer.address(), String.valueOf(peer.asn()), r.prefix(), r.asPathText(),
                String.valueOf(r.originAsn()), r.nextHop());
    }

    /** Up to 10 elements of {@code a} not in {@code b}. */
    static List<String> difference(Set<String> a, Set<String> b) {
        return a.stream().filter(x -> !b.contains(x)).sorted().limit(10).toList();
    }
}
