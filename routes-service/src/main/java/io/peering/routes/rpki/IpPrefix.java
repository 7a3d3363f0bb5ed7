package io.peering.routes.rpki;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An IPv4 or IPv6 prefix with no host bits set.
 *
 * <p>Parsing accepts address <em>literals</em> only and never resolves a host name: {@code "example.com/24"} is
 * rejected, not looked up. The address is held as two 64-bit halves, left aligned (an IPv4 address sits in the top
 * 32 bits of {@link #high()}), so both families share one representation.
 */
public final class IpPrefix {

    private final boolean ipv6;
    private final long high;
    private final long low;
    private final int length;

    private IpPrefix(boolean ipv6, long high, long low, int length) {
        this.ipv6 = ipv6;
        this.high = high;
        this.low = low;
        this.length = length;
    }

    /**
     * Parses {@code "192.0.2.0/24"} or {@code "2001:db8::/32"}.
     *
     * @throws IllegalArgumentException if the text is not an address literal with a prefix length, the length is
     *     out of range, or host bits are set
     */
    public static IpPrefix parse(String text) {
        Objects.requireNonNull(text, "text");
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("invalid prefix \"" + text + "\": missing /length");
        }
        String addressText = text.substring(0, slash);
        boolean v6 = addressText.indexOf(':') >= 0;
        long[] halves = new long[2];
        String problem = v6 ? parseIpv6(addressText, halves) : parseIpv4(addressText, halves);
        if (problem != null) {
            throw new IllegalArgumentException("invalid prefix \"" + text + "\": " + problem);
        }
        int bits = v6 ? 128 : 32;
        int length = parseLength(text, slash + 1, bits);
        if (length < 0) {
            throw new IllegalArgumentException("invalid prefix \"" + text + "\": prefix length must be an integer 0.."
                    + bits);
        }
        IpPrefix prefix = new IpPrefix(v6, halves[0], halves[1], length);
        if (prefix.high != maskHigh(halves[0], length) || prefix.low != maskLow(halves[1], length)) {
            IpPrefix masked = new IpPrefix(v6, maskHigh(halves[0], length), maskLow(halves[1], length), length);
            throw new IllegalArgumentException("invalid prefix \"" + text + "\": host bits set (network is "
                    + masked + ")");
        }
        return prefix;
    }

    /**
     * A prefix from a raw 4- or 16-byte address.
     *
     * @throws IllegalArgumentException on a wrong address size, a length out of range, or host bits set
     */
    public static IpPrefix of(byte[] address, int length) {
        IpPrefix prefix = ofMasked(address, length);
        long[] halves = halves(address);
        if (prefix.high != halves[0] || prefix.low != halves[1]) {
            throw new IllegalArgumentException("host bits set in " + addressToString(address.length == 16, halves[0],
                    halves[1]) + "/" + length + " (network is " + prefix + ")");
        }
        return prefix;
    }

    /** A prefix from an {@link Inet4Address} or {@link Inet6Address}; see {@link #of(byte[], int)}. */
    public static IpPrefix of(InetAddress address, int length) {
        return of(Objects.requireNonNull(address, "address").getAddress(), length);
    }

    /** Like {@link #of(byte[], int)} but clears host bits instead of rejecting them. */
    public static IpPrefix ofMasked(byte[] address, int length) {
        Objects.requireNonNull(address, "address");
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, got " + address.length);
        }
        boolean v6 = address.length == 16;
        checkLength(v6, length);
        long[] halves = halves(address);
        return new IpPrefix(v6, maskHigh(halves[0], length), maskLow(halves[1], length), length);
    }

    static IpPrefix ofBits(boolean ipv6, long high, long low, int length) {
        return new IpPrefix(ipv6, high, low, length);
    }

    public boolean isIpv6() {
        return ipv6;
    }

    /** 32 for IPv4, 128 for IPv6. */
    public int addressBits() {
        return ipv6 ? 128 : 32;
    }

    public int length() {
        return length;
    }

    /** The top 64 address bits (for IPv4: the address in the top 32 bits, the rest zero). */
    public long high() {
        return high;
    }

    /** The low 64 address bits (always zero for IPv4). */
    public long low() {
        return low;
    }

    /** The network address as 4 or 16 bytes (a fresh copy). */
    public byte[] address() {
        byte[] out = new byte[ipv6 ? 16 : 4];
        for (int i = 0; i < out.length; i++) {
            long half = i < 8 ? high : low;
            out[i] = (byte) (half >>> (56 - 8 * (i % 8)));
        }
        return out;
    }

    /** Whether {@code other} is equal to or more specific than this prefix, in the same family. */
    public boolean covers(IpPrefix other) {
        return ipv6 == other.ipv6 && length <= other.length
                && maskHigh(other.high, length) == high && maskLow(other.low, length) == low;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpPrefix p && p.ipv6 == ipv6 && p.high == high && p.low == low && p.length == length;
    }

    @Override
    public int hashCode() {
        return Objects.hash(ipv6, high, low, length);
    }

    /** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run compressed). */
    @Override
    public String toString() {
        return addressToString(ipv6, high, low) + "/" + length;
    }

    // ---- bit helpers shared with RoaSet ----

    static long maskHigh(long high, int length) {
        if (length >= 64) {
            return high;
        }
        return length == 0 ? 0L : high & (-1L << (64 - length));
    }

    static long maskLow(long low, int length) {
        if (length <= 64) {
            return 0L;
        }
        return low & (-1L << (128 - length));
    }

    static void checkLength(boolean ipv6, int length) {
        int bits = ipv6 ? 128 : 32;
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException("prefix length " + length + " out of range 0.." + bits);
        }
    }

    private static long[] halves(byte[] address) {
        long high = 0;
        long low = 0;
        for (int i = 0; i < address.length; i++) {
            long b = address[i] & 0xFFL;
            if (i < 8) {
                high |= b << (56 - 8 * i);
            } else {
                low |= b << (56 - 8 * (i - 8));
            }
        }
        return new long[] {high, low};
    }

    // ---- literal parsing: returns null on success or a description of the problem ----

    private static int parseLength(String text, int from, int max) {
        int n = text.length() - from;
        if (n < 1 || n > 3) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= max ? value : -1;
    }

    private static String parseIpv4(String s, long[] out) {
        long value = parseDottedQuad(s, 0, s.length());
        if (value < 0) {
            return "not an IPv4 address literal";
        }
        out[0] = value << 32;
        out[1] = 0;
        return null;
    }

    /** Returns the 32-bit address or -1. Exactly four decimal octets, no leading zeros (they would be ambiguous). */
    private static long parseDottedQuad(String s, int from, int to) {
        long value = 0;
        int octets = 0;
        int i = from;
        while (true) {
            int start = i;
            int octet = 0;
            while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                octet = octet * 10 + (s.charAt(i) - '0');
                i++;
                if (i - start > 3) {
                    return -1;
                }
            }
            int digits = i - start;
            if (digits == 0 || octet > 255 || (digits > 1 && s.charAt(start) == '0')) {
                return -1;
            }
            value = (value << 8) | octet;
            octets++;
            if (i == to) {
                break;
            }
            if (s.charAt(i) != '.' || octets == 4) {
                return -1;
            }
            i++;
        }
        return octets == 4 ? value : -1;
    }

    private static String parseIpv6(String s, long[] out) {
        int[] groups = new int[8];
        int count = 0;
        int compressAt = -1;
        int n = s.length();
        int i = 0;
        if (s.startsWith("::")) {
            compressAt = 0;
            i = 2;
        } else if (s.startsWith(":")) {
            return "not an IPv6 address literal";
        }
        while (i < n) {
            int start = i;
            while (i < n && s.charAt(i) != ':') {
                i++;
            }
            if (i == start) {
                return "not an IPv6 address literal";
            }
            if (s.indexOf('.', start) >= 0 && s.indexOf('.', start) < i) {
                // embedded IPv4 (e.g. ::ffff:192.0.2.1) must be the last piece
                long v4 = i == n ? parseDottedQuad(s, start, i) : -1;
                if (v4 < 0 || count > 6) {
                    return "not an IPv6 address literal";
                }
                groups[count++] = (int) (v4 >>> 16);
                groups[count++] = (int) (v4 & 0xFFFF);
                break;
            }
            if (i - start > 4 || count == 8) {
                return "not an IPv6 address literal";
            }
            int group = 0;
            for (int k = start; k < i; k++) {
                int digit = hexDigit(s.charAt(k));
                if (digit < 0) {
                    return "not an IPv6 address literal";
                }
                group = (group << 4) | digit;
            }
            groups[count++] = group;
            if (i == n) {
                break;
            }
            i++; // the ':'
            if (i < n && s.charAt(i) == ':') {
                if (compressAt >= 0) {
                    return "not an IPv6 address literal (more than one \"::\")";
                }
                compressAt = count;
                i++;
            } else if (i == n) {
                return "not an IPv6 address literal";
            }
        }
        if (compressAt < 0 && count != 8) {
            return "not an IPv6 address literal";
        }
        if (compressAt >= 0) {
            if (count > 7) {
                return "not an IPv6 address literal";
            }
            int tail = count - compressAt;
            System.arraycopy(groups, compressAt, groups, 8 - tail, tail);
            for (int k = compressAt; k < 8 - tail; k++) {
                groups[k] = 0;
            }
        }
        long high = 0;
        long low = 0;
        for (int k = 0; k < 4; k++) {
            high = (high << 16) | groups[k];
            low = (low << 16) | groups[k + 4];
        }
        out[0] = high;
        out[1] = low;
        return null;
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    static String addressToString(boolean ipv6, long high, long low) {
        if (!ipv6) {
            return ((high >>> 56) & 0xFF) + "." + ((high >>> 48) & 0xFF) + "." + ((high >>> 40) & 0xFF) + "."
                    + ((high >>> 32) & 0xFF);
        }
        int[] groups = new int[8];
        for (int k = 0; k < 4; k++) {
            groups[k] = (int) ((high >>> (48 - 16 * k)) & 0xFFFF);
            groups[k + 4] = (int) ((low >>> (48 - 16 * k)) & 0xFFFF);
        }
        int bestStart = -1;
        int bestLength = 1; // RFC 5952: never compress a single group
        for (int k = 0; k < 8; ) {
            if (groups[k] != 0) {
                k++;
                continue;
            }
            int start = k;
            while (k < 8 && groups[k] == 0) {
                k++;
            }
            if (k - start > bestLength) {
                bestStart = start;
                bestLength = k - start;
            }
        }
        StringBuilder sb = new StringBuilder(39);
        for (int k = 0; k < 8; k++) {
            if (k == bestStart) {
                sb.append("::");
                k += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[k]));
        }
        return sb.toString();
    }
}
