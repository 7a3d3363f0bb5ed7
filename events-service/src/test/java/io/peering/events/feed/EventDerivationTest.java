package io.peering.events.feed;

import io.peering.events.EventType;
import io.peering.routes.v1.RibView;
import io.peering.routes.v1.RouteChange;
import io.peering.routes.v1.RouteChangeType;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.peering.events.feed.ScriptedRoutesServer.announce;
import static io.peering.events.feed.ScriptedRoutesServer.withdraw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Events derived by the feed from scripted route changes served over a real gRPC stream, stored in the real database. */
@QuarkusTest
@TestProfile(FeedTestProfile.class)
class EventDerivationTest {

    static final String PREFIX = "198.51.100.0/24";
    static final String PREFIX_V6 = "2001:db8:100::/48";
    static final String PRIMARY_PEER = "127.0.0.11"; // contoso-ams ams-1, primary of contoso-web
    static final String BACKUP_PEER = "127.0.0.12";  // contoso-ams ams-2, backup of contoso-web
    static final String PRIMARY = "peerings/contoso-ams/connections/ams-1";
    static final String BACKUP = "peerings/contoso-ams/connections/ams-2";
    static final String ROUTER = "10.0.0.1";
    static final String SERVICE = "peeringServices/contoso-web";

    @Inject
    RouteChangeFeed feed;

    @Inject
    Pool pool;

    @Inject
    io.peering.events.service.EventDeriver deriver;

    ScriptedRoutesServer routes;
    Instant t0;

    @BeforeEach
    void setUp() throws Exception {
        FeedHarness.reset(feed, pool);
        routes = ScriptedRoutesResource.server();
        t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(2, ChronoUnit.HOURS);
    }

    Instant at(int second) {
        return t0.plusSeconds(second);
    }

    List<FeedHarness.Stored> run(List<RouteChange> script) throws Exception {
        long last = routes.append(script);
        feed.start();
        FeedHarness.awaitCursor(pool, last);
        return FeedHarness.events(pool);
    }

    static String name(int type) {
        return EventType.of(type).azureName;
    }

