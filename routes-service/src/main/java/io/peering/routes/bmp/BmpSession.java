package io.peering.routes.bmp;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes the BMP messages of one router connection. Stateful: it remembers, per peer (peer type,
 * peer distinguisher, peer address), what the Peer Up showed was negotiated (4-byte ASN, ADD-PATH per
 * family and direction, multiprotocol families) and forgets it on Peer Down. Not thread-safe.
 *
 * <p>ADD-PATH (RFC 7911) is directional. For Adj-RIB-In (routes the router received from the peer) path
 * ids are present when the peer advertised <em>send</em> and the router advertised <em>receive</em>; for
 * Adj-RIB-Out (O flag, RFC 8671) when the router advertised send and the peer receive. A BMPv4
 * stateless-parsing TLV in a Route Monitoring message overrides this for that message only.
 *
 * <p>AS_PATH width follows the per-peer header A flag (legacy 2-byte ASNs), and 2-byte is also
 * expected when the Peer Up showed that 4-byte ASNs were not negotiated. If the AS_PATH does not
 * parse with the expected width, the other width is tried before giving up.
 */
public final class BmpSession {

    /** What a Peer Up showed was negotiated between the monitored router and one peer. */
    public record Negotiated(boolean fourByteAsn, Set<AfiSafi> addPathReceive, Set<AfiSafi> addPathSend,
                             Set<AfiSafi> multiprotocol) {
        public Negotiated {
            addPathReceive = Set.copyOf(addPathReceive);
            addPathSend = Set.copyOf(addPathSend);
            multiprotocol = Set.copyOf(multiprotocol);
        }
    }

    private record PeerKey(PerPeerHeader.PeerType type, long distinguisher, InetAddress address) {
        static PeerKey of(PerPeerHeader h) {
            return new PeerKey(h.type(), h.distinguisher(), h.address());
        }
    }

    private final Map<PeerKey, Negotiated> peers = new HashMap<>();
    private long skippedNlri;
    private long unknownAttributes;

    /**
     * Decodes one complete BMP message (common header included), from the buffer's position to its
     * limit. The buffer's position is not changed.
     *
     * @throws BmpFramingException the common header itself is impossible; close the connection
     * @throws BmpDecodeException  the message is malformed; skip it and go on
     */
    public BmpMessage decode(ByteBuffer message) throws BmpDecodeException {
        Reader r = new Reader(message);
        int version = r.u8();
        long length = r.u32();
        int type = r.u8();
        BmpFraming.check(version, length);
        if (length != message.remaining()) {
            throw new BmpDecodeException("BMP length field says " + length + " but the message has " + message.remaining() + " bytes");
        }
        return switch (type) {
            case BmpMessage.TYPE_ROUTE_MONITORING -> routeMonitoring(r, version);
            case BmpMessage.TYPE_STATISTICS_REPORT -> statistics(r);
            case BmpMessage.TYPE_PEER_DOWN -> peerDown(r);
            case BmpMessage.TYPE_PEER_UP -> peerUp(r);
            case BmpMessage.TYPE_INITIATION -> initiation(r);
            case BmpMessage.TYPE_TERMINATION -> termination(r);
            default -> new BmpMessage.Unsupported(type, (int) length);
        };
    }

    /** What the last Peer Up of this peer negotiated, or null when no Peer Up was seen (or after Peer Down). */
    public Negotiated negotiated(PerPeerHeader peer) {
        return peers.get(PeerKey.of(peer));
    }

    /** Number of peers with a remembered Peer Up. */
    public int peerCount() {
        return peers.size();
    }

    /** Total MP_REACH/MP_UNREACH NLRI blocks skipped because their family is not IPv4/IPv6 unicast. */
    public long skippedNlriCount() {
        return skippedNlri;
    }

    /** Total path attributes skipped because this decoder does not interpret them. */
    public long unknownAttributeCount() {
        return unknownAttributes;
    }

