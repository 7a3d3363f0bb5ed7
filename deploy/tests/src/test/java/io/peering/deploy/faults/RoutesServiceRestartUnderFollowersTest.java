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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes-service is killed (SIGKILL) and started again on the same database while metrics-service
 * follows its WatchSessions and events-service its WatchRouteChanges. A synthetic router makes BGP
 * changes before, while routes-service is down (a route withdrawn, a peer gone: routes-service
 * learns them from what the router re-sends when it reconnects) and after; the followers must
 * resume from the cursors they stored: every session transition is in metrics' store exactly once,
 * every prefix event in events' store exactly once, and both match routes-service's logs and what
 * the router did.
 *
 * <p>The router's peers are sessions of the sample inventory: 127.0.0.11 (contoso-ams ams-1, the
 * primary connection of peering service contoso-web), 127.0.0.12 (ams-2, its backup) and
 * 127.0.0.21 (fabrikam-lon lon-1). The prefix is contoso-web's 198.51.100.0/24.
 */
class RoutesServiceRestartUnderFollowersTest {

    static final String ROUTER = "127.0.0.102";
    static final Peer AMS1 = new Peer("127.0.0.11", 64500);
    static final Peer AMS2 = new Peer("127.0.0.12", 64500);
    static final Peer LON1 = new Peer("127.0.0.21", 4_200_000_002L);
    static final String PREFIX = "198.51.100.0/24";
    static final int BACKGROUND_ROUTES = 100; // other prefixes: no peering service's, no events
    /** PrefixEventType numbers, as events.prefix_events stores them. */
    static final List<String> EVENT_TYPES = List.of("", "PrefixAnnouncementEvent", "PrefixWithdrawalEvent",
            "PrefixBackupRouteAnnouncementEvent", "PrefixBackupRouteWithdrawalEvent", "PrefixActivePath", "PrefixBackupPath",
            "PrefixOriginAsChangeEvent", "PrefixBackupRouteOriginAsChangeEvent");

    static Path dir;
    static PrivateCluster db;
    static ServiceProcess routes;
    static ServiceProcess metrics;
    static ServiceProcess events;
    static int bmpPort;

