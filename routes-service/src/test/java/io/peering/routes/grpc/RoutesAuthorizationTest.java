package io.peering.routes.grpc;

import io.peering.routes.testing.TestRouter;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.peering.common.v1.StartPosition;
import io.peering.common.v1.TimeRange;
import io.peering.routes.PeerRef;
import io.peering.routes.Rib;
import io.peering.routes.RouteChange;
import io.peering.routes.repository.RouteStore;
import io.peering.routes.repository.SessionStore;
import io.peering.routes.v1.BgpRouteRequest;
import io.peering.routes.v1.BgpRouteResponse;
import io.peering.routes.v1.GetRegisteredPrefixRequest;
import io.peering.routes.v1.GetRouteHistoryRequest;
import io.peering.routes.v1.ListRegisteredPrefixesRequest;
import io.peering.routes.v1.PingRequest;
import io.peering.routes.v1.TracerouteRequest;
import io.peering.routes.v1.ListReceivedRoutesRequest;
import io.peering.routes.v1.ListPeeringServicesRequest;
import io.peering.routes.v1.ListPeeringsRequest;
import io.peering.routes.v1.ListPeeringsResponse;
import io.peering.routes.v1.ListSessionsRequest;
import io.peering.routes.v1.Peering;
import io.peering.routes.v1.PeeringConnection;
import io.peering.routes.v1.PeeringService;
import io.peering.routes.v1.RegisteredAsn;
import io.peering.routes.v1.RegisteredPrefix;
import io.peering.routes.v1.RoutesServiceGrpc;
import io.peering.routes.v1.Session;
import io.peering.routes.v1.WatchRouteChangesRequest;
import io.peering.routes.v1.WatchRouteChangesResponse;
import io.peering.routes.v1.WatchSessionsRequest;
import io.peering.support.testing.AuthEnabledProfile;
import io.peering.support.testing.RoleMatrix;
import io.peering.support.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.peering.support.testing.RoleMatrix.catalogue;
import static io.peering.support.testing.RoleMatrix.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** Bearer tokens on every routes RPC: who may call what, and a reader sees only its own peerings. */
@QuarkusTest
@TestProfile(AuthEnabledProfile.class)
class RoutesAuthorizationTest {

    static final String ROUTER = "127.0.0.204";
    static final PeerRef CONTOSO = new PeerRef(ROUTER, 0, "127.0.0.11", 64500);       // contoso-ams ams-1
    static final PeerRef FABRIKAM = new PeerRef(ROUTER, 0, "127.0.0.21", 4200000002L); // fabrikam-lon lon-1

    @Inject
    RouteStore store;

    @Inject
    SessionStore sessions;

    @Inject
    Pool pool;

    int port;
    ManagedChannel channel;

