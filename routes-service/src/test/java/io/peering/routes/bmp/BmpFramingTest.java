package io.peering.routes.bmp;

import static io.peering.routes.bmp.BmpBytes.bmp;
import static io.peering.routes.bmp.BmpBytes.concat;
import static io.peering.routes.bmp.BmpBytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Message boundaries in a byte stream that arrives in arbitrary pieces. */
class BmpFramingTest {
    private static final byte[] INITIATION = bmp(4, hex("0002 0003 504532"), hex("0001 0005 372e342e31"));
    private static final byte[] TERMINATION = bmp(5, hex("0001 0002 0000"));

    @Test
    void lengthIsUnknownUntilTheHeaderIsComplete() throws BmpFramingException {
        for (int n = 0; n < BmpFraming.HEADER_LENGTH; n++) {
            assertThat(BmpFraming.messageLength(ByteBuffer.wrap(INITIATION, 0, n))).as("%d bytes", n).isEqualTo(-1);
        }
    }

    @Test
    void lengthIsMinusOneUntilTheWholeMessageIsThereAndThePositionNeverMoves() throws BmpFramingException {
        ByteBuffer partial = ByteBuffer.wrap(INITIATION, 0, INITIATION.length - 1);
        ByteBuffer whole = ByteBuffer.wrap(concat(INITIATION, TERMINATION));

        assertThat(BmpFraming.messageLength(partial)).isEqualTo(-1);
        assertThat(BmpFraming.messageLength(whole)).isEqualTo(INITIATION.length);
        assertThat(whole.position()).isZero();
    }

    @Test
    void nextMessageSlicesMessagesOffABuffer() throws BmpFramingException {
        ByteBuffer stream = ByteBuffer.wrap(concat(INITIATION, TERMINATION, new byte[] {3, 0}));

        assertThat(BmpFraming.nextMessage(stream).remaining()).isEqualTo(INITIATION.length);
        assertThat(BmpFraming.nextMessage(stream).remaining()).isEqualTo(TERMINATION.length);
        assertThat(BmpFraming.nextMessage(stream)).isNull();
        assertThat(stream.remaining()).isEqualTo(2);
    }

    @Test
    void aBadVersionIsAFramingError() {
        for (int version : new int[] {0, 1, 2, 5, 255}) {
            byte[] msg = INITIATION.clone();
            msg[0] = (byte) version;
            assertThatThrownBy(() -> BmpFraming.messageLength(ByteBuffer.wrap(msg)))
                    .as("version %d", version)
                    .isInstanceOf(BmpFramingException.class)
                    .hasMessageContaining("version " + version);
        }
    }

    @Test
    void bmpVersion4IsAccepted() throws BmpFramingException {
        byte[] msg = INITIATION.clone();
        msg[0] = 4;
        assertThat(BmpFraming.messageLength(ByteBuffer.wrap(msg))).isEqualTo(msg.length);
    }

    @Test
    void impossibleLengthsAreFramingErrors() {
        assertThatThrownBy(() -> BmpFraming.messageLength(ByteBuffer.wrap(hex("03 00000005 04"))))
                .isInstanceOf(BmpFramingException.class).hasMessageContaining("below");
        assertThatThrownBy(() -> BmpFraming.messageLength(ByteBuffer.wrap(hex("03 00100001 00"))))
                .isInstanceOf(BmpFramingException.class).hasMessageContaining("exceeds");
        assertThatThrownBy(() -> BmpFraming.messageLength(ByteBuffer.wrap(hex("03 ffffffff 00"))))
                .isInstanceOf(BmpFramingException.class);
    }

    @Test
    void aMessageOfExactlyTheMaximumLengthIsAccepted() throws BmpFramingException {
        byte[] msg = new byte[BmpFraming.MAX_MESSAGE_LENGTH];
        msg[0] = 3;
        ByteBuffer.wrap(msg).putInt(1, BmpFraming.MAX_MESSAGE_LENGTH);
        assertThat(BmpFraming.messageLength(ByteBuffer.wrap(msg))).isEqualTo(BmpFraming.MAX_MESSAGE_LENGTH);
    }

    @Test
    void theFrameBufferReassemblesMessagesFedOneByteAtATime() throws BmpFramingException {
        byte[] stream = concat(INITIATION, TERMINATION, INITIATION);
        BmpFrameBuffer buffer = new BmpFrameBuffer();
        List<Integer> lengths = new ArrayList<>();
        for (byte b : stream) {
            buffer.append(new byte[] {b}, 0, 1);
            for (ByteBuffer m; (m = buffer.next()) != null; ) {
                lengths.add(m.remaining());
            }
        }
        assertThat(lengths).containsExactly(INITIATION.length, TERMINATION.length, INITIATION.length);
        assertThat(buffer.buffered()).isZero();
    }

    @Test
    void theFrameBufferHandlesMessagesLargerThanItsInitialCapacity() throws BmpFramingException {
        byte[] big = bmp(4, hex("0000 ffff"), new byte[0xFFFF], hex("0000 ffff"), new byte[0xFFFF]);
        BmpFrameBuffer buffer = new BmpFrameBuffer();
        buffer.append(ByteBuffer.wrap(big, 0, 70_000));
        assertThat(buffer.next()).isNull();
        buffer.append(ByteBuffer.wrap(big, 70_000, big.length - 70_000));
        assertThat(buffer.next().remaining()).isEqualTo(big.length);
    }

    @Test
    void afterAFramingErrorTheFrameBufferKeepsFailing() {
        BmpFrameBuffer buffer = new BmpFrameBuffer();
        buffer.append(hex("07 00000010 00"), 0, 6);
        assertThatThrownBy(buffer::next).isInstanceOf(BmpFramingException.class);
        assertThatThrownBy(buffer::next).isInstanceOf(BmpFramingException.class);
    }
}