    @BeforeAll
    static void start() {
        dir = Local.workDir("routes-restart");
        db = PrivateCluster.start(dir);
        bmpPort = Local.freePort();
        Map<String, String> routesEnv = new HashMap<>(db.serviceEnvironment());
        routesEnv.put("PEERING_BMP_PORT", String.valueOf(bmpPort));
        routesEnv.put("PEERING_BMP_HOST", "127.0.0.1");
        // peers the router does not report within this long after it reconnects went down meanwhile
        routesEnv.put("PEERING_BMP_RESYNC_TIMEOUT", "PT5S");
        routes = ServiceProcess.start("routes-service", dir, routesEnv);
        // Both followers retry at most every second, so they are back soon after routes-service.
        Map<String, String> metricsEnv = new HashMap<>(db.serviceEnvironment());
        metricsEnv.put("PEERING_ROUTES_HOST", "127.0.0.1");
        metricsEnv.put("PEERING_ROUTES_PORT", String.valueOf(routes.port()));
        metricsEnv.put("PEERING_METRICS_SESSION_FEED_MAX_BACKOFF", "PT1S");
        metrics = ServiceProcess.start("metrics-service", dir, metricsEnv);
        Map<String, String> eventsEnv = new HashMap<>(db.serviceEnvironment());
        eventsEnv.put("PEERING_ROUTES_HOST", "127.0.0.1");
        eventsEnv.put("PEERING_ROUTES_PORT", String.valueOf(routes.port()));
        eventsEnv.put("PEERING_EVENTS_FEED_RETRY_MAX_DELAY", "PT1S");
        events = ServiceProcess.start("events-service", dir, eventsEnv);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {events, metrics, routes, db}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("cleanup: " + e);
            }
        }
    }

    static Route route(Peer peer, long... asPath) {
        List<Long> path = new ArrayList<>();
        for (long asn : asPath) {
            path.add(asn);
        }
        return new Route(PREFIX, path, peer.address());
    }

    static List<Route> background() {
        List<Route> routes = new ArrayList<>();
        for (int i = 0; i < BACKGROUND_ROUTES; i++) {
            routes.add(new Route("10.77." + i + ".0/24", List.of(64500L, 64510L), AMS1.address()));
        }
        return routes;
    }

    @Test
    void followersResumeFromTheirCursorsWhenRoutesServiceIsKilledAndRestarted() throws Exception {
        long started = System.nanoTime();
        List<String> expectedEvents = new ArrayList<>();
        int sessionChanges = 0;
        int prefixChanges = 0; // changes of 198.51.100.0/24 in routes-service's log
        try (SyntheticRouter router = new SyntheticRouter(ROUTER, bmpPort)) {
            router.peer(AMS1, background()).peer(AMS2, List.of()).peer(LON1, List.of()).start();
            sessionChanges += 3; // three Peer Ups
            Local.await(Duration.ofSeconds(60), "the router's BMP session up and its table sent", router::synced);

            // ---- before -----------------------------------------------------------------------
            router.announce(AMS1, route(AMS1, 64500));
            expectedEvents.addAll(List.of("PrefixAnnouncementEvent ams-1", "PrefixActivePath ams-1"));
            router.announce(AMS2, route(AMS2, 64500));
            expectedEvents.add("PrefixBackupRouteAnnouncementEvent ams-2");
            router.announce(AMS1, route(AMS1, 64500, 4_200_000_001L));
            expectedEvents.add("PrefixOriginAsChangeEvent ams-1");
            router.withdraw(AMS1, PREFIX);
            expectedEvents.addAll(List.of("PrefixWithdrawalEvent ams-1", "PrefixBackupPath ams-2"));
            prefixChanges += 4;
            awaitFollowers(expectedEvents.size(), sessionChanges);

            // followed so far; these two may or may not be by the time routes-service dies
            router.peerDown(LON1);
            sessionChanges++;
            router.announce(AMS1, route(AMS1, 64500));
            expectedEvents.addAll(List.of("PrefixAnnouncementEvent ams-1", "PrefixActivePath ams-1"));
            prefixChanges++;
            awaitRoutesLogs(prefixChanges, sessionChanges);

            // ---- routes-service dies and comes back on the same database ------------------------
            long eventsResumedBefore = events.logLines("after cursor");
            long metricsResumedBefore = metrics.logLines("after cursor");
            routes.kill();
            long sessionsBefore = router.sessionsOpened();
            Local.await(Duration.ofSeconds(30), "the router noticing", () -> router.sessionsLost() > 0);
            // while it is down: the primary's route is withdrawn (routes-service sees it missing from
            // the re-sent table), and the backup peer goes down (it is missing from the Peer Ups)
            router.withdraw(AMS1, PREFIX);
            expectedEvents.addAll(List.of("PrefixWithdrawalEvent ams-1", "PrefixBackupPath ams-2"));
            prefixChanges++;
            router.peerDown(AMS2);
            sessionChanges++;
            expectedEvents.add("PrefixBackupRouteWithdrawalEvent ams-2");
            prefixChanges++;
            routes.restart();
            Local.await(Duration.ofSeconds(60), "the router's BMP session back and its table re-sent",
                    () -> router.sessionsOpened() > sessionsBefore && router.synced()
                            && db.count("SELECT count(*) FROM routes.adj_rib_in WHERE stale") == 0);
            awaitRoutesLogs(prefixChanges, sessionChanges);

            // ---- after ------------------------------------------------------------------------
            router.peerUp(LON1);
            sessionChanges++;
            router.peerUp(AMS2);
            sessionChanges++;
            router.announce(AMS2, route(AMS2, 64500, 64501));
            expectedEvents.addAll(List.of("PrefixBackupRouteAnnouncementEvent ams-2", "PrefixBackupPath ams-2"));
            router.announce(AMS1, route(AMS1, 64500));
            expectedEvents.addAll(List.of("PrefixAnnouncementEvent ams-1", "PrefixActivePath ams-1"));
            router.peerDown(AMS2); // its route for the prefix is withdrawn with it
            sessionChanges++;
            expectedEvents.add("PrefixBackupRouteWithdrawalEvent ams-2");
            prefixChanges += 3;
            awaitRoutesLogs(prefixChanges, sessionChanges);
            awaitFollowers(expectedEvents.size(), sessionChanges);
            Local.sleep(1000); // nothing more may come: a follower that re-read from an old cursor would add rows now
            long eventsResumed = events.logLines("after cursor") - eventsResumedBefore;
            long metricsResumed = metrics.logLines("after cursor") - metricsResumedBefore;

            // the peering service's own events (route security also raises an incident here: AS64501 originating
            // the service's prefix on ams-2, resolved by its Peer Down; checked below to be derived once)
            List<String> storedEvents = db.strings("SELECT type, connection FROM events.prefix_events WHERE incident = ''"
                            + " ORDER BY seq").stream()
                    .map(row -> EVENT_TYPES.get(Integer.parseInt(row.split("\\|")[0])) + " "
                            + row.substring(row.lastIndexOf('/') + 1)).toList();
            long distinctEvents = db.count("SELECT count(DISTINCT (route_cursor, type, connection)) FROM events.prefix_events"
                    + " WHERE incident = ''");
            assertThat(db.count("SELECT count(*) FROM events.prefix_events WHERE incident <> ''"))
                    .as("route-security events, each derived once")
                    .isEqualTo(db.count("SELECT count(DISTINCT (incident, resolved)) FROM events.prefix_events WHERE incident <> ''"));
            long eventsFromUnknownChanges = db.count("""
                    SELECT count(*) FROM events.prefix_events e WHERE e.incident = '' AND NOT EXISTS
                      (SELECT 1 FROM routes.route_changes c WHERE c.seq = e.route_cursor AND c.prefix = e.prefix)""");
            List<String> routesTransitions = db.strings(
                    "SELECT host(peer_address), state, time FROM routes.session_transitions ORDER BY seq");
            List<String> metricsTransitions = db.strings(
                    "SELECT host(session_address), state, time FROM metrics.session_transitions ORDER BY time, session_address");
            long prefixLog = db.count("SELECT count(*) FROM routes.route_changes WHERE prefix = ?::cidr", PREFIX);
            long backgroundLog = db.count("SELECT count(*) FROM routes.route_changes WHERE prefix <> ?::cidr", PREFIX);

            System.out.printf("%n== routes-service killed and restarted under its followers (%.1f s) ==%n"
                            + "router: made %d session changes and %d changes of %s; sent %,d route announcements in %d BMP"
                            + " sessions; acknowledged: none, BMP has no acknowledgements%n"
                            + "routes-service: %d session transitions, %d changes of %s and %d of other prefixes logged%n"
                            + "metrics-service: %d session transitions stored (%d distinct); resumed after a cursor %d time(s)%n"
                            + "events-service: %d prefix events expected, %d stored (%d distinct, %d without a matching route change);"
                            + " resumed after a cursor %d time(s)%n",
                    (System.nanoTime() - started) / 1e9, sessionChanges, prefixChanges, PREFIX, router.routesSent(),
                    router.sessionsOpened(), routesTransitions.size(), prefixLog, PREFIX, backgroundLog,
                    metricsTransitions.size(), new HashSet<>(metricsTransitions).size(), metricsResumed,
                    expectedEvents.size(), storedEvents.size(), distinctEvents, eventsFromUnknownChanges, eventsResumed);

            assertThat(router.sessionsOpened()).as("BMP sessions (the router reconnected)").isGreaterThanOrEqualTo(2);
            assertThat(prefixLog).as("changes of the prefix in routes-service's log").isEqualTo(prefixChanges);
            assertThat(backgroundLog).as("other prefixes' changes: once each, not again for the re-sent table")
                    .isEqualTo(BACKGROUND_ROUTES);
            assertThat(routesTransitions).as("routes-service's session transitions").hasSize(sessionChanges);
            assertThat(metricsTransitions).as("metrics-service's transitions: routes-service's, each once")
                    .containsExactlyInAnyOrderElementsOf(routesTransitions);
            assertThat(storedEvents).as("events-service's events, in order").containsExactlyElementsOf(expectedEvents);
            assertThat(distinctEvents).as("distinct events").isEqualTo(expectedEvents.size());
            assertThat(eventsFromUnknownChanges).as("events without their route change in routes-service's log").isZero();
            assertThat(eventsResumed).as("events-service reconnections after a stored cursor").isPositive();
            assertThat(metricsResumed).as("metrics-service reconnections after a stored cursor").isPositive();
        }
    }

    /** Waits until routes-service has logged the given numbers of prefix changes and session transitions. */
    void awaitRoutesLogs(int prefixChanges, int sessionChanges) {
        Local.await(Duration.ofSeconds(60), "routes-service logging " + prefixChanges + " changes of " + PREFIX + " and "
                        + sessionChanges + " session transitions",
                () -> db.count("SELECT count(*) FROM routes.route_changes WHERE prefix = ?::cidr", PREFIX) == prefixChanges
                        && db.count("SELECT count(*) FROM routes.session_transitions") == sessionChanges);
    }

    /** Waits until events-service has stored the given number of events and metrics-service of transitions. */
    void awaitFollowers(int events, int transitions) {
        Local.await(Duration.ofSeconds(90), events + " prefix events and " + transitions + " session transitions followed",
                () -> db.count("SELECT count(*) FROM events.prefix_events WHERE incident = ''") + "/"
                        + db.count("SELECT count(*) FROM metrics.session_transitions"),
                seen -> seen.equals(events + "/" + transitions));
    }
}
