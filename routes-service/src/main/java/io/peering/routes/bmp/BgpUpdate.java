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
 * @param treatAsWithdraw   when an attribute was malformed in a way RFC 7606 handles by "treat-as-withdraw": why,
 *                          and the routes the UPDATE announced, to be withdrawn instead; null for a well-formed UPDATE
 *                          (then {@code announced} holds them)
 */
public record BgpUpdate(List<Route> withdrawn, List<Route> announced, PathAttributes attributes, AfiSafi endOfRib,
                        List<AfiSafi> skippedFamilies, int unknownAttributes, TreatAsWithdraw treatAsWithdraw) {

    public BgpUpdate {
        withdrawn = List.copyOf(withdrawn);
        announced = List.copyOf(announced);
        skippedFamilies = List.copyOf(skippedFamilies);
    }

    /**
     * RFC 7606 treat-as-withdraw: the UPDATE had a malformed attribute, so the routes it announced are
     * withdrawn (as if the peer had withdrawn them) rather than announced with wrong attributes.
     *
     * @param reason which attribute was malformed, and how
     * @param routes the routes of the UPDATE's NLRI and MP_REACH_NLRI
     */
    public record TreatAsWithdraw(String reason, List<Route> routes) {
        public TreatAsWithdraw {
            routes = List.copyOf(routes);
        }
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
