package io.peering.routes.bmp;

/** An address family (AFI) and subsequent address family (SAFI) pair, for example 1/1 for IPv4 unicast. */
public record AfiSafi(int afi, int safi) {
    public static final AfiSafi IPV4_UNICAST = new AfiSafi(1, 1);
    public static final AfiSafi IPV6_UNICAST = new AfiSafi(2, 1);

    /** True for the two families this decoder turns into routes: IPv4 and IPv6 unicast. */
    public boolean isUnicastIp() {
        return equals(IPV4_UNICAST) || equals(IPV6_UNICAST);
    }

    @Override
    public String toString() {
        return afi + "/" + safi;
    }
}