    @BeforeEach
    void setUp() {
        TestRouter.forget(pool, ROUTER);
        port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static RoutesServiceGrpc.RoutesServiceBlockingStub stub(Channel channel) {
        return RoutesServiceGrpc.newBlockingStub(channel).withDeadlineAfter(RoleMatrix.deadlineMillis(), TimeUnit.MILLISECONDS);
    }

    RoutesServiceGrpc.RoutesServiceBlockingStub as(String token) {
        return RoutesServiceGrpc.newBlockingStub(RoleMatrix.withToken(channel, token))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Test
    void everyRoutesRpcAnswersEachKindOfCallerAsTheRoleMatrixSays() {
        String contoso = "peerings/contoso-ams";
        Instant now = Instant.now();
        TimeRange lastHour = TimeRange.newBuilder()
                .setStartTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(now.minusSeconds(3600).getEpochSecond()))
                .setEndTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(now.getEpochSecond() + 60)).build();
        RoleMatrix.run(port, List.of(
                query("ListReceivedRoutes", ch -> stub(ch).listReceivedRoutes(ListReceivedRoutesRequest.newBuilder().setParent(contoso).build())),
                query("GetRouteHistory", ch -> stub(ch).getRouteHistory(GetRouteHistoryRequest.newBuilder().setParent(contoso)
                        .setPrefix("198.51.100.0/24").setTimeRange(lastHour).build())),
                query("ListSessions", ch -> stub(ch).listSessions(ListSessionsRequest.newBuilder().setParent(contoso).build())),
                query("BgpRoute", ch -> stub(ch).bgpRoute(BgpRouteRequest.newBuilder().setParent(contoso).setTarget("198.51.100.7").build())),
                query("GetRegisteredPrefix", ch -> stub(ch).getRegisteredPrefix(GetRegisteredPrefixRequest.newBuilder()
                        .setName(contoso + "/registeredPrefixes/contoso-web").build())),
                query("ListRegisteredPrefixes", ch -> stub(ch).listRegisteredPrefixes(ListRegisteredPrefixesRequest.newBuilder()
                        .setParent(contoso).build())),
                query("WatchRouteChanges", ch -> RoleMatrix.firstOf(stub(ch).watchRouteChanges(
                        WatchRouteChangesRequest.newBuilder().setParent(contoso).build()))),
                query("WatchSessions", ch -> RoleMatrix.firstOf(stub(ch).watchSessions(
                        WatchSessionsRequest.newBuilder().setParent(contoso).build()))),
                // every reader may list; what it gets is narrowed to its own (the test below)
                catalogue("ListPeerings", ch -> stub(ch).listPeerings(ListPeeringsRequest.getDefaultInstance())),
                catalogue("ListPeeringServices", ch -> stub(ch).listPeeringServices(ListPeeringServicesRequest.getDefaultInstance())),
                // probes hold no peering's data: any reader, to the allowed targets (loopback here)
                catalogue("Ping", ch -> stub(ch).ping(PingRequest.newBuilder().setTarget("127.0.0.1").setCount(1).build())),
                catalogue("Traceroute", ch -> stub(ch).traceroute(TracerouteRequest.newBuilder().setTarget("127.0.0.1")
                        .setMaxHops(1).setProbesPerHop(1).build()))),
                RoleMatrix.methodsOf(RoutesServiceGrpc.getServiceDescriptor()));
    }

    @Test
    void readerSeesOnlyTheSessionsOfItsOwnAsnWhenAskingForEveryPeering() {
        Instant t = Instant.now();
        sessions.peerUp(CONTOSO, t, "192.0.2.11", "127.0.0.2", 65000).await().atMost(Duration.ofSeconds(10));
        sessions.peerUp(FABRIKAM, t, "192.0.2.21", "127.0.0.2", 65000).await().atMost(Duration.ofSeconds(10));

        List<String> seenByFabrikam = sessionsOfRouter(as(TestTokens.reader(RoleMatrix.OTHER_ASN)));
        List<String> seenByOperator = sessionsOfRouter(as(TestTokens.operator()));

        assertThat(seenByFabrikam).containsExactly("127.0.0.21");
        assertThat(seenByOperator).containsExactlyInAnyOrder("127.0.0.11", "127.0.0.21");
    }

    @Test
    void readerListsOnlyThePeeringsAndPeeringServicesOfItsOwnAsn() {
        ListPeeringsResponse contosoPeerings = as(TestTokens.reader(RoleMatrix.OWN_ASN)).listPeerings(ListPeeringsRequest.getDefaultInstance());
        ListPeeringsResponse fabrikamPeerings = as(TestTokens.reader(RoleMatrix.OTHER_ASN)).listPeerings(ListPeeringsRequest.getDefaultInstance());
        ListPeeringsResponse all = as(TestTokens.operator()).listPeerings(ListPeeringsRequest.getDefaultInstance());

        assertThat(contosoPeerings.getPeeringsList()).extracting(Peering::getName).containsExactly("peerings/contoso-ams");
        assertThat(contosoPeerings.getPeerings(0).getConnectionsList()).extracting(PeeringConnection::getName)
                .containsExactly("peerings/contoso-ams/connections/ams-1", "peerings/contoso-ams/connections/ams-2");
        assertThat(contosoPeerings.getPeerings(0).getConnections(0).getSessionAddressesList())
                .containsExactly("127.0.0.11", "fd00:64:500::11");
        assertThat(contosoPeerings.getPeerings(0).getRegisteredAsnsList()).extracting(RegisteredAsn::getAsn)
                .containsExactly(64500, (int) 4200000001L);
        assertThat(contosoPeerings.getPeerings(0).getRegisteredPrefixesList()).extracting(RegisteredPrefix::getName)
                .containsExactly("peerings/contoso-ams/registeredPrefixes/contoso-web", "peerings/contoso-ams/registeredPrefixes/contoso-v6");
        assertThat(fabrikamPeerings.getPeeringsList()).extracting(Peering::getName).containsExactly("peerings/fabrikam-lon");
        assertThat(all.getPeeringsList()).extracting(Peering::getName).containsExactly("peerings/contoso-ams", "peerings/fabrikam-lon");

        assertThat(as(TestTokens.reader(RoleMatrix.OWN_ASN)).listPeeringServices(ListPeeringServicesRequest.getDefaultInstance())
                .getPeeringServicesList()).extracting(PeeringService::getName, PeeringService::getPrimaryConnection,
                        PeeringService::getBackupConnection)
                .containsExactly(tuple("peeringServices/contoso-web", "peerings/contoso-ams/connections/ams-1",
                        "peerings/contoso-ams/connections/ams-2"));
        assertThat(as(TestTokens.reader(RoleMatrix.OTHER_ASN)).listPeeringServices(ListPeeringServicesRequest.getDefaultInstance())
                .getPeeringServicesList()).isEmpty();
    }

