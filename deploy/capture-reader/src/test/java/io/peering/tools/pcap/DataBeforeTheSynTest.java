package io.peering.tools.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A direction whose captured payload all lies before the stream's start (sequence numbers before the SYN's)
 * has nothing to deliver; like a direction without payload it is dropped, not returned as an empty stream
 * without deliveries. Found by {@link CaptureReaderFuzzTest}. A direction whose first bytes were lost keeps
 * its stream, empty, with the gap flag that says so.
 */
class DataBeforeTheSynTest {
    private static final int SYN = 0x02;
    private static final int PSH_ACK = 0x18;

    private final List<CapturedPacket> packets = new ArrayList<>();

    private void send(long seq, int flags, String payload) {
        packets.add(new CapturedPacket(packets.size(), 228, Instant.ofEpochSecond(1000 + packets.size()),
                Frames.tcp4("192.0.2.1", 40000, "192.0.2.2", 1790, seq, flags, payload)));
    }

    @Test
    void aDirectionWhoseDataAllPrecedesItsSynIsDropped() {
        send(0xFFF8, SYN, "");
        send(1, PSH_ACK, "BMP!");

        assertThat(TcpReassembler.reassemble(packets)).isEmpty();
    }

    @Test
    void aDirectionWhoseFirstBytesWereLostIsKeptEmptyWithAGap() {
        send(1000, SYN, "");
        send(1001 + 100, PSH_ACK, "later");

        assertThat(TcpReassembler.reassemble(packets)).singleElement().satisfies(s -> {
            assertThat(s.payload()).isEmpty();
            assertThat(s.deliveries()).isEmpty();
            assertThat(s.gap()).isTrue();
        });
    }

    @Test
    void theFuzzerFindingReadsAsNoStream() throws Exception {
        byte[] capture = Files.readAllBytes(Path.of(
                "src/test/resources/io/peering/tools/pcap/CaptureReaderFuzzTestInputs/anyFileReadsAndReassemblesWithinBounds/data-before-the-syn"));

        List<CapturedPacket> read = CaptureReader.readPackets(capture);

        assertThat(read).hasSize(2);
        assertThat(TcpReassembler.reassemble(read)).isEmpty();
    }
}
