package io.peering.tools.pcap;

import static io.peering.tools.pcap.Frames.concat;
import static io.peering.tools.pcap.Frames.tcp4;
import static io.peering.tools.pcap.Frames.tcp6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteOrder;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** libpcap and pcapng containers, link-layer headers and IP/TCP extraction. */
class CaptureReaderTest {
    private static final byte[] SEGMENT = tcp4("192.0.2.1", 40000, "192.0.2.2", 1790, 1, 0x18, "BMP!");

    static Stream<Arguments> pcapVariants() {
        return Stream.of(
                Arguments.of(ByteOrder.LITTLE_ENDIAN, false),
                Arguments.of(ByteOrder.BIG_ENDIAN, false),
                Arguments.of(ByteOrder.LITTLE_ENDIAN, true),
                Arguments.of(ByteOrder.BIG_ENDIAN, true));
    }

    @ParameterizedTest(name = "{0} nanoseconds={1}")
    @MethodSource("pcapVariants")
    void readsLibpcapInBothByteOrdersWithMicroOrNanosecondTimestamps(ByteOrder order, boolean nanos) throws Exception {
        byte[] file = Frames.pcap(order, nanos, 101, List.of(
                new Frames.Packet(1_700_000_000L, nanos ? 123_456_789 : 123_456, SEGMENT),
                new Frames.Packet(1_700_000_001L, 5, SEGMENT)));

        List<CapturedPacket> packets = CaptureReader.readPackets(file);

        assertThat(packets).hasSize(2);
        assertThat(packets.get(0).linkType()).isEqualTo(101);
        assertThat(packets.get(0).time()).isEqualTo(Instant.ofEpochSecond(1_700_000_000L, nanos ? 123_456_789 : 123_456_000));
        assertThat(packets.get(1).time()).isEqualTo(Instant.ofEpochSecond(1_700_000_001L, nanos ? 5 : 5_000));
        assertThat(packets.get(1).number()).isEqualTo(1);
        assertThat(packets.get(0).data()).isEqualTo(SEGMENT);
    }

    @Test
    void aLibpcapFileCutInItsLastRecordIsReadUpToThatRecord() throws Exception {
        byte[] file = Frames.pcap(ByteOrder.LITTLE_ENDIAN, false, 101, List.of(
                new Frames.Packet(1, 0, SEGMENT), new Frames.Packet(2, 0, SEGMENT)));

        assertThat(CaptureReader.readPackets(java.util.Arrays.copyOf(file, file.length - 3))).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("byteOrders")
    void readsPcapngWithPerInterfaceLinkTypesAndTimestampResolution(ByteOrder order) throws Exception {
        byte[] ethernet = Frames.ethernet(SEGMENT);
        byte[] raw6 = tcp6("2001:db8::1", 40001, "2001:db8::2", 1790, 1, 0x18, "v6");
        byte[] file = concat(
                Frames.sectionHeader(order),
                Frames.interfaceDescription(order, 1, -1), // Ethernet, microseconds
                Frames.interfaceDescription(order, 229, 9), // raw IPv6, nanoseconds
                Frames.enhancedPacket(order, 0, 1_700_000_000_123_456L, ethernet),
                Frames.block(order, 4, new byte[] {0, 0, 0, 0}), // name resolution block: skipped
                Frames.enhancedPacket(order, 1, 1_700_000_000_123_456_789L, raw6),
                Frames.simplePacket(order, ethernet));

        List<CapturedPacket> packets = CaptureReader.readPackets(file);

        assertThat(packets).extracting(CapturedPacket::linkType).containsExactly(1, 229, 1);
        assertThat(packets.get(0).time()).isEqualTo(Instant.ofEpochSecond(1_700_000_000L, 123_456_000));
        assertThat(packets.get(1).time()).isEqualTo(Instant.ofEpochSecond(1_700_000_000L, 123_456_789));
        assertThat(packets.get(1).data()).isEqualTo(raw6);
        assertThat(packets.get(2).data()).isEqualTo(ethernet);
        assertThat(PacketParser.parse(packets.get(1)).sourcePort()).isEqualTo(40001);
    }

    @Test
    void aSecondPcapngSectionMayChangeTheByteOrder() throws Exception {
        byte[] file = concat(
                Frames.sectionHeader(ByteOrder.BIG_ENDIAN), Frames.interfaceDescription(ByteOrder.BIG_ENDIAN, 101, -1),
                Frames.enhancedPacket(ByteOrder.BIG_ENDIAN, 0, 1, SEGMENT),
                Frames.sectionHeader(ByteOrder.LITTLE_ENDIAN), Frames.interfaceDescription(ByteOrder.LITTLE_ENDIAN, 228, -1),
                Frames.enhancedPacket(ByteOrder.LITTLE_ENDIAN, 0, 2, SEGMENT));

        assertThat(CaptureReader.readPackets(file)).extracting(CapturedPacket::linkType).containsExactly(101, 228);
    }

    static Stream<ByteOrder> byteOrders() {
        return Stream.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN);
    }

