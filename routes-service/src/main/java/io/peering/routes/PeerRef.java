package io.peering.routes;

/**
 * One BGP peer as one router reports it over BMP: the router (its address as the collector sees
 * it), the peer distinguisher (0 for global-instance peers) and the peer's address and ASN.
 */
public record PeerRef(String router, long distinguisher, String peerAddress, long peerAsn) {
}
