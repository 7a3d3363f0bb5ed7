package io.peering.routes.bmp;

import static io.peering.routes.bmp.BmpBytes.addPathCapability;
import static io.peering.routes.bmp.BmpBytes.attr;
import static io.peering.routes.bmp.BmpBytes.bmp;
import static io.peering.routes.bmp.BmpBytes.buffer;
import static io.peering.routes.bmp.BmpBytes.concat;
import static io.peering.routes.bmp.BmpBytes.fourByteAsnCapability;
import static io.peering.routes.bmp.BmpBytes.hex;
import static io.peering.routes.bmp.BmpBytes.multiprotocolCapability;
import static io.peering.routes.bmp.BmpBytes.open;
import static io.peering.routes.bmp.BmpBytes.origin;
import static io.peering.routes.bmp.BmpBytes.peerHeader;
import static io.peering.routes.bmp.BmpBytes.peerUp;
import static io.peering.routes.bmp.BmpBytes.prefix;
import static io.peering.routes.bmp.BmpBytes.routeMonitoring;
import static io.peering.routes.bmp.BmpBytes.segment;
import static io.peering.routes.bmp.BmpBytes.u16;
import static io.peering.routes.bmp.BmpBytes.u32;
import static io.peering.routes.bmp.BmpBytes.u8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peering.support.net.IpAddresses;
import io.peering.support.net.IpPrefix;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Session state (what Peer Up negotiated) and message-level decoding. */
class BmpSessionTest {
    private static final byte[] NONE = new byte[0];
    private static final String PEER = "2001:db8::7";
    private static final byte[] ADJ_RIB_IN = peerHeader(0, 0x80, PEER, 65007, "192.0.2.7");
    private static final byte[] ADJ_RIB_OUT = peerHeader(0, 0x80 | 0x10, PEER, 65007, "192.0.2.7");

    /** Router (sent OPEN) and peer (received OPEN) with the given ADD-PATH send/receive bits for IPv6 unicast. */
    private static byte[] peerUpWithAddPath(int routerSendReceive, int peerSendReceive) {
        return peerUp(ADJ_RIB_IN,
                open(65000, "192.0.2.1", multiprotocolCapability(2, 1), fourByteAsnCapability(65000), addPathCapability(2, 1, routerSendReceive)),
                open(65007, "192.0.2.7", multiprotocolCapability(2, 1), fourByteAsnCapability(65007), addPathCapability(2, 1, peerSendReceive)));
    }

    /** An IPv6 UPDATE whose NLRI carry path id 9. */
    private static byte[] ipv6UpdateWithPathIds() {
        return BmpBytes.update(NONE, concat(origin(0), attr(0x40, 2, segment(2, 4, 65007)),
                BmpBytes.mpReach(2, 1, BmpBytes.ip("2001:db8::7"), prefix(9, "2001:db8:1::/48"))), NONE);
    }

    /** The same IPv6 UPDATE without path ids. */
    private static byte[] ipv6UpdateWithoutPathIds() {
        return BmpBytes.update(NONE, concat(origin(0), attr(0x40, 2, segment(2, 4, 65007)),
                BmpBytes.mpReach(2, 1, BmpBytes.ip("2001:db8::7"), prefix("2001:db8:1::/48"))), NONE);
    }

    private static BgpUpdate updateOf(BmpMessage m) {
        return ((BmpMessage.RouteMonitoring) m).update();
    }

    @Test
    void adjRibInHasPathIdsWhenThePeerSendsAndTheRouterReceives() throws BmpDecodeException {
        BmpSession session = new BmpSession();
        session.decode(buffer(peerUpWithAddPath(1, 2)));

        BgpUpdate u = updateOf(session.decode(buffer(routeMonitoring(ADJ_RIB_IN, ipv6UpdateWithPathIds()))));

        assertThat(u.announced()).containsExactly(new Route(IpPrefix.parse("2001:db8:1::/48"), 9));
    }

