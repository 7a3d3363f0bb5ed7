package io.peering.routes.bmp;

import io.peering.support.net.IpPrefix;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Decodes the BGP PDUs found inside BMP messages: OPEN, UPDATE, NOTIFICATION. */
final class BgpDecoder {
    static final int OPEN = 1;
    static final int UPDATE = 2;
    static final int NOTIFICATION = 3;

    private static final int HEADER_LENGTH = 19;

    /** RFC 9234 Only-To-Customer path attribute type code. */
    static final int ONLY_TO_CUSTOMER = 35;

    private BgpDecoder() {
    }

    /** Reads one BGP message (marker, length, type) off {@code r}; returns its body and checks the type. */
    static Reader readPdu(Reader r, int expectedType) throws BmpDecodeException {
        byte[] marker = r.bytes(16);
        for (byte b : marker) {
            if (b != (byte) 0xFF) {
                throw new BmpDecodeException("BGP message marker is not all ones");
            }
        }
        int length = r.u16();
        int type = r.u8();
        if (length < HEADER_LENGTH) {
            throw new BmpDecodeException("BGP message length " + length + " is below 19");
        }
        if (type != expectedType) {
            throw new BmpDecodeException("expected BGP message type " + expectedType + " but got " + type);
        }
        return r.sub(length - HEADER_LENGTH);
    }

    static BgpOpen decodeOpen(Reader r) throws BmpDecodeException {
        int version = r.u8();
        long myAs = r.u16();
        int holdTime = r.u16();
        InetAddress bgpId = r.ipv4();
        int paramsLength = r.u8();
        boolean extended = false;
        if (paramsLength == 255 && r.remaining() > 0 && r.peekU8() == 255) { // RFC 9072 extended parameters
            r.skip(1);
            paramsLength = r.u16();
            extended = true;
        }
        Reader params = r.sub(paramsLength);
        boolean fourByte = false;
        List<AfiSafi> mp = new ArrayList<>();
        List<BgpOpen.AddPath> addPath = new ArrayList<>();
        List<Integer> other = new ArrayList<>();
        while (params.hasRemaining()) {
            int paramType = params.u8();
            Reader param = params.sub(extended ? params.u16() : params.u8());
            if (paramType != 2) { // only the capabilities parameter is defined
                continue;
            }
            while (param.hasRemaining()) {
                int code = param.u8();
                Reader cap = param.sub(param.u8());
                switch (code) {
                    case 1 -> {
                        if (cap.remaining() != 4) {
                            throw new BmpDecodeException("multiprotocol capability length " + cap.remaining());
                        }
                        int afi = cap.u16();
                        cap.skip(1);
                        mp.add(new AfiSafi(afi, cap.u8()));
                    }
                    case 65 -> {
                        if (cap.remaining() != 4) {
                            throw new BmpDecodeException("4-byte ASN capability length " + cap.remaining());
                        }
                        fourByte = true;
                        myAs = cap.u32();
                    }
                    case 69 -> {
                        if (cap.remaining() % 4 != 0) {
                            throw new BmpDecodeException("ADD-PATH capability length " + cap.remaining());
                        }
                        while (cap.hasRemaining()) {
                            AfiSafi family = new AfiSafi(cap.u16(), cap.u8());
                            int sendReceive = cap.u8();
                            addPath.add(new BgpOpen.AddPath(family, (sendReceive & 2) != 0, (sendReceive & 1) != 0));
                        }
                    }
                    default -> other.add(code);
                }
            }
        }
        return new BgpOpen(version, myAs, holdTime, bgpId, fourByte, mp, addPath, other);
    }

    static BgpNotification decodeNotification(Reader r) throws BmpDecodeException {
        int code = r.u8();
        int subcode = r.u8();
        return new BgpNotification(code, subcode, r.bytes(r.remaining()));
    }

