package io.peering.routes.bmp;

import java.net.InetAddress;
import java.util.List;

/**
 * The decoded path attributes of an UPDATE. Absent attributes are {@code null} (lists are empty).
 *
 * @param origin           ORIGIN
 * @param asPath           AS_PATH, already merged with AS4_PATH when the session used 2-byte ASNs
 * @param nextHop          NEXT_HOP attribute (IPv4 NLRI field)
 * @param med              MULTI_EXIT_DISC
 * @param localPref        LOCAL_PREF
 * @param communities      COMMUNITIES as 32-bit values; see {@link #communityStrings()}
 * @param largeCommunities LARGE_COMMUNITY values
 * @param mpNextHop        next hop from MP_REACH_NLRI (IPv4/IPv6 unicast only)
 * @param onlyToCustomer   ONLY_TO_CUSTOMER (RFC 9234): the ASN it carries
 */
public record PathAttributes(Origin origin, AsPath asPath, InetAddress nextHop, Long med, Long localPref,
                             List<Long> communities, List<LargeCommunity> largeCommunities, MpNextHop mpNextHop,
                             Long onlyToCustomer) {

    public static final PathAttributes NONE = new PathAttributes(null, null, null, null, null, List.of(), List.of(), null, null);

    public PathAttributes {
        communities = List.copyOf(communities);
        largeCommunities = List.copyOf(largeCommunities);
    }

    public enum Origin { IGP, EGP, INCOMPLETE }

    /** Next hop carried in MP_REACH_NLRI: the global address and, for IPv6, an optional link-local one. */
    public record MpNextHop(AfiSafi family, InetAddress global, InetAddress linkLocal) {
    }

    /** Formats a 32-bit community as {@code asn:value}. */
    public static String formatCommunity(long community) {
        return (community >>> 16) + ":" + (community & 0xFFFF);
    }

    /** Communities as {@code asn:value} strings. */
    public List<String> communityStrings() {
        return communities.stream().map(PathAttributes::formatCommunity).toList();
    }

    /** Origin AS of the AS path, 0 when there is no AS path or it does not end in an AS_SEQUENCE. */
    public long originAs() {
        return asPath == null ? 0 : asPath.originAs();
    }
}
