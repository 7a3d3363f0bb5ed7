package io.peering.routes.collector;

import io.peering.common.v1.SessionState;
import io.peering.common.v1.TimeRange;
import io.peering.support.time.ProtoTimes;
import io.peering.routes.v1.GetRouteHistoryRequest;
import io.peering.routes.v1.ListReceivedRoutesRequest;
import io.peering.routes.v1.ListSessionsRequest;
import io.peering.routes.v1.ReceivedRoute;
import io.peering.routes.v1.RouteChange;
import io.peering.routes.v1.RouteChangeType;
import io.peering.routes.v1.RoutesServiceGrpc;
import io.peering.routes.v1.Session;
import io.peering.common.v1.StartPosition;
import io.peering.routes.v1.WatchRouteChangesRequest;
import io.peering.routes.v1.WatchRouteChangesResponse;
import io.peering.routes.testing.Await;
import io.peering.routes.testing.BmpPeer;
import io.peering.routes.testing.RoutesChannel;
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
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.peering.routes.bmp.BmpBytes.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A router (a test socket from its own loopback address) speaks BMP to the collector; what it
 * reported is read back over a real gRPC channel.
 */
@QuarkusTest
class BmpCollectorTest {

    static final String ROUTER = "127.0.0.201";
    static final String PEER = "127.0.0.11"; // peerings/contoso-ams/connections/ams-1 in the sample inventory

    static final BmpPeer AMS_1 = BmpPeer.of(PEER, 64500);

    @Inject
    BmpListener listener;

    @Inject
    Pool pool;

    RoutesChannel channel;
    RoutesServiceGrpc.RoutesServiceBlockingStub routes;

    @BeforeEach
    void setUp() {
        TestRouter.forget(pool, ROUTER);
        channel = RoutesChannel.open();
        routes = channel.blocking();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        channel.close();
    }

    static byte[] announce(String prefix, long... asPath) {
        return announce(prefix, new byte[0], asPath);
    }

    /** @param more path attributes to send after ORIGIN, AS_PATH, NEXT_HOP, COMMUNITIES and LARGE_COMMUNITY */
    static byte[] announce(String prefix, byte[] more, long... asPath) {
        return AMS_1.announce(prefix, concat(attr(0xC0, 8, concat(u32((64500L << 16) | 100), u32((64500L << 16) | 200))),
                attr(0xC0, 32, concat(u32(64500), u32(1), u32(2))), more), asPath);
    }

    TestRouter connectAsRouter() throws Exception {
        return TestRouter.connect(ROUTER, listener.port());
    }

    List<ReceivedRoute> routesOfTestRouter() {
        return routes.listReceivedRoutes(ListReceivedRoutesRequest.newBuilder().setParent("peerings/contoso-ams")
                        .setPageSize(1000).build())
                .getRoutesList().stream().filter(r -> r.getRouter().equals(ROUTER)).toList();
    }

    Session sessionOfTestRouter() {
        return routes.listSessions(ListSessionsRequest.newBuilder().setParent("peerings/contoso-ams").build())
                .getSessionsList().stream().filter(s -> s.getRouter().equals(ROUTER)).findFirst().orElse(null);
    }

    @Test
    void announcedRoutesAreListedWithTheirAttributesAndValidation() throws Exception {
        try (TestRouter router = connectAsRouter()) {
            router.send(AMS_1.up(), announce("198.51.100.0/24", 64500, 4200000001L), AMS_1.announceV6("2001:db8:100::/48", 64500));
            Await.until("two routes stored", () -> routesOfTestRouter().size() == 2);

            ReceivedRoute v4 = routesOfTestRouter().stream().filter(r -> r.getPrefix().equals("198.51.100.0/24")).findFirst().orElseThrow();
            assertThat(v4.getAsPath()).isEqualTo("64500 4200000001");
            assertThat(Integer.toUnsignedLong(v4.getOriginAsn())).isEqualTo(4200000001L);
            assertThat(v4.getNextHop()).isEqualTo("192.0.2.1");
            assertThat(v4.getCommunitiesList()).containsExactly("64500:100", "64500:200");
            assertThat(v4.getLargeCommunitiesList()).containsExactly("64500:1:2");
            assertThat(v4.getConnection()).isEqualTo("peerings/contoso-ams/connections/ams-1");
            assertThat(v4.getOriginAsValidationState().name()).isEqualTo("ORIGIN_AS_VALIDATION_STATE_VALID"); // registered ASN
            assertThat(v4.getRpkiValidationState().name()).isEqualTo("RPKI_VALIDATION_STATE_NOT_FOUND");
            assertThat(v4.getOrigin()).isEqualTo("IGP");

            ReceivedRoute v6 = routesOfTestRouter().stream().filter(r -> r.getPrefix().equals("2001:db8:100::/48")).findFirst().orElseThrow();
            assertThat(v6.getNextHop()).isEqualTo("2001:db8::1");

            Session session = sessionOfTestRouter();
            assertThat(session.getState()).isEqualTo(SessionState.SESSION_STATE_ESTABLISHED);
            assertThat(session.getRoutesCount()).isEqualTo(2);
            assertThat(session.getPeerAsn()).isEqualTo(64500);
        }
    }