    @Test
    void listPeeringsPagesThroughTheInventoryWithItsToken() {
        RoutesServiceGrpc.RoutesServiceBlockingStub operator = as(TestTokens.operator());
        ListPeeringsResponse first = operator.listPeerings(ListPeeringsRequest.newBuilder().setPageSize(1).build());
        ListPeeringsResponse second = operator.listPeerings(ListPeeringsRequest.newBuilder().setPageSize(1)
                .setPageToken(first.getNextPageToken()).build());

        assertThat(first.getPeeringsList()).extracting(Peering::getName).containsExactly("peerings/contoso-ams");
        assertThat(second.getPeeringsList()).extracting(Peering::getName).containsExactly("peerings/fabrikam-lon");
        assertThat(second.getNextPageToken()).isEmpty();
        assertThatThrownBy(() -> operator.listPeerings(ListPeeringsRequest.newBuilder().setPageToken("bm90LWEtdG9rZW4").build()))
                .hasMessageContaining("INVALID_ARGUMENT: page_token is not one this service issued");
    }

    static List<String> sessionsOfRouter(RoutesServiceGrpc.RoutesServiceBlockingStub stub) {
        return stub.listSessions(ListSessionsRequest.newBuilder().setParent("peerings/-").setPageSize(1000).build())
                .getSessionsList().stream().filter(s -> s.getRouter().equals(ROUTER)).map(Session::getPeerAddress).toList();
    }

    static final PeerRef UNMAPPED = new PeerRef(ROUTER, 0, "127.0.0.99", 64999);        // in no peering of the inventory

    /** 198.51.100.0/24 from a peer of each peering and from a peer in none; contoso also has a route of a foreign origin. */
    void storeRoutesOfEveryKindOfPeer() {
        Instant t = Instant.now().minusSeconds(60);
        store.applyRouteChanges(List.of(
                        announce(t, CONTOSO, "198.51.100.0/24", "64500", 64500),
                        announce(t, CONTOSO, "198.51.101.0/24", "64500 64999", 64999),   // origin AS invalid for contoso
                        announce(t, FABRIKAM, "198.51.100.0/24", "4200000002", 4200000002L),
                        announce(t, UNMAPPED, "198.51.100.0/24", "64999", 64999)))
                .await().atMost(Duration.ofSeconds(10));
    }

    static RouteChange announce(Instant t, PeerRef peer, String prefix, String asPath, long origin) {
        return RouteChange.announce(t, peer, Rib.ADJ_RIB_IN_PRE_POLICY, prefix, 0, new RouteChange.Attributes((short) 0, asPath,
                origin, "192.0.2.1", null, null, List.of(), List.of(), null, (short) 3, ""));
    }