    /**
     * Decodes an UPDATE body.
     *
     * @param fourByteAsn     AS_PATH is expected with 4-byte ASNs (the other width is tried when it does not fit)
     * @param addPathFamilies families whose NLRI carry ADD-PATH path ids
     */
    static BgpUpdate decodeUpdate(Reader r, boolean fourByteAsn, Set<AfiSafi> addPathFamilies) throws BmpDecodeException {
        List<Route> withdrawn = new ArrayList<>();
        List<Route> announced = new ArrayList<>();
        List<AfiSafi> skipped = new ArrayList<>();

        int withdrawnLength = r.u16();
        readPrefixes(r.sub(withdrawnLength), 4, addPathFamilies.contains(AfiSafi.IPV4_UNICAST), withdrawn);
        int attributesLength = r.u16();
        Reader attrs = r.sub(attributesLength);

        PathAttributes.Origin origin = null;
        AsPath asPath = null;
        boolean asPathFourByte = fourByteAsn;
        AsPath as4Path = null;
        InetAddress nextHop = null;
        Long med = null;
        Long localPref = null;
        List<Long> communities = new ArrayList<>();
        List<LargeCommunity> large = new ArrayList<>();
        PathAttributes.MpNextHop mpNextHop = null;
        Long onlyToCustomer = null;
        String treatAsWithdraw = null;
        int unknown = 0;
        int attributeCount = 0;
        AfiSafi emptyUnreach = null;

        while (attrs.hasRemaining()) {
            int flags = attrs.u8();
            int type = attrs.u8();
            int length = (flags & 0x10) != 0 ? attrs.u16() : attrs.u8();
            Reader v = attrs.sub(length);
            attributeCount++;
            switch (type) {
                case 1 -> {
                    expectLength("ORIGIN", v, 1);
                    int code = v.u8();
                    if (code > 2) {
                        throw new BmpDecodeException("invalid ORIGIN " + code);
                    }
                    origin = PathAttributes.Origin.values()[code];
                }
                case 2 -> {
                    byte[] raw = v.bytes(length);
                    AsPath preferred = parseAsPath(raw, fourByteAsn);
                    if (preferred != null) {
                        asPath = preferred;
                        asPathFourByte = fourByteAsn;
                    } else {
                        asPath = parseAsPath(raw, !fourByteAsn);
                        asPathFourByte = !fourByteAsn;
                        if (asPath == null) {
                            throw new BmpDecodeException("malformed AS_PATH");
                        }
                    }
                }
                case 3 -> {
                    expectLength("NEXT_HOP", v, 4);
                    nextHop = v.ipv4();
                }
                case 4 -> {
                    expectLength("MULTI_EXIT_DISC", v, 4);
                    med = v.u32();
                }
                case 5 -> {
                    expectLength("LOCAL_PREF", v, 4);
                    localPref = v.u32();
                }
                case 8 -> {
                    if (length % 4 != 0) {
                        throw new BmpDecodeException("COMMUNITIES length " + length + " is not a multiple of 4");
                    }
                    while (v.hasRemaining()) {
                        communities.add(v.u32());
                    }
                }
                case 14 -> {
                    AfiSafi family = new AfiSafi(v.u16(), v.u8());
                    Reader nh = v.sub(v.u8());
                    v.skip(1); // reserved
                    if (family.isUnicastIp()) {
                        mpNextHop = readMpNextHop(family, nh);
                        readPrefixes(v, family.afi() == 1 ? 4 : 16, addPathFamilies.contains(family), announced);
                    } else if (v.hasRemaining()) {
                        skipped.add(family);
                    }
                }
                case 15 -> {
                    AfiSafi family = new AfiSafi(v.u16(), v.u8());
                    if (!v.hasRemaining()) {
                        emptyUnreach = family;
                    } else if (family.isUnicastIp()) {
                        readPrefixes(v, family.afi() == 1 ? 4 : 16, addPathFamilies.contains(family), withdrawn);
                    } else {
                        skipped.add(family);
                    }
                }
                case 17 -> {
                    as4Path = parseAsPath(v.bytes(length), true);
                    if (as4Path == null) {
                        throw new BmpDecodeException("malformed AS4_PATH");
                    }
                }
                case 32 -> {
                    if (length % 12 != 0) {
                        throw new BmpDecodeException("LARGE_COMMUNITY length " + length + " is not a multiple of 12");
                    }
                    while (v.hasRemaining()) {
                        large.add(new LargeCommunity(v.u32(), v.u32(), v.u32()));
                    }
                }
                case ONLY_TO_CUSTOMER -> {
                    if (length == 4) {
                        onlyToCustomer = v.u32();
                    } else { // RFC 9234 section 5: malformed, handled as treat-as-withdraw (RFC 7606)
                        treatAsWithdraw = "ONLY_TO_CUSTOMER length " + length + ", expected 4";
                    }
                }
                default -> unknown++;
            }
        }
        readPrefixes(r, 4, addPathFamilies.contains(AfiSafi.IPV4_UNICAST), announced);

        if (asPath != null && as4Path != null && !asPathFourByte) {
            asPath = AsPath.merge(asPath, as4Path);
        }
        AfiSafi endOfRib = null;
        if (withdrawnLength == 0 && attributesLength == 0 && announced.isEmpty()) {
            endOfRib = AfiSafi.IPV4_UNICAST;
        } else if (withdrawnLength == 0 && attributeCount == 1 && emptyUnreach != null && announced.isEmpty()) {
            endOfRib = emptyUnreach;
        }
        if (treatAsWithdraw != null) {
            return new BgpUpdate(withdrawn, List.of(), PathAttributes.NONE, endOfRib, skipped, unknown,
                    new BgpUpdate.TreatAsWithdraw(treatAsWithdraw, announced));
        }
        PathAttributes attributes = new PathAttributes(origin, asPath, nextHop, med, localPref, communities, large, mpNextHop,
                onlyToCustomer);
        return new BgpUpdate(withdrawn, announced, attributes, endOfRib, skipped, unknown, null);
    }