    static Stream<Arguments> linkLayers() {
        byte[] v4 = tcp4("192.0.2.1", 40000, "192.0.2.2", 1790, 1, 0x18, "BMP!");
        byte[] v6 = tcp6("2001:db8::1", 40000, "2001:db8::2", 1790, 1, 0x18, "BMP!");
        return Stream.of(
                Arguments.of("Ethernet IPv4", 1, Frames.ethernet(v4)),
                Arguments.of("Ethernet IPv6", 1, Frames.ethernet(v6)),
                Arguments.of("Ethernet 802.1Q", 1, Frames.ethernet(v4, 0x8100)),
                Arguments.of("Ethernet QinQ", 1, Frames.ethernet(v6, 0x88A8, 0x8100)),
                Arguments.of("raw IP (101) IPv4", 101, v4),
                Arguments.of("raw IP (101) IPv6", 101, v6),
                Arguments.of("IPv4 (228)", 228, v4),
                Arguments.of("IPv6 (229)", 229, v6),
                Arguments.of("Linux SLL IPv4", 113, Frames.sll(v4)),
                Arguments.of("Linux SLL2 IPv6", 276, Frames.sll2(v6)),
                Arguments.of("BSD loopback IPv4", 0, Frames.loopback(2, v4)),
                Arguments.of("BSD loopback IPv6", 0, Frames.loopback(30, v6)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("linkLayers")
    void extractsTcpFromEachLinkType(String name, int linkType, byte[] frame) {
        TcpSegment s = PacketParser.parse(new CapturedPacket(0, linkType, Instant.EPOCH, frame));

        assertThat(s).isNotNull();
        assertThat(s.sourcePort()).isEqualTo(40000);
        assertThat(s.destinationPort()).isEqualTo(1790);
        assertThat(s.sequence()).isEqualTo(1);
        assertThat(new String(s.payload(), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("BMP!");
    }

    @Test
    void ipv6ExtensionHeadersAreSkipped() {
        byte[] tcp = Frames.tcp(40000, 1790, 1, 0x18, "x".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        byte[] hopByHop = concat(new byte[] {6, 0, 0, 0, 0, 0, 0, 0}, tcp); // next header TCP, 8 bytes
        byte[] frame = Frames.ipv6("2001:db8::1", "2001:db8::2", 0, hopByHop);

        assertThat(PacketParser.parse(new CapturedPacket(0, 101, Instant.EPOCH, frame)).payload()).containsExactly('x');
    }

    @Test
    void fragmentsNonTcpAndTruncatedFramesAreIgnored() {
        byte[] tcp = Frames.tcp(40000, 1790, 1, 0x18, new byte[8]);
        byte[] fragment = Frames.ipv4("192.0.2.1", "192.0.2.2", 6, 0x2000, tcp); // more fragments
        byte[] udp = Frames.ipv4("192.0.2.1", "192.0.2.2", 17, 0, tcp);
        byte[] arp = concat(new byte[12], new byte[] {0x08, 0x06}, new byte[28]);

        assertThat(PacketParser.parse(new CapturedPacket(0, 101, Instant.EPOCH, fragment))).isNull();
        assertThat(PacketParser.parse(new CapturedPacket(0, 101, Instant.EPOCH, udp))).isNull();
        assertThat(PacketParser.parse(new CapturedPacket(0, 1, Instant.EPOCH, arp))).isNull();
        assertThat(PacketParser.parse(new CapturedPacket(0, 101, Instant.EPOCH, java.util.Arrays.copyOf(SEGMENT, 30)))).isNull();
        assertThat(PacketParser.parse(new CapturedPacket(0, 147, Instant.EPOCH, SEGMENT))).isNull();
    }

    @Test
    void notACaptureIsAFormatError() {
        assertThatThrownBy(() -> CaptureReader.readPackets("hello, world".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                .isInstanceOf(CaptureFormatException.class);
        assertThatThrownBy(() -> CaptureReader.readPackets(new byte[2])).isInstanceOf(CaptureFormatException.class);
    }

    @Test
    void damagedCaptureFilesOnlyRaiseCaptureFormatException() throws Exception {
        Random random = new Random(4711);
        byte[] pcap = Frames.pcap(ByteOrder.LITTLE_ENDIAN, false, 1, List.of(
                new Frames.Packet(1, 0, Frames.ethernet(SEGMENT)), new Frames.Packet(2, 0, Frames.ethernet(SEGMENT, 0x8100))));
        byte[] pcapng = concat(Frames.sectionHeader(ByteOrder.BIG_ENDIAN), Frames.interfaceDescription(ByteOrder.BIG_ENDIAN, 1, 9),
                Frames.enhancedPacket(ByteOrder.BIG_ENDIAN, 0, 99, Frames.ethernet(SEGMENT)),
                Frames.simplePacket(ByteOrder.BIG_ENDIAN, Frames.ethernet(SEGMENT)));
        for (int i = 0; i < 20_000; i++) {
            byte[] file = (i % 2 == 0 ? pcap : pcapng).clone();
            for (int k = 1 + random.nextInt(6); k > 0; k--) {
                file[random.nextInt(file.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                file = java.util.Arrays.copyOf(file, random.nextInt(file.length + 1));
            }
            try {
                TcpReassembler.reassemble(CaptureReader.readPackets(file));
            } catch (CaptureFormatException expected) {
                // fine: reported as a bad file
            }
        }
    }
}
