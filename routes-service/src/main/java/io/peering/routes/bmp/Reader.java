package io.peering.routes.bmp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked big-endian reader over a slice of bytes. Every read checks the remaining length
 * first and throws {@link BmpDecodeException}, so no decoder ever sees a buffer exception and no
 * allocation is sized from an unchecked length.
 */
final class Reader {
    private final ByteBuffer buf;

    Reader(ByteBuffer buf) {
        this.buf = buf.slice();
    }

    static Reader of(byte[] bytes) {
        return new Reader(ByteBuffer.wrap(bytes));
    }

    int remaining() {
        return buf.remaining();
    }

    boolean hasRemaining() {
        return buf.hasRemaining();
    }

    private void need(long n) throws BmpDecodeException {
        if (n < 0 || n > buf.remaining()) {
            throw new BmpDecodeException("truncated: need " + n + " bytes at offset " + buf.position()
                    + " but only " + buf.remaining() + " remain");
        }
    }

    int u8() throws BmpDecodeException {
        need(1);
        return buf.get() & 0xFF;
    }

    int peekU8() throws BmpDecodeException {
        need(1);
        return buf.get(buf.position()) & 0xFF;
    }

    int u16() throws BmpDecodeException {
        need(2);
        return buf.getShort() & 0xFFFF;
    }

    long u32() throws BmpDecodeException {
        need(4);
        return buf.getInt() & 0xFFFF_FFFFL;
    }

    long u64() throws BmpDecodeException {
        need(8);
        return buf.getLong();
    }

    byte[] bytes(int n) throws BmpDecodeException {
        need(n);
        byte[] out = new byte[n];
        buf.get(out);
        return out;
    }

    void skip(int n) throws BmpDecodeException {
        need(n);
        buf.position(buf.position() + n);
    }

    /** Consumes the next {@code n} bytes and returns a reader limited to them. */
    Reader sub(int n) throws BmpDecodeException {
        need(n);
        ByteBuffer slice = buf.slice();
        slice.limit(n);
        buf.position(buf.position() + n);
        return new Reader(slice);
    }

    /** A reader over the next {@code n} bytes, without consuming them. */
    Reader peek(int n) throws BmpDecodeException {
        need(n);
        ByteBuffer slice = buf.slice();
        slice.limit(n);
        return new Reader(slice);
    }

    /** Consumes everything left and returns it as a reader. */
    Reader rest() {
        Reader r = new Reader(buf.slice());
        buf.position(buf.limit());
        return r;
    }

    String utf8(int n) throws BmpDecodeException {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    Inet4Address ipv4() throws BmpDecodeException {
        return (Inet4Address) address(bytes(4));
    }

    Inet6Address ipv6() throws BmpDecodeException {
        return (Inet6Address) address(bytes(16));
    }

    /** Builds an address without DNS; 16 bytes always give an IPv6 address (even IPv4-mapped ones). */
    static InetAddress address(byte[] raw) {
        try {
            return raw.length == 16 ? Inet6Address.getByAddress(null, raw, -1) : InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, got " + raw.length, e);
        }
    }
}
