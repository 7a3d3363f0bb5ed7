package io.peering.events;

import java.time.Instant;
import java.util.List;

/**
 * One route change as the feed receives it from routes-service: a route (router, peer, ADD-PATH
 * id) of a prefix announced with an AS path and origin AS, or withdrawn; with what route security
 * needs: the peer's ASN, the RPKI verdict (v1 RpkiValidationState number) and the ROAs covering the
 * prefix, and the RFC 9234 Only-To-Customer ASN (null when the route carries none).
 */
public record RouteUpdate(long cursor, Instant time, boolean withdrawn, String prefix, String router,
                          String peerAddress, long pathId, String asPath, long originAsn, String reason,
                          long peerAsn, int rpkiState, List<RouteSecurity.MatchedRoa> coveringRoas, Long onlyToCustomer) {

    public RouteUpdate {
        coveringRoas = List.copyOf(coveringRoas);
    }

    /** A change without the route-security fields (peer ASN 0, RPKI state unknown, no ROAs, no OTC). */
    public RouteUpdate(long cursor, Instant time, boolean withdrawn, String prefix, String router, String peerAddress,
                       long pathId, String asPath, long originAsn, String reason) {
        this(cursor, time, withdrawn, prefix, router, peerAddress, pathId, asPath, originAsn, reason, 0, 0, List.of(), null);
    }
}