    /** "peer prefix" of the test router's routes, every page of the listing. */
    static List<String> routesOfRouter(RoutesServiceGrpc.RoutesServiceBlockingStub stub, ListReceivedRoutesRequest request) {
        List<String> routes = new ArrayList<>();
        String token = "";
        do {
            var page = stub.listReceivedRoutes(request.toBuilder().setPageToken(token).build());
            page.getRoutesList().stream().filter(r -> r.getRouter().equals(ROUTER))
                    .forEach(r -> routes.add(r.getPeerAddress() + " " + r.getPrefix()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return routes;
    }

    @Test
    void everyPeeringAsParentOfListReceivedRoutesMeansThePeeringsTheCallerMaySee() {
        storeRoutesOfEveryKindOfPeer();
        ListReceivedRoutesRequest all = ListReceivedRoutesRequest.newBuilder().setParent("peerings/-").setPageSize(1000).build();

        assertThat(routesOfRouter(as(TestTokens.operator()), all)).as("operator: every peer, in a peering or not")
                .containsExactlyInAnyOrder("127.0.0.11 198.51.100.0/24", "127.0.0.11 198.51.101.0/24",
                        "127.0.0.21 198.51.100.0/24", "127.0.0.99 198.51.100.0/24");
        assertThat(routesOfRouter(as(TestTokens.operator()), all.toBuilder().setPageSize(1).build())).as("page by page")
                .containsExactlyInAnyOrder("127.0.0.11 198.51.100.0/24", "127.0.0.11 198.51.101.0/24",
                        "127.0.0.21 198.51.100.0/24", "127.0.0.99 198.51.100.0/24");
        assertThat(routesOfRouter(as(TestTokens.reader(RoleMatrix.OWN_ASN)), all)).as("reader of contoso")
                .containsExactlyInAnyOrder("127.0.0.11 198.51.100.0/24", "127.0.0.11 198.51.101.0/24");
        assertThat(routesOfRouter(as(TestTokens.reader(RoleMatrix.OTHER_ASN)), all)).as("reader of fabrikam")
                .containsExactly("127.0.0.21 198.51.100.0/24");
        assertThat(routesOfRouter(as(TestTokens.reader(64999)), all)).as("reader of an ASN with no peering").isEmpty();

        assertThat(routesOfRouter(as(TestTokens.operator()), all.toBuilder()
                .setOriginAsValidationState(io.peering.routes.v1.OriginAsValidationState.ORIGIN_AS_VALIDATION_STATE_VALID).build()))
                .as("origin AS valid, each route judged against its own peering")
                .containsExactlyInAnyOrder("127.0.0.11 198.51.100.0/24", "127.0.0.21 198.51.100.0/24");
        assertThat(routesOfRouter(as(TestTokens.operator()), all.toBuilder()
                .setOriginAsValidationState(io.peering.routes.v1.OriginAsValidationState.ORIGIN_AS_VALIDATION_STATE_INVALID).build()))
                .as("origin AS invalid (a peer in no peering is neither)").containsExactly("127.0.0.11 198.51.101.0/24");

        assertThat(routesOfRouter(as(TestTokens.reader(RoleMatrix.OWN_ASN)), all.toBuilder()
                .setConnection("peerings/contoso-ams/connections/ams-1").build())).as("a connection of the reader's peering")
                .containsExactlyInAnyOrder("127.0.0.11 198.51.100.0/24", "127.0.0.11 198.51.101.0/24");
        assertThatThrownBy(() -> as(TestTokens.reader(RoleMatrix.OWN_ASN)).listReceivedRoutes(all.toBuilder()
                .setConnection("peerings/fabrikam-lon/connections/lon-1").build()))
                .as("a connection of another ASN's peering").hasMessageContaining("PERMISSION_DENIED")
                .hasMessageContaining("belongs to AS4200000002");
    }

    @Test
    void everyPeeringAsParentOfGetRouteHistoryMeansThePeeringsTheCallerMaySee() {
        storeRoutesOfEveryKindOfPeer();
        Instant now = Instant.now();
        GetRouteHistoryRequest history = GetRouteHistoryRequest.newBuilder().setParent("peerings/-").setPrefix("198.51.100.0/24")
                .setPageSize(1000).setTimeRange(TimeRange.newBuilder()
                        .setStartTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(now.getEpochSecond() - 3600))
                        .setEndTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(now.getEpochSecond())))
                .build();
        java.util.function.Function<String, List<String>> peersSeenBy = token -> as(token).getRouteHistory(history)
                .getChangesList().stream().filter(c -> c.getRoute().getRouter().equals(ROUTER))
                .map(c -> c.getRoute().getPeerAddress()).toList();

        assertThat(peersSeenBy.apply(TestTokens.operator())).containsExactlyInAnyOrder("127.0.0.11", "127.0.0.21", "127.0.0.99");
        assertThat(peersSeenBy.apply(TestTokens.reader(RoleMatrix.OWN_ASN))).containsExactly("127.0.0.11");
        assertThat(peersSeenBy.apply(TestTokens.reader(RoleMatrix.OTHER_ASN))).containsExactly("127.0.0.21");
        assertThat(peersSeenBy.apply(TestTokens.reader(64999))).isEmpty();
    }

    @Test
    void bgpRouteMatchesOnlyAmongTheRoutesOfThePeeringsTheCallerMaySee() {
        Instant t = Instant.now().minusSeconds(60);
        store.applyRouteChanges(List.of(
                        announce(t, CONTOSO, "100.100.0.0/16", "64500", 64500),
                        announce(t, FABRIKAM, "100.100.7.0/24", "4200000002", 4200000002L),
                        announce(t, UNMAPPED, "100.100.7.0/25", "64999", 64999)))
                .await().atMost(Duration.ofSeconds(10));
        BgpRouteRequest every = BgpRouteRequest.newBuilder().setParent("peerings/-").setTarget("100.100.7.7").build();
        java.util.function.BiFunction<String, BgpRouteRequest, String> seenBy = (token, request) -> {
            BgpRouteResponse r = as(token).bgpRoute(request);
            return r.getMatchedPrefix() + " " + r.getRoutesList().stream().filter(route -> route.getRouter().equals(ROUTER))
                    .map(io.peering.routes.v1.ReceivedRoute::getPeerAddress).toList();
        };
        BgpRouteRequest lastMinute = every.toBuilder().setAtTime(com.google.protobuf.Timestamp.newBuilder()
                .setSeconds(Instant.now().getEpochSecond())).build();

        assertThat(seenBy.apply(TestTokens.operator(), every)).isEqualTo("100.100.7.0/25 [127.0.0.99]");
        assertThat(seenBy.apply(TestTokens.reader(RoleMatrix.OWN_ASN), every)).as("not fabrikam's longer prefix")
                .isEqualTo("100.100.0.0/16 [127.0.0.11]");
        assertThat(seenBy.apply(TestTokens.reader(RoleMatrix.OTHER_ASN), every)).isEqualTo("100.100.7.0/24 [127.0.0.21]");
        assertThat(seenBy.apply(TestTokens.reader(RoleMatrix.OTHER_ASN), lastMinute)).as("at_time, from the change log")
                .isEqualTo("100.100.7.0/24 [127.0.0.21]");
        assertThat(seenBy.apply(TestTokens.reader(64999), every)).as("reader of an ASN with no peering").isEqualTo(" []");
        assertThatThrownBy(() -> as(TestTokens.reader(RoleMatrix.OTHER_ASN)).bgpRoute(every.toBuilder()
                .setParent("peerings/contoso-ams").build()))
                .hasMessageContaining("PERMISSION_DENIED").hasMessageContaining("peerings/contoso-ams belongs to AS64500");
    }

    @Test
    void readerWatchingEveryPeeringReceivesOnlyChangesOfItsOwnAsn() {
        Instant t = Instant.now();
        RouteChange.Attributes attrs = new RouteChange.Attributes((short) 0, "4200000002", 4200000002L, "192.0.2.1",
                null, null, List.of(), List.of(), null, (short) 3, "");
        store.applyRouteChanges(List.of(
                RouteChange.announce(t, FABRIKAM, Rib.ADJ_RIB_IN_PRE_POLICY, "203.0.113.0/24", 0, attrs),
                RouteChange.announce(t, CONTOSO, Rib.ADJ_RIB_IN_PRE_POLICY, "198.51.100.0/24", 0,
                        new RouteChange.Attributes((short) 0, "64500", 64500, "192.0.2.1", null, null, List.of(), List.of(), null, (short) 3, ""))))
                .await().atMost(Duration.ofSeconds(10));

        Iterator<WatchRouteChangesResponse> stream = as(TestTokens.reader(RoleMatrix.OWN_ASN)).withDeadlineAfter(3, TimeUnit.SECONDS)
                .watchRouteChanges(WatchRouteChangesRequest.newBuilder().setParent("peerings/-")
                        .setStartPosition(StartPosition.START_POSITION_EARLIEST).build());
        List<String> peers = new ArrayList<>();
        try {
            while (stream.hasNext()) {
                stream.next().getChangesList().stream().filter(c -> c.getRoute().getRouter().equals(ROUTER))
                        .forEach(c -> peers.add(c.getRoute().getPeerAddress()));
            }
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).as("the stream stays open until its deadline").isEqualTo(io.grpc.Status.Code.DEADLINE_EXCEEDED);
        }
        assertThat(peers).containsExactly("127.0.0.11");
    }

