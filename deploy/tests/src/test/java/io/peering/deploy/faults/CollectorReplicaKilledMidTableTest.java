package io.peering.deploy.faults;

import io.peering.deploy.faults.Bmp.Peer;
import io.peering.deploy.faults.Bmp.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
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
 * Two routes-service replicas on one database, four routers spread over them (as a BMP load balancer would).
 * Replica A is killed (SIGKILL) while two of its routers are halfway through their tables; they reconnect to
 * replica B and send everything again. A third router of A's goes away with it and never comes back. Then A is
 * started again, as a rollout does.
 *
 * <p>What must hold: every router still connected ends with the Adj-RIB-In equal to its table, with no route
 * withdrawn and re-announced in the change log and no change logged twice; the router that went away has its
 * sessions taken down once, grace period after its replica stopped renewing its lease (by B: nobody else is
 * there); and the restarted A takes nothing down of the routers B holds, however long they stay there.
 */
class CollectorReplicaKilledMidTableTest {

    static final int ROUTES_PER_PEER = 15_000;
    static final Duration GRACE = Duration.ofSeconds(5);

    static Path dir;
    static PrivateCluster db;
    static ServiceProcess a;
    static ServiceProcess b;
    static int portA;
    static int portB;
    static Map<String, String> envA;

    @BeforeAll
    static void start() throws IOException {
        dir = Local.workDir("collector-replicas");
        db = PrivateCluster.start(dir);
        portA = Local.freePort();
        portB = Local.freePort();
        envA = replicaEnvironment(portA);
        a = ServiceProcess.start("routes-service", replicaDir("a"), envA);
        b = ServiceProcess.start("routes-service", replicaDir("b"), replicaEnvironment(portB));
    }

    static Map<String, String> replicaEnvironment(int bmpPort) {
        Map<String, String> env = new HashMap<>(db.serviceEnvironment());
        env.put("PEERING_BMP_PORT", String.valueOf(bmpPort));
        env.put("PEERING_BMP_HOST", "127.0.0.1");
        env.put("PEERING_BMP_ROUTER_GRACE_PERIOD", GRACE.toString());
        return env;
    }