    private static void expectLength(String name, Reader v, int expected) throws BmpDecodeException {
        if (v.remaining() != expected) {
            throw new BmpDecodeException(name + " length " + v.remaining() + ", expected " + expected);
        }
    }

    private static PathAttributes.MpNextHop readMpNextHop(AfiSafi family, Reader nh) throws BmpDecodeException {
        return switch (nh.remaining()) {
            case 4 -> new PathAttributes.MpNextHop(family, nh.ipv4(), null);
            case 16 -> new PathAttributes.MpNextHop(family, nh.ipv6(), null);
            case 32 -> new PathAttributes.MpNextHop(family, nh.ipv6(), nh.ipv6());
            default -> throw new BmpDecodeException("MP_REACH_NLRI next hop length " + nh.remaining() + " for " + family);
        };
    }

    /**
     * Parses AS_PATH segments with 2- or 4-byte ASNs; null when the bytes do not fit that width exactly or a
     * segment holds no ASN (RFC 4271: "one or more AS numbers"; RFC 7606 7.2: a segment length of zero makes
     * the AS_PATH malformed).
     */
    static AsPath parseAsPath(byte[] raw, boolean fourByte) {
        int width = fourByte ? 4 : 2;
        List<AsPath.Segment> segments = new ArrayList<>();
        int p = 0;
        while (p < raw.length) {
            if (raw.length - p < 2) {
                return null;
            }
            AsPath.SegmentType type = AsPath.SegmentType.of(raw[p] & 0xFF);
            int count = raw[p + 1] & 0xFF;
            p += 2;
            if (type == null || count == 0 || raw.length - p < count * width) {
                return null;
            }
            List<Long> asns = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long asn = 0;
                for (int k = 0; k < width; k++) {
                    asn = (asn << 8) | (raw[p++] & 0xFF);
                }
                asns.add(asn);
            }
            segments.add(new AsPath.Segment(type, asns));
        }
        return new AsPath(segments);
    }

    /** Reads NLRI prefixes (optionally preceded by a 4-byte path id) until {@code r} is empty. */
    static void readPrefixes(Reader r, int addressBytes, boolean addPath, List<Route> out) throws BmpDecodeException {
        while (r.hasRemaining()) {
            long pathId = addPath ? r.u32() : 0;
            int length = r.u8();
            if (length > addressBytes * 8) {
                throw new BmpDecodeException("prefix length " + length + " too long for a " + addressBytes + "-byte address");
            }
            byte[] address = new byte[addressBytes];
            byte[] significant = r.bytes((length + 7) / 8);
            System.arraycopy(significant, 0, address, 0, significant.length);
            out.add(new Route(IpPrefix.masking(address, length), pathId)); // NLRI may carry host bits
        }
    }
}
