package io.peering.routes.bmp;

import java.nio.ByteBuffer;

/**
 * Accumulates bytes as a socket delivers them (any chunk sizes) and hands out complete BMP messages.
 * Not thread-safe; use one per router connection.
 *
 * <pre>{@code
 * buffer.append(bytesFromSocket, 0, n);
 * for (ByteBuffer msg; (msg = buffer.next()) != null; ) {
 *     try { handle(session.decode(msg)); } catch (BmpFramingException e) { throw e; } catch (BmpDecodeException e) { count(e); }
 * }
 * }</pre>
 * After a {@link BmpFramingException} the stream is unusable: {@link #next()} keeps throwing and the
 * caller must close the connection.
 */
public final class BmpFrameBuffer {
    private byte[] buf = new byte[64 * 1024];
    private int start;
    private int end;

    public void append(byte[] src, int offset, int length) {
        ensureSpace(length);
        System.arraycopy(src, offset, buf, end, length);
        end += length;
    }

    public void append(ByteBuffer src) {
        int length = src.remaining();
        ensureSpace(length);
        src.get(buf, end, length);
        end += length;
    }

    /** Bytes buffered but not yet returned as a message. */
    public int buffered() {
        return end - start;
    }

    /**
     * The next complete message as an independent buffer (a copy), or {@code null} when more bytes
     * are needed.
     *
     * @throws BmpFramingException the stream is broken; close the connection
     */
    public ByteBuffer next() throws BmpFramingException {
        ByteBuffer view = ByteBuffer.wrap(buf, start, end - start);
        int length = BmpFraming.messageLength(view);
        if (length < 0) {
            return null;
        }
        byte[] msg = new byte[length];
        System.arraycopy(buf, start, msg, 0, length);
        start += length;
        if (start == end) {
            start = 0;
            end = 0;
        }
        return ByteBuffer.wrap(msg);
    }

    private void ensureSpace(int length) {
        if (buf.length - end >= length) {
            return;
        }
        int used = end - start;
        long needed = (long) used + length;
        if (needed > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("BMP frame buffer overflow");
        }
        byte[] target = needed <= buf.length ? buf : new byte[(int) Math.max(needed, Math.min(2L * buf.length, Integer.MAX_VALUE - 16))];
        System.arraycopy(buf, start, target, 0, used);
        buf = target;
        start = 0;
        end = used;
    }
}
