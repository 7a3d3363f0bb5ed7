package io.peering.support.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An IPv4 or IPv6 prefix with no host bits set. {@link #toString()} is canonical CIDR text (PostgreSQL's {@code cidr}
 * text form): {@code 192.0.2.0/24}, {@code 2001:db8::/32}.
 *
 * <p>Made by {@link #parse} (strict: refuses host bits and names the prefix that was meant), {@link #of} (strict, from
 * an address) or {@link #masking} (clears host bits, for BGP NLRI, which may carry them). Text is parsed from literals
 * only, never a DNS lookup.
 *
 * <p>The address is held as two 64-bit halves, left aligned (an IPv4 address sits in the top 32 bits of
 * {@link #high()}), so both families share one representation and lookup tables can compare prefixes as numbers.
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
     * Parses {@code "192.0.2.0/24"} or {@code "2001:db8::/32"}: an address literal, "/", the length; nothing around.
     *
     * @throws IllegalArgumentException if the text is not an address literal with a prefix length, the length is
     *     out of range, or host bits are set ("... has host bits set; did you mean 192.0.2.0/24?")
     */
    public static IpPrefix parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("invalid prefix '': empty; expected CIDR like 192.0.2.0/24 or"
                    + " 2001:db8::/32");
        }
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        byte[] address = IpAddresses.parseBytes(addressText);
        if (address == null) {
            throw new IllegalArgumentException("invalid prefix '" + text + "': "
                    + IpAddresses.notAnAddress(addressText).getMessage());
        }
        if (slash < 0) {
            throw new IllegalArgumentException("invalid prefix '" + text + "': missing /length");
        }
        int bits = address.length * 8;
        int length = parseLength(text, slash + 1, bits);
        if (length < 0) {
            throw new IllegalArgumentException("invalid prefix '" + text + "': prefix length must be 0.." + bits);
        }
        IpPrefix prefix = masking(address, length);
        if (hasHostBits(address, length)) {
            throw new IllegalArgumentException("'" + text + "' has host bits set; did you mean " + prefix + "?");
        }
        return prefix;
    }

    /**
     * Parses a prefix as {@link #parse} does, or a bare address as its host prefix ({@code 198.51.100.7} is
     * {@code 198.51.100.7/32}); surrounding white space is ignored.
     */
    public static IpPrefix parseAddressOrPrefix(String text) {
        String s = text == null ? "" : text.trim();
        if (!s.isEmpty() && s.indexOf('/') < 0) {
            return host(IpAddresses.parse(s));
        }
        return parse(s);
    }

    /** The prefix of one address: /32 for IPv4, /128 for IPv6. */
    public static IpPrefix host(InetAddress address) {
        byte[] bytes = address.getAddress();
        return masking(bytes, bytes.length * 8);
    }

    /**
     * A prefix from a raw 4- or 16-byte address.
     *
     * @throws IllegalArgumentException on a wrong address size, a length out of range, or host bits set
     */
    public static IpPrefix of(byte[] address, int length) {
        IpPrefix prefix = masking(address, length);
        if (hasHostBits(address, length)) {
            throw new IllegalArgumentException("host bits set in " + IpAddresses.format(address) + "/" + length
                    + " (network is " + prefix + ")");
        }
        return prefix;
    }

    /** See {@link #of(byte[], int)}. */
    public static IpPrefix of(InetAddress address, int length) {
        return of(address.getAddress(), length);
    }

    /** A prefix from a raw 4- or 16-byte address, its host bits cleared (BGP NLRI may carry them). */
    public static IpPrefix masking(byte[] address, int length) {
        Objects.requireNonNull(address, "address");
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, got " + address.length);
        }
        boolean v6 = address.length == 16;
        checkLength(v6, length);
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
        return new IpPrefix(v6, maskHigh(high, length), maskLow(low, length), length);
    }

    /** See {@link #masking(byte[], int)}. */
    public static IpPrefix masking(InetAddress address, int length) {
        return masking(address.getAddress(), length);
    }

    /**
     * A prefix from its two halves (see {@link #high()}, {@link #low()}), for lookup tables that keep prefixes as
     * numbers.
     *
     * @throws IllegalArgumentException on a length out of range or host bits set
     */
    public static IpPrefix ofBits(boolean ipv6, long high, long low, int length) {
        checkLength(ipv6, length);
        if (maskHigh(high, length) != high || maskLow(low, length) != low || (!ipv6 && (high << 32 != 0 || low != 0))) {
            throw new IllegalArgumentException("host bits set in a /" + length);
        }
        return new IpPrefix(ipv6, high, low, length);
    }

    /** {@code high} with the bits beyond the first {@code length} cleared. */
    public static long maskHigh(long high, int length) {
        if (length >= 64) {
            return high;
        }
        return length == 0 ? 0L : high & (-1L << (64 - length));
    }

    /** {@code low} with the bits beyond the first {@code length} (counted from the top of {@code high}) cleared. */
    public static long maskLow(long low, int length) {
        if (length <= 64) {
            return 0L;
        }
        return low & (-1L << (128 - length));
    }

    private static void checkLength(boolean ipv6, int length) {
        int bits = ipv6 ? 128 : 32;
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException("prefix length " + length + " out of range 0.." + bits);
        }
    }

    public boolean isIpv4() {
        return !ipv6;
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
    public byte[] addressBytes() {
        byte[] out = new byte[ipv6 ? 16 : 4];
        for (int i = 0; i < out.length; i++) {
            long half = i < 8 ? high : low;
            out[i] = (byte) (half >>> (56 - 8 * (i % 8)));
        }
        return out;
    }

    /** The network address; an IPv6 prefix gives an {@link Inet6Address}, also for IPv4-mapped addresses. */
    public InetAddress address() {
        byte[] bytes = addressBytes();
        try {
            return ipv6 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4 or 16 bytes
        }
    }

    /** The prefix of this length or shorter that contains this one, e.g. the /24 of a /30. */
    public IpPrefix truncate(int newLength) {
        if (newLength >= length) {
            return this;
        }
        checkLength(ipv6, newLength);
        return new IpPrefix(ipv6, maskHigh(high, newLength), maskLow(low, newLength), newLength);
    }

    /** Whether {@code other} is equal to or more specific than this prefix, in the same family. */
    public boolean contains(IpPrefix other) {
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

    @Override
    public String toString() {
        return IpAddresses.format(addressBytes()) + "/" + length;
    }

    private static boolean hasHostBits(byte[] address, int length) {
        for (int i = 0; i < address.length; i++) {
            int keep = Math.max(0, Math.min(8, length - 8 * i));
            if ((address[i] & (0xFF >> keep)) != 0) {
                return true;
            }
        }
        return false;
    }

    /** The length after '/' (one to three ASCII digits, at most {@code max}), or -1. */
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
}
