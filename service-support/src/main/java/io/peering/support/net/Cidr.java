package io.peering.support.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 prefix in canonical form (host bits zero), parsed from literals only:
 * never a DNS lookup. {@link #toString()} gives PostgreSQL's {@code cidr} text form.
 */
public record Cidr(InetAddress address, int length) {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    public Cidr {
        int max = address.getAddress().length * 8;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length " + length + " is outside 0.." + max);
        }
    }

    /** Parses "192.0.2.0/24", "2001:db8::/32", or a bare address (a host prefix). */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty prefix; expected CIDR like 192.0.2.0/24 or 2001:db8::/32");
        }
        String s = text.trim();
        int slash = s.indexOf('/');
        InetAddress address = parseAddress(slash < 0 ? s : s.substring(0, slash));
        int max = address.getAddress().length * 8;
        int length = max;
        if (slash >= 0) {
            try {
                length = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' has no valid prefix length after '/'");
            }
        }
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("'" + text + "': prefix length must be 0.." + max);
        }
        Cidr cidr = new Cidr(address, length);
        if (!cidr.network().equals(cidr)) {
            throw new IllegalArgumentException("'" + text + "' has host bits set; did you mean " + cidr.network() + "?");
        }
        return cidr;
    }

    /** Parses an IPv4 or IPv6 address literal; refuses host names. */
    public static InetAddress parseAddress(String text) {
        String s = text == null ? "" : text.trim();
        if (!IPV4.matcher(s).matches() && !IPV6.matcher(s).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
        }
        try {
            return InetAddress.getByName(s); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
        }
    }

    public boolean isIpv4() {
        return address.getAddress().length == 4;
    }

    /** This prefix with host bits cleared. */
    public Cidr network() {
        return new Cidr(mask(address.getAddress(), length), length);
    }

    /** The prefix of this length or shorter that contains this one, e.g. the /24 of a /30. */
    public Cidr truncate(int newLength) {
        return newLength >= length ? this : new Cidr(mask(address.getAddress(), newLength), newLength);
    }

    /** True when {@code other} lies inside this prefix (or equals it). */
    public boolean contains(Cidr other) {
        if (other.isIpv4() != isIpv4() || other.length < length) {
            return false;
        }
        return other.truncate(length).equals(this);
    }

    private static InetAddress mask(byte[] bytes, int length) {
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.max(0, Math.min(8, length - i * 8));
            bytes[i] &= (byte) (0xFF << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4- or 16-byte arrays
        }
    }

    @Override
    public String toString() {
        return format(address) + "/" + length;
    }

    /** An address as text: dotted quad for IPv4, RFC 5952 (longest zero run as "::") for IPv6. */
    public static String format(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return address.getHostAddress();
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not compressed
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }
}
