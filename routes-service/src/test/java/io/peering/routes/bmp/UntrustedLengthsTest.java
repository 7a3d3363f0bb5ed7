package io.peering.routes.bmp;

import static io.peering.routes.bmp.BmpBytes.attr;
import static io.peering.routes.bmp.BmpBytes.bgp;
import static io.peering.routes.bmp.BmpBytes.bmp;
import static io.peering.routes.bmp.BmpBytes.concat;
import static io.peering.routes.bmp.BmpBytes.globalPeer;
import static io.peering.routes.bmp.BmpBytes.ip;
import static io.peering.routes.bmp.BmpBytes.routeMonitoring;
import static io.peering.routes.bmp.BmpBytes.u16;
import static io.peering.routes.bmp.BmpBytes.u32;
import static io.peering.routes.bmp.BmpBytes.u8;
import static io.peering.routes.bmp.BmpBytes.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peering.support.testing.InputBudget;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Every length and count field of BMP and BGP is read from the wire, so none is believed beyond the bytes
 * at hand: a field claiming 2^32 bytes (or 2^32 entries) must end in a {@link BmpDecodeException} with an
 * allocation the size of the input, not of the claim. The fuzz tests cannot see an allocation that does not
 * fail; these tests measure what the decoding thread allocates (second run, so class loading is not counted).
 *
 * <p>Audit of the allocations sized from input (see FUZZING.md): {@link BmpFrameBuffer#next} copies a message
 * only once all of it is buffered (and never over {@link BmpFraming#MAX_MESSAGE_LENGTH}); its buffer grows
 * with the bytes appended; {@code Reader.bytes/sub/utf8} check the remaining length first; AS_PATH segments
 * size their list from a one-byte count already checked against the bytes left.
 */
class UntrustedLengthsTest {
    /** Far below any length a bug would allocate (1 MiB frames, 64 KiB PDUs, 4 GiB claims). */
    private static final long SMALL = 32 * 1024;

    private static final byte[] PEER = globalPeer("192.0.2.2", 64_500);

    @Test
    void aBmpLengthOf2To32MinusOneBreaksFramingWithoutReservingIt() throws Exception {
        byte[] header = concat(u8(3), u32(0xFFFF_FFFFL), u8(0));

        assertThatThrownBy(() -> BmpFraming.messageLength(ByteBuffer.wrap(header))).isInstanceOf(BmpFramingException.class);
        assertThatThrownBy(() -> new BmpSession().decode(ByteBuffer.wrap(header))).isInstanceOf(BmpFramingException.class);
        assertThat(allocatedOnSecondRun(() -> {
            BmpFrameBuffer buffer = new BmpFrameBuffer();
            buffer.append(header, 0, header.length);
            try {
                buffer.next();
            } catch (BmpFramingException expected) {
                // the collector closes the connection
            }
        })).isLessThan(64 * 1024 + SMALL); // the frame buffer's own 64 KiB
    }

    @Test
    void aBmpLengthOfOneMebibyteWaitsForItsBytesWithoutReservingThem() throws Exception {
        byte[] header = concat(u8(3), u32(BmpFraming.MAX_MESSAGE_LENGTH), u8(0), PEER);
        BmpFrameBuffer buffer = new BmpFrameBuffer();

        long allocated = allocatedOnSecondRun(() -> {
            buffer.append(header, 0, header.length);
            assertThat(buffer.next()).isNull();
        });

        assertThat(allocated).isLessThan(SMALL);
        assertThat(buffer.buffered()).isEqualTo(2 * header.length);
    }

    @Test
    void aBgpLengthBeyondTheMessageIsADecodeErrorWithoutAllocatingIt() throws Exception {
        byte[] marker = new byte[16];
        Arrays.fill(marker, (byte) 0xFF);
        byte[] message = bmp(0, PEER, marker, u16(0xFFFF), u8(2), u16(0), u16(0));

        assertDecodeErrorWithSmallAllocation(message, "truncated");
    }

    @Test
    void anExtendedAttributeLengthBeyondTheUpdateIsADecodeError() throws Exception {
        byte[] attribute = concat(u8(0x50), u8(8), u16(0xFFFF), u32(0x0001_0002L));
        byte[] message = routeMonitoring(PEER, update(new byte[0], attribute, new byte[0]));

        assertDecodeErrorWithSmallAllocation(message, "truncated");
    }

    @Test
    void withdrawnAndAttributeLengthsBeyondTheUpdateAreDecodeErrors() throws Exception {
        assertDecodeErrorWithSmallAllocation(routeMonitoring(PEER, bgp(2, concat(u16(0xFFFF), u16(0)))), "truncated");
        assertDecodeErrorWithSmallAllocation(routeMonitoring(PEER, bgp(2, concat(u16(0), u16(0xFFFF), attr(0x40, 1, u8(0))))),
                "truncated");
    }

    @Test
    void aStatisticsCountOf2To32MinusOneStopsAtTheEndOfTheMessage() throws Exception {
        byte[] message = bmp(1, PEER, u32(0xFFFF_FFFFL), u16(7), u16(8), new byte[8], u16(0), u16(4), u32(5));

        long[] run = InputBudget.measure(() -> assertDecodeErrorWithSmallAllocation(message, "truncated"));

        assertThat(run[0]).as("nanoseconds: the count is not looped over").isLessThan(1_000_000_000L);
    }

    @Test
    void informationTlvLengthsBeyondTheMessageAreDecodeErrors() throws Exception {
        assertDecodeErrorWithSmallAllocation(bmp(4, u16(2), u16(0xFFFF), "router".getBytes()), "truncated");
        assertDecodeErrorWithSmallAllocation(bmp(5, u16(0), u16(0xFFFF), "bye".getBytes()), "truncated");
    }

    @Test
    void bmpV4TlvLengthsBeyondTheMessageAreDecodeErrors() throws Exception {
        byte[] message = bmp(4, 0, PEER, u16(4), u16(0xFFFF), u16(0), update(new byte[0], new byte[0], new byte[0]));

        assertDecodeErrorWithSmallAllocation(message, "truncated");
    }

    @Test
    void openParameterLengthsBeyondThePeerUpAreDecodeErrors() throws Exception {
        byte[] extendedParameters = bgp(1, concat(u8(4), u16(64_500), u16(90), ip("192.0.2.2"), u8(255), u8(255), u16(0xFFFF),
                u8(2), u16(6), u8(65), u8(4), u32(64_500)));
        byte[] capabilityBeyondParameter = bgp(1, concat(u8(4), u16(64_500), u16(90), ip("192.0.2.2"), u8(4),
                u8(2), u8(2), u8(69), u8(200)));

        assertDecodeErrorWithSmallAllocation(BmpBytes.peerUp(PEER, extendedParameters, extendedParameters), "truncated");
        assertDecodeErrorWithSmallAllocation(BmpBytes.peerUp(PEER, capabilityBeyondParameter, capabilityBeyondParameter),
                "truncated");
    }

    private static void assertDecodeErrorWithSmallAllocation(byte[] message, String reason) throws Exception {
        assertThatThrownBy(() -> new BmpSession().decode(ByteBuffer.wrap(message)))
                .isInstanceOf(BmpDecodeException.class)
                .isNotInstanceOf(BmpFramingException.class)
                .hasMessageContaining(reason);
        assertThat(allocatedOnSecondRun(() -> {
            try {
                new BmpSession().decode(ByteBuffer.wrap(message));
            } catch (BmpDecodeException expected) {
                // one message lost
            }
        })).as("bytes allocated decoding a %d-byte message", message.length).isLessThan(SMALL);
    }

    /** Bytes allocated by the second of two runs, so that loading and linking classes is not counted. */
    static long allocatedOnSecondRun(InputBudget.Work work) throws Exception {
        work.run();
        return InputBudget.allocatedBy(work);
    }
}
