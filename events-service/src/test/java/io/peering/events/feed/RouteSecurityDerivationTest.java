package io.peering.events.feed;

import io.peering.events.EventType;
import io.peering.events.PrefixEvent;
import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.peering.common.v1.TimeRange;
import io.peering.events.repository.EventQueries;
import io.peering.events.v1.EventLevel;
import io.peering.events.v1.EventsServiceGrpc;
import io.peering.events.v1.ListPrefixEventsRequest;
import io.peering.events.v1.PrefixEventType;
import org.eclipse.microprofile.config.ConfigProvider;
import java.util.concurrent.TimeUnit;
import io.peering.routes.v1.RouteChange;
import io.peering.routes.v1.RpkiValidationState;
import io.peering.routes.v1.Roa;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static io.peering.events.feed.ScriptedRoutesServer.announce;
import static io.peering.events.feed.ScriptedRoutesServer.withdraw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Route-security incidents derived by the feed from scripted route changes over a real gRPC stream,
 * stored in the real database: hijacks of registered prefixes over any session, RPKI-invalid routes
 * and leaks from a peering's own sessions, each opened once and resolved once.
 */
@QuarkusTest
@TestProfile(FeedTestProfile.WithRouteSecurity.class)
class RouteSecurityDerivationTest {

    static final String CONTOSO = "peerings/contoso-ams";
    static final String FABRIKAM = "peerings/fabrikam-lon";
    static final String SERVICE = "peeringServices/contoso-web";
    static final String CONTOSO_PEER = "127.0.0.11";      // contoso-ams ams-1, primary of contoso-web, AS64500
    static final String CONTOSO_BACKUP = "127.0.0.12";    // contoso-ams ams-2, backup of contoso-web
    static final String FABRIKAM_PEER = "127.0.0.21";     // fabrikam-lon lon-1, AS4200000002
    static final String ROUTER = "10.0.0.1";
    static final int NOT_FOUND = RpkiValidationState.RPKI_VALIDATION_STATE_NOT_FOUND_VALUE;
    static final int VALID = RpkiValidationState.RPKI_VALIDATION_STATE_VALID_VALUE;
    static final int INVALID = RpkiValidationState.RPKI_VALIDATION_STATE_INVALID_VALUE;

    @Inject
    RouteChangeFeed feed;

    @Inject
    Pool pool;

    @Inject
    EventQueries queries;

    ScriptedRoutesServer routes;
    Instant t0;

    @BeforeEach
    void setUp() throws Exception {
        FeedHarness.reset(feed, pool);
        routes = ScriptedRoutesResource.server();
        t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(1, ChronoUnit.HOURS);
    }

    Instant at(int second) {
        return t0.plusSeconds(second);
    }

    /** A change with the route-security fields routes-service fills in. */
    static RouteChange secured(RouteChange c, long peerAsn, int rpki, Long otc, Roa... covering) {
        var route = c.getRoute().toBuilder().setPeerAsn((int) peerAsn).setRpkiValidationStateValue(rpki)
                .addAllCoveringRoas(List.of(covering));
        if (otc != null) {
            route.setOnlyToCustomer(otc.intValue());
        }
        return c.toBuilder().setRoute(route).build();
    }

    static Roa roa(String prefix, int maxLength, long asn) {
        return Roa.newBuilder().setPrefix(prefix).setMaxLength(maxLength).setOriginAsn((int) asn).setTrustAnchor("ripe").build();
    }

    List<PrefixEvent> run(RouteChange... script) throws Exception {
        long last = routes.append(List.of(script));
        feed.start();
        FeedHarness.awaitCursor(pool, last);
        return stored();
    }

    List<PrefixEvent> stored() {
        return queries.after(new EventQueries.EventFilter(null, null, null, List.of(), List.of()), 0, Long.MAX_VALUE, 1000)
                .await().atMost(Duration.ofSeconds(30));
    }

