package io.peering.routes.testing;

import static io.peering.routes.bmp.BmpBytes.*;

/**
 * BMP messages about one BGP peer of a test router (AS 65000, BGP ID 127.0.0.2): Peer Up, Route Monitoring with an
 * announcement or withdrawal, Peer Down. The per-peer header carries {@code seconds} as the router's time of the
 * message: by default a time far in the past, which the collector does not trust (it uses its own clock); {@link #at}
 * gives a time it does trust (within a day of its own).
 */
public record BmpPeer(String address, long asn, long seconds, long micros) {

    public static BmpPeer of(String address, long asn) {
        return new BmpPeer(address, asn, 1_700_000_000L, 123_456);
    }

    /** The same peer, its messages stamped with the router's time {@code seconds} (epoch). */
    public BmpPeer at(long seconds) {
        return new BmpPeer(address, asn, seconds, 0);
    }

    /** The per-peer header: a global instance peer. */
    public byte[] header() {
        return peerHeader(0, address.contains(":") ? 0x80 : 0, address, asn, "192.0.2.1", seconds, micros);
    }

    /** Peer Up: the router's and the peer's OPEN, both with 4-byte ASNs and IPv4 and IPv6 unicast. */
    public byte[] up() {
        byte[] sent = open(65000, "127.0.0.2", fourByteAsnCapability(65000), multiprotocolCapability(1, 1),
                multiprotocolCapability(2, 1));
        byte[] received = open(asn <= 0xFFFF ? (int) asn : 23456, address.contains(":") ? "192.0.2.1" : address,
                fourByteAsnCapability(asn), multiprotocolCapability(1, 1), multiprotocolCapability(2, 1));
        return peerUp(header(), sent, received);
    }

    /** An IPv4 announcement with ORIGIN IGP, the AS path (4-byte ASNs) and next hop 192.0.2.1. */
    public byte[] announce(String prefix, long... asPath) {
        return announce(prefix, new byte[0], asPath);
    }

    /** @param more path attributes to send after ORIGIN, AS_PATH and NEXT_HOP */
    public byte[] announce(String prefix, byte[] more, long... asPath) {
        byte[] attributes = concat(origin(0), attr(0x40, 2, segment(2, 4, asPath)), nextHop("192.0.2.1"), more);
        return routeMonitoring(header(), update(new byte[0], attributes, prefix(prefix)));
    }

    /** An IPv6 announcement (MP_REACH_NLRI, next hop 2001:db8::1) with ORIGIN IGP and the AS path. */
    public byte[] announceV6(String prefix, long... asPath) {
        byte[] attributes = concat(origin(0), attr(0x40, 2, segment(2, 4, asPath)), mpReach(2, 1, ip("2001:db8::1"), prefix(prefix)));
        return routeMonitoring(header(), update(new byte[0], attributes, new byte[0]));
    }

    /** An IPv4 withdrawal. */
    public byte[] withdraw(String prefix) {
        return routeMonitoring(header(), update(prefix(prefix), new byte[0], new byte[0]));
    }

    /** IPv4 End-of-RIB: an empty UPDATE. */
    public byte[] endOfRib() {
        return routeMonitoring(header(), update(new byte[0], new byte[0], new byte[0]));
    }

    /** Peer Down, reason 1: the router sent a NOTIFICATION, Cease / Administrative Shutdown. */
    public byte[] down() {
        return bmp(2, header(), u8(1), bgp(3, concat(u8(6), u8(2))));
    }
}