    @Test
    void readerAskingForAnotherAsnsPeeringIsDeniedWithTheScopeOfItsToken() {
        assertThatThrownBy(() -> as(TestTokens.reader(RoleMatrix.OTHER_ASN))
                .listReceivedRoutes(ListReceivedRoutesRequest.newBuilder().setParent("peerings/contoso-ams").build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("PERMISSION_DENIED")
                .hasMessageContaining("AS4200000002")
                .hasMessageContaining("peerings/contoso-ams belongs to AS64500");
    }

    @Test
    void readerAskingForAnotherAsnsRegisteredPrefixIsDenied() {
        RoutesServiceGrpc.RoutesServiceBlockingStub fabrikam = as(TestTokens.reader(RoleMatrix.OTHER_ASN));

        assertThatThrownBy(() -> fabrikam.getRegisteredPrefix(GetRegisteredPrefixRequest.newBuilder()
                .setName("peerings/contoso-ams/registeredPrefixes/contoso-web").build()))
                .hasMessageContaining("PERMISSION_DENIED").hasMessageContaining("peerings/contoso-ams/registeredPrefixes/contoso-web belongs to AS64500");
        assertThatThrownBy(() -> fabrikam.listRegisteredPrefixes(ListRegisteredPrefixesRequest.newBuilder()
                .setParent("peerings/contoso-ams").build()))
                .hasMessageContaining("PERMISSION_DENIED").hasMessageContaining("peerings/contoso-ams belongs to AS64500");
        assertThat(fabrikam.listRegisteredPrefixes(ListRegisteredPrefixesRequest.newBuilder().setParent("peerings/fabrikam-lon").build())
                .getRegisteredPrefixesList()).extracting(RegisteredPrefix::getName)
                .containsExactly("peerings/fabrikam-lon/registeredPrefixes/fabrikam-web");
        assertThat(fabrikam.listRegisteredPrefixes(ListRegisteredPrefixesRequest.newBuilder().setParent("peerings/-").build())
                .getRegisteredPrefixesList()).extracting(RegisteredPrefix::getName)
                .containsExactly("peerings/fabrikam-lon/registeredPrefixes/fabrikam-web");
    }

    @Test
    void missingTokenIsRefusedWithHowToGetOne() {
        assertThatThrownBy(() -> stub(channel).listSessions(ListSessionsRequest.newBuilder().setParent("peerings/-").build()))
                .hasMessageContaining("UNAUTHENTICATED")
                .hasMessageContaining("authorization: Bearer");
    }

    @Test
    void expiredTokenIsRefusedAsExpired() {
        assertThatThrownBy(() -> as(TestTokens.expiredOperator()).listSessions(ListSessionsRequest.newBuilder().setParent("peerings/-").build()))
                .hasMessageContaining("UNAUTHENTICATED")
                .hasMessageContaining("expired");
    }

    @Test
    void tokenSignedByAnotherKeyIsRefused() {
        assertThatThrownBy(() -> as(TestTokens.foreignOperator()).listSessions(ListSessionsRequest.newBuilder().setParent("peerings/-").build()))
                .hasMessageContaining("UNAUTHENTICATED")
                .hasMessageContaining("signature");
    }

    @Test
    void healthNeedsNoToken() {
        var health = grpc.health.v1.HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(grpc.health.v1.HealthOuterClass.HealthCheckRequest.getDefaultInstance());
        assertThat(health.getStatus()).isEqualTo(grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus.SERVING);
    }
}