    @Test
    void moreSpecificOfARegisteredPrefixWithAForeignOriginOverAnotherPeersSessionIsAHijackUntilWithdrawn() throws Exception {
        List<PrefixEvent> events = run(
                secured(announce(at(1), "198.51.100.0/25", FABRIKAM_PEER, ROUTER, 0, "4200000002 64666", 64666),
                        4200000002L, NOT_FOUND, null),
                secured(announce(at(2), "198.51.100.0/25", FABRIKAM_PEER, ROUTER, 0, "4200000002 4200000002 64666", 64666),
                        4200000002L, NOT_FOUND, null),                       // still offends: same incident, no event
                withdraw(at(3), "198.51.100.0/25", FABRIKAM_PEER, ROUTER, 0, "withdrawn by peer"));

        assertThat(events).extracting(e -> e.type().azureName, e -> e.type().level, PrefixEvent::peering,
                        PrefixEvent::peeringService, PrefixEvent::prefix, PrefixEvent::resolved, PrefixEvent::routeCursor)
                .containsExactly(
                        tuple("PrefixCoveringRouteOriginAsChangeEvent", EventType.Level.CRITICAL, CONTOSO, SERVICE,
                                "198.51.100.0/24", false, 1L),
                        tuple("PrefixCoveringRouteOriginAsChangeEvent", EventType.Level.CRITICAL, CONTOSO, SERVICE,
                                "198.51.100.0/24", true, 3L));
        PrefixEvent opened = events.get(0);
        assertThat(events.get(1).incident()).isEqualTo(opened.incident()).isNotEmpty();
        assertThat(opened.connection()).isEqualTo("peerings/fabrikam-lon/connections/lon-1");
        assertThat(opened.security().routePrefix()).isEqualTo("198.51.100.0/25");
        assertThat(opened.security().peerAddress()).isEqualTo(FABRIKAM_PEER);
        assertThat(opened.security().peerAsn()).isEqualTo(4200000002L);
        assertThat(opened.security().originAsn()).isEqualTo(64666L);
        assertThat(opened.security().expectedOriginAsns()).containsExactly(64500L, 4200000001L);
        assertThat(opened.security().rpkiState()).isEqualTo(NOT_FOUND);
        assertThat(opened.summary()).isEqualTo("Possible hijack of 198.51.100.0/24: 198.51.100.0/25 originated by AS64666"
                + " over AS4200000002");
        assertThat(opened.description()).contains("AS path \"4200000002 64666\"", "router 10.0.0.1", "BGP peer 127.0.0.21",
                "Expected origins: AS64500, AS4200000001", "a more-specific of 198.51.100.0/24");
        assertThat(events.get(1).description()).contains("the route was withdrawn");
        assertThat(openIncidents()).isZero();

        // the API: listed by the victim's peering, with what a person needs to act
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            List<io.peering.events.v1.PrefixEvent> listed = EventsServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .listPrefixEvents(ListPrefixEventsRequest.newBuilder().setParent(CONTOSO)
                            .addTypes(PrefixEventType.PREFIX_EVENT_TYPE_PREFIX_COVERING_ROUTE_ORIGIN_AS_CHANGE_EVENT)
                            .setTimeRange(TimeRange.newBuilder().setStartTime(Timestamp.newBuilder().setSeconds(t0.getEpochSecond()))
                                    .setEndTime(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond())))
                            .build())
                    .getEventsList();
            assertThat(listed).hasSize(2);
            io.peering.events.v1.PrefixEvent newest = listed.get(0);
            assertThat(newest.getResolved()).isTrue();
            assertThat(newest.getIncident()).isEqualTo(opened.incident());
            assertThat(newest.getPeering()).isEqualTo(CONTOSO);
            assertThat(newest.getLevel()).isEqualTo(EventLevel.EVENT_LEVEL_CRITICAL);
            assertThat(newest.getSecurity().getRoutePrefix()).isEqualTo("198.51.100.0/25");
            assertThat(newest.getSecurity().getOriginAsn()).isEqualTo(64666);
            assertThat(newest.getSecurity().getExpectedOriginAsnsList()).containsExactly(64500, (int) 4200000001L);
            assertThat(newest.getSecurity().getRpkiValidationState()).isEqualTo(RpkiValidationState.RPKI_VALIDATION_STATE_NOT_FOUND);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRouteWithTheOwnOriginOrValidByRpkiIsNoHijack() throws Exception {
        List<PrefixEvent> events = run(
                secured(announce(at(1), "198.51.100.0/25", FABRIKAM_PEER, ROUTER, 0, "4200000002 4200000001", 4200000001L),
                        4200000002L, NOT_FOUND, null),                       // a registered ASN of contoso
                secured(announce(at(2), "198.51.100.128/25", FABRIKAM_PEER, ROUTER, 0, "4200000002 64777", 64777),
                        4200000002L, VALID, null, roa("198.51.100.0/24", 25, 64777)), // a ROA allows it
                secured(announce(at(3), "192.0.2.0/24", FABRIKAM_PEER, ROUTER, 0, "4200000002 64666", 64666),
                        4200000002L, NOT_FOUND, null));                      // nobody's registered prefix
        assertThat(events).isEmpty();
    }

