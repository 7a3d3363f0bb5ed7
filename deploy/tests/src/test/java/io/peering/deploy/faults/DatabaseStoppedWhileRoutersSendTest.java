package io.peering.deploy.faults;

import io.peering.deploy.faults.Bmp.Peer;
import io.peering.deploy.faults.Bmp.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * The database stops for 60 s while three routers send over BMP: one halfway through its table, all three
 * withdrawing routes, announcing them again with new paths and announcing new ones. BMP has no
 * acknowledgements, and a router drops a collector it sees stuck, so the collector keeps reading every
 * router into its spool and tries its writes again until the database is back: no router session is
 * dropped, the spool drains, and every update is stored once, in the router's order.
 *
 * <p>Then the database stops again, one router sends withdrawals and goes away for good, and routes-service
 * is killed (SIGKILL) with those withdrawals only in its spool. Started again (after the database), it
 * stores them from the spool, though the router never comes back to send them again. The same once more
 * through a clean stop (SIGTERM), whose last writes fail while the database is away.
 */
class DatabaseStoppedWhileRoutersSendTest {

    static final int ROUTES_PER_PEER = 10_000;
    static final int CHANGED = 500;
    static final Duration OUTAGE = Duration.ofSeconds(Integer.getInteger("faults.outageSeconds", 60));

    static Path dir;
    static PrivateCluster db;
    static ServiceProcess routes;
    static int bmpPort;

