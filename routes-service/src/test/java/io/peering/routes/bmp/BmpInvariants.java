package io.peering.routes.bmp;

import io.peering.support.net.IpAddresses;
import io.peering.support.net.IpPrefix;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What must hold for whatever the decoder returns, however damaged its input: the checks the fuzz tests
 * run on every decoded message, plus the reads the collector makes of it (addresses and prefixes as text,
 * AS path, origin AS, communities, the next hop of each route), so a decoded record that would break the
 * collector is a finding here too.
 *
 * <p>Every route, ASN, community or TLV the decoder returns was read from at least one byte of the
 * message, so counts are bounded by the message length; prefixes fit their family and have no host bits.
 */
final class BmpInvariants {
    private BmpInvariants() {
    }

    /**
     * Result of feeding one byte stream through framing and a session, as a collector connection does.
     *
     * @param outcomes per framed message, the decoded {@link BmpMessage} or the text of its exception
     */
    record StreamResult(List<Object> outcomes, int decodeErrors, boolean framingBroken, int peerUps) {
    }

    /**
     * Feeds {@code stream} to a {@link BmpFrameBuffer} in chunks (sizes cycled from {@code chunkSizes},
     * starting at {@code firstChunk}; the first chunk is {@code firstExtra} bytes longer) and decodes every
     * complete message with one {@link BmpSession},
     * exactly as {@code RouterConnection} does: a {@link BmpDecodeException} loses one message, a
     * {@link BmpFramingException} ends the stream. Checks every message and the byte accounting.
     */
    static StreamResult replay(byte[] stream, int[] chunkSizes, int firstChunk, int firstExtra) {
        BmpFrameBuffer buffer = new BmpFrameBuffer();
        BmpSession session = new BmpSession();
        int fed = 0;
        long framed = 0;
        List<Object> outcomes = new ArrayList<>();
        int errors = 0;
        int peerUps = 0;
        int chunk = firstChunk;
        while (fed < stream.length) {
            long size = chunkSizes[Math.floorMod(chunk++, chunkSizes.length)] + (fed == 0 ? (long) firstExtra : 0);
            int n = (int) Math.min(size, stream.length - fed);
            buffer.append(stream, fed, n);
            fed += n;
            try {
                for (ByteBuffer message; (message = buffer.next()) != null; ) {
                    int length = message.remaining();
                    check(length >= BmpFraming.HEADER_LENGTH && length <= BmpFraming.MAX_MESSAGE_LENGTH,
                            "framed a message of " + length + " bytes");
                    check(message.getInt(message.position() + 1) == length, "framed message disagrees with its length field");
                    framed += length;
                    try {
                        BmpMessage decoded = session.decode(message);
                        check(message.remaining() == length, "decode moved the buffer's position");
                        check(decoded, length);
                        outcomes.add(decoded);
                        if (decoded instanceof BmpMessage.PeerUp) {
                            peerUps++;
                        }
                    } catch (BmpFramingException e) {
                        throw new AssertionError("a message framing accepted was refused as a framing error", e);
                    } catch (BmpDecodeException e) {
                        outcomes.add(e.getMessage());
                        errors++;
                    }
                }
            } catch (BmpFramingException e) {
                framingBroken(buffer);
                outcomes.add(e.getMessage());
                return new StreamResult(outcomes, errors, true, peerUps);
            }
            check(framed + buffer.buffered() == fed, "framing lost or invented bytes: framed " + framed + " + buffered "
                    + buffer.buffered() + " != fed " + fed);
        }
        check(session.peerCount() <= peerUps, session.peerCount() + " peers remembered from " + peerUps + " Peer Ups");
        return new StreamResult(outcomes, errors, false, peerUps);
    }

    /** After a framing error the stream stays broken: the collector must not pick up mid-message. */
    private static void framingBroken(BmpFrameBuffer buffer) {
        try {
            buffer.next();
            throw new AssertionError("the frame buffer recovered after a framing error");
        } catch (BmpFramingException expected) {
            // still broken
        }
    }

    /** Checks one decoded message of {@code length} bytes, reading it the way the collector does. */
    static void check(BmpMessage message, int length) {
        check(message != null, "decode returned null");
        if (message instanceof BmpMessage.RouteMonitoring rm) {
            peer(rm.peer());
            update(rm.update(), length);
            check(rm.tableName() == null || rm.tableName().length() <= length, "table name longer than the message");
        } else if (message instanceof BmpMessage.PeerUp up) {
            peer(up.peer());
            text(up.localAddress());
            open(up.sentOpen(), length);
            open(up.receivedOpen(), length);
            check(up.localPort() <= 0xFFFF && up.remotePort() <= 0xFFFF, "port beyond 16 bits");
            tlvs(up.information(), length);
        } else if (message instanceof BmpMessage.PeerDown down) {
            peer(down.peer());
            check(down.reason() >= 0 && down.reason() <= 0xFF, "Peer Down reason beyond a byte");
            if (down.notification() != null) {
                check(down.notification().data().length <= length, "NOTIFICATION data longer than the message");
            }
            tlvs(down.information(), length);
        } else if (message instanceof BmpMessage.StatisticsReport stats) {
            peer(stats.peer());
            check((long) stats.counters().size() * 8 <= length, stats.counters().size() + " counters in " + length + " bytes");
        } else if (message instanceof BmpMessage.Initiation init) {
            tlvs(init.information(), length);
        } else if (message instanceof BmpMessage.Termination term) {
            tlvs(term.information(), length);
        } else if (message instanceof BmpMessage.Unsupported u) {
            check(u.length() == length, "Unsupported length " + u.length() + " != " + length);
        }
        check(!message.toString().isEmpty(), "empty toString");
    }