    static Path replicaDir(String name) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.setPosixFilePermissions(d, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return d;
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {a, b, db}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // closing anyway
            }
        }
    }

    /** Router {@code index}: two peers, each with its own IPv4 /24s. */
    static SyntheticRouter router(int index, List<Integer> ports) {
        SyntheticRouter router = new SyntheticRouter("127.0.0." + (110 + index), ports);
        for (int p = 0; p < 2; p++) {
            Peer peer = new Peer("127.0." + (10 + index) + "." + (p + 1), 64_600L + index * 10 + p);
            List<Route> routes = new ArrayList<>(ROUTES_PER_PEER);
            for (int i = 0; i < ROUTES_PER_PEER; i++) {
                List<Long> asPath = List.of(peer.asn(), 65_100L + (i / 100) % 50);
                routes.add(new Route((20 + index * 2 + p) + "." + (i >> 8) + "." + (i & 255) + ".0/24", asPath, peer.address()));
            }
            router.peer(peer, routes);
        }
        return router;
    }

    long stored(SyntheticRouter router) {
        return db.count("SELECT count(*) FROM routes.adj_rib_in WHERE router = ?::inet", router.address());
    }

    @Test
    void routersOfAKilledReplicaMoveToTheOtherWithNothingWithdrawnAndARouterThatStaysAwayIsTakenDownOnce() throws Exception {
        long started = System.nanoTime();
        int table = 2 * ROUTES_PER_PEER;
        List<SyntheticRouter> all = new ArrayList<>();
        try {
            SyntheticRouter moving1 = router(1, List.of(portA, portB)).pauseFirstTableAfter(table / 2);
            SyntheticRouter moving2 = router(2, List.of(portA, portB)).pauseFirstTableAfter(table / 2);
            SyntheticRouter gone = router(3, List.of(portA)); // only A: it does not come back
            SyntheticRouter onB = router(4, List.of(portB, portA));
            List<SyntheticRouter> staying = List.of(moving1, moving2, onB);
            for (SyntheticRouter r : List.of(moving1, moving2, gone, onB)) {
                all.add(r);
                r.start();
            }
            Local.await(Duration.ofMinutes(2), "the routers not paused synced and stored",
                    () -> gone.synced() && onB.synced() && stored(gone) == table && stored(onB) == table);
            moving1.awaitPaused(Duration.ofMinutes(2));
            moving2.awaitPaused(Duration.ofMinutes(2));
            Local.await(Duration.ofSeconds(60), "part of the paused tables stored",
                    () -> stored(moving1) > 0 && stored(moving2) > 0);
            assertThat(List.of(moving1.connectedPort(), moving2.connectedPort(), gone.connectedPort()))
                    .as("routers 1-3 on replica A").containsOnly(portA);
            assertThat(onB.connectedPort()).as("router 4 on replica B").isEqualTo(portB);

            long storedBeforeKill = stored(moving1) + stored(moving2);
            a.kill();
            long killedAt = System.nanoTime();
            gone.close(); // router 3 loses its way to the collectors with A
            moving1.resume();
            moving2.resume();

            Local.await(Duration.ofMinutes(3), "routers 1 and 2 synced on replica B, their tables stored",
                    () -> staying.stream().allMatch(r -> r.synced() && r.connectedPort() == portB && stored(r) == table)
                            && db.count("SELECT count(*) FROM routes.adj_rib_in WHERE stale") == 0);
            Local.await(Duration.ofSeconds(60), "router 3's sessions taken down", () -> stored(gone) == 0);
            double takenDownAfter = (System.nanoTime() - killedAt) / 1e9;

            a.restart(); // the rollout brings A back; B keeps routers 1, 2 and 4
            Local.sleep(3 * GRACE.toMillis());

            Map<String, Set<String>> held = new HashMap<>();
            for (SyntheticRouter r : staying) {
                Set<String> rows = new HashSet<>();
                r.held().forEach((peer, routes) -> routes.forEach(route -> rows.add(peer.address() + "|" + route.prefix()
                        + "|" + route.asPathText())));
                held.put(r.address(), rows);
            }
            long withdrawnOfStaying = db.count("SELECT count(*) FROM routes.route_changes WHERE withdrawn AND router <> ?::inet",
                    gone.address());
            long loggedTwice = db.count("""
                    SELECT count(*) FROM (SELECT 1 FROM routes.route_changes
                    GROUP BY router, peer_address, rib, prefix, path_id, withdrawn HAVING count(*) > 1) r""");
            long withdrawnOfGone = db.count("SELECT count(*) FROM routes.route_changes WHERE withdrawn AND router = ?::inet"
                    + " AND reason = 'router disconnected'", gone.address());
            long transitionsDownOfGone = db.count("SELECT count(*) FROM routes.session_transitions WHERE router = ?::inet"
                    + " AND state = 2", gone.address());

            System.out.printf("%n== collector replica killed mid-table (%.1f s) ==%n"
                            + "4 routers x %,d routes over 2 replicas; A killed with %,d of routers 1-2's %,d routes stored;"
                            + " routers 1-2 re-sent their tables to B (sessions: %d, %d)%n"
                            + "router 3 (gone with A): %,d routes withdrawn ('router disconnected'), %d sessions down, %.1f s after"
                            + " the kill (grace %s)%n"
                            + "routers 1, 2, 4: %,d withdrawals logged, %,d changes logged twice; A restarted and ran %d s more: nothing"
                            + " taken down%n",
                    (System.nanoTime() - started) / 1e9, table, storedBeforeKill, 2 * table, moving1.sessionsOpened(),
                    moving2.sessionsOpened(), withdrawnOfGone, transitionsDownOfGone, takenDownAfter, GRACE,
                    withdrawnOfStaying, loggedTwice, 3 * GRACE.toSeconds());

            assertThat(storedBeforeKill).as("routes of routers 1-2 stored before the kill").isLessThan(2L * table);
            assertThat(moving1.sessionsOpened()).as("router 1's BMP sessions (it reconnected)").isEqualTo(2);
            assertThat(moving2.sessionsOpened()).as("router 2's BMP sessions (it reconnected)").isEqualTo(2);
            for (SyntheticRouter r : staying) {
                Set<String> storedRows = new HashSet<>(db.strings("""
                        SELECT host(peer_address) || '|' || prefix::text || '|' || as_path FROM routes.adj_rib_in
                        WHERE router = ?::inet AND rib = 1""", r.address()));
                assertThat(storedRows).as("Adj-RIB-In of router " + r.address()).isEqualTo(held.get(r.address()));
                assertThat(db.count("SELECT count(*) FROM routes.sessions WHERE router = ?::inet AND state = 7", r.address()))
                        .as("sessions up of router " + r.address()).isEqualTo(2);
                assertThat(db.count("SELECT count(*) FROM routes.route_changes WHERE router = ?::inet AND NOT withdrawn",
                        r.address())).as("announcements logged for router " + r.address() + ": one per route").isEqualTo(table);
            }
            assertThat(withdrawnOfStaying).as("withdrawals of routers still connected").isZero();
            assertThat(loggedTwice).as("route changes logged twice").isZero();
            assertThat(withdrawnOfGone).as("withdrawals of router 3, once each").isEqualTo(table);
            assertThat(transitionsDownOfGone).as("router 3's sessions taken down, once each").isEqualTo(2);
            // A renews its leases every third of the grace period (BmpListener.leaseInterval), so router 3's lease ran out
            // a grace period after A's last renewal: at most one interval before the kill when renewals are on time, two
            // when one came late on this loaded 2-core machine (CI, 2026-12-07: 3.98 s, under the 4.0 s once asserted).
            // Taken down sooner, B did not wait for the lease at all.
            double renewal = GRACE.toMillis() / 3 / 1000.0;
            assertThat(takenDownAfter).as("seconds from the kill to router 3's takedown")
                    .isGreaterThanOrEqualTo(GRACE.toSeconds() - 2 * renewal);
            assertThat(db.strings("SELECT owner FROM routes.router_leases WHERE connected"))
                    .as("leases of the connected routers: B's").hasSize(3).allMatch(owner -> owner.endsWith("/" + b.pid()));
        } finally {
            all.forEach(SyntheticRouter::close);
        }
    }
}