    @Test
    void eachEventTypeIsDerivedWithItsLevelConnectionAndRoutesBeforeAndAfter() throws Exception {
        List<FeedHarness.Stored> events = run(List.of(
                announce(at(1), PREFIX, BACKUP_PEER, ROUTER, 0, "64500 4200000001", 4200000001L),      // 1
                announce(at(2), PREFIX, PRIMARY_PEER, ROUTER, 0, "64500 4200000001", 4200000001L),     // 2
                announce(at(3), PREFIX, PRIMARY_PEER, ROUTER, 0, "64500 64501 4200000001", 4200000001L), // 3 path only
                announce(at(4), PREFIX, PRIMARY_PEER, ROUTER, 0, "64500 64999", 64999),                // 4 origin
                announce(at(5), PREFIX, BACKUP_PEER, ROUTER, 0, "64500 64998", 64998),                 // 5 backup origin
                withdraw(at(6), PREFIX, PRIMARY_PEER, ROUTER, 0, "withdrawn by peer"),                 // 6
                announce(at(7), PREFIX, PRIMARY_PEER, ROUTER, 0, "64500 4200000001", 4200000001L),     // 7
                withdraw(at(8), PREFIX, BACKUP_PEER, ROUTER, 0, "peer down"),                          // 8
                withdraw(at(9), PREFIX, PRIMARY_PEER, ROUTER, 0, "withdrawn by peer")));               // 9

        assertThat(events).extracting(e -> name(e.type()), FeedHarness.Stored::level, FeedHarness.Stored::connection,
                        FeedHarness.Stored::asPathBefore, FeedHarness.Stored::asPathAfter, FeedHarness.Stored::originAsnBefore,
                        FeedHarness.Stored::originAsnAfter, FeedHarness.Stored::routeCursor)
                .containsExactly(
                        tuple("PrefixBackupRouteAnnouncementEvent", 1, BACKUP, "", "64500 4200000001", null, 4200000001L, 1L),
                        tuple("PrefixBackupPath", 1, BACKUP, "", "64500 4200000001", null, 4200000001L, 1L),
                        tuple("PrefixAnnouncementEvent", 1, PRIMARY, "", "64500 4200000001", null, 4200000001L, 2L),
                        tuple("PrefixActivePath", 1, PRIMARY, "64500 4200000001", "64500 4200000001", 4200000001L, 4200000001L, 2L),
                        tuple("PrefixOriginAsChangeEvent", 4, PRIMARY, "64500 64501 4200000001", "64500 64999", 4200000001L, 64999L, 4L),
                        tuple("PrefixBackupRouteOriginAsChangeEvent", 3, BACKUP, "64500 4200000001", "64500 64998", 4200000001L, 64998L, 5L),
                        tuple("PrefixWithdrawalEvent", 2, PRIMARY, "64500 64999", "", 64999L, null, 6L),
                        tuple("PrefixBackupPath", 1, BACKUP, "64500 64999", "64500 64998", 64999L, 64998L, 6L),
                        tuple("PrefixAnnouncementEvent", 1, PRIMARY, "", "64500 4200000001", null, 4200000001L, 7L),
                        tuple("PrefixActivePath", 1, PRIMARY, "64500 64998", "64500 4200000001", 64998L, 4200000001L, 7L),
                        tuple("PrefixBackupRouteWithdrawalEvent", 2, BACKUP, "64500 64998", "", 64998L, null, 8L),
                        tuple("PrefixWithdrawalEvent", 2, PRIMARY, "64500 4200000001", "", 4200000001L, null, 9L));

        assertThat(events).allSatisfy(e -> {
            assertThat(e.peeringService()).isEqualTo(SERVICE);
            assertThat(e.prefix()).isEqualTo(PREFIX);
            assertThat(e.summary()).contains(PREFIX).doesNotContain("\n");
            assertThat(e.description()).contains(PREFIX).contains(e.connection());
        });
        assertThat(events).extracting(FeedHarness.Stored::time)
                .containsExactly(ts(1), ts(1), ts(2), ts(2), ts(4), ts(5), ts(6), ts(6), ts(7), ts(7), ts(8), ts(9));
        assertThat(events).extracting(FeedHarness.Stored::seq).isSorted().doesNotHaveDuplicates();

        FeedHarness.Stored originChange = events.get(4);
        assertThat(originChange.summary()).isEqualTo("Origin AS of 198.51.100.0/24 on primary connection " + PRIMARY
                + " changed from AS4200000001 to AS64999");
        assertThat(originChange.description()).contains("AS path before: 64500 64501 4200000001 (origin AS4200000001);"
                + " after: 64500 64999 (origin AS64999)").contains("RPKI");
        FeedHarness.Stored withdrawal = events.get(6);
        assertThat(withdrawal.summary()).isEqualTo("Prefix 198.51.100.0/24 withdrawn on primary connection " + PRIMARY);
        assertThat(withdrawal.description()).contains("BGP peer 127.0.0.11, seen by router 10.0.0.1", "reason: withdrawn by peer",
                "now uses the backup connection " + BACKUP + " (AS path 64500 64998 (origin AS64998))");
        assertThat(events.get(10).description()).contains("reason: peer down", "ListSessions");
        assertThat(events.get(11).description()).contains("has no route for it either");
        assertThat(events.get(7).description()).contains("moved from the primary connection " + PRIMARY
                + " to the backup connection " + BACKUP);
    }

    String ts(int second) {
        return pool.query("SELECT '" + at(second) + "'::timestamptz::text").execute().await().indefinitely()
                .iterator().next().getString(0);
    }