    @BeforeAll
    static void start() {
        dir = Local.workDir("database-stopped");
        db = PrivateCluster.start(dir);
        bmpPort = Local.freePort();
        Map<String, String> env = new HashMap<>(db.serviceEnvironment());
        env.put("PEERING_BMP_PORT", String.valueOf(bmpPort));
        env.put("PEERING_BMP_HOST", "127.0.0.1");
        env.put("PEERING_BMP_ROUTER_GRACE_PERIOD", "PT10M"); // the router that goes away keeps its routes here
        env.put("PEERING_BMP_WRITE_RETRY_MAX_BACKOFF", "PT1S");
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

    /** Router {@code index}: two peers, IPv4 /24s, 100 routes per AS path. */
    static SyntheticRouter router(int index) {
        SyntheticRouter router = new SyntheticRouter("127.0.0." + (130 + index), bmpPort);
        for (int p = 0; p < 2; p++) {
            Peer peer = peer(index, p);
            List<Route> table = new ArrayList<>(ROUTES_PER_PEER);
            for (int i = 0; i < ROUTES_PER_PEER; i++) {
                table.add(route(index, p, i, List.of(peer.asn(), 65_100L + (i / 100) % 50)));
            }
            router.peer(peer, table);
        }
        return router;
    }

    static Peer peer(int index, int p) {
        return new Peer("127.0." + (30 + index) + "." + (p + 1), 64_700L + index * 10 + p);
    }

    static Route route(int index, int p, int i, List<Long> asPath) {
        return new Route((40 + index * 2 + p) + "." + (i >> 8) + "." + (i & 255) + ".0/24", asPath, peer(index, p).address());
    }

    long stored(SyntheticRouter router) {
        return db.count("SELECT count(*) FROM routes.adj_rib_in WHERE router = ?::inet", router.address());
    }

    long lastSeq() {
        return db.count("SELECT coalesce(max(seq), 0) FROM routes.route_changes");
    }

    @Test
    void noRouterSessionDropsWhileTheDatabaseIsAwayEveryUpdateIsStoredOnceInOrderAndASpoolOutlivesAKill() throws Exception {
        long started = System.nanoTime();
        int table = 2 * ROUTES_PER_PEER;
        List<SyntheticRouter> routers = List.of(router(1).pauseFirstTableAfter(table / 2), router(2), router(3));
        try {
            routers.forEach(SyntheticRouter::start);
            SyntheticRouter halfway = routers.get(0);
            Local.await(Duration.ofMinutes(2), "routers 2 and 3 stored, router 1 halfway", () -> routers.get(1).synced()
                    && routers.get(2).synced() && stored(routers.get(1)) == table && stored(routers.get(2)) == table);
            halfway.awaitPaused(Duration.ofMinutes(1));
            Local.await(Duration.ofSeconds(60), "part of router 1's table stored", () -> stored(halfway) > 0);
            long before = lastSeq();

            // ---- the database away for OUTAGE, while the routers send ----------------------------------------
            db.stop();
            long stoppedAt = System.nanoTime();
            halfway.resume();
            for (int r = 0; r < 3; r++) {
                SyntheticRouter router = routers.get(r);
                Peer peer = peer(r + 1, 0);
                for (int i = 0; i < CHANGED; i++) { // withdrawn, then announced again with another path: order matters
                    router.withdraw(peer, route(r + 1, 0, i, List.of()).prefix());
                    router.announce(peer, route(r + 1, 0, i, List.of(peer.asn(), 65_999L, 4_200_000_000L + i)));
                }
                for (int i = 0; i < CHANGED; i++) { // new routes
                    router.announce(peer, route(r + 1, 0, ROUTES_PER_PEER + i, List.of(peer.asn(), 65_998L)));
                }
            }
            Local.await(Duration.ofSeconds(50), "every router's table and changes sent",
                    () -> routers.stream().allMatch(r -> r.synced() && r.pending() == 0));
            Local.sleep(Math.max(0, OUTAGE.toMillis() - (System.nanoTime() - stoppedAt) / 1_000_000));
            long spooledAtRestart = spooledBytes();
            db.startAgain();
            long restartedAt = System.nanoTime();

            Local.await(Duration.ofMinutes(3), "everything the routers sent stored", () -> routers.stream().allMatch(r -> {
                Set<String> held = rows(r);
                return held.equals(storedRows(r));
            }) && spooledBytes() == 0);
            double drained = (System.nanoTime() - restartedAt) / 1e9;

            long changesLogged = db.count("SELECT count(*) FROM routes.route_changes WHERE seq > ?", before);
            long outOfOrder = db.count("""
                    SELECT count(*) FROM (SELECT router, prefix, min(seq) FILTER (WHERE withdrawn) AS w,
                                                 max(seq) FILTER (WHERE NOT withdrawn AND as_path LIKE '% 65999 %') AS a
                                          FROM routes.route_changes WHERE seq > ? GROUP BY router, prefix) x
                    WHERE w IS NOT NULL AND (a IS NULL OR w > a)""", before);
            long loggedTwice = db.count("""
                    SELECT count(*) FROM (SELECT 1 FROM routes.route_changes WHERE seq > ?
                                          GROUP BY router, peer_address, prefix, withdrawn, as_path HAVING count(*) > 1) x""", before);
            System.out.printf("%n== database stopped while routers send (%.1f s) ==%n"
                            + "3 routers x %,d routes, router 1 halfway through its table; database away %d s: %,d bytes spooled when it"
                            + " came back, drained in %.1f s%n"
                            + "BMP sessions: %s opened, %s lost; change log since the stop: %,d rows (%,d out of order, %,d twice)%n",
                    (System.nanoTime() - started) / 1e9, table, OUTAGE.toSeconds(), spooledAtRestart, drained,
                    routers.stream().map(r -> String.valueOf(r.sessionsOpened())).toList(),
                    routers.stream().map(r -> String.valueOf(r.sessionsLost())).toList(), changesLogged, outOfOrder, loggedTwice);

            for (SyntheticRouter r : routers) {
                assertThat(r.sessionsOpened()).as("BMP sessions of router " + r.address()).isEqualTo(1);
                assertThat(r.sessionsLost()).as("sessions router " + r.address() + " lost (" + r.lastLoss() + ")").isZero();
            }
            assertThat(spooledAtRestart).as("bytes waiting in the spool when the database came back").isPositive();
            assertThat(outOfOrder).as("withdrawals logged after the re-announcement that followed them").isZero();
            assertThat(loggedTwice).as("changes logged twice").isZero();
            // each router's 500 withdrawals, and nothing else withdrawn
            assertThat(db.count("SELECT count(*) FROM routes.route_changes WHERE seq > ? AND withdrawn", before))
                    .as("withdrawals logged").isEqualTo(3L * CHANGED);

            // ---- a spool that outlives the process -------------------------------------------------------------
            storedFromTheSpoolAfter(routers.get(2), 3, 200, "a kill", routes::kill);
            assertThat(routes.logLines("storing what a previous run of the collector received and did not store"))
                    .as("the restarted collector said it stores a left-over spool").isPositive();
            Local.await(Duration.ofMinutes(2), "routers 1 and 2 back and stored", () -> routers.subList(0, 2).stream()
                    .allMatch(r -> r.synced() && rows(r).equals(storedRows(r))));

            // ---- the same through a clean stop (SIGTERM, as a rollout stops a pod) --------------------------------
            storedFromTheSpoolAfter(routers.get(1), 2, 100, "a clean stop", routes::stop);
        } finally {
            routers.forEach(SyntheticRouter::close);
        }
    }

    /**
     * While the database is away, router {@code index} withdraws {@code count} routes of its second peer and goes away
     * for good; routes-service stops ({@code stop}) with the withdrawals only in its spool, and starts again after the
     * database: they are stored from the spool, each logged once.
     */
    void storedFromTheSpoolAfter(SyntheticRouter leaving, int index, int count, String how, Runnable stop) {
        Peer peer = peer(index, 1);
        db.stop();
        for (int i = 0; i < count; i++) {
            leaving.withdraw(peer, route(index, 1, i, List.of()).prefix());
        }
        Local.await(Duration.ofSeconds(30), "router " + index + "'s withdrawals sent", () -> leaving.pending() == 0);
        Local.await(Duration.ofSeconds(30), "router " + index + "'s withdrawals spooled", () -> spooledBytes() > 0);
        leaving.close(); // gone for good: it will not send them again
        stop.run();
        db.startAgain();
        routes.restart();
        Local.await(Duration.ofMinutes(2), "router " + index + "'s withdrawals stored from the spool after " + how,
                () -> storedRows(leaving).equals(rows(leaving)));
        assertThat(db.count("SELECT count(*) FROM routes.route_changes WHERE router = ?::inet AND peer_address = ?::inet"
                + " AND withdrawn", leaving.address(), peer.address())).as("router " + index + "'s withdrawals, logged once")
                .isEqualTo(count);
    }

    /** What a router holds, as rows: peer|prefix|as path. */
    static Set<String> rows(SyntheticRouter router) {
        Set<String> rows = new HashSet<>();
        router.held().forEach((peer, held) -> held.forEach(r -> rows.add(peer.address() + "|" + r.prefix() + "|" + r.asPathText())));
        return rows;
    }

    Set<String> storedRows(SyntheticRouter router) {
        return new HashSet<>(db.strings("""
                SELECT host(peer_address) || '|' || prefix::text || '|' || as_path FROM routes.adj_rib_in
                WHERE router = ?::inet AND rib = 1""", router.address()));
    }

    /** routes-service's spooled bytes, from its readiness check "bmp-spool"; -1 when it does not answer. */
    static long spooledBytes() {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + routes.port() + "/q/health/ready")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"bytes\"\\s*:\\s*(\\d+)").matcher(r.body());
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
