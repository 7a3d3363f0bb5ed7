package io.peering.routes.bmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.peering.support.net.IpAddresses;
import io.peering.support.testing.Fixtures;
import io.peering.tools.pcap.CaptureReader;
import io.peering.tools.pcap.TcpStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The short pcapng capture has no NetGauze JSON; these expectations were read off the bytes by hand
 * (four BMP connections from two IPv6-peered PEs carrying VPNv4 only).
 */
class PcapngCaptureTest {

    @Test
    void readsThePcapngCaptureAndDecodesAllFourSessions() throws Exception {
        List<TcpStream> streams = CaptureReader.readTcpStreams(Fixtures.file("netgauze/bmp.pcapng"));
        CaptureReplay.Result replay = CaptureReplay.replay(streams, CaptureReplay.ODD_CHUNKS);

        assertThat(streams).extracting(TcpStream::sourcePort).containsExactly(46077, 48173, 52226, 42031);
        assertThat(streams).allSatisfy(s -> assertThat(s.destinationPort()).isEqualTo(1790));
        assertThat(replay.errors()).isEmpty();
        assertThat(typesPerStream(replay, 0)).containsExactly("StatisticsReport", "PeerDown", "PeerUp", "RouteMonitoring", "RouteMonitoring");
        assertThat(typesPerStream(replay, 1)).containsExactly("StatisticsReport");
        assertThat(typesPerStream(replay, 2)).containsExactly("Initiation", "PeerUp", "RouteMonitoring", "PeerDown");
        assertThat(typesPerStream(replay, 3)).containsExactly("Initiation", "PeerUp");

        List<BmpMessage> first = messages(replay, 0);
        BmpMessage.PeerDown down = (BmpMessage.PeerDown) first.get(1);
        assertThat(down.reason()).isEqualTo(2);
        assertThat(down.fsmEvent()).isEqualTo(18);

        BmpMessage.PeerUp up = (BmpMessage.PeerUp) first.get(2);
        assertThat(IpAddresses.format(up.peer().address())).isEqualTo("fc00::3");
        assertThat(up.peer().asn()).isEqualTo(64512);
        assertThat(up.peer().ipv6()).isTrue();
        assertThat(IpAddresses.format(up.localAddress())).isEqualTo("fc00::1");
        assertThat(up.receivedOpen().multiprotocol()).containsExactly(new AfiSafi(1, 128));
        assertThat(up.receivedOpen().fourByteAsn()).isTrue();

        BmpMessage.RouteMonitoring vpn = (BmpMessage.RouteMonitoring) first.get(3);
        assertThat(vpn.update().skippedFamilies()).containsExactly(new AfiSafi(1, 128));
        assertThat(vpn.update().announced()).isEmpty();
        assertThat(vpn.update().attributes().localPref()).isEqualTo(100L);
        BmpMessage.RouteMonitoring endOfRib = (BmpMessage.RouteMonitoring) first.get(4);
        assertThat(endOfRib.update().endOfRib()).isEqualTo(new AfiSafi(1, 128));

        BmpMessage.Initiation init = (BmpMessage.Initiation) messages(replay, 2).get(0);
        assertThat(init.sysName()).isEqualTo("PE2");
        assertThat(init.sysDescr()).isEqualTo(" 7.4.1");
    }

    private static List<BmpMessage> messages(CaptureReplay.Result replay, int stream) {
        return replay.decoded().stream().filter(d -> d.stream() == stream).map(CaptureReplay.Decoded::message).toList();
    }

    private static List<String> typesPerStream(CaptureReplay.Result replay, int stream) {
        return messages(replay, stream).stream().map(m -> m.getClass().getSimpleName()).toList();
    }
}