    @Test
    void changesOutsideThePeeringServicePrefixesAndTheFollowedViewDeriveNothingButMoveTheCursor() throws Exception {
        List<FeedHarness.Stored> events = run(List.of(
                announce(at(1), "198.51.100.0/25", PRIMARY_PEER, ROUTER, 0, "64500", 64500),          // more-specific
                announce(at(2), "203.0.113.0/24", PRIMARY_PEER, ROUTER, 0, "64500", 64500),           // another prefix
                announce(at(3), PREFIX, "127.0.0.21", ROUTER, 0, "4200000002", 4200000002L),           // fabrikam's session
                announce(at(4), PREFIX, "127.0.0.99", ROUTER, 0, "64500", 64500),                      // unknown peer
                ScriptedRoutesServer.change(RouteChangeType.ROUTE_CHANGE_TYPE_ANNOUNCE, at(5), PREFIX, PRIMARY_PEER, ROUTER,
                        0, "64500", 64500, RibView.RIB_VIEW_ADJ_RIB_IN_POST_POLICY, ""),               // other view
                withdraw(at(6), PREFIX, PRIMARY_PEER, ROUTER, 0, "withdrawn by peer"),                 // nothing held
                announce(at(7), PREFIX_V6, "fd00:64:500::11", ROUTER, 0, "64500", 64500)));            // counts
        assertThat(events).extracting(e -> name(e.type()), FeedHarness.Stored::prefix, FeedHarness.Stored::routeCursor)
                .containsExactly(tuple("PrefixAnnouncementEvent", PREFIX_V6, 7L), tuple("PrefixActivePath", PREFIX_V6, 7L));
        assertThat(FeedHarness.cursor(pool)).isEqualTo("7");
    }

    @Test
    void aConnectionKeepsItsRouteWhileAnyRouterOrPathOfItStillHasOne() throws Exception {
        List<FeedHarness.Stored> events = run(List.of(
                announce(at(1), PREFIX, PRIMARY_PEER, "10.0.0.1", 0, "64500", 64500),
                announce(at(2), PREFIX, PRIMARY_PEER, "10.0.0.2", 0, "64500 64777", 64777),  // not the connection's route
                announce(at(3), PREFIX, PRIMARY_PEER, "10.0.0.1", 1, "64500 64888", 64888),  // path id 1: not either
                withdraw(at(4), PREFIX, PRIMARY_PEER, "10.0.0.1", 0, "withdrawn by peer"),   // now 10.0.0.2's route
                withdraw(at(5), PREFIX, PRIMARY_PEER, "10.0.0.2", 0, "withdrawn by peer"),   // now path id 1
                withdraw(at(6), PREFIX, PRIMARY_PEER, "10.0.0.1", 1, "withdrawn by peer"))); // gone
        assertThat(events).extracting(e -> name(e.type()), FeedHarness.Stored::originAsnBefore, FeedHarness.Stored::originAsnAfter)
                .containsExactly(
                        tuple("PrefixAnnouncementEvent", null, 64500L),
                        tuple("PrefixActivePath", null, 64500L),
                        tuple("PrefixOriginAsChangeEvent", 64500L, 64777L),
                        tuple("PrefixOriginAsChangeEvent", 64777L, 64888L),
                        tuple("PrefixWithdrawalEvent", 64888L, null));
    }

    @Test
    void theFeedAsksForEveryPeeringServicePrefixFromTheEarliestChangeThenResumesAfterItsCursor() throws Exception {
        run(List.of(announce(at(1), PREFIX, PRIMARY_PEER, ROUTER, 0, "64500", 64500)));
        feed.stop().toCompletableFuture().get();
        long last = routes.append(withdraw(at(2), PREFIX, PRIMARY_PEER, ROUTER, 0, "withdrawn by peer"));
        feed.start();
        FeedHarness.awaitCursor(pool, last);

        assertThat(routes.requests()).hasSize(2);
        assertThat(routes.requests().get(0).getPrefixesList()).containsExactly(PREFIX, PREFIX_V6);
        assertThat(routes.requests().get(0).getStartPosition().name()).isEqualTo("START_POSITION_EARLIEST");
        assertThat(routes.requests().get(0).getAfterCursor()).isEmpty();
        assertThat(routes.requests().get(1).getAfterCursor()).isEqualTo("1");
        assertThat(FeedHarness.events(pool)).extracting(e -> name(e.type()))
                .containsExactly("PrefixAnnouncementEvent", "PrefixActivePath", "PrefixWithdrawalEvent");
    }

