package io.peering.routes.bmp;

import static io.peering.routes.bmp.BmpBytes.attr;
import static io.peering.routes.bmp.BmpBytes.concat;
import static io.peering.routes.bmp.BmpBytes.nextHop;
import static io.peering.routes.bmp.BmpBytes.origin;
import static io.peering.routes.bmp.BmpBytes.prefix;
import static io.peering.routes.bmp.BmpBytes.segment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * An AS path segment holds one or more ASNs (RFC 4271 4.3); a segment length of zero makes the AS_PATH
 * malformed (RFC 7606 7.2). Found by {@link BmpFuzzTest}: an empty AS_SET was accepted and the route stored
 * with the AS path {@code "{}"}, path length 1 and origin AS 0. Now the UPDATE is a decode error, like any
 * other malformed AS_PATH.
 */
class EmptyAsPathSegmentTest {
    private static final byte[] NONE = new byte[0];

    private static BgpUpdate decode(byte[] updatePdu) throws BmpDecodeException {
        return BgpDecoder.decodeUpdate(BgpDecoder.readPdu(Reader.of(updatePdu), BgpDecoder.UPDATE), true, Set.of());
    }

    private static byte[] updateWithAsPath(byte[] asPath) {
        return BmpBytes.update(NONE, concat(origin(0), attr(0x40, 2, asPath), nextHop("192.0.2.1")), prefix("198.51.100.0/24"));
    }

    @Test
    void anEmptyAsSetSegmentIsAMalformedAsPath() {
        byte[] update = updateWithAsPath(concat(segment(2, 4, 65001), segment(1, 4)));

        assertThatThrownBy(() -> decode(update)).isInstanceOf(BmpDecodeException.class).hasMessageContaining("malformed AS_PATH");
    }

    @Test
    void anEmptyAsSequenceSegmentIsAMalformedAsPath() {
        assertThatThrownBy(() -> decode(updateWithAsPath(segment(2, 4)))).isInstanceOf(BmpDecodeException.class)
                .hasMessageContaining("malformed AS_PATH");
        assertThatThrownBy(() -> decode(updateWithAsPath(concat(segment(2, 2), segment(2, 2, 65001)))))
                .isInstanceOf(BmpDecodeException.class).hasMessageContaining("malformed AS_PATH");
    }

    @Test
    void anEmptyAs4PathSegmentIsMalformed() {
        byte[] update = BmpBytes.update(NONE, concat(origin(0), attr(0x40, 2, segment(2, 2, 65001, 23456)),
                attr(0xC0, 17, segment(1, 4)), nextHop("192.0.2.1")), prefix("198.51.100.0/24"));

        assertThatThrownBy(() -> BgpDecoder.decodeUpdate(BgpDecoder.readPdu(Reader.of(update), BgpDecoder.UPDATE), false, Set.of()))
                .isInstanceOf(BmpDecodeException.class).hasMessageContaining("malformed AS4_PATH");
    }

    @Test
    void anEmptyAsPathAttributeIsStillAnEmptyPath() throws BmpDecodeException {
        BgpUpdate u = decode(updateWithAsPath(NONE));

        assertThat(u.attributes().asPath().segments()).isEmpty();
        assertThat(u.attributes().originAs()).isZero();
        assertThat(u.announced()).hasSize(1);
    }

    @Test
    void theFuzzerFindingIsADecodeErrorNow() throws Exception {
        Path input = Path.of("src/test/resources/io/peering/routes/bmp/BmpFuzzTestInputs/anyMessageAfterItsPeerUpDecodesWithinBounds/empty-as-set-segment");
        byte[] bytes = Files.readAllBytes(input);
        byte[] message = java.util.Arrays.copyOfRange(bytes, 1, bytes.length); // after the fuzz test's context byte
        ByteBuffer.wrap(message).putInt(1, message.length); // as the fuzz test (and framing) make it

        assertThatThrownBy(() -> new BmpSession().decode(ByteBuffer.wrap(message)))
                .isInstanceOf(BmpDecodeException.class).hasMessageContaining("malformed AS_PATH");
    }
}
