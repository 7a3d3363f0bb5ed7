package io.peering.routes.bmp;

import io.peering.support.net.IpPrefix;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/** Small builders for hand-made BMP and BGP messages in tests. */
public final class BmpBytes {
    private BmpBytes() {
    }

    public static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    public static byte[] u8(int v) {
        return new byte[] {(byte) v};
    }

    public static byte[] u16(int v) {
        return new byte[] {(byte) (v >> 8), (byte) v};
    }

    public static byte[] u32(long v) {
        return new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
    }

    public static byte[] ip(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A BMP message: common header (version, length, type) followed by the parts. */
    public static byte[] bmp(int version, int type, byte[]... parts) {
        byte[] body = concat(parts);
        return concat(u8(version), u32(6 + body.length), u8(type), body);
    }

    public static byte[] bmp(int type, byte[]... parts) {
        return bmp(3, type, parts);
    }

    /** Per-peer header; IPv6 addresses set nothing by themselves, pass the V flag (0x80) in {@code flags}. */
    public static byte[] peerHeader(int peerType, int flags, String address, long asn, String bgpId) {
        return peerHeader(peerType, flags, address, asn, bgpId, 1_700_000_000L, 123_456);
    }

    /** Per-peer header with the router's time of the message (epoch seconds and microseconds). */
    public static byte[] peerHeader(int peerType, int flags, String address, long asn, String bgpId, long seconds, long micros) {
        byte[] raw = ip(address);
        byte[] field = new byte[16];
        System.arraycopy(raw, 0, field, 16 - raw.length, raw.length);
        return concat(u8(peerType), u8(flags), new byte[8], field, u32(asn), ip(bgpId), u32(seconds), u32(micros));
    }

    public static byte[] globalPeer(String address, long asn) {
        return peerHeader(0, address.contains(":") ? 0x80 : 0, address, asn, "192.0.2.1");
    }

    /** A BGP message: marker, length, type, body. */
    public static byte[] bgp(int type, byte[] body) {
        byte[] marker = new byte[16];
        java.util.Arrays.fill(marker, (byte) 0xFF);
        return concat(marker, u16(19 + body.length), u8(type), body);
    }

    public static byte[] update(byte[] withdrawn, byte[] attributes, byte[] nlri) {
        return bgp(2, concat(u16(withdrawn.length), withdrawn, u16(attributes.length), attributes, nlri));
    }

    public static byte[] attr(int flags, int type, byte[] value) {
        if (value.length > 255 || (flags & 0x10) != 0) {
            return concat(u8(flags | 0x10), u8(type), u16(value.length), value);
        }
        return concat(u8(flags), u8(type), u8(value.length), value);
    }

    public static byte[] origin(int origin) {
        return attr(0x40, 1, u8(origin));
    }

    public static byte[] nextHop(String ipv4) {
        return attr(0x40, 3, ip(ipv4));
    }

    /** ONLY_TO_CUSTOMER (RFC 9234, type 35, optional transitive) carrying {@code asn}. */
    public static byte[] onlyToCustomer(long asn) {
        return attr(0xC0, 35, u32(asn));
    }

    /** One AS path segment with 2- or 4-byte ASNs. */
    public static byte[] segment(int type, int width, long... asns) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(type);
        out.write(asns.length);
        for (long asn : asns) {
            out.writeBytes(width == 2 ? u16((int) asn) : u32(asn));
        }
        return out.toByteArray();
    }

    public static byte[] prefix(String cidr) {
        IpPrefix p = IpPrefix.parse(cidr);
        byte[] addr = p.addressBytes();
        return concat(u8(p.length()), java.util.Arrays.copyOf(addr, (p.length() + 7) / 8));
    }

    public static byte[] prefix(long pathId, String cidr) {
        return concat(u32(pathId), prefix(cidr));
    }

    public static byte[] mpReach(int afi, int safi, byte[] nextHop, byte[] nlri) {
        return attr(0x80, 14, concat(u16(afi), u8(safi), u8(nextHop.length), nextHop, u8(0), nlri));
    }

    public static byte[] mpUnreach(int afi, int safi, byte[] nlri) {
        return attr(0x80, 15, concat(u16(afi), u8(safi), nlri));
    }

    public static byte[] capability(int code, byte[] value) {
        return concat(u8(code), u8(value.length), value);
    }

    public static byte[] fourByteAsnCapability(long asn) {
        return capability(65, u32(asn));
    }

    /** ADD-PATH capability for one family; sendReceive: 1 receive, 2 send, 3 both. */
    public static byte[] addPathCapability(int afi, int safi, int sendReceive) {
        return capability(69, concat(u16(afi), u8(safi), u8(sendReceive)));
    }

    public static byte[] multiprotocolCapability(int afi, int safi) {
        return capability(1, concat(u16(afi), u8(0), u8(safi)));
    }

    public static byte[] open(int myAs, String bgpId, byte[]... capabilities) {
        byte[] caps = concat(capabilities);
        byte[] params = caps.length == 0 ? new byte[0] : concat(u8(2), u8(caps.length), caps);
        return bgp(1, concat(u8(4), u16(myAs), u16(180), ip(bgpId), u8(params.length), params));
    }

    public static byte[] peerUp(byte[] peerHeader, byte[] sentOpen, byte[] receivedOpen) {
        return bmp(3, peerHeader, new byte[16], u16(179), u16(40000), sentOpen, receivedOpen);
    }

    public static byte[] routeMonitoring(byte[] peerHeader, byte[] update) {
        return bmp(0, peerHeader, update);
    }

    public static ByteBuffer buffer(byte[] message) {
        return ByteBuffer.wrap(message);
    }
}