    private BmpMessage routeMonitoring(Reader r, int version) throws BmpDecodeException {
        PerPeerHeader peer = PerPeerHeader.read(r);
        Negotiated state = peers.get(PeerKey.of(peer));
        Set<AfiSafi> addPath = new HashSet<>();
        if (state != null) {
            addPath.addAll(peer.adjRibOut() ? state.addPathSend() : state.addPathReceive());
        }
        String tableName = null;
        Reader pdu = r;
        boolean pduInTlv = version == 4 && !startsWithBgpMarker(r);
        if (pduInTlv) { // draft-ietf-grow-bmp-tlv: the BGP PDU and extra data come as TLVs
            pdu = null;
            while (r.hasRemaining()) {
                int tlvType = r.u16();
                int tlvLength = r.u16();
                r.u16(); // index
                Reader value = r.sub(tlvLength);
                switch (tlvType) {
                    case 1 -> statelessParsing(value, peer.adjRibOut(), addPath);
                    case 3 -> tableName = value.utf8(tlvLength);
                    case 4 -> pdu = value;
                    default -> { } // group, path marking, unknown: not needed for routes
                }
            }
            if (pdu == null) {
                throw new BmpDecodeException("BMPv4 Route Monitoring without a BGP PDU TLV");
            }
        }
        boolean fourByteAsn = !peer.legacyAsPath() && (state == null || state.fourByteAsn());
        BgpUpdate update = BgpDecoder.decodeUpdate(BgpDecoder.readPdu(pdu, BgpDecoder.UPDATE), fourByteAsn, addPath);
        if (pduInTlv) {
            if (pdu.hasRemaining()) {
                throw new BmpDecodeException(pdu.remaining() + " bytes after the BGP UPDATE inside its PDU TLV");
            }
        } else {
            skipTlvsAfterPdu(r);
        }
        skippedNlri += update.skippedFamilies().size();
        unknownAttributes += update.unknownAttributes();
        return new BmpMessage.RouteMonitoring(peer, update, tableName);
    }

    /**
     * Whether the next bytes are a BGP message marker (16 bytes of ones), i.e. a BMPv4 Route Monitoring
     * that carries its BGP PDU bare, followed by TLVs, rather than inside a PDU TLV.
     */
    private static boolean startsWithBgpMarker(Reader r) throws BmpDecodeException {
        if (r.remaining() < 16) {
            return false;
        }
        Reader ahead = r.peek(16);
        while (ahead.hasRemaining()) {
            if (ahead.u8() != 0xFF) {
                return false;
            }
        }
        return true;
    }

    /**
     * BMP TLVs after the BGP UPDATE (draft-ietf-grow-bmp-tlv, as Loc-RIB exporters send them after the
     * PDU): type (2 bytes), length (2 bytes), value. None of them is needed for the routes: each is
     * skipped, bounds-checked, so a TLV that overruns the message makes the message malformed.
     */
    private static void skipTlvsAfterPdu(Reader r) throws BmpDecodeException {
        try {
            while (r.hasRemaining()) {
                r.u16(); // type
                r.skip(r.u16());
            }
        } catch (BmpDecodeException e) {
            throw new BmpDecodeException("BMP TLV after the BGP UPDATE: " + e.getMessage());
        }
    }

    /** Stateless parsing TLV: a BGP capability; ADD-PATH entries override the Peer Up state for this message. */
    private static void statelessParsing(Reader value, boolean adjRibOut, Set<AfiSafi> addPath) throws BmpDecodeException {
        while (value.hasRemaining()) {
            int code = value.u8();
            Reader cap = value.sub(value.u8());
            if (code != 69) {
                continue;
            }
            while (cap.remaining() >= 4) {
                AfiSafi family = new AfiSafi(cap.u16(), cap.u8());
                int sendReceive = cap.u8();
                boolean on = adjRibOut ? (sendReceive & 2) != 0 : (sendReceive & 1) != 0;
                if (on) {
                    addPath.add(family);
                } else {
                    addPath.remove(family);
                }
            }
        }
    }