    @Test
    void adjRibInHasNoPathIdsWhenOnlyTheRouterCanSend() throws BmpDecodeException {
        BmpSession session = new BmpSession();
        session.decode(buffer(peerUpWithAddPath(2, 1)));

        BgpUpdate in = updateOf(session.decode(buffer(routeMonitoring(ADJ_RIB_IN, ipv6UpdateWithoutPathIds()))));
        BgpUpdate out = updateOf(session.decode(buffer(routeMonitoring(ADJ_RIB_OUT, ipv6UpdateWithPathIds()))));

        assertThat(in.announced()).containsExactly(new Route(IpPrefix.parse("2001:db8:1::/48"), 0));
        assertThat(out.announced()).as("Adj-RIB-Out: router sends, peer receives")
                .containsExactly(new Route(IpPrefix.parse("2001:db8:1::/48"), 9));
    }

    @Test
    void peerUpRemembersWhatWasNegotiatedAndPeerDownForgetsIt() throws BmpDecodeException {
        BmpSession session = new BmpSession();
        BmpMessage.PeerUp up = (BmpMessage.PeerUp) session.decode(buffer(peerUpWithAddPath(3, 3)));

        assertThat(up.peer().ipv6()).isTrue();
        assertThat(IpAddresses.format(up.peer().address())).isEqualTo(PEER);
        assertThat(up.peer().asn()).isEqualTo(65007);
        assertThat(up.sentOpen().myAs()).isEqualTo(65000);
        assertThat(up.receivedOpen().multiprotocol()).containsExactly(AfiSafi.IPV6_UNICAST);
        assertThat(up.receivedOpen().addPath()).containsExactly(new BgpOpen.AddPath(AfiSafi.IPV6_UNICAST, true, true));
        assertThat(session.negotiated(up.peer()))
                .isEqualTo(new BmpSession.Negotiated(true, java.util.Set.of(AfiSafi.IPV6_UNICAST),
                        java.util.Set.of(AfiSafi.IPV6_UNICAST), java.util.Set.of(AfiSafi.IPV6_UNICAST)));

        BmpMessage.PeerDown down = (BmpMessage.PeerDown) session.decode(buffer(bmp(2, ADJ_RIB_IN, u8(4))));

        assertThat(down.reason()).isEqualTo(4);
        assertThat(session.negotiated(up.peer())).isNull();
        assertThat(updateOf(session.decode(buffer(routeMonitoring(ADJ_RIB_IN, ipv6UpdateWithoutPathIds())))).announced())
                .containsExactly(new Route(IpPrefix.parse("2001:db8:1::/48"), 0));
    }

    @Test
    void theLegacyAsPathFlagMeansTwoByteAsns() throws BmpDecodeException {
        byte[] legacy = peerHeader(0, 0x20, "192.0.2.9", 65009, "192.0.2.9");
        byte[] update = BmpBytes.update(NONE, concat(origin(0),
                attr(0x40, 2, segment(2, 2, 65009, 23456)),
                attr(0xC0, 17, segment(2, 4, 4_200_000_009L)), BmpBytes.nextHop("192.0.2.9")), prefix("198.51.100.0/24"));

        BmpMessage.RouteMonitoring rm = (BmpMessage.RouteMonitoring) new BmpSession().decode(buffer(routeMonitoring(legacy, update)));

        assertThat(rm.peer().legacyAsPath()).isTrue();
        assertThat(rm.update().attributes().asPath()).hasToString("65009 4200000009");
    }

    @Test
    void aTruncatedMessageIsADecodeErrorNotAFramingError() {
        byte[] whole = routeMonitoring(ADJ_RIB_IN, ipv6UpdateWithoutPathIds());
        for (int cut = 6; cut < whole.length; cut++) {
            byte[] truncated = Arrays.copyOf(whole, cut);
            java.nio.ByteBuffer.wrap(truncated).putInt(1, cut); // BMP length agrees, the content is short
            int at = cut;
            assertThatThrownBy(() -> new BmpSession().decode(buffer(truncated)))
                    .as("cut at %d", at)
                    .isInstanceOf(BmpDecodeException.class)
                    .isNotInstanceOf(BmpFramingException.class);
        }
    }

    @Test
    void aBufferShorterThanTheLengthFieldIsADecodeError() {
        byte[] whole = routeMonitoring(ADJ_RIB_IN, ipv6UpdateWithoutPathIds());
        assertThatThrownBy(() -> new BmpSession().decode(buffer(Arrays.copyOf(whole, whole.length - 1))))
                .isInstanceOf(BmpDecodeException.class).hasMessageContaining("length field");
    }

