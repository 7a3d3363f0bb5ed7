package io.peering.routes;

import java.time.Instant;
import java.util.List;

/**
 * One announcement or withdrawal of one route, as the collector stores it.
 *
 * @param time        the router's time of the change
 * @param withdrawn   true for a withdrawal; then the attributes are null
 * @param reason      for withdrawals: why ("withdrawn by peer", "peer down", ...)
 * @param attributes  for announcements: the route's attributes and validation
 */
public record RouteChange(Instant time, PeerRef peer, Rib rib, String prefix, long pathId, boolean withdrawn,
                          String reason, Attributes attributes) {

    /**
     * @param origin      0 IGP, 1 EGP, 2 INCOMPLETE, null when absent
     * @param asPath      display form, "64500 64501 {64502,64503}"
     * @param originAsn      0 when the path is empty or ends in an AS_SET
     * @param onlyToCustomer the ASN of the RFC 9234 Only-To-Customer attribute, null when absent
     * @param rpkiState      RpkiValidationState number: 1 valid, 2 invalid, 3 not found
     */
    public record Attributes(Short origin, String asPath, long originAsn, String nextHop, Long med, Long localPref,
                             List<String> communities, List<String> largeCommunities, Long onlyToCustomer,
                             short rpkiState, String trustAnchor) {
    }

    public static RouteChange announce(Instant time, PeerRef peer, Rib rib, String prefix, long pathId, Attributes attributes) {
        return new RouteChange(time, peer, rib, prefix, pathId, false, "", attributes);
    }

    public static RouteChange withdraw(Instant time, PeerRef peer, Rib rib, String prefix, long pathId, String reason) {
        return new RouteChange(time, peer, rib, prefix, pathId, true, reason, null);
    }

    /** The identity of the route in the Adj-RIB-In. */
    public Key key() {
        return new Key(peer.router(), peer.distinguisher(), peer.peerAddress(), rib, prefix, pathId);
    }

    public record Key(String router, long distinguisher, String peerAddress, Rib rib, String prefix, long pathId) {
    }
}