    private BmpMessage statistics(Reader r) throws BmpDecodeException {
        PerPeerHeader peer = PerPeerHeader.read(r);
        long count = r.u32();
        List<StatCounter> counters = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            int type = r.u16();
            Reader v = r.sub(r.u16());
            switch (v.remaining()) {
                case 4 -> counters.add(new StatCounter(type, v.u32(), null));
                case 8 -> counters.add(new StatCounter(type, v.u64(), null));
                case 11 -> {
                    AfiSafi family = new AfiSafi(v.u16(), v.u8());
                    counters.add(new StatCounter(type, v.u64(), family));
                }
                default -> { } // unknown encoding: skipped
            }
        }
        return new BmpMessage.StatisticsReport(peer, counters);
    }

    private BmpMessage peerDown(Reader r) throws BmpDecodeException {
        PerPeerHeader peer = PerPeerHeader.read(r);
        int reason = r.u8();
        BgpNotification notification = null;
        Integer fsmEvent = null;
        List<InfoTlv> information = List.of();
        switch (reason) {
            case 1, 3 -> notification = BgpDecoder.decodeNotification(BgpDecoder.readPdu(r, BgpDecoder.NOTIFICATION));
            case 2 -> fsmEvent = r.u16();
            case 6 -> information = List.of(infoTlv(r));
            default -> { }
        }
        // anything after (BMPv4 TLVs, vendor data) is ignored
        peers.remove(PeerKey.of(peer));
        return new BmpMessage.PeerDown(peer, reason, notification, fsmEvent, information);
    }

    private BmpMessage peerUp(Reader r) throws BmpDecodeException {
        PerPeerHeader peer = PerPeerHeader.read(r);
        InetAddress local = PerPeerHeader.address(r.bytes(16), peer.type() == PerPeerHeader.PeerType.LOC_RIB ? null : peer.ipv6());
        int localPort = r.u16();
        int remotePort = r.u16();
        BgpOpen sent = BgpDecoder.decodeOpen(BgpDecoder.readPdu(r, BgpDecoder.OPEN));
        BgpOpen received = BgpDecoder.decodeOpen(BgpDecoder.readPdu(r, BgpDecoder.OPEN));
        List<InfoTlv> information = new ArrayList<>();
        while (r.hasRemaining()) {
            information.add(infoTlv(r));
        }
        remember(peer, sent, received);
        return new BmpMessage.PeerUp(peer, local, localPort, remotePort, sent, received, information);
    }

    private void remember(PerPeerHeader peer, BgpOpen sent, BgpOpen received) {
        Set<AfiSafi> receive = new HashSet<>();
        Set<AfiSafi> send = new HashSet<>();
        for (BgpOpen.AddPath local : sent.addPath()) {
            for (BgpOpen.AddPath remote : received.addPath()) {
                if (local.family().equals(remote.family())) {
                    if (remote.send() && local.receive()) {
                        receive.add(local.family());
                    }
                    if (local.send() && remote.receive()) {
                        send.add(local.family());
                    }
                }
            }
        }
        Set<AfiSafi> mp = new HashSet<>(sent.multiprotocol());
        mp.retainAll(received.multiprotocol());
        if (sent.multiprotocol().isEmpty() && received.multiprotocol().isEmpty()) {
            mp.add(AfiSafi.IPV4_UNICAST);
        }
        PeerKey key = PeerKey.of(peer);
        Negotiated previous = peers.get(key);
        if (previous != null && peer.type() == PerPeerHeader.PeerType.LOC_RIB) {
            // RFC 9069 6.1.1: several Peer Ups may describe one Loc-RIB, one per family
            receive.addAll(previous.addPathReceive());
            send.addAll(previous.addPathSend());
            mp.addAll(previous.multiprotocol());
        }
        peers.put(key, new Negotiated(sent.fourByteAsn() && received.fourByteAsn(), receive, send, mp));
    }

    private static BmpMessage initiation(Reader r) throws BmpDecodeException {
        String sysName = null;
        String sysDescr = null;
        List<InfoTlv> other = new ArrayList<>();
        while (r.hasRemaining()) {
            InfoTlv tlv = infoTlv(r);
            if (tlv.type() == InfoTlv.SYS_NAME && sysName == null) {
                sysName = tlv.value();
            } else if (tlv.type() == InfoTlv.SYS_DESCR && sysDescr == null) {
                sysDescr = tlv.value();
            } else {
                other.add(tlv);
            }
        }
        return new BmpMessage.Initiation(sysName, sysDescr, other);
    }

    private BmpMessage termination(Reader r) throws BmpDecodeException {
        Integer reason = null;
        List<InfoTlv> information = new ArrayList<>();
        while (r.hasRemaining()) {
            int type = r.u16();
            Reader v = r.sub(r.u16());
            if (type == 1 && v.remaining() == 2) {
                reason = v.u16();
            } else {
                information.add(new InfoTlv(type, v.utf8(v.remaining())));
            }
        }
        peers.clear();
        return new BmpMessage.Termination(reason, information);
    }

    private static InfoTlv infoTlv(Reader r) throws BmpDecodeException {
        int type = r.u16();
        int length = r.u16();
        return new InfoTlv(type, r.utf8(length));
    }
}
