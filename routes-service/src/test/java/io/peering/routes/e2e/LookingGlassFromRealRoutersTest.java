package io.peering.routes.e2e;

import io.peering.routes.testing.Await;
import io.peering.routes.v1.BgpRouteMatch;
import io.peering.routes.v1.BgpRouteRequest;
import io.peering.routes.v1.BgpRouteResponse;
import io.peering.routes.v1.ReceivedRoute;
import io.peering.support.time.ProtoTimes;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The looking glass (BgpRoute) on routes that real BGP sessions carried: GoBGP peers P1 and P2 announce nested prefixes
 * to GoBGP router R1, which reports its Adj-RIB-In over BMP to this collector. Each answer must equal what the peers
 * announced: prefix, AS path (the peer's AS 64500 in front), next hop and ORIGIN.
 */
@QuarkusTest
class LookingGlassFromRealRoutersTest extends WithRealRouters {

    static final String PEERING = "peerings/contoso-ams";

    /** What a peer announced, and what the looking glass must answer for it. */
    record Announced(String prefix, String peer, String asPath, String nextHop, String origin) {
        static Announced of(ReceivedRoute r) {
            return new Announced(r.getPrefix(), r.getPeerAddress(), r.getAsPath(), r.getNextHop(), r.getOrigin());
        }

        /**
         * Announces it with the routers' CLI from the peer of {@code session} (the session address that carries it); the
         * peer puts its AS 64500 in front of {@code pathBehind}.
         */
        static Announced announce(String session, String prefix, String pathBehind, String origin) {
            Routers.run("announce", session, prefix, "--as-path", pathBehind, "--origin", origin.toLowerCase());
            return new Announced(prefix, session, ("64500 " + pathBehind).trim(), prefix.contains(":") ? "2001:db8::1" : "192.0.2.1",
                    origin);
        }
    }

    Announced slash16;
    Announced slash24;
    Announced slash25;
    Announced v6;

    /** Nested prefixes of both peers, announced anew for each test from a router that holds none. */
    @BeforeEach
    void announceNestedPrefixes() throws Exception {
        clearP1AndP2();

        slash16 = Announced.announce(Routers.P1, "10.77.0.0/16", "64510", "IGP");
        slash24 = Announced.announce(Routers.P1, "10.77.7.0/24", "64511 64512", "EGP");
        slash25 = Announced.announce(Routers.P2, "10.77.7.128/25", "", "INCOMPLETE");
        // over the IPv6 session where the routers have one, else as multiprotocol NLRI over the IPv4 session
        v6 = Announced.announce(Routers.ipv6Sessions() ? Routers.P1_V6 : Routers.P1, "2001:db8:77::/48", "64513", "IGP");
        Await.until("the four announced routes over BMP", WAIT, () -> reported().size() == 4);
    }

    BgpRouteResponse lookup(String target, BgpRouteMatch match) {
        return routes().bgpRoute(BgpRouteRequest.newBuilder().setParent(PEERING).setTarget(target).setMatch(match).build());
    }

    BgpRouteResponse lookupAt(String target, BgpRouteMatch match, Instant time) {
        return routes().bgpRoute(BgpRouteRequest.newBuilder().setParent(PEERING).setTarget(target).setMatch(match)
                .setAtTime(ProtoTimes.timestamp(time)).build());
    }

    /** The answer's routes reported by the routers, as what was announced. */
    static List<Announced> answered(BgpRouteResponse response) {
        return response.getRoutesList().stream().filter(r -> r.getRouter().equals(Routers.ROUTER)).map(Announced::of).toList();
    }

    @Test
    void longestPrefixMatchAnswersTheLongestAnnouncedPrefixContainingTheTarget() {
        BgpRouteResponse inTheSlash24 = lookup("10.77.7.9", BgpRouteMatch.BGP_ROUTE_MATCH_LONGEST_PREFIX);
        assertThat(inTheSlash24.getMatchedPrefix()).isEqualTo("10.77.7.0/24");
        assertThat(answered(inTheSlash24)).containsExactly(slash24);

        BgpRouteResponse inTheSlash25 = lookup("10.77.7.200", BgpRouteMatch.BGP_ROUTE_MATCH_LONGEST_PREFIX);
        assertThat(inTheSlash25.getMatchedPrefix()).isEqualTo("10.77.7.128/25");
        assertThat(answered(inTheSlash25)).containsExactly(slash25);

        assertThat(answered(lookup("10.77.9.1", BgpRouteMatch.BGP_ROUTE_MATCH_LONGEST_PREFIX))).containsExactly(slash16);
        assertThat(answered(lookup("2001:db8:77::1", BgpRouteMatch.BGP_ROUTE_MATCH_LONGEST_PREFIX))).containsExactly(v6);
        assertThat(answered(lookup("10.78.0.1", BgpRouteMatch.BGP_ROUTE_MATCH_LONGEST_PREFIX))).as("outside every announced prefix")
                .isEmpty();
    }

    @Test
    void exactMatchAnswersOnlyTheAnnouncedPrefixNotTheOnesAroundIt() {
        BgpRouteResponse exact = lookup("10.77.7.0/24", BgpRouteMatch.BGP_ROUTE_MATCH_EXACT);

        assertThat(exact.getMatchedPrefix()).isEqualTo("10.77.7.0/24");
        assertThat(answered(exact)).containsExactly(slash24);
        assertThat(answered(lookup("10.77.6.0/23", BgpRouteMatch.BGP_ROUTE_MATCH_EXACT))).as("announced by no peer").isEmpty();
        assertThat(answered(lookup("2001:db8:77::/48", BgpRouteMatch.BGP_ROUTE_MATCH_EXACT))).containsExactly(v6);
    }

    @Test
    void moreSpecificMatchAnswersTheTargetAndEveryAnnouncedPrefixInsideItPageByPage() {
        assertThat(answered(lookup("10.77.0.0/16", BgpRouteMatch.BGP_ROUTE_MATCH_MORE_SPECIFIC)))
                .containsExactly(slash16, slash24, slash25);

        List<Announced> paged = new ArrayList<>();
        String token = "";
        do {
            BgpRouteResponse page = routes().bgpRoute(BgpRouteRequest.newBuilder().setParent(PEERING).setTarget("10.77.7.0/24")
                    .setMatch(BgpRouteMatch.BGP_ROUTE_MATCH_MORE_SPECIFIC).setPageSize(1).setPageToken(token).build());
            paged.addAll(answered(page));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(paged).containsExactly(slash24, slash25);
    }

    @Test
    void atTimeBeforeAWithdrawalStillAnswersTheWithdrawnRoute() throws Exception {
        ReceivedRoute present = lookup("10.77.7.0/24", BgpRouteMatch.BGP_ROUTE_MATCH_EXACT).getRoutesList().stream()
                .filter(r -> r.getRouter().equals(Routers.ROUTER)).findFirst().orElseThrow();
        Instant announced = ProtoTimes.instant(present.getReceivedTime()); // the router's time of the announcement
        // GoBGP stamps BMP messages in whole seconds: withdraw in a later second, or the log holds both at one time
        Await.until("the clock in the second after the announcement", WAIT, () -> !Instant.now().isBefore(announced.plusSeconds(1)));
        Routers.run("withdraw", "p1", "10.77.7.0/24");
        Await.until("the withdrawal over BMP", WAIT, () -> reported().stream().noneMatch(r -> r.getPrefix().equals("10.77.7.0/24")));

        BgpRouteResponse now = lookup("10.77.7.9", BgpRouteMatch.BGP_ROUTE_MATCH_LONGEST_PREFIX);
        assertThat(now.getMatchedPrefix()).as("withdrawn: the /16 covers the address").isEqualTo("10.77.0.0/16");
        assertThat(answered(now)).containsExactly(slash16);
        BgpRouteResponse then = lookupAt("10.77.7.9", BgpRouteMatch.BGP_ROUTE_MATCH_LONGEST_PREFIX, announced);
        assertThat(then.getMatchedPrefix()).isEqualTo("10.77.7.0/24");
        assertThat(answered(then)).containsExactly(slash24);
        assertThat(answered(lookupAt("10.77.7.0/24", BgpRouteMatch.BGP_ROUTE_MATCH_EXACT, announced))).containsExactly(slash24);
        assertThat(answered(lookup("10.77.7.0/24", BgpRouteMatch.BGP_ROUTE_MATCH_EXACT))).isEmpty();
    }
}