    @Test
    void rpkiInvalidRouteFromAPeerIsAnIncidentWithItsRoasAndReasonUntilItIsValid() throws Exception {
        List<PrefixEvent> events = run(
                secured(announce(at(1), "192.0.2.0/25", CONTOSO_PEER, ROUTER, 0, "64500", 64500),
                        64500, INVALID, null, roa("192.0.2.0/24", 24, 64500)),
                secured(announce(at(2), "192.0.2.0/25", CONTOSO_PEER, ROUTER, 0, "64500", 64500),
                        64500, VALID, null, roa("192.0.2.0/24", 25, 64500)));
        assertThat(events).extracting(e -> e.type().azureName, PrefixEvent::peering, PrefixEvent::prefix, PrefixEvent::resolved)
                .containsExactly(tuple("PrefixRpkiInvalidRouteEvent", CONTOSO, "192.0.2.0/25", false),
                        tuple("PrefixRpkiInvalidRouteEvent", CONTOSO, "192.0.2.0/25", true));
        PrefixEvent opened = events.get(0);
        assertThat(opened.type().level).isEqualTo(EventType.Level.ERROR);
        assertThat(opened.security().matchedRoas()).extracting(r -> r.prefix(), r -> r.maxLength(), r -> r.originAsn())
                .containsExactly(tuple("192.0.2.0/24", 24, 64500L));
        assertThat(opened.security().reason()).isEqualTo("RPKI invalid (max-length): ROA 192.0.2.0/24-24 AS64500 (ripe)"
                + " allows AS64500 no /25");
        assertThat(events.get(1).description()).contains("no longer offends");
    }

    @Test
    void onlyToCustomerOfAnotherAsAndAPathIntoATransitProviderAreLeaks() throws Exception {
        List<PrefixEvent> events = run(
                secured(announce(at(1), "192.0.2.0/24", CONTOSO_PEER, ROUTER, 0, "64500 64999", 64999),
                        64500, NOT_FOUND, 64500L),                           // OTC of the peer itself: as RFC 9234 wants
                secured(announce(at(2), "203.0.113.0/25", CONTOSO_PEER, ROUTER, 0, "64500 64999 65001", 65001),
                        64500, NOT_FOUND, 64999L),                           // OTC of another AS: leak (and a hijack of fabrikam)
                secured(announce(at(3), "192.0.2.0/24", CONTOSO_PEER, ROUTER, 7, "64500 64500 3356 15169", 15169),
                        64500, NOT_FOUND, null),                             // through a transit provider
                secured(announce(at(4), "198.51.100.0/24", CONTOSO_BACKUP, ROUTER, 0, "64500 1299 64500", 64500),
                        64500, NOT_FOUND, null))                             // the service's prefix on its backup
                .stream().filter(PrefixEvent::ofIncident).toList();      // (it also has the service's own events)
        assertThat(events).extracting(e -> e.type().azureName, PrefixEvent::peering, PrefixEvent::peeringService,
                        PrefixEvent::prefix, e -> e.security().transitAsn(), e -> e.security().onlyToCustomer())
                .containsExactly(
                        tuple("PrefixCoveringRouteOriginAsChangeEvent", FABRIKAM, "", "203.0.113.0/24", 0L, 64999L),
                        tuple("PrefixLeakEvent", CONTOSO, "", "203.0.113.0/25", 0L, 64999L),
                        tuple("PrefixLeakEvent", CONTOSO, "", "192.0.2.0/24", 3356L, null),
                        tuple("PrefixBackupRouteLeakEvent", CONTOSO, SERVICE, "198.51.100.0/24", 1299L, null));
        assertThat(events.get(1).security().reason()).contains("Only-To-Customer AS64999", "not the peer's AS64500");
        assertThat(events.get(2).security().reason()).contains("transit provider AS3356");
        assertThat(events.get(3).type().level).isEqualTo(EventType.Level.ERROR);
    }

    @Test
    void anIncidentOpenedBeforeAFeedRestartIsResolvedOnceAfterItWithTheSameId() throws Exception {
        List<PrefixEvent> before = run(secured(announce(at(1), "203.0.113.0/24", CONTOSO_PEER, ROUTER, 0, "64500 64666", 64666),
                64500, INVALID, null, roa("203.0.113.0/24", 24, 4200000002L)));
        assertThat(before).extracting(e -> e.type().azureName).containsExactlyInAnyOrder(
                "PrefixCoveringRouteOriginAsChangeEvent", "PrefixRpkiInvalidRouteEvent");
        feed.stop().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        routes.reset();                      // the same log again (a restarted routes-service replays it)...
        routes.append(secured(announce(at(1), "203.0.113.0/24", CONTOSO_PEER, ROUTER, 0, "64500 64666", 64666),
                64500, INVALID, null, roa("203.0.113.0/24", 24, 4200000002L)));
        long last = routes.append(withdraw(at(2), "203.0.113.0/24", CONTOSO_PEER, ROUTER, 0, "peer down")); // ...and more
        feed.start();
        FeedHarness.awaitCursor(pool, last);
        List<PrefixEvent> after = stored();
        assertThat(after).hasSize(4);
        assertThat(after.subList(2, 4)).allSatisfy(e -> assertThat(e.resolved()).isTrue());
        assertThat(after.subList(2, 4)).extracting(PrefixEvent::incident)
                .containsExactlyInAnyOrderElementsOf(before.stream().map(PrefixEvent::incident).toList());
        assertThat(openIncidents()).isZero();
    }

    long openIncidents() {
        return pool.query("SELECT count(*) FROM events.open_incidents").execute().await().atMost(Duration.ofSeconds(10))
                .iterator().next().getLong(0);
    }
}
