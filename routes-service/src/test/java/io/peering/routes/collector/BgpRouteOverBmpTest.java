package io.peering.routes.collector;

import io.peering.routes.v1.BgpRouteMatch;
import io.peering.routes.v1.BgpRouteRequest;
import io.peering.routes.v1.BgpRouteResponse;
import io.peering.routes.v1.ReceivedRoute;
import io.peering.routes.v1.RibView;
import io.peering.routes.v1.RoutesServiceGrpc;
import io.peering.support.time.ProtoTimes;
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
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** BgpRoute (the looking glass) over a real gRPC channel, on routes a router reported to the real BMP collector. */
@QuarkusTest
class BgpRouteOverBmpTest {

    static final String ROUTER = "127.0.0.210";
    static final BmpPeer AMS_1 = BmpPeer.of("127.0.0.11", 64500); // peerings/contoso-ams/connections/ams-1
    // the router's clock (BMP per-peer header), seconds: an hour ago (the collector trusts a router clock within a day of its own)
    final long T0 = Instant.now().getEpochSecond() - 3600;

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

    static byte[] announceAt(long seconds, String prefix, long... asPath) {
        return AMS_1.at(seconds).announce(prefix, asPath);
    }

    static byte[] withdrawAt(long seconds, String prefix) {
        return AMS_1.at(seconds).withdraw(prefix);
    }

    /** Sends the messages as router {@link #ROUTER} after its Peer Up, and waits until it holds {@code routes} routes. */
    void report(int routesHeld, byte[]... messages) throws Exception {
        try (TestRouter router = TestRouter.connect(ROUTER, listener.port(), AMS_1.up())) {
            router.send(messages);
            Await.until(routesHeld + " routes held", () -> routesHeld() == routesHeld);
        }
    }

    long routesHeld() {
        return pool.preparedQuery("SELECT count(*) FROM routes.adj_rib_in WHERE router = $1::text::inet").execute(Tuple.of(ROUTER))
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
    }

    BgpRouteResponse lookup(String target, BgpRouteMatch match) {
        return routes.bgpRoute(BgpRouteRequest.newBuilder().setParent("peerings/contoso-ams").setTarget(target).setMatch(match).build());
    }

    static List<String> prefixesOf(BgpRouteResponse response) {
        return response.getRoutesList().stream().filter(r -> r.getRouter().equals(ROUTER)).map(ReceivedRoute::getPrefix).toList();
    }

    void reportNestedPrefixes() throws Exception {
        report(4, announceAt(T0, "172.20.0.0/16", 64500), announceAt(T0, "172.20.7.0/24", 64500, 64501),
                announceAt(T0, "172.20.7.128/25", 64500), AMS_1.announceV6("2001:db8:210::/48", 64500));
    }

    @Test
    void longestPrefixMatchOfAnAddressAnswersTheLongestReceivedPrefixContainingIt() throws Exception {
        reportNestedPrefixes();

        BgpRouteResponse inTheSlash24 = lookup("172.20.7.9", BgpRouteMatch.BGP_ROUTE_MATCH_UNSPECIFIED);
        assertThat(inTheSlash24.getMatchedPrefix()).isEqualTo("172.20.7.0/24");
        assertThat(prefixesOf(inTheSlash24)).containsExactly("172.20.7.0/24");
        assertThat(inTheSlash24.getRoutes(0).getAsPath()).isEqualTo("64500 64501");
        assertThat(inTheSlash24.getRoutes(0).getConnection()).isEqualTo("peerings/contoso-ams/connections/ams-1");
        assertThat(lookup("172.20.7.200", BgpRouteMatch.BGP_ROUTE_MATCH_LONGEST_PREFIX).getMatchedPrefix()).isEqualTo("172.20.7.128/25");
        assertThat(lookup("172.20.9.1", BgpRouteMatch.BGP_ROUTE_MATCH_LONGEST_PREFIX).getMatchedPrefix()).isEqualTo("172.20.0.0/16");
        assertThat(lookup("172.20.7.0/26", BgpRouteMatch.BGP_ROUTE_MATCH_LONGEST_PREFIX).getMatchedPrefix()).isEqualTo("172.20.7.0/24");
        assertThat(lookup("2001:db8:210::1", BgpRouteMatch.BGP_ROUTE_MATCH_LONGEST_PREFIX).getMatchedPrefix()).isEqualTo("2001:db8:210::/48");
        BgpRouteResponse none = lookup("172.31.255.1", BgpRouteMatch.BGP_ROUTE_MATCH_LONGEST_PREFIX);
        assertThat(prefixesOf(none)).isEmpty();
    }

    @Test
    void exactMatchAnswersOnlyTheTargetPrefix() throws Exception {
        reportNestedPrefixes();

        BgpRouteResponse exact = lookup("172.20.7.0/24", BgpRouteMatch.BGP_ROUTE_MATCH_EXACT);
        assertThat(prefixesOf(exact)).containsExactly("172.20.7.0/24");
        assertThat(exact.getMatchedPrefix()).isEqualTo("172.20.7.0/24");
        assertThat(prefixesOf(lookup("172.20.6.0/23", BgpRouteMatch.BGP_ROUTE_MATCH_EXACT))).isEmpty();
    }