    private static void peer(PerPeerHeader peer) {
        check(peer.type() != null && peer.timestamp() != null, "per-peer header without type or time");
        check(peer.asn() >= 0 && peer.asn() <= 0xFFFF_FFFFL, "peer AS beyond 32 bits");
        text(peer.address()); // the collector names the peer by this text
        text(peer.bgpId());
    }

    private static void update(BgpUpdate update, int length) {
        List<Route> all = new java.util.ArrayList<>(update.withdrawn());
        all.addAll(update.announced());
        if (update.treatAsWithdraw() != null) {
            check(update.announced().isEmpty(), "announcements in an UPDATE treated as withdraw");
            check(!update.treatAsWithdraw().reason().isEmpty(), "treat-as-withdraw without a reason");
            all.addAll(update.treatAsWithdraw().routes());
        }
        check(all.size() <= length, all.size() + " routes in a " + length + "-byte message");
        for (Route r : all) {
            IpPrefix p = r.prefix();
            int bits = p.isIpv4() ? 32 : 128;
            check(p.length() >= 0 && p.length() <= bits, "prefix length " + p.length() + " in " + bits + "-bit family");
            check(IpPrefix.masking(p.addressBytes(), p.length()).equals(p), "prefix " + p + " has host bits set");
            check(r.pathId() >= 0 && r.pathId() <= 0xFFFF_FFFFL, "path id beyond 32 bits");
            check(p.toString().endsWith("/" + p.length()), "prefix text " + p);
        }
        for (Route r : update.announced()) {
            text(update.nextHopFor(r));
        }
        PathAttributes a = update.attributes();
        check(a != null, "UPDATE without attributes record");
        check((long) a.communities().size() * 4 <= length, "more communities than bytes");
        check((long) a.largeCommunities().size() * 12 <= length, "more large communities than bytes");
        a.communityStrings();
        a.largeCommunities().forEach(LargeCommunity::toString);
        if (a.asPath() != null) {
            int asns = a.asPath().segments().stream().mapToInt(s -> s.asns().size()).sum();
            // AS_PATH and AS4_PATH both count: each ASN took at least 2 bytes of one of them
            check((long) asns * 2 <= length, asns + " ASNs in a " + length + "-byte message");
            check(a.asPath().pathLength() <= asns, "AS path length beyond its ASNs");
            check(a.originAs() >= 0 && a.originAs() <= 0xFFFF_FFFFL, "origin AS beyond 32 bits");
            a.asPath().toString();
        }
        text(a.nextHop());
        check(a.onlyToCustomer() == null || (a.onlyToCustomer() >= 0 && a.onlyToCustomer() <= 0xFFFF_FFFFL),
                "ONLY_TO_CUSTOMER beyond 32 bits");
        if (a.mpNextHop() != null) {
            check(a.mpNextHop().family().isUnicastIp(), "MP next hop of a skipped family");
            text(a.mpNextHop().global());
            text(a.mpNextHop().linkLocal());
        }
        check((long) update.unknownAttributes() * 3 <= length, "more unknown attributes than bytes");
        check((long) update.skippedFamilies().size() * 3 <= length, "more skipped families than bytes");
        check(!update.isEndOfRib() || update.announced().isEmpty(), "End-of-RIB with announcements");
    }

    private static void open(BgpOpen open, int length) {
        int capabilities = open.multiprotocol().size() + open.addPath().size() + open.otherCapabilities().size();
        check((long) capabilities * 2 <= length, capabilities + " capabilities in " + length + " bytes");
        check(open.myAs() >= 0 && open.myAs() <= 0xFFFF_FFFFL, "OPEN AS beyond 32 bits");
        text(open.bgpId());
    }

    private static void tlvs(List<InfoTlv> tlvs, int length) {
        check((long) tlvs.size() * 4 <= length, tlvs.size() + " TLVs in " + length + " bytes");
        for (InfoTlv t : tlvs) {
            check(t.value() != null && t.value().length() <= length, "TLV value longer than the message");
        }
    }

    private static void text(InetAddress address) {
        String s = address == null ? "null" : IpAddresses.format(address);
        check(address == null || (address instanceof Inet4Address ? s.indexOf('.') > 0 : s.indexOf(':') >= 0),
                "address text " + s);
    }

    static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }
}