    @Test
    void aWithdrawalRemovesTheRouteAndBothChangesAreInItsHistory() throws Exception {
        Instant start = Instant.now().minusSeconds(5);
        try (TestRouter router = connectAsRouter()) {
            router.send(AMS_1.up(), announce("198.51.100.0/24", 64500));
            Await.until("route stored", () -> routesOfTestRouter().size() == 1);
            router.send(AMS_1.withdraw("198.51.100.0/24"));
            Await.until("route withdrawn", () -> routesOfTestRouter().isEmpty());
        }
        List<RouteChange> history = routes.getRouteHistory(GetRouteHistoryRequest.newBuilder()
                        .setParent("peerings/contoso-ams").setPrefix("198.51.100.0/24")
                        .setTimeRange(TimeRange.newBuilder().setStartTime(ProtoTimes.timestamp(start))
                                .setEndTime(ProtoTimes.timestamp(Instant.now().plusSeconds(5))))
                        .build())
                .getChangesList().stream().filter(c -> c.getRoute().getRouter().equals(ROUTER)).toList();
        assertThat(history).extracting(RouteChange::getType)
                .containsExactly(RouteChangeType.ROUTE_CHANGE_TYPE_ANNOUNCE, RouteChangeType.ROUTE_CHANGE_TYPE_WITHDRAW);
        assertThat(history.get(1).getReason()).isEqualTo("withdrawn by peer");
    }

