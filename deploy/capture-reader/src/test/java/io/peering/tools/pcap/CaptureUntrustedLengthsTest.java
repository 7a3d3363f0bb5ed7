package io.peering.tools.pcap;

import static io.peering.tools.pcap.Frames.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peering.support.testing.InputBudget;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Captured lengths, block lengths, option lengths and TCP sequence numbers come from the file, so none is
 * believed beyond the bytes at hand: a claim of 2^32 bytes ends the capture (or is a
 * {@link CaptureFormatException}) with an allocation the size of the file, and a sequence jump of 2^31 is a
 * gap, not a 2 GiB buffer. Allocation is measured on the second run, so class loading is not counted.
 */
class CaptureUntrustedLengthsTest {
    private static final long SMALL = 32 * 1024;
    private static final byte[] SEGMENT = Frames.tcp4("192.0.2.1", 40000, "192.0.2.2", 1790, 1, 0x18, "BMP!");

    @Test
    void aLibpcapCapturedLengthOf2To32MinusOneEndsTheCaptureWithoutReservingIt() throws Exception {
        byte[] good = Frames.pcap(ByteOrder.LITTLE_ENDIAN, false, 101, List.of(new Frames.Packet(1, 0, SEGMENT)));
        byte[] huge = ByteBuffer.allocate(16 + 8).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(2).putInt(0).putInt(0xFFFF_FFFF).putInt(0xFFFF_FFFF).array();
        byte[] file = concat(good, huge);

        assertThat(CaptureReader.readPackets(file)).hasSize(1);
        assertThat(allocatedOnSecondRun(() -> CaptureReader.readPackets(file))).isLessThan(SMALL);
    }

    @Test
    void aPcapngBlockLengthBeyondTheFileEndsTheCaptureWithoutReservingIt() throws Exception {
        ByteOrder order = ByteOrder.BIG_ENDIAN;
        byte[] header = concat(Frames.sectionHeader(order), Frames.interfaceDescription(order, 101, -1),
                Frames.enhancedPacket(order, 0, 1, SEGMENT));
        byte[] file = concat(header, ByteBuffer.allocate(12).putInt(6).putInt(0xFFFF_FFFC).putInt(0).array());

        assertThat(CaptureReader.readPackets(file)).hasSize(1);
        assertThat(allocatedOnSecondRun(() -> CaptureReader.readPackets(file))).isLessThan(SMALL);
    }

    @Test
    void aPcapngPacketLengthBeyondItsBlockIsAFormatError() throws Exception {
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        byte[] packet = Frames.enhancedPacket(order, 0, 1, SEGMENT);
        ByteBuffer.wrap(packet).order(order).putInt(8 + 12, 0xFFFF_FFFF); // captured length
        byte[] file = concat(Frames.sectionHeader(order), Frames.interfaceDescription(order, 101, -1), packet);

        assertThatThrownBy(() -> CaptureReader.readPackets(file))
                .isInstanceOf(CaptureFormatException.class)
                .hasMessageContaining("overruns its block");
    }

    @Test
    void aPcapngSimplePacketOriginalLengthOf2To32MinusOneIsCutToItsBlock() throws Exception {
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        byte[] packet = Frames.simplePacket(order, SEGMENT);
        ByteBuffer.wrap(packet).order(order).putInt(8, 0xFFFF_FFFF); // original length
        byte[] file = concat(Frames.sectionHeader(order), Frames.interfaceDescription(order, 101, -1), packet);

        List<CapturedPacket> packets = CaptureReader.readPackets(file);

        assertThat(packets).hasSize(1);
        assertThat(packets.get(0).data()).startsWith(SEGMENT);
        assertThat(allocatedOnSecondRun(() -> CaptureReader.readPackets(file))).isLessThan(SMALL);
    }

    @Test
    void aPcapngOptionLengthBeyondItsBlockEndsTheOptions() throws Exception {
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        byte[] description = Frames.interfaceDescription(order, 101, 9);
        ByteBuffer.wrap(description).order(order).putShort(8 + 8 + 2, (short) 0xFFFF); // if_tsresol's length
        byte[] file = concat(Frames.sectionHeader(order), description, Frames.enhancedPacket(order, 0, 1_500_000, SEGMENT));

        List<CapturedPacket> packets = CaptureReader.readPackets(file);

        assertThat(packets).hasSize(1);
        assertThat(packets.get(0).time()).as("resolution option ignored: microseconds").isEqualTo(Instant.ofEpochSecond(1, 500_000_000));
    }

    @Test
    void aSequenceJumpOf2To31IsAGapNotABuffer() throws Exception {
        List<CapturedPacket> packets = List.of(
                new CapturedPacket(0, 101, Instant.EPOCH, Frames.tcp4("192.0.2.1", 40000, "192.0.2.2", 1790, 1000, 0x18, "BMP!")),
                new CapturedPacket(1, 101, Instant.EPOCH,
                        Frames.tcp4("192.0.2.1", 40000, "192.0.2.2", 1790, 1000 + 0x7FFF_FFF0L, 0x18, "later")));

        List<TcpStream> streams = TcpReassembler.reassemble(packets);

        assertThat(streams).singleElement().satisfies(s -> {
            assertThat(s.payload()).asString().isEqualTo("BMP!");
            assertThat(s.gap()).isTrue();
        });
        assertThat(allocatedOnSecondRun(() -> TcpReassembler.reassemble(packets))).isLessThan(SMALL);
    }

    private static long allocatedOnSecondRun(InputBudget.Work work) throws Exception {
        work.run();
        return InputBudget.allocatedBy(work);
    }
}
