package io.peering.tools.pcap;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Extracts the TCP segment from a captured frame: link layer (Ethernet with 802.1Q/802.1ad tags,
 * raw IP, Linux SLL and SLL2, BSD loopback), IPv4 or IPv6 (extension headers skipped), then TCP.
 * Anything else (ARP, UDP, IP fragments, truncated headers) yields {@code null}.
 */
public final class PacketParser {
    public static final int LINKTYPE_NULL = 0;
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int LINKTYPE_RAW = 101;
    public static final int LINKTYPE_LOOP = 108;
    public static final int LINKTYPE_LINUX_SLL = 113;
    public static final int LINKTYPE_IPV4 = 228;
    public static final int LINKTYPE_IPV6 = 229;
    public static final int LINKTYPE_LINUX_SLL2 = 276;

    private PacketParser() {
    }

    public static TcpSegment parse(CapturedPacket packet) {
        ByteBuffer b = ByteBuffer.wrap(packet.data());
        int ip = ipOffset(packet.linkType(), b);
        if (ip < 0 || ip >= b.limit()) {
            return null;
        }
        int version = (b.get(ip) & 0xFF) >> 4;
        return switch (version) {
            case 4 -> ipv4(packet, b, ip);
            case 6 -> ipv6(packet, b, ip);
            default -> null;
        };
    }

    /** Offset of the IP header, or -1 when the frame does not carry IPv4/IPv6. */
    private static int ipOffset(int linkType, ByteBuffer b) {
        int n = b.limit();
        switch (linkType) {
            case LINKTYPE_ETHERNET -> {
                int p = 12;
                while (n - p >= 2) {
                    int etherType = b.getShort(p) & 0xFFFF;
                    if (etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100) {
                        p += 4; // VLAN tag: TCI, then the next EtherType
                        continue;
                    }
                    return etherType == 0x0800 || etherType == 0x86DD ? p + 2 : -1;
                }
                return -1;
            }
            case LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6 -> {
                return 0;
            }
            case LINKTYPE_NULL, LINKTYPE_LOOP -> {
                return 4; // address family in host byte order; the IP version nibble decides
            }
            case LINKTYPE_LINUX_SLL -> {
                return n >= 16 && isIpEtherType(b.getShort(14) & 0xFFFF) ? 16 : -1;
            }
            case LINKTYPE_LINUX_SLL2 -> {
                return n >= 20 && isIpEtherType(b.getShort(0) & 0xFFFF) ? 20 : -1;
            }
            default -> {
                return -1;
            }
        }
    }

    private static boolean isIpEtherType(int type) {
        return type == 0x0800 || type == 0x86DD;
    }

    private static TcpSegment ipv4(CapturedPacket packet, ByteBuffer b, int ip) {
        int n = b.limit();
        if (n - ip < 20) {
            return null;
        }
        int headerLength = (b.get(ip) & 0x0F) * 4;
        int totalLength = b.getShort(ip + 2) & 0xFFFF;
        int fragment = b.getShort(ip + 6) & 0xFFFF;
        int protocol = b.get(ip + 9) & 0xFF;
        if (headerLength < 20 || (fragment & 0x3FFF) != 0 || protocol != 6) {
            return null; // options-only garbage, fragments (MF set or offset > 0), not TCP
        }
        // total length 0 happens with TCP segmentation offload; then trust the captured bytes
        int end = totalLength == 0 ? n : Math.min(n, ip + totalLength);
        if (end - ip < headerLength) {
            return null;
        }
        return tcp(packet, b, address(b, ip + 12, 4), address(b, ip + 16, 4), ip + headerLength, end);
    }

    private static TcpSegment ipv6(CapturedPacket packet, ByteBuffer b, int ip) {
        int n = b.limit();
        if (n - ip < 40) {
            return null;
        }
        int payloadLength = b.getShort(ip + 4) & 0xFFFF;
        int next = b.get(ip + 6) & 0xFF;
        int end = payloadLength == 0 ? n : Math.min(n, ip + 40 + payloadLength);
        int p = ip + 40;
        while (next != 6) {
            if (end - p < 8) {
                return null;
            }
            switch (next) {
                case 0, 43, 60 -> { // hop-by-hop, routing, destination options
                    int length = ((b.get(p + 1) & 0xFF) + 1) * 8;
                    next = b.get(p) & 0xFF;
                    p += length;
                }
                case 51 -> { // authentication header
                    int length = ((b.get(p + 1) & 0xFF) + 2) * 4;
                    next = b.get(p) & 0xFF;
                    p += length;
                }
                default -> {
                    return null; // fragment header (44), no next header, other protocols
                }
            }
        }
        if (p > end) {
            return null;
        }
        return tcp(packet, b, address(b, ip + 8, 16), address(b, ip + 24, 16), p, end);
    }

    private static TcpSegment tcp(CapturedPacket packet, ByteBuffer b, InetAddress src, InetAddress dst, int p, int end) {
        if (end - p < 20) {
            return null;
        }
        int sourcePort = b.getShort(p) & 0xFFFF;
        int destinationPort = b.getShort(p + 2) & 0xFFFF;
        long sequence = b.getInt(p + 4) & 0xFFFF_FFFFL;
        int dataOffset = ((b.get(p + 12) & 0xFF) >> 4) * 4;
        int flags = b.get(p + 13) & 0xFF;
        if (dataOffset < 20 || dataOffset > end - p) {
            return null;
        }
        byte[] payload = Arrays.copyOfRange(b.array(), p + dataOffset, end);
        return new TcpSegment(packet.number(), packet.time(), src, sourcePort, dst, destinationPort, sequence, flags, payload);
    }

    private static InetAddress address(ByteBuffer b, int offset, int length) {
        try {
            byte[] raw = Arrays.copyOfRange(b.array(), offset, offset + length);
            return length == 16 ? java.net.Inet6Address.getByAddress(null, raw, -1) : InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // unreachable: length is 4 or 16
        }
    }
}