    @Test
    void moreSpecificMatchAnswersTheTargetAndEveryPrefixInsideItPageByPage() throws Exception {
        reportNestedPrefixes();

        assertThat(prefixesOf(lookup("172.20.0.0/16", BgpRouteMatch.BGP_ROUTE_MATCH_MORE_SPECIFIC)))
                .containsExactly("172.20.0.0/16", "172.20.7.0/24", "172.20.7.128/25");
        List<String> paged = new ArrayList<>();
        String token = "";
        do {
            BgpRouteResponse page = routes.bgpRoute(BgpRouteRequest.newBuilder().setParent("peerings/contoso-ams")
                    .setTarget("172.20.7.0/24").setMatch(BgpRouteMatch.BGP_ROUTE_MATCH_MORE_SPECIFIC).setPageSize(1)
                    .setPageToken(token).build());
            paged.addAll(prefixesOf(page));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(paged).containsExactly("172.20.7.0/24", "172.20.7.128/25");
    }

    @Test
    void atTimeAnswersTheRoutesAsTheChangeLogSaysTheyWereThen() throws Exception {
        report(2, announceAt(T0, "172.20.0.0/16", 64500), announceAt(T0, "172.20.7.0/24", 64500, 64501),
                withdrawAt(T0 + 100, "172.20.7.0/24"), announceAt(T0 + 200, "172.20.7.0/24", 64500, 64502));

        BgpRouteResponse announced = lookupAt("172.20.7.9", T0 + 50);
        assertThat(announced.getMatchedPrefix()).isEqualTo("172.20.7.0/24");
        assertThat(announced.getRoutesList()).extracting(ReceivedRoute::getAsPath).containsExactly("64500 64501");
        assertThat(announced.getRoutes(0).getReceivedTime().getSeconds()).isEqualTo(T0);
        assertThat(announced.getRoutes(0).getRpkiValidationStateValue()).as("judged against the ROA set in force").isPositive();
        assertThat(lookupAt("172.20.7.9", T0 + 150).getMatchedPrefix()).as("the /24 withdrawn: the /16 covers it")
                .isEqualTo("172.20.0.0/16");
        assertThat(lookupAt("172.20.7.9", T0 + 250).getRoutesList()).extracting(ReceivedRoute::getAsPath)
                .containsExactly("64500 64502");
        assertThat(lookupAt("172.20.7.9", T0 - 1).getRoutesList()).as("before any announcement").isEmpty();
    }

    BgpRouteResponse lookupAt(String target, long seconds) {
        return routes.bgpRoute(BgpRouteRequest.newBuilder().setParent("peerings/contoso-ams").setTarget(target)
                .setAtTime(ProtoTimes.timestamp(Instant.ofEpochSecond(seconds))).build());
    }

    @Test
    void ribViewFilterKeepsOnlyRoutesOfThatView() throws Exception {
        reportNestedPrefixes();

        BgpRouteRequest pre = BgpRouteRequest.newBuilder().setParent("peerings/contoso-ams").setTarget("172.20.7.9").build();
        assertThat(prefixesOf(routes.bgpRoute(pre.toBuilder().setRibView(RibView.RIB_VIEW_ADJ_RIB_IN_PRE_POLICY).build())))
                .containsExactly("172.20.7.0/24");
        assertThat(prefixesOf(routes.bgpRoute(pre.toBuilder().setRibView(RibView.RIB_VIEW_LOC_RIB).build()))).isEmpty();
    }

    @Test
    void malformedRequestsAreRefusedNamingTheField() {
        BgpRouteRequest ok = BgpRouteRequest.newBuilder().setParent("peerings/contoso-ams").setTarget("172.20.7.9").build();
        assertThatThrownBy(() -> routes.bgpRoute(ok.toBuilder().setTarget("").build()))
                .hasMessageContaining("INVALID_ARGUMENT: target is required");
        assertThatThrownBy(() -> routes.bgpRoute(ok.toBuilder().setTarget("example.com").build()))
                .hasMessageContaining("INVALID_ARGUMENT: target");
        assertThatThrownBy(() -> routes.bgpRoute(ok.toBuilder().setTarget("172.20.7.9/24").build()))
                .hasMessageContaining("INVALID_ARGUMENT: target").hasMessageContaining("did you mean 172.20.7.0/24");
        assertThatThrownBy(() -> routes.bgpRoute(ok.toBuilder().setMatchValue(9).build()))
                .hasMessageContaining("INVALID_ARGUMENT: match 9 is not a known value");
        assertThatThrownBy(() -> routes.bgpRoute(ok.toBuilder().setRibViewValue(9).build()))
                .hasMessageContaining("INVALID_ARGUMENT: rib_view 9");
        assertThatThrownBy(() -> routes.bgpRoute(ok.toBuilder().setPageSize(1001).build()))
                .hasMessageContaining("INVALID_ARGUMENT: page_size");
        assertThatThrownBy(() -> routes.bgpRoute(ok.toBuilder().setAtTime(ProtoTimes.timestamp(Instant.now().plusSeconds(3600))).build()))
                .hasMessageContaining("INVALID_ARGUMENT: at_time");
        assertThatThrownBy(() -> routes.bgpRoute(ok.toBuilder().setPageToken("bm90LWEtdG9rZW4").build()))
                .hasMessageContaining("INVALID_ARGUMENT: page_token");
        assertThatThrownBy(() -> routes.bgpRoute(ok.toBuilder().setParent("peerings/nowhere").build()))
                .hasMessageContaining("NOT_FOUND");
    }
}
