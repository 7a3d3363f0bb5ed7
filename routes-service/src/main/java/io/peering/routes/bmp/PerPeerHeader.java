package io.peering.routes.bmp;

import java.net.InetAddress;
import java.time.Instant;

/**
 * The BMP per-peer header (RFC 7854 section 4.2, RFC 8671 O flag, RFC 9069 Loc-RIB).
 *
 * @param type          peer type
 * @param flags         raw peer flags; see the accessors
 * @param distinguisher peer distinguisher (route distinguisher for RD instance peers), raw 8 bytes
 * @param address       peer address, {@code null} when all zero (Loc-RIB)
 * @param asn           peer AS
 * @param bgpId         peer BGP identifier
 * @param timestamp     time the router recorded the event (seconds + microseconds)
 */
public record PerPeerHeader(PeerType type, int flags, long distinguisher, InetAddress address, long asn,
                            InetAddress bgpId, Instant timestamp) {

    public static final int LENGTH = 42;

    public enum PeerType {
        GLOBAL_INSTANCE, RD_INSTANCE, LOCAL_INSTANCE, LOC_RIB;

        static PeerType of(int code) throws BmpDecodeException {
            if (code < 0 || code >= values().length) {
                throw new BmpDecodeException("unknown BMP peer type " + code);
            }
            return values()[code];
        }
    }

    /** V flag: the peer address is IPv6. Not defined for Loc-RIB peers. */
    public boolean ipv6() {
        return type != PeerType.LOC_RIB && (flags & 0x80) != 0;
    }

    /** L flag: post-policy Adj-RIB. */
    public boolean postPolicy() {
        return type != PeerType.LOC_RIB && (flags & 0x40) != 0;
    }

    /** A flag: the AS_PATH of this peer's UPDATEs uses legacy 2-byte ASNs. */
    public boolean legacyAsPath() {
        return type != PeerType.LOC_RIB && (flags & 0x20) != 0;
    }

    /** O flag (RFC 8671): Adj-RIB-Out, i.e. routes the router sends to the peer. */
    public boolean adjRibOut() {
        return type != PeerType.LOC_RIB && (flags & 0x10) != 0;
    }

    /** F flag (RFC 9069): the Loc-RIB is filtered. */
    public boolean locRibFiltered() {
        return type == PeerType.LOC_RIB && (flags & 0x80) != 0;
    }

    static PerPeerHeader read(Reader r) throws BmpDecodeException {
        PeerType type = PeerType.of(r.u8());
        int flags = r.u8();
        long distinguisher = r.u64();
        byte[] raw = r.bytes(16);
        InetAddress address = address(raw, type == PeerType.GLOBAL_INSTANCE || type == PeerType.RD_INSTANCE
                || type == PeerType.LOCAL_INSTANCE ? (flags & 0x80) != 0 : null);
        long asn = r.u32();
        InetAddress bgpId = r.ipv4();
        long seconds = r.u32();
        long micros = r.u32();
        return new PerPeerHeader(type, flags, distinguisher, address, asn, bgpId,
                Instant.ofEpochSecond(seconds, micros * 1000));
    }

    /**
     * Decodes a 16-byte BMP address field: {@code null} when all zero, IPv6 when {@code ipv6} is true,
     * IPv4 from the last 4 bytes when false; when {@code ipv6} is null (no V flag), IPv4 if the first
     * 12 bytes are zero, else IPv6.
     */
    static InetAddress address(byte[] raw, Boolean ipv6) {
        boolean zero = true;
        boolean leadingZero = true;
        for (int i = 0; i < 16; i++) {
            if (raw[i] != 0) {
                zero = false;
                if (i < 12) {
                    leadingZero = false;
                }
            }
        }
        if (zero) {
            return null;
        }
        boolean v6 = ipv6 != null ? ipv6 : !leadingZero;
        return v6 ? Reader.address(raw) : Reader.address(java.util.Arrays.copyOfRange(raw, 12, 16));
    }
}
