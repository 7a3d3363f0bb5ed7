package io.peering.support.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP address literals: the one parser (literals only, never a DNS lookup) and the one formatter (dotted quad for
 * IPv4, RFC 5952 for IPv6: lower case, the longest run of two or more zero groups as "::").
 */
public final class IpAddresses {

    private IpAddresses() {
    }

    /**
     * Parses an IPv4 or IPv6 address literal; refuses host names. Surrounding white space is ignored. As Java does, an
     * IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}) becomes the IPv4 address.
     */
    public static InetAddress parse(String text) {
        return toInetAddress(literal(text));
    }

    /**
     * An address literal in the text {@link #format} gives ({@code ::ffff:192.0.2.1} is {@code ::ffff:c000:201}: an
     * IPv4-mapped address stays IPv6 here, as the BMP decoder keeps it).
     */
    public static String canonical(String text) {
        return format(literal(text));
    }

    /** An address as text: dotted quad for IPv4, RFC 5952 for IPv6. */
    public static String format(InetAddress address) {
        return format(address.getAddress());
    }

    /** A 4-byte (IPv4) or 16-byte (IPv6) address as text; see {@link #format(InetAddress)}. */
    public static String format(byte[] b) {
        if (b.length == 4) {
            return (b[0] & 0xFF) + "." + (b[1] & 0xFF) + "." + (b[2] & 0xFF) + "." + (b[3] & 0xFF);
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
        StringBuilder out = new StringBuilder(39);
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

    private static byte[] literal(String text) {
        byte[] bytes = parseBytes(text == null ? "" : text.trim());
        if (bytes == null) {
            throw notAnAddress(text);
        }
        return bytes;
    }

    /** Says what is wrong with text that {@link #parseBytes} refused. */
    static IllegalArgumentException notAnAddress(String text) {
        String family = text != null && text.indexOf(':') >= 0 ? "IPv6" : "IPv4";
        return new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address (not an " + family
                + " address literal)");
    }

    /** 4 bytes as an IPv4 address, 16 as IPv6 (an IPv4-mapped one becomes IPv4, as Java does). */
    static InetAddress toInetAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, got " + bytes.length, e);
        }
    }

    /**
     * The 4 or 16 bytes of an address literal, or null when {@code s} is none: a dotted quad (four decimal octets, no
     * leading zeros, which would be ambiguous) or IPv6 text (at most one "::", an embedded dotted quad only last).
     */
    static byte[] parseBytes(String s) {
        if (s.indexOf(':') >= 0) {
            return parseIpv6(s);
        }
        long v4 = parseDottedQuad(s, 0, s.length());
        return v4 < 0 ? null : new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4};
    }

    /** Returns the 32-bit address or -1. */
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

    private static byte[] parseIpv6(String s) {
        int[] groups = new int[8];
        int count = 0;
        int compressAt = -1;
        int n = s.length();
        int i = 0;
        if (s.startsWith("::")) {
            compressAt = 0;
            i = 2;
        } else if (s.startsWith(":")) {
            return null;
        }
        while (i < n) {
            int start = i;
            while (i < n && s.charAt(i) != ':') {
                i++;
            }
            if (i == start) {
                return null;
            }
            int dot = s.indexOf('.', start);
            if (dot >= 0 && dot < i) {
                // an embedded IPv4 address (::ffff:192.0.2.1) must be the last piece
                long v4 = i == n ? parseDottedQuad(s, start, i) : -1;
                if (v4 < 0 || count > 6) {
                    return null;
                }
                groups[count++] = (int) (v4 >>> 16);
                groups[count++] = (int) (v4 & 0xFFFF);
                break;
            }
            if (i - start > 4 || count == 8) {
                return null;
            }
            int group = 0;
            for (int k = start; k < i; k++) {
                int digit = hexDigit(s.charAt(k));
                if (digit < 0) {
                    return null;
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
                    return null; // more than one "::"
                }
                compressAt = count;
                i++;
            } else if (i == n) {
                return null;
            }
        }
        if (compressAt < 0 ? count != 8 : count > 7) {
            return null;
        }
        if (compressAt >= 0) {
            int tail = count - compressAt;
            System.arraycopy(groups, compressAt, groups, 8 - tail, tail);
            for (int k = compressAt; k < 8 - tail; k++) {
                groups[k] = 0;
            }
        }
        byte[] out = new byte[16];
        for (int k = 0; k < 8; k++) {
            out[2 * k] = (byte) (groups[k] >>> 8);
            out[2 * k + 1] = (byte) groups[k];
        }
        return out;
    }

    /** An ASCII hex digit's value, or -1 (Character.digit would also take other scripts' digits). */
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
}