    @Test
    void aBadVersionIsAFramingError() {
        byte[] msg = bmp(4, hex("0002 0003 504532"));
        msg[0] = 2;
        assertThatThrownBy(() -> new BmpSession().decode(buffer(msg))).isInstanceOf(BmpFramingException.class);
    }

    @Test
    void initiationTerminationAndUnsupportedTypes() throws BmpDecodeException {
        BmpSession session = new BmpSession();

        assertThat(session.decode(buffer(bmp(4, hex("0001 0005 372e342e31"), hex("0002 0003 504532"), hex("0000 0002 6869")))))
                .isEqualTo(new BmpMessage.Initiation("PE2", "7.4.1", java.util.List.of(new InfoTlv(0, "hi"))));
        assertThat(session.decode(buffer(bmp(5, hex("0000 0003 627965"), hex("0001 0002 0001")))))
                .isEqualTo(new BmpMessage.Termination(1, java.util.List.of(new InfoTlv(0, "bye"))));
        assertThat(session.decode(buffer(bmp(6, ADJ_RIB_IN, hex("0001 0002 0000")))))
                .isEqualTo(new BmpMessage.Unsupported(6, 6 + 42 + 6));
        assertThat(session.decode(buffer(bmp(200, hex("00"))))).isEqualTo(new BmpMessage.Unsupported(200, 7));
    }

    @Test
    void statisticsCarry32BitCounters64BitGaugesAndPerFamilyGauges() throws BmpDecodeException {
        byte[] stats = bmp(1, ADJ_RIB_IN, u32(3),
                concat(u16(1), u16(4), u32(17)),
                concat(u16(7), u16(8), hex("0000000100000000")),
                concat(u16(9), u16(11), u16(2), u8(1), hex("0000000000000005")));

        BmpMessage.StatisticsReport report = (BmpMessage.StatisticsReport) new BmpSession().decode(buffer(stats));

        assertThat(report.counters()).containsExactly(
                new StatCounter(1, 17, null), new StatCounter(7, 1L << 32, null), new StatCounter(9, 5, AfiSafi.IPV6_UNICAST));
    }

    @Test
    void peerDownCarriesTheNotificationOrTheFsmEvent() throws BmpDecodeException {
        BmpSession session = new BmpSession();
        BmpMessage.PeerDown byNotification = (BmpMessage.PeerDown) session.decode(buffer(
                bmp(2, ADJ_RIB_IN, u8(1), BmpBytes.bgp(3, hex("0604")))));
        BmpMessage.PeerDown byFsm = (BmpMessage.PeerDown) session.decode(buffer(bmp(2, ADJ_RIB_IN, u8(2), u16(18))));

        assertThat(byNotification.notification()).isEqualTo(new BgpNotification(6, 4, new byte[0]));
        assertThat(byFsm.fsmEvent()).isEqualTo(18);
        assertThat(byFsm.notification()).isNull();
    }

