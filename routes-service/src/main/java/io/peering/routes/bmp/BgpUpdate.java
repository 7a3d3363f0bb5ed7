package io.peering.routes.bmp;

import java.net.InetAddress;
import java.util.List;

/**
 * A decoded BGP UPDATE, IPv4 and IPv6 unicast only.
 *
 * @param withdrawn         withdrawn routes: the IPv4 withdrawn field, then MP_UNREACH_NLRI (IPv4/IPv6 unicast)
 * @param announced         announced routes: MP_REACH_NLRI (IPv4/IPv6 unicast), then the IPv4 NLRI field
 * @param attributes        decoded path attributes
 * @param endOfRib          the family this UPDATE marks End-of-RIB for, or {@code null}
 * @param skippedFamilies   one entry per MP_REACH/MP_UNREACH attribute whose non-empty NLRI were skipped
 *                          because the family is not IPv4/IPv6 unicast (EVPN, VPNv4, labeled unicast, ...)
 * @param unknownAttributes number of path attributes this decoder does not interpret (skipped)
 */
public record BgpUpdate(List<Route> withdrawn, List<Route> announced, PathAttributes attributes, AfiSafi endOfRib,
                        List<AfiSafi> skippedFamilies, int unknownAttributes) {

    public BgpUpdate {
        withdrawn = List.copyOf(withdrawn);
        announced = List.copyOf(announced);
        skippedFamilies = List.copyOf(skippedFamilies);
    }

    public boolean isEndOfRib() {
        return endOfRib != null;
    }

    /** The next hop for an announced route: from MP_REACH_NLRI when the route's family came that way, else NEXT_HOP. */
    public InetAddress nextHopFor(Route route) {
        PathAttributes.MpNextHop mp = attributes.mpNextHop();
        if (mp != null && (mp.family().afi() == 1) == route.prefix().isIpv4()) {
            return mp.global();
        }
        return attributes.nextHop();
    }
}
