package io.peering.routes.mapping;

import io.peering.routes.PeerPlacement;
import io.peering.routes.PeerRef;
import io.peering.routes.Rib;
import io.peering.routes.RouteChange;
import io.peering.routes.repository.RouteQueries;
import io.peering.routes.rpki.Roa;
import io.peering.routes.v1.OriginAsValidationState;
import io.peering.routes.v1.ReceivedRoute;
import io.peering.routes.v1.RpkiValidationState;
import io.peering.support.net.IpPrefix;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The mapper is plain: what the inventory says about the peer comes in as a {@link PeerPlacement}. */
class RouteMapperTest {

    private static final PeerRef PEER = new PeerRef("edge1", 0, "192.0.2.1", 64500);
    private static final PeerPlacement PLACED = new PeerPlacement("peerings/contoso/connections/c1", List.of(64500L, 64501L));

    private static RouteQueries.StoredRoute route(long originAsn, Long onlyToCustomer) {
        RouteChange.Attributes a = new RouteChange.Attributes((short) 0, "64500 " + originAsn, originAsn, "192.0.2.1", 10L, null,
                List.of("64500:1"), List.of(), onlyToCustomer, (short) RpkiValidationState.RPKI_VALIDATION_STATE_VALID_VALUE, "ripe");
        return new RouteQueries.StoredRoute(PEER, Rib.ADJ_RIB_IN_PRE_POLICY, "198.51.100.0/24", 0, Instant.EPOCH, a);
    }

    private static RouteQueries.StoredRoute route(long originAsn) {
        return route(originAsn, null);
    }

    @Test
    void routeOriginatedByARegisteredAsnOfThePeeringIsOriginValidAndNamesItsConnection() {
        ReceivedRoute r = RouteMapper.route(route(64501), PLACED, List.of());
        assertEquals(OriginAsValidationState.ORIGIN_AS_VALIDATION_STATE_VALID, r.getOriginAsValidationState());
        assertEquals("peerings/contoso/connections/c1", r.getConnection());
        assertEquals("IGP", r.getOrigin());
        assertEquals(10, r.getMed());
        assertEquals("ripe", r.getTrustAnchor());
    }

    @Test
    void routeOriginatedByAnotherAsnIsOriginInvalid() {
        assertEquals(OriginAsValidationState.ORIGIN_AS_VALIDATION_STATE_INVALID,
                RouteMapper.route(route(65010), PLACED, List.of()).getOriginAsValidationState());
    }

    @Test
    void routeOfAPeerTheInventoryDoesNotNameHasUnknownOriginValidationAndNoConnection() {
        ReceivedRoute r = RouteMapper.route(route(64500), PeerPlacement.UNKNOWN, List.of());
        assertEquals(OriginAsValidationState.ORIGIN_AS_VALIDATION_STATE_UNKNOWN, r.getOriginAsValidationState());
        assertEquals("", r.getConnection());
    }

    @Test
    void onlyToCustomerIsSetWhenTheRouteCarriedItAndAbsentWhenNot() {
        assertEquals(4200000000L, Integer.toUnsignedLong(RouteMapper.route(route(64501, 4200000000L), PLACED, List.of()).getOnlyToCustomer()));
        assertFalse(RouteMapper.route(route(64501), PLACED, List.of()).hasOnlyToCustomer());
    }

    @Test
    void coveringRoasPassedInAreListedWithPrefixMaxLengthOriginAndTrustAnchor() {
        Roa roa = new Roa(4200000001L, IpPrefix.parse("198.51.100.0/22"), 24, "ripe");

        ReceivedRoute r = RouteMapper.route(route(64501), PLACED, List.of(roa));

        assertEquals(1, r.getCoveringRoasCount());
        assertEquals("198.51.100.0/22", r.getCoveringRoas(0).getPrefix());
        assertEquals(24, r.getCoveringRoas(0).getMaxLength());
        assertEquals(4200000001L, Integer.toUnsignedLong(r.getCoveringRoas(0).getOriginAsn()));
        assertEquals("ripe", r.getCoveringRoas(0).getTrustAnchor());
    }
}