    @Test
    void aBmpV4StatelessParsingTlvEnablesAddPathForThatMessageOnly() throws BmpDecodeException {
        byte[] stateless = concat(u16(1), u16(6), u16(0), BmpBytes.addPathCapability(2, 1, 1));
        byte[] pduWithIds = ipv6UpdateWithPathIds();
        byte[] v4WithTlv = bmp(4, 0, ADJ_RIB_IN, stateless,
                concat(u16(3), u16(6), u16(0), "global".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                concat(u16(4), u16(pduWithIds.length), u16(0), pduWithIds));
        byte[] pduWithoutIds = ipv6UpdateWithoutPathIds();
        byte[] v4WithoutTlv = bmp(4, 0, ADJ_RIB_IN, concat(u16(4), u16(pduWithoutIds.length), u16(0), pduWithoutIds));
        BmpSession session = new BmpSession();

        BmpMessage.RouteMonitoring first = (BmpMessage.RouteMonitoring) session.decode(buffer(v4WithTlv));
        BmpMessage.RouteMonitoring second = (BmpMessage.RouteMonitoring) session.decode(buffer(v4WithoutTlv));

        assertThat(first.tableName()).isEqualTo("global");
        assertThat(first.update().announced()).containsExactly(new Route(IpPrefix.parse("2001:db8:1::/48"), 9));
        assertThat(second.update().announced()).containsExactly(new Route(IpPrefix.parse("2001:db8:1::/48"), 0));
    }

    /** Loc-RIB (RFC 9069) per-peer header: peer type 3, F flag, no peer address. */
    private static final byte[] LOC_RIB = peerHeader(3, 0x80, "0.0.0.0", 65007, "192.0.2.7");

    /** A BMP TLV as it follows the BGP UPDATE: type, length, value. */
    private static byte[] tlv(int type, byte[] value) {
        return concat(u16(type), u16(value.length), value);
    }

    private static final byte[] IPV4_UPDATE = BmpBytes.update(NONE, concat(origin(0), attr(0x40, 2, segment(2, 4, 65007)),
            BmpBytes.nextHop("192.0.2.7")), concat(prefix("198.51.100.0/24"), prefix("203.0.113.0/24")));

    @Test
    void tlvsAfterTheBgpUpdateOfARouteMonitoringAreSkippedAndItsRoutesKept() throws BmpDecodeException {
        byte[] fourBytes = tlv(5, hex("00000001"));
        byte[] text = tlv(3, "global".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        BmpSession session = new BmpSession();

        BmpMessage.RouteMonitoring v3 = (BmpMessage.RouteMonitoring) session.decode(buffer(
                bmp(3, 0, ADJ_RIB_IN, IPV4_UPDATE, fourBytes)));
        BmpMessage.RouteMonitoring v4LocRib = (BmpMessage.RouteMonitoring) session.decode(buffer(
                bmp(4, 0, LOC_RIB, IPV4_UPDATE, fourBytes, text, tlv(9, NONE))));

        for (BmpMessage.RouteMonitoring rm : java.util.List.of(v3, v4LocRib)) {
            assertThat(rm.update().announced()).containsExactly(
                    new Route(IpPrefix.parse("198.51.100.0/24"), 0), new Route(IpPrefix.parse("203.0.113.0/24"), 0));
            assertThat(rm.update().attributes().asPath()).hasToString("65007");
        }
        assertThat(v4LocRib.peer().type()).isEqualTo(PerPeerHeader.PeerType.LOC_RIB);
    }

    @Test
    void aTlvAfterTheBgpUpdateThatOverrunsTheMessageIsADecodeError() {
        byte[] overrun = concat(u16(5), u16(8), hex("00000001")); // says 8 bytes of value, has 4
        assertThatThrownBy(() -> new BmpSession().decode(buffer(bmp(3, 0, ADJ_RIB_IN, IPV4_UPDATE, overrun))))
                .isInstanceOf(BmpDecodeException.class).hasMessageContaining("TLV after the BGP UPDATE");
        assertThatThrownBy(() -> new BmpSession().decode(buffer(bmp(3, 0, ADJ_RIB_IN, IPV4_UPDATE, hex("0005")))))
                .as("not even a TLV header").isInstanceOf(BmpDecodeException.class).hasMessageContaining("TLV after the BGP UPDATE");
    }

    @Test
    void aBmpV4RouteMonitoringWithoutABgpPduIsADecodeError() {
        assertThatThrownBy(() -> new BmpSession().decode(buffer(bmp(4, 0, ADJ_RIB_IN, concat(u16(3), u16(1), u16(0), hex("41"))))))
                .isInstanceOf(BmpDecodeException.class).hasMessageContaining("without a BGP PDU");
    }

    @Test
    void sessionCountersAddUpSkippedFamiliesAndUnknownAttributes() throws BmpDecodeException {
        byte[] update = BmpBytes.update(NONE, concat(origin(0), attr(0xC0, 99, hex("00")),
                BmpBytes.mpReach(25, 70, BmpBytes.ip("192.0.2.1"), hex("0203 000000"))), NONE);
        BmpSession session = new BmpSession();

        session.decode(buffer(routeMonitoring(ADJ_RIB_IN, update)));
        session.decode(buffer(routeMonitoring(ADJ_RIB_IN, update)));

        assertThat(session.skippedNlriCount()).isEqualTo(2);
        assertThat(session.unknownAttributeCount()).isEqualTo(2);
    }
}
