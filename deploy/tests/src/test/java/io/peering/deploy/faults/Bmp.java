package io.peering.deploy.faults;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * The bytes a router sends over BMP (RFC 7854): Initiation, Peer Up/Down, and Route Monitoring
 * carrying BGP UPDATEs (RFC 4271; IPv6 in MP_REACH/MP_UNREACH, RFC 4760), with 4-byte AS numbers
 * (RFC 6793) negotiated on every session. Only what the fault tests send.
 */
public final class Bmp {

    private Bmp() {
    }

    static final int LOCAL_ASN = 65000;

    /** A BGP peer of the router, as BMP's per-peer header names it. */
    public record Peer(String address, long asn) {
    }

    /** A route the router holds from a peer: IPv4 or IPv6 unicast, no ADD-PATH. */
    public record Route(String prefix, List<Long> asPath, String nextHop) {
        boolean ipv6() {
            return prefix.contains(":");
        }

        long originAsn() {
            return asPath.get(asPath.size() - 1);
        }

        /** As routes-service stores it: ASNs separated by spaces. */
        String asPathText() {
            return String.join(" ", asPath.stream().map(String::valueOf).toList());
        }
    }

    static byte[] initiation(String sysName, String sysDescr) {
        return bmp(4, infoTlv(2, sysName), infoTlv(1, sysDescr));
    }

    static byte[] peerUp(Peer peer, String routerId) {
        byte[] sent = open(LOCAL_ASN, routerId);
        byte[] received = open(peer.asn(), peer.address());
        return bmp(3, peerHeader(peer), new byte[16], u16(179), u16(40000), sent, received);
    }

    /** Peer Down, reason 4: the peer closed the session without a NOTIFICATION. */
    static byte[] peerDown(Peer peer) {
        return bmp(2, peerHeader(peer), u8(4));
    }

    /** One UPDATE announcing routes that share their attributes (same AS path and next hop, same family). */
    static byte[] announce(Peer peer, List<Route> routes) {
        Route first = routes.get(0);
        byte[] nlri = concat(routes.stream().map(r -> prefix(r.prefix())).toArray(byte[][]::new));
        byte[] asPath = attr(0x40, 2, segment(first.asPath()));
        if (first.ipv6()) {
            byte[] nextHop = ip(first.nextHop());
            byte[] mpReach = attr(0x80, 14, concat(u16(2), u8(1), u8(nextHop.length), nextHop, u8(0), nlri));
            return routeMonitoring(peer, update(new byte[0], concat(origin(), asPath, mpReach), new byte[0]));
        }
        return routeMonitoring(peer, update(new byte[0], concat(origin(), asPath, attr(0x40, 3, ip(first.nextHop()))), nlri));
    }

    static byte[] withdraw(Peer peer, String prefix) {
        if (prefix.contains(":")) {
            return routeMonitoring(peer, update(new byte[0], attr(0x80, 15, concat(u16(2), u8(1), prefix(prefix))), new byte[0]));
        }
        return routeMonitoring(peer, update(prefix(prefix), new byte[0], new byte[0]));
    }

    /** End-of-RIB (RFC 4724): an empty UPDATE for IPv4, an empty MP_UNREACH for IPv6. */
    static byte[] endOfRib(Peer peer, boolean ipv6) {
        if (ipv6) {
            return routeMonitoring(peer, update(new byte[0], attr(0x80, 15, concat(u16(2), u8(1))), new byte[0]));
        }
        return routeMonitoring(peer, update(new byte[0], new byte[0], new byte[0]));
    }

    // ---- building blocks ------------------------------------------------------------------------

    private static byte[] routeMonitoring(Peer peer, byte[] update) {
        return bmp(0, peerHeader(peer), update);
    }

    private static byte[] bmp(int type, byte[]... parts) {
        byte[] body = concat(parts);
        return concat(u8(3), u32(6 + body.length), u8(type), body);
    }

    private static byte[] infoTlv(int type, String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        return concat(u16(type), u16(v.length), v);
    }

    /** Global instance peer, pre-policy Adj-RIB-In, stamped with the current time. */
    private static byte[] peerHeader(Peer peer) {
        byte[] raw = ip(peer.address());
        byte[] field = new byte[16];
        System.arraycopy(raw, 0, field, 16 - raw.length, raw.length);
        Instant now = Instant.now();
        return concat(u8(0), u8(raw.length == 16 ? 0x80 : 0), new byte[8], field, u32(peer.asn()), ip(peer.address().contains(":")
                ? "192.0.2.254" : peer.address()), u32(now.getEpochSecond()), u32(now.getNano() / 1000));
    }

    private static byte[] open(long asn, String bgpId) {
        byte[] caps = concat(capability(1, concat(u16(1), u8(0), u8(1))), capability(1, concat(u16(2), u8(0), u8(1))),
                capability(65, u32(asn)));
        byte[] params = concat(u8(2), u8(caps.length), caps);
        int myAs = asn > 0xFFFF ? 23456 : (int) asn; // AS_TRANS for 4-byte ASNs
        return bgp(1, concat(u8(4), u16(myAs), u16(180), ip(bgpId), u8(params.length), params));
    }

    private static byte[] capability(int code, byte[] value) {
        return concat(u8(code), u8(value.length), value);
    }

    private static byte[] update(byte[] withdrawn, byte[] attributes, byte[] nlri) {
        return bgp(2, concat(u16(withdrawn.length), withdrawn, u16(attributes.length), attributes, nlri));
    }

    private static byte[] bgp(int type, byte[] body) {
        byte[] marker = new byte[16];
        Arrays.fill(marker, (byte) 0xFF);
        return concat(marker, u16(19 + body.length), u8(type), body);
    }

    private static byte[] origin() {
        return attr(0x40, 1, u8(0)); // IGP
    }

    private static byte[] segment(List<Long> asns) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(2); // AS_SEQUENCE
        out.write(asns.size());
        asns.forEach(asn -> out.writeBytes(u32(asn)));
        return out.toByteArray();
    }

    private static byte[] attr(int flags, int type, byte[] value) {
        if (value.length > 255) {
            return concat(u8(flags | 0x10), u8(type), u16(value.length), value);
        }
        return concat(u8(flags), u8(type), u8(value.length), value);
    }

    private static byte[] prefix(String cidr) {
        int slash = cidr.indexOf('/');
        int length = Integer.parseInt(cidr.substring(slash + 1));
        byte[] address = ip(cidr.substring(0, slash));
        return concat(u8(length), Arrays.copyOf(address, (length + 7) / 8));
    }

    private static byte[] ip(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    private static byte[] u8(int v) {
        return new byte[] {(byte) v};
    }

    private static byte[] u16(int v) {
        return new byte[] {(byte) (v >> 8), (byte) v};
    }

    private static byte[] u32(long v) {
        return new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
