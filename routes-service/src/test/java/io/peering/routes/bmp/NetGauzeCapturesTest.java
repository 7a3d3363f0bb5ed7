package io.peering.routes.bmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.peering.support.net.IpAddresses;
import io.peering.routes.bmp.NetGauzeJson.Line;
import io.peering.support.testing.Fixtures;
import io.peering.tools.pcap.CaptureReader;
import io.peering.tools.pcap.TcpStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays every NetGauze capture (TCP reassembly, framing with split reads, one BmpSession per router
 * connection) and compares each decoded message with NetGauze's decode of the same bytes.
 */
class NetGauzeCapturesTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "peers-with-different-caps/example",
            "stateless-with-add-path/ipv4_unicast_all",
            "unreachable-prefix-announcement/upa",
            "path-status/ipv4_unicast_path_marking",
            "evpn/evpn",
            "vpnv4-stateless-with-withdraw/vpnv4-stateless-with-withdraw"})
    void everyMessageMatchesNetGauzeMessageByMessage(String capture) throws IOException {
        Path pcap = Fixtures.file("netgauze/" + capture + ".pcap");
        List<Line> expected = NetGauzeJson.read(Fixtures.file("netgauze/" + capture + "-bmp.json"));

        CaptureReplay.Result replay = CaptureReplay.replay(pcap);

        assertThat(replay.errors()).as("decode errors").isEmpty();
        List<BmpMessage> actual = replay.messages();
        assertThat(countByType(actual, BmpMessageNames::name))
                .as("messages per type")
                .isEqualTo(countByType(expected, Line::type));

        SoftAssertions softly = new SoftAssertions();
        for (int i = 0; i < expected.size(); i++) {
            Line line = expected.get(i);
            BmpMessage want = expectedMessage(line);
            // NetGauze keeps only the flags it knows (a Loc-RIB peer has just F), so flags are compared by meaning
            softly.assertThat(actual.get(i))
                    .as("message #%d (%s, line %d of the JSON)", i, line.type(), i + 1)
                    .usingRecursiveComparison()
                    .withStrictTypeChecking()
                    .ignoringFields("peer.flags")
                    .isEqualTo(want);
            softly.assertThat(peerFlags(actual.get(i)))
                    .as("peer flags of message #%d (%s)", i, line.type())
                    .isEqualTo(peerFlags(want));
        }
        softly.assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"evpn/evpn", "vpnv4-stateless-with-withdraw/vpnv4-stateless-with-withdraw"})
    void evpnAndVpnFamiliesAreSkippedAndCountedWhileTheSessionGoesOn(String capture) throws IOException {
        List<Line> expected = NetGauzeJson.read(Fixtures.file("netgauze/" + capture + "-bmp.json"));
        CaptureReplay.Result replay = CaptureReplay.replay(Fixtures.file("netgauze/" + capture + ".pcap"));

        long expectedSkips = expected.stream().filter(l -> l.type().equals("RouteMonitoring"))
                .mapToLong(l -> NetGauzeJson.routeMonitoring(l).update().skippedFamilies().size()).sum();
        long skipped = replay.sessions().stream().mapToLong(BmpSession::skippedNlriCount).sum();

        assertThat(skipped).as("NLRI blocks of unsupported families skipped").isPositive().isEqualTo(expectedSkips);
        assertThat(replay.errors()).isEmpty();
        assertThat(replay.messages()).as("every message up to the end of the capture").hasSameSizeAs(expected);
        assertThat(replay.messages().stream()
                .filter(m -> m instanceof BmpMessage.RouteMonitoring)
                .flatMap(m -> ((BmpMessage.RouteMonitoring) m).update().skippedFamilies().stream())
                .distinct())
                .as("skipped families")
                .isNotEmpty()
                .allMatch(f -> !f.isUnicastIp());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "netgauze/peers-with-different-caps/example.pcap",
            "netgauze/stateless-with-add-path/ipv4_unicast_all.pcap",
            "netgauze/unreachable-prefix-announcement/upa.pcap",
            "netgauze/path-status/ipv4_unicast_path_marking.pcap",
            "netgauze/evpn/evpn.pcap",
            "netgauze/vpnv4-stateless-with-withdraw/vpnv4-stateless-with-withdraw.pcap",
            "netgauze/bmp.pcapng"})
    void decodingDoesNotDependOnHowTheSocketSplitsTheBytes(String capture) throws IOException {
        var streams = CaptureReader.readTcpStreams(Fixtures.file(capture));

        CaptureReplay.Result byteByByte = CaptureReplay.replay(streams, new int[] {1});
        CaptureReplay.Result wholePackets = CaptureReplay.replay(streams, new int[] {Integer.MAX_VALUE});

        assertThat(byteByByte.messages()).isNotEmpty().isEqualTo(wholePackets.messages());
        assertThat(byteByByte.errors()).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void addPathFromPeerUpAppliesOnlyInTheNegotiatedDirection() throws IOException {
        CaptureReplay.Result replay = CaptureReplay.replay(Fixtures.file("netgauze/stateless-with-add-path/ipv4_unicast_all.pcap"));
        BmpMessage.PeerUp peer1 = replay.messages().stream()
                .filter(m -> m instanceof BmpMessage.PeerUp p && p.peer().address() != null
                        && "1.1.1.1".equals(IpAddresses.format(p.peer().address())))
                .map(BmpMessage.PeerUp.class::cast).findFirst().orElseThrow();

        // the router (sent OPEN) can only receive path ids for IPv4 unicast; the peer can send and receive
        assertThat(peer1.sentOpen().addPath()).contains(new BgpOpen.AddPath(AfiSafi.IPV4_UNICAST, false, true));
        assertThat(peer1.receivedOpen().addPath()).contains(new BgpOpen.AddPath(AfiSafi.IPV4_UNICAST, true, true));
        BmpSession.Negotiated negotiated = replay.sessions().get(0).negotiated(peer1.peer());
        assertThat(negotiated.addPathReceive()).contains(AfiSafi.IPV4_UNICAST);
        assertThat(negotiated.addPathSend()).doesNotContain(AfiSafi.IPV4_UNICAST);
        assertThat(negotiated.fourByteAsn()).isTrue();
    }

    static BmpMessage expectedMessage(Line line) {
        return switch (line.type()) {
            case "RouteMonitoring" -> NetGauzeJson.routeMonitoring(line);
            case "PeerUpNotification" -> NetGauzeJson.peerUp(line.body());
            case "PeerDownNotification" -> NetGauzeJson.peerDown(line.body());
            case "StatisticsReport" -> NetGauzeJson.statistics(line.body());
            case "Initiation" -> NetGauzeJson.initiation(line.body());
            default -> throw new IllegalArgumentException("no expectation for " + line.type());
        };
    }

    /** The per-peer header flags as named booleans, or "" for messages without a per-peer header. */
    static String peerFlags(BmpMessage m) {
        PerPeerHeader p = m instanceof BmpMessage.RouteMonitoring r ? r.peer()
                : m instanceof BmpMessage.PeerUp u ? u.peer()
                : m instanceof BmpMessage.PeerDown d ? d.peer()
                : m instanceof BmpMessage.StatisticsReport s ? s.peer() : null;
        return p == null ? "" : "V=" + p.ipv6() + " L=" + p.postPolicy() + " A=" + p.legacyAsPath()
                + " O=" + p.adjRibOut() + " F=" + p.locRibFiltered();
    }

    private static <T> Map<String, Long> countByType(List<T> items, Function<T, String> type) {
        return items.stream().collect(Collectors.groupingBy(type, TreeMap::new, Collectors.counting()));
    }

    /** NetGauze's message type names for our records, to compare counts per type. */
    static final class BmpMessageNames {
        static String name(BmpMessage m) {
            if (m instanceof BmpMessage.Unsupported u) {
                return "Unsupported(" + u.type() + ")";
            }
            return Map.of(BmpMessage.RouteMonitoring.class, "RouteMonitoring",
                    BmpMessage.PeerUp.class, "PeerUpNotification",
                    BmpMessage.PeerDown.class, "PeerDownNotification",
                    BmpMessage.StatisticsReport.class, "StatisticsReport",
                    BmpMessage.Initiation.class, "Initiation",
                    BmpMessage.Termination.class, "Termination").get(m.getClass());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "netgauze/peers-with-different-caps/example.pcap",
            "netgauze/stateless-with-add-path/ipv4_unicast_all.pcap",
            "netgauze/unreachable-prefix-announcement/upa.pcap",
            "netgauze/path-status/ipv4_unicast_path_marking.pcap",
            "netgauze/evpn/evpn.pcap",
            "netgauze/vpnv4-stateless-with-withdraw/vpnv4-stateless-with-withdraw.pcap",
            "netgauze/bmp.pcapng"})
    void everyFixtureCaptureReassemblesIntoWholeBmpMessages(String capture) throws Exception {
        List<TcpStream> streams = CaptureReader.readTcpStreams(Fixtures.file(capture));

        assertThat(streams).isNotEmpty();
        for (TcpStream s : streams) {
            assertThat(s.gap()).as("%s has a gap", s).isFalse();
            assertThat(s.deliveries().get(s.deliveries().size() - 1).end()).isEqualTo(s.payload().length);
            assertThat(endsOnAMessageBoundary(s.payload())).as("%s ends on a BMP message boundary", s).isTrue();
        }
    }

    private static boolean endsOnAMessageBoundary(byte[] payload) throws BmpFramingException {
        ByteBuffer buf = ByteBuffer.wrap(payload);
        while (BmpFraming.nextMessage(buf) != null) {
            // skip
        }
        return !buf.hasRemaining();
    }
}