    @Test
    void aRepeatedAnnouncementIsNotANewChange() throws Exception {
        try (TestRouter router = connectAsRouter()) {
            router.send(AMS_1.up(), announce("198.51.100.0/24", 64500));
            Await.until("route stored", () -> routesOfTestRouter().size() == 1);
            router.send(announce("198.51.100.0/24", 64500), announce("198.51.100.0/24", 64500, 64501));
            Await.until("new path stored", () -> routesOfTestRouter().get(0).getAsPath().equals("64500 64501"));
        }
        long logged = pool.preparedQuery("SELECT count(*) FROM routes.route_changes WHERE router = $1::text::inet")
                .execute(Tuple.of(ROUTER)).await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0);
        assertThat(logged).as("first announcement and the changed path; the repeat is not a change").isEqualTo(2);
    }

    @Test
    void peerDownWithdrawsEveryRouteAndRecordsTheTransitionWithItsReason() throws Exception {
        try (TestRouter router = connectAsRouter()) {
            router.send(AMS_1.up(), announce("198.51.100.0/24", 64500), AMS_1.announceV6("2001:db8:100::/48", 64500));
            Await.until("routes stored", () -> routesOfTestRouter().size() == 2);
            router.send(AMS_1.down());
            Await.until("routes withdrawn", () -> routesOfTestRouter().isEmpty());
        }
        Session session = sessionOfTestRouter();
        assertThat(session.getState()).isEqualTo(SessionState.SESSION_STATE_IDLE);
        assertThat(session.getLastError()).contains("6/2").contains("Administrative Shutdown");
        assertThat(session.getRoutesCount()).isZero();
        long withdrawals = pool.preparedQuery("SELECT count(*) FROM routes.route_changes WHERE router = $1::text::inet AND withdrawn AND reason = 'peer down'")
                .execute(Tuple.of(ROUTER)).await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0);
        assertThat(withdrawals).isEqualTo(2);
        long downs = pool.preparedQuery("SELECT count(*) FROM routes.session_transitions WHERE router = $1::text::inet AND state = 2 AND notification_code = 6 AND notification_subcode = 2")
                .execute(Tuple.of(ROUTER)).await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0);
        assertThat(downs).isEqualTo(1);
    }

    @Test
    void aBrokenStreamClosesOnlyThatRoutersSessionAndKeepsWhatWasStored() throws Exception {
        try (TestRouter router = connectAsRouter()) {
            router.send(AMS_1.up(), announce("198.51.100.0/24", 64500));
            Await.until("route stored", () -> routesOfTestRouter().size() == 1);
            router.send(new byte[]{9, 0, 0, 0, 6, 0}); // BMP version 9: the stream cannot be framed
            assertThat(router.read()).as("collector closed the connection").isEqualTo(-1);
        }
        assertThat(routesOfTestRouter()).hasSize(1);
        assertThat(sessionOfTestRouter().getState()).isEqualTo(SessionState.SESSION_STATE_ESTABLISHED);
    }

    @Test
    void aRouterReconnectingReSendsItsTableAndWhatItNoLongerHasIsWithdrawnAtEndOfRib() throws Exception {
        try (TestRouter router = connectAsRouter()) {
            router.send(AMS_1.up(), announce("198.51.100.0/24", 64500), announce("203.0.113.0/24", 64500));
            Await.until("two routes stored", () -> routesOfTestRouter().size() == 2);
        }
        try (TestRouter again = connectAsRouter()) {
            // the same session again, as after a BMP reconnect: one route re-sent unchanged, one not, then End-of-RIB
            again.send(AMS_1.up(), announce("198.51.100.0/24", 64500), AMS_1.endOfRib());
            Await.until("the route not re-sent is withdrawn", () -> routesOfTestRouter().size() == 1);
        }
        assertThat(routesOfTestRouter()).extracting(ReceivedRoute::getPrefix).containsExactly("198.51.100.0/24");
        List<String> log = new java.util.ArrayList<>();
        pool.preparedQuery("SELECT prefix::text || ' ' || withdrawn || ' ' || reason FROM routes.route_changes"
                        + " WHERE router = $1::text::inet ORDER BY seq")
                .execute(Tuple.of(ROUTER)).await().atMost(Duration.ofSeconds(5)).forEach(r -> log.add(r.getString(0)));
        assertThat(log).containsExactly("198.51.100.0/24 false ", "203.0.113.0/24 false ",
                "203.0.113.0/24 true not re-sent after the session was re-established");
        assertThat(sessionOfTestRouter().getRoutesCount()).isEqualTo(1);
    }

    @Test
    void aRouteCarryingOnlyToCustomerShowsItsAsnInTheListingAndInTheChangeFeed() throws Exception {
        try (TestRouter router = connectAsRouter()) {
            router.send(AMS_1.up(), announce("198.51.100.0/24", onlyToCustomer(4200000001L), 64500),
                    announce("203.0.113.0/24", 64500));
            Await.until("two routes stored", () -> routesOfTestRouter().size() == 2);
        }
        Map<String, ReceivedRoute> listed = routesOfTestRouter().stream()
                .collect(Collectors.toMap(ReceivedRoute::getPrefix, r -> r));
        assertThat(Integer.toUnsignedLong(listed.get("198.51.100.0/24").getOnlyToCustomer())).isEqualTo(4200000001L);
        assertThat(listed.get("203.0.113.0/24").hasOnlyToCustomer()).as("sent without the attribute").isFalse();

        Iterator<WatchRouteChangesResponse> feed = channel.blocking()
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .watchRouteChanges(WatchRouteChangesRequest.newBuilder().setStartPosition(StartPosition.START_POSITION_EARLIEST)
                        .addPrefixes("198.51.100.0/24").build());
        RouteChange change = null;
        while (change == null) {
            change = feed.next().getChangesList().stream().filter(c -> c.getRoute().getRouter().equals(ROUTER))
                    .findFirst().orElse(null);
        }
        assertThat(change.getType()).isEqualTo(RouteChangeType.ROUTE_CHANGE_TYPE_ANNOUNCE);
        assertThat(Integer.toUnsignedLong(change.getRoute().getOnlyToCustomer())).isEqualTo(4200000001L);
    }

    @Test
    void anAnnouncementThatChangesOnlyTheOnlyToCustomerAttributeIsANewChange() throws Exception {
        try (TestRouter router = connectAsRouter()) {
            router.send(AMS_1.up(), announce("198.51.100.0/24", onlyToCustomer(64500), 64500));
            Await.until("route stored", () -> routesOfTestRouter().size() == 1);
            router.send(announce("198.51.100.0/24", onlyToCustomer(64500), 64500),
                    announce("198.51.100.0/24", onlyToCustomer(64501), 64500));
            Await.until("new OTC stored", () -> routesOfTestRouter().get(0).getOnlyToCustomer() == 64501);
            router.send(announce("198.51.100.0/24", 64500));
            Await.until("OTC gone", () -> !routesOfTestRouter().get(0).hasOnlyToCustomer());
        }
        List<Long> logged = new java.util.ArrayList<>();
        pool.preparedQuery("SELECT only_to_customer FROM routes.route_changes WHERE router = $1::text::inet ORDER BY seq")
                .execute(Tuple.of(ROUTER)).await().atMost(Duration.ofSeconds(5)).forEach(r -> logged.add(r.getLong(0)));
        assertThat(logged).as("first announcement, OTC changed, OTC removed; the repeat is not a change")
                .containsExactly(64500L, 64501L, null);
    }

    @Test
    void anOnlyToCustomerOfTheWrongLengthWithdrawsTheRouteItAnnounces() throws Exception {
        try (TestRouter router = connectAsRouter()) {
            router.send(AMS_1.up(), announce("198.51.100.0/24", 64500));
            Await.until("route stored", () -> routesOfTestRouter().size() == 1);
            router.send(announce("198.51.100.0/24", attr(0xC0, 35, hex("00fb")), 64500)); // RFC 9234: length must be 4
            Await.until("route withdrawn", () -> routesOfTestRouter().isEmpty());
        }
        String reason = pool.preparedQuery("SELECT reason FROM routes.route_changes WHERE router = $1::text::inet AND withdrawn")
                .execute(Tuple.of(ROUTER)).await().atMost(Duration.ofSeconds(5)).iterator().next().getString(0);
        assertThat(reason).isEqualTo("malformed UPDATE treated as withdraw: ONLY_TO_CUSTOMER length 2, expected 4");
        assertThat(sessionOfTestRouter().getState()).as("the session stays up").isEqualTo(SessionState.SESSION_STATE_ESTABLISHED);
    }
}