    @Test
    void aBatchDeliveredTwiceAtOnceIsDerivedOnce() throws Exception {
        List<io.peering.events.RouteUpdate> batch = List.of(
                new io.peering.events.RouteUpdate(1, at(1), false, PREFIX, ROUTER, PRIMARY_PEER, 0, "64500", 64500, ""),
                new io.peering.events.RouteUpdate(2, at(2), true, PREFIX, ROUTER, PRIMARY_PEER, 0, "", 0, "withdrawn by peer"));
        var first = deriver.apply(batch, 2).subscribeAsCompletionStage();
        var second = deriver.apply(batch, 2).subscribeAsCompletionStage();
        assertThat(List.of(first.get(), second.get())).extracting(io.peering.events.service.EventDeriver.Applied::events)
                .containsExactlyInAnyOrder(3, 0);
        assertThat(FeedHarness.events(pool)).extracting(e -> name(e.type()))
                .containsExactly("PrefixAnnouncementEvent", "PrefixActivePath", "PrefixWithdrawalEvent");
        assertThat(FeedHarness.cursor(pool)).isEqualTo("2");
    }

    /** Thousands of random changes on both prefixes, both connections, two routers and two path ids, with noise. */
    List<RouteChange> randomScript(int count, long seed) {
        Random random = new Random(seed);
        String[] prefixes = {PREFIX, PREFIX_V6};
        String[][] peers = {{PRIMARY_PEER, BACKUP_PEER}, {"fd00:64:500::11", "fd00:64:500::12"}};
        long[] origins = {64500, 4200000001L, 64999};
        List<RouteChange> script = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int p = random.nextInt(2);
            String peer = peers[p][random.nextInt(2)];
            String router = random.nextInt(4) == 0 ? "10.0.0.2" : "10.0.0.1";
            int pathId = random.nextInt(5) == 0 ? 1 : 0;
            Instant time = t0.plusMillis(i * 250L);
            int what = random.nextInt(10);
            if (what < 4) {
                script.add(withdraw(time, prefixes[p], peer, router, pathId, random.nextBoolean() ? "withdrawn by peer" : "peer down"));
            } else if (what < 9) {
                long origin = origins[random.nextInt(origins.length)];
                script.add(announce(time, prefixes[p], peer, router, pathId, "64500 " + random.nextInt(3) + " " + origin, origin));
            } else {
                script.add(announce(time, "198.51.100.128/25", peer, router, 0, "64500", 64500)); // noise
            }
        }
        return script;
    }

    @Test
    void restartsInTheMiddleOfThousandsOfChangesStoreTheSameEventsAsARunWithoutRestart() throws Exception {
        int count = Integer.getInteger("events.restart.changes", 5000);
        List<RouteChange> script = randomScript(count, 42);

        List<FeedHarness.Stored> straight = run(script);

        FeedHarness.reset(feed, pool);
        routes = ScriptedRoutesResource.server();
        routes.dropAfterResponses(7); // the stream fails every 700 changes: the feed reconnects from its cursor
        long last = routes.append(script);
        feed.start();
        for (long stopAt : new long[] {count / 3, 2L * count / 3}) {
            FeedHarness.await("the feed to pass cursor " + stopAt, java.time.Duration.ofSeconds(60), () -> {
                String c = FeedHarness.cursor(pool);
                return !c.isEmpty() && Long.parseLong(c) >= stopAt;
            });
            feed.stop(); // not waited for: the batch being stored races with the restart
            feed.start();
        }
        FeedHarness.awaitCursor(pool, last);
        List<FeedHarness.Stored> restarted = FeedHarness.events(pool);

        // each stream carries at most 700 changes, and the two restarts open streams of their own
        assertThat(routes.requests().size()).as("streams opened").isGreaterThanOrEqualTo(Math.max(3, (count + 699) / 700));
        assertThat(straight).hasSizeGreaterThan(count / 10);
        assertThat(restarted).hasSameSizeAs(straight);
        assertThat(restarted.stream().map(FeedHarness.Stored::withoutSeq).toList())
                .containsExactlyElementsOf(straight.stream().map(FeedHarness.Stored::withoutSeq).toList());
        long base = restarted.get(0).seq();
        assertThat(restarted).extracting(e -> e.seq() - base)
                .containsExactlyElementsOf(straight.stream().map(e -> e.seq() - straight.get(0).seq()).toList());
        assertThat(restarted.get(restarted.size() - 1).seq() - base).as("positions without gaps").isEqualTo(restarted.size() - 1);
    }
}
