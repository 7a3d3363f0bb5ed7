package io.peering.routes;

import java.util.List;

/**
 * Where a BGP peer address sits in the inventory: the resource name of its connection
 * ({@code peerings/p/connections/c}, or "" when the inventory does not name the address) and the
 * ASNs whose routes are its peering's own (the peer ASN and the registered ASNs; empty when unknown).
 */
public record PeerPlacement(String connection, List<Long> ownAsns) {

    /** An address the inventory does not name. */
    public static final PeerPlacement UNKNOWN = new PeerPlacement("", List.of());

    public PeerPlacement {
        ownAsns = List.copyOf(ownAsns);
    }

    public boolean known() {
        return !connection.isEmpty();
    }
}
