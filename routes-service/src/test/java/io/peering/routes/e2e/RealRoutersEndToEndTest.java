package io.peering.routes.e2e;

import io.peering.common.v1.SessionState;
import io.peering.common.v1.TimeRange;
import io.peering.support.time.ProtoTimes;
import io.peering.routes.v1.GetRouteHistoryRequest;
import io.peering.routes.v1.ListReceivedRoutesRequest;
import io.peering.routes.v1.ListSessionsRequest;
import io.peering.routes.v1.ReceivedRoute;
import io.peering.routes.v1.RouteChangeType;
import io.peering.routes.v1.Session;
import io.peering.routes.testing.Await;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real routers, real BMP: GoBGP (R1 with peers P1, P2) and FRR's bgpd (R2 with peer P3) on loopback
 * export BMP to this collector; routes are added and withdrawn with the routers' own CLIs and
 * sessions taken down; what the gRPC API returns is compared with the routers' own Adj-RIB-In.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealRoutersEndToEndTest extends WithRealRouters {

    static final String P1 = Routers.P1; // contoso-ams ams-1, AS 64500, peer of GoBGP R1
    static final String P3 = "127.0.0.21"; // fabrikam-lon lon-1, AS 4200000002, peer of FRR R2
    static final boolean FRR = Files.isExecutable(java.nio.file.Path.of("/usr/lib/frr/bgpd"));

    @Override
    boolean withFrr() {
        return FRR;
    }

    static final String ROUTER = Routers.ROUTER;

    List<ReceivedRoute> received(String peering, String peer) {
        return routes().withDeadlineAfter(10, TimeUnit.SECONDS).listReceivedRoutes(ListReceivedRoutesRequest.newBuilder().setParent(peering).setPageSize(1000).build())
                .getRoutesList().stream().filter(r -> r.getRouter().equals(ROUTER) && r.getPeerAddress().equals(peer)).toList();
    }

    List<ReceivedRoute> v6Routes() {
        return routes().withDeadlineAfter(10, TimeUnit.SECONDS).listReceivedRoutes(ListReceivedRoutesRequest.newBuilder()
                        .setParent("peerings/contoso-ams").setPrefix("2001:db8:100::/48").build())
                .getRoutesList().stream().filter(r -> r.getRouter().equals(ROUTER)).toList();
    }

    Map<String, String> asPaths(List<ReceivedRoute> list) {
        Map<String, String> out = new TreeMap<>();
        list.forEach(r -> out.put(r.getPrefix(), r.getAsPath()));
        return out;
    }

    Optional<Session> session(String peering, String peer) {
        return routes().withDeadlineAfter(10, TimeUnit.SECONDS).listSessions(ListSessionsRequest.newBuilder().setParent(peering)
                        .build()).getSessionsList().stream()
                .filter(s -> s.getRouter().equals(ROUTER) && s.getPeerAddress().equals(peer)).findFirst();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(60), condition);
    }

    @Test
    @Order(1)
    void routesAddedWithGobgpEqualGobgpsOwnAdjRibInWithCommunitiesAndFourByteAsns() throws Exception {
        await("P1 session Established over BMP", () -> session("peerings/contoso-ams", P1)
                .map(s -> s.getState() == SessionState.SESSION_STATE_ESTABLISHED).orElse(false));
        Routers.run("announce", "p1", "198.51.100.0/24", "--as-path", "4200000001", "--community", "64500:100", "64500:200",
                "--large-community", "64500:1:2", "--med", "50");
        Routers.run("announce", "p1", "203.0.113.0/24", "--as-path", "64510 4200000001");
        Routers.run("announce", "p1", "2001:db8:100::/48", "--as-path", "4200000001");

        await("three routes of P1 over BMP", () -> received("peerings/contoso-ams", P1).stream()
                .filter(r -> r.getPrefix().contains(".")).count() >= 2);
        Map<String, String> gobgpV4 = Routers.adjRibIn(P1, "ipv4");
        await("the collector's IPv4 routes equal GoBGP's Adj-RIB-In", () ->
                asPaths(received("peerings/contoso-ams", P1).stream().filter(r -> r.getPrefix().contains(".")).toList()).equals(gobgpV4));
        assertThat(gobgpV4).containsEntry("198.51.100.0/24", "64500 4200000001");

        ReceivedRoute r = received("peerings/contoso-ams", P1).stream().filter(x -> x.getPrefix().equals("198.51.100.0/24"))
                .findFirst().orElseThrow();
        assertThat(r.getCommunitiesList()).containsExactly("64500:100", "64500:200");
        assertThat(r.getLargeCommunitiesList()).containsExactly("64500:1:2");
        assertThat(r.getMed()).isEqualTo(50);
        assertThat(r.getNextHop()).isEqualTo("192.0.2.1");
        assertThat(Integer.toUnsignedLong(r.getOriginAsn())).isEqualTo(4200000001L);
        assertThat(r.getConnection()).isEqualTo("peerings/contoso-ams/connections/ams-1");

        // IPv6: over the IPv6 session when the routers have one, else as multiprotocol NLRI over IPv4
        await("the IPv6 route over BMP", () -> v6Routes().size() == 1);
        ReceivedRoute v6 = v6Routes().get(0);
        assertThat(Routers.adjRibIn(v6.getPeerAddress(), "ipv6")).isEqualTo(Map.of("2001:db8:100::/48", v6.getAsPath()));
        assertThat(v6.getAsPath()).isEqualTo("64500 4200000001");
    }

    @Test
    @Order(2)
    void aRouteWithdrawnWithGobgpLeavesAndItsHistoryShowsBothChanges() throws Exception {
        Instant start = Instant.now().minusSeconds(600);
        Routers.run("withdraw", "p1", "203.0.113.0/24");
        await("withdrawal over BMP", () -> received("peerings/contoso-ams", P1).stream().noneMatch(x -> x.getPrefix().equals("203.0.113.0/24")));
        assertThat(asPaths(received("peerings/contoso-ams", P1).stream().filter(x -> x.getPrefix().contains(".")).toList()))
                .isEqualTo(Routers.adjRibIn(P1, "ipv4"));
        var history = routes().withDeadlineAfter(10, TimeUnit.SECONDS).getRouteHistory(GetRouteHistoryRequest.newBuilder().setParent("peerings/contoso-ams")
                .setPrefix("203.0.113.0/24").setTimeRange(TimeRange.newBuilder().setStartTime(ProtoTimes.timestamp(start))
                        .setEndTime(ProtoTimes.timestamp(Instant.now().plusSeconds(30)))).build()).getChangesList()
                .stream().filter(c -> c.getRoute().getRouter().equals(ROUTER) && c.getRoute().getPeerAddress().equals(P1)).toList();
        assertThat(history).extracting(c -> c.getType()).endsWith(RouteChangeType.ROUTE_CHANGE_TYPE_ANNOUNCE,
                RouteChangeType.ROUTE_CHANGE_TYPE_WITHDRAW);
    }

    @Test
    @Order(3)
    void aSessionBroughtDownWithdrawsItsRoutesAndRecordsTheTransition() throws Exception {
        Routers.run("session-down", P1);
        await("P1 session down over BMP", () -> session("peerings/contoso-ams", P1)
                .map(s -> s.getState() == SessionState.SESSION_STATE_IDLE).orElse(false));
        assertThat(received("peerings/contoso-ams", P1)).isEmpty();
        assertThat(session("peerings/contoso-ams", P1).orElseThrow().getLastError()).isNotEmpty();

        Routers.run("session-up", P1);
        await("P1 back with its routes", () -> received("peerings/contoso-ams", P1).stream()
                .anyMatch(x -> x.getPrefix().equals("198.51.100.0/24")));
        assertThat(session("peerings/contoso-ams", P1).orElseThrow().getState()).isEqualTo(SessionState.SESSION_STATE_ESTABLISHED);
    }

    @Test
    @Order(4)
    void frrBgpdExportsItsRoutesOverBmpToo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(FRR, "FRR's bgpd is not installed");
        Routers.run("announce", "p3", "203.0.113.0/24");
        await("P3's route via FRR over BMP", () -> received("peerings/fabrikam-lon", P3).stream()
                .anyMatch(x -> x.getPrefix().equals("203.0.113.0/24")));
        ReceivedRoute r = received("peerings/fabrikam-lon", P3).stream().filter(x -> x.getPrefix().equals("203.0.113.0/24"))
                .findFirst().orElseThrow();
        assertThat(Integer.toUnsignedLong(r.getPeerAsn())).isEqualTo(4200000002L);
        assertThat(Integer.toUnsignedLong(r.getOriginAsn())).isEqualTo(4200000002L);
        // The collector stores what FRR sends. FRR 8.4 (Debian 12) puts its own AS (65001) in front of
        // the path in pre-policy Route Monitoring while its table shows the path as received, so the
        // paths are compared by suffix and the prefixes exactly.
        Map<String, String> frrTable = Routers.adjRibIn(P3, "ipv4");
        Map<String, String> stored = asPaths(received("peerings/fabrikam-lon", P3).stream().filter(x -> x.getPrefix().contains(".")).toList());
        assertThat(stored.keySet()).isEqualTo(frrTable.keySet());
        stored.forEach((prefix, path) -> assertThat(path).as(prefix).endsWith(frrTable.get(prefix)));
        Routers.run("withdraw", "p3", "203.0.113.0/24");
        await("P3's withdrawal via FRR", () -> received("peerings/fabrikam-lon", P3).stream()
                .noneMatch(x -> x.getPrefix().equals("203.0.113.0/24")));
    }
}
