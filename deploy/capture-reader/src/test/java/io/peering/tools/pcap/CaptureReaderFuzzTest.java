package io.peering.tools.pcap;

import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.peering.support.testing.InputBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzz test (Jazzer) of the capture reader: any file handed to it is read as libpcap or
 * pcapng, its frames parsed to TCP segments and the segments reassembled into streams. For every input:
 * <ul>
 *   <li>nothing but {@link CaptureFormatException} comes out of reading, and nothing at all out of
 *       parsing and reassembly;</li>
 *   <li>the input is handled within {@link InputBudget}: no hang, allocation bounded by the file's size
 *       (a captured length of 2^32 must not be believed);</li>
 *   <li>frames and streams hold no more bytes than the file, packet numbers run in order, a stream has
 *       bytes or a gap, and its deliveries grow and end at its payload's end.</li>
 * </ul>
 * Seeds are the real captures (whole and cut to 4 KiB) plus small files in the variants they do not
 * have (big-endian, nanoseconds, pcapng simple packets, VLAN, SLL, SLL2, loopback, IPv6).
 */
class CaptureReaderFuzzTest {
    private static final InputBudget BUDGET = new InputBudget(256 * 1024, 2048);

    static Stream<Arguments> captureSeeds() {
        List<Arguments> seeds = new ArrayList<>();
        for (Path capture : realCaptures()) {
            try {
                byte[] bytes = Files.readAllBytes(capture);
                seeds.add(arguments(named(capture.getFileName().toString(), bytes)));
                if (bytes.length > 4096) {
                    seeds.add(arguments(named(capture.getFileName() + " first 4 KiB", Arrays.copyOf(bytes, 4096))));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        byte[] v4 = Frames.tcp4("192.0.2.1", 40000, "192.0.2.2", 1790, 1, 0x18, "BMP!");
        byte[] v6 = Frames.tcp6("2001:db8::1", 40001, "2001:db8::2", 1790, 7, 0x18, "v6");
        byte[] syn = Frames.tcp4("192.0.2.1", 40000, "192.0.2.2", 1790, 0, 0x02, "");
        seeds.add(arguments(named("libpcap big-endian nanoseconds, VLAN", Frames.pcap(ByteOrder.BIG_ENDIAN, true, 1, List.of(
                new Frames.Packet(1, 2, Frames.ethernet(syn, 0x8100)), new Frames.Packet(1, 3, Frames.ethernet(v4, 0x88A8, 0x8100)))))));
        seeds.add(arguments(named("libpcap SLL", Frames.pcap(ByteOrder.LITTLE_ENDIAN, false, 113, List.of(
                new Frames.Packet(1, 2, Frames.sll(v4)), new Frames.Packet(1, 3, Frames.sll(v6)))))));
        seeds.add(arguments(named("libpcap SLL2", Frames.pcap(ByteOrder.LITTLE_ENDIAN, false, 276, List.of(
                new Frames.Packet(1, 2, Frames.sll2(v6)))))));
        seeds.add(arguments(named("libpcap loopback", Frames.pcap(ByteOrder.LITTLE_ENDIAN, false, 0, List.of(
                new Frames.Packet(1, 2, Frames.loopback(2, v4)), new Frames.Packet(1, 3, Frames.loopback(30, v6)))))));
        for (ByteOrder order : List.of(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN)) {
            seeds.add(arguments(named("pcapng " + order, Frames.concat(
                    Frames.sectionHeader(order),
                    Frames.interfaceDescription(order, 1, -1),
                    Frames.interfaceDescription(order, 101, 9),
                    Frames.enhancedPacket(order, 0, 1_700_000_000_000_000L, Frames.ethernet(v4)),
                    Frames.enhancedPacket(order, 1, 1_700_000_000_000_000_000L, v6),
                    Frames.simplePacket(order, Frames.ethernet(syn))))));
        }
        return seeds.stream();
    }

    /** Any file a user hands to the replay tooling as a capture. */
    @MethodSource("captureSeeds")
    @FuzzTest(maxDuration = "10m")
    void anyFileReadsAndReassemblesWithinBounds(byte[] file) throws Exception {
        BUDGET.run(file, () -> readAndReassemble(file));
    }

    private static void readAndReassemble(byte[] file) {
        List<CapturedPacket> packets;
        try {
            packets = CaptureReader.readPackets(file);
        } catch (CaptureFormatException e) {
            return; // not a capture: the user is told so
        }
        long frameBytes = 0;
        for (int i = 0; i < packets.size(); i++) {
            CapturedPacket p = packets.get(i);
            check(p.number() == i, "packet " + i + " numbered " + p.number());
            check(p.time() != null && p.data() != null, "packet without time or data");
            frameBytes += p.data().length;
        }
        // each libpcap record has a 16-byte header, each pcapng packet block at least 16 bytes of framing
        check((long) packets.size() * 16 + frameBytes <= file.length, packets.size() + " packets with " + frameBytes
                + " bytes from a " + file.length + "-byte file");

        List<TcpStream> streams = TcpReassembler.reassemble(packets);
        long streamBytes = 0;
        for (TcpStream s : streams) {
            check(s.payload().length > 0 || s.gap(), "stream with neither data nor a gap: " + s);
            check(s.deliveries().isEmpty() == (s.payload().length == 0), "deliveries disagree with the payload: " + s);
            int end = 0;
            for (TcpStream.Delivery d : s.deliveries()) {
                check(d.end() > end, "deliveries do not grow: " + end + " then " + d.end());
                check(d.packetNumber() >= 0 && d.packetNumber() < packets.size(), "delivery from packet " + d.packetNumber());
                end = d.end();
            }
            check(end == s.payload().length, "deliveries end at " + end + " but the payload has " + s.payload().length);
            check(!s.toString().isEmpty(), "empty toString");
            streamBytes += s.payload().length;
        }
        check(streamBytes <= frameBytes, streamBytes + " stream bytes from " + frameBytes + " frame bytes");
    }

    private static List<Path> realCaptures() {
        Path dir = io.peering.support.testing.Fixtures.find();
        if (dir == null) {
            System.err.println("CaptureReaderFuzzTest: shared/fixtures/bmp is absent; replaying committed inputs only");
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }
}
