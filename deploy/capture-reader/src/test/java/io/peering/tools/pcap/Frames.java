package io.peering.tools.pcap;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Builds packets and capture files for tests: IPv4/IPv6 + TCP, link-layer headers, pcap and pcapng. */
final class Frames {
    private Frames() {
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] addr(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static byte[] tcp(int sourcePort, int destinationPort, long seq, int flags, byte[] payload) {
        return ByteBuffer.allocate(20 + payload.length)
                .putShort((short) sourcePort).putShort((short) destinationPort).putInt((int) seq).putInt(0)
                .put((byte) 0x50).put((byte) flags).putShort((short) 65535).putInt(0)
                .put(payload).array();
    }

    /** IPv4 header + segment; {@code fragment} is the raw flags/offset field (0x4000 = DF). */
    static byte[] ipv4(String src, String dst, int protocol, int fragment, byte[] segment) {
        return ByteBuffer.allocate(20 + segment.length)
                .put((byte) 0x45).put((byte) 0).putShort((short) (20 + segment.length)).putShort((short) 1)
                .putShort((short) fragment).put((byte) 64).put((byte) protocol).putShort((short) 0)
                .put(addr(src)).put(addr(dst)).put(segment).array();
    }

    static byte[] ipv6(String src, String dst, int nextHeader, byte[] payload) {
        return ByteBuffer.allocate(40 + payload.length)
                .putInt(0x60000000).putShort((short) payload.length).put((byte) nextHeader).put((byte) 64)
                .put(addr(src)).put(addr(dst)).put(payload).array();
    }

    static byte[] tcp4(String src, int sport, String dst, int dport, long seq, int flags, String payload) {
        return ipv4(src, dst, 6, 0x4000, tcp(sport, dport, seq, flags, payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    static byte[] tcp6(String src, int sport, String dst, int dport, long seq, int flags, String payload) {
        return ipv6(src, dst, 6, tcp(sport, dport, seq, flags, payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    static byte[] ethernet(byte[] ip, int... vlanTags) {
        ByteBuffer b = ByteBuffer.allocate(14 + 4 * vlanTags.length + ip.length);
        b.put(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        for (int tpid : vlanTags) {
            b.putShort((short) tpid).putShort((short) 100);
        }
        b.putShort((short) (((ip[0] & 0xF0) == 0x60) ? 0x86DD : 0x0800));
        return b.put(ip).array();
    }

    static byte[] sll(byte[] ip) {
        return ByteBuffer.allocate(16 + ip.length).putShort((short) 0).putShort((short) 1).putShort((short) 6)
                .put(new byte[8]).putShort((short) ((ip[0] & 0xF0) == 0x60 ? 0x86DD : 0x0800)).put(ip).array();
    }

    static byte[] sll2(byte[] ip) {
        return ByteBuffer.allocate(20 + ip.length).putShort((short) ((ip[0] & 0xF0) == 0x60 ? 0x86DD : 0x0800))
                .putShort((short) 0).putInt(2).putShort((short) 1).put((byte) 0).put((byte) 6).put(new byte[8])
                .put(ip).array();
    }

    /** BSD loopback: address family in the capturing host's byte order (little-endian here). */
    static byte[] loopback(int family, byte[] ip) {
        return ByteBuffer.allocate(4 + ip.length).order(ByteOrder.LITTLE_ENDIAN).putInt(family).put(ip).array();
    }

    record Packet(long seconds, long fraction, byte[] data) {
    }

    static byte[] pcap(ByteOrder order, boolean nanos, int linkType, List<Packet> packets) {
        ByteBuffer b = ByteBuffer.allocate(24 + packets.stream().mapToInt(p -> 16 + p.data().length).sum()).order(order);
        b.putInt(nanos ? 0xA1B23C4D : 0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(262144).putInt(linkType);
        for (Packet p : packets) {
            b.putInt((int) p.seconds()).putInt((int) p.fraction()).putInt(p.data().length).putInt(p.data().length).put(p.data());
        }
        return b.array();
    }

    // ---- pcapng ---------------------------------------------------------------------------------

    static byte[] block(ByteOrder order, int type, byte[] body) {
        int padded = (body.length + 3) & ~3;
        return ByteBuffer.allocate(12 + padded).order(order).putInt(type).putInt(12 + padded)
                .put(body).position(8 + padded).putInt(12 + padded).array();
    }

    static byte[] sectionHeader(ByteOrder order) {
        return block(order, 0x0A0D0D0A, ByteBuffer.allocate(16).order(order)
                .putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).array());
    }

    /** Interface description; {@code tsresol} < 0 leaves the default (microseconds). */
    static byte[] interfaceDescription(ByteOrder order, int linkType, int tsresol) {
        ByteBuffer b = ByteBuffer.allocate(tsresol < 0 ? 12 : 24).order(order)
                .putShort((short) linkType).putShort((short) 0).putInt(0);
        if (tsresol >= 0) {
            b.putShort((short) 9).putShort((short) 1).put((byte) tsresol).put(new byte[3]);
            b.putShort((short) 0).putShort((short) 0); // opt_endofopt
        } else {
            b.putShort((short) 0).putShort((short) 0);
        }
        return block(order, 1, b.array());
    }

    static byte[] enhancedPacket(ByteOrder order, int interfaceId, long timestamp, byte[] data) {
        return block(order, 6, ByteBuffer.allocate(20 + data.length).order(order)
                .putInt(interfaceId).putInt((int) (timestamp >>> 32)).putInt((int) timestamp)
                .putInt(data.length).putInt(data.length).put(data).array());
    }

    static byte[] simplePacket(ByteOrder order, byte[] data) {
        return block(order, 3, ByteBuffer.allocate(4 + data.length).order(order).putInt(data.length).put(data).array());
    }
}
