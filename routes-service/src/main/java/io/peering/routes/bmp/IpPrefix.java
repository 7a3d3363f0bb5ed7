package io.peering.routes.bmp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 prefix with host bits zeroed. {@link #toString()} is canonical CIDR text, for
 * example {@code 192.0.2.0/24} or {@code 2001:db8::/32}.
 */
public record IpPrefix(InetAddress address, int length) {

    public IpPrefix {
        int bits = address.getAddress().length * 8;
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException("prefix length " + length + " out of range for " + address);
        }
        byte[] raw = address.getAddress();
        byte[] masked = mask(raw, length);
        if (!Arrays.equals(raw, masked)) {
            address = Reader.address(masked);
        }
    }

    /** Builds a prefix from 4 (IPv4) or 16 (IPv6) address bytes; host bits are zeroed. */
    public static IpPrefix of(byte[] address, int length) {
        return new IpPrefix(Reader.address(address), length);
    }

    /** Parses CIDR text such as {@code 10.0.0.0/8} or {@code 2001:db8::/32} (literal addresses only, no DNS). */
    public static IpPrefix parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not CIDR: " + cidr);
        }
        String host = cidr.substring(0, slash);
        // only literals: a colon makes Java parse IPv6, the dotted quad IPv4; nothing reaches DNS
        if (!host.matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*") && !host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("not an IP literal: " + cidr);
        }
        try {
            InetAddress a = InetAddress.getByName(host);
            byte[] raw = a.getAddress();
            if (host.contains(":") && raw.length == 4) {
                // Java folds ::ffff:a.b.c.d into IPv4; keep it IPv6
                byte[] v6 = new byte[16];
                v6[10] = (byte) 0xFF;
                v6[11] = (byte) 0xFF;
                System.arraycopy(raw, 0, v6, 12, 4);
                raw = v6;
            }
            return of(raw, Integer.parseInt(cidr.substring(slash + 1)));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + cidr, e);
        }
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    private static byte[] mask(byte[] raw, int length) {
        byte[] out = raw.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, length - 8 * i));
            out[i] &= (byte) (0xFF00 >> keep);
        }
        return out;
    }

    @Override
    public String toString() {
        return IpText.format(address) + "/" + length;
    }
}
