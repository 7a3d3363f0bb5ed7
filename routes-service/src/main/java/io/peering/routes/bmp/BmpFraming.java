package io.peering.routes.bmp;

import java.nio.ByteBuffer;

/**
 * Finds BMP message boundaries in a byte stream using the common header: version (1 byte),
 * message length (4 bytes, includes the header), message type (1 byte).
 */
public final class BmpFraming {
    /** Common header length: version, length, type. */
    public static final int HEADER_LENGTH = 6;
    /** Largest message accepted (1 MiB); anything longer is taken as a broken stream. */
    public static final int MAX_MESSAGE_LENGTH = 1 << 20;

    private BmpFraming() {
    }

    /**
     * Length of the message starting at {@code buf.position()}, or -1 when fewer than
     * {@link #HEADER_LENGTH} bytes or fewer than the whole message are available. Does not move the
     * buffer's position.
     *
     * @throws BmpFramingException version is neither 3 (RFC 7854) nor 4 (draft-ietf-grow-bmp-tlv),
     *                             or the length is below 6 or above {@link #MAX_MESSAGE_LENGTH}
     */
    public static int messageLength(ByteBuffer buf) throws BmpFramingException {
        if (buf.remaining() < HEADER_LENGTH) {
            return -1;
        }
        int p = buf.position();
        int version = buf.get(p) & 0xFF;
        long length = buf.getInt(p + 1) & 0xFFFF_FFFFL;
        check(version, length);
        return buf.remaining() < length ? -1 : (int) length;
    }

    /**
     * Takes the next complete message off {@code buf} (advancing its position) and returns it as a
     * read-only slice, or {@code null} when the message is not complete yet.
     */
    public static ByteBuffer nextMessage(ByteBuffer buf) throws BmpFramingException {
        int length = messageLength(buf);
        if (length < 0) {
            return null;
        }
        ByteBuffer msg = buf.slice();
        msg.limit(length);
        buf.position(buf.position() + length);
        return msg.asReadOnlyBuffer();
    }

    static void check(int version, long length) throws BmpFramingException {
        if (version != 3 && version != 4) {
            throw new BmpFramingException("unsupported BMP version " + version);
        }
        if (length < HEADER_LENGTH) {
            throw new BmpFramingException("BMP message length " + length + " is below the header length");
        }
        if (length > MAX_MESSAGE_LENGTH) {
            throw new BmpFramingException("BMP message length " + length + " exceeds " + MAX_MESSAGE_LENGTH);
        }
    }
}
