package io.peering.tools.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads libpcap (both byte orders, microsecond and nanosecond magic) and pcapng (SHB, IDB, EPB, SPB;
 * both byte orders; per-interface link type and timestamp resolution) captures. A capture cut short
 * in its last record is read up to that record.
 */
public final class CaptureReader {
    private static final int PCAP_MICROS = 0xA1B2C3D4;
    private static final int PCAP_NANOS = 0xA1B23C4D;
    private static final int PCAPNG_SHB = 0x0A0D0D0A;
    private static final int PCAPNG_BOM = 0x1A2B3C4D;

    private CaptureReader() {
    }

    /** Reads a capture and reassembles its TCP streams. */
    public static List<TcpStream> readTcpStreams(Path file) throws IOException {
        return TcpReassembler.reassemble(readPackets(file));
    }

    public static List<CapturedPacket> readPackets(Path file) throws IOException {
        return readPackets(Files.readAllBytes(file));
    }

    public static List<CapturedPacket> readPackets(byte[] capture) throws CaptureFormatException {
        if (capture.length < 4) {
            throw new CaptureFormatException("file too short for a capture header");
        }
        ByteBuffer buf = ByteBuffer.wrap(capture).order(ByteOrder.BIG_ENDIAN);
        int magic = buf.getInt(0);
        if (magic == PCAPNG_SHB) {
            return readPcapng(buf);
        }
        return readPcap(buf);
    }

    private static List<CapturedPacket> readPcap(ByteBuffer buf) throws CaptureFormatException {
        int magic = buf.getInt(0);
        if (magic != PCAP_MICROS && magic != PCAP_NANOS) {
            buf.order(ByteOrder.LITTLE_ENDIAN);
            magic = buf.getInt(0);
            if (magic != PCAP_MICROS && magic != PCAP_NANOS) {
                throw new CaptureFormatException("not a pcap or pcapng file (magic " + Integer.toHexString(buf.order(ByteOrder.BIG_ENDIAN).getInt(0)) + ")");
            }
        }
        if (buf.limit() < 24) {
            throw new CaptureFormatException("pcap file header truncated");
        }
        boolean nanos = magic == PCAP_NANOS;
        int linkType = buf.getInt(20) & 0xFFFF;
        List<CapturedPacket> packets = new ArrayList<>();
        int p = 24;
        while (buf.limit() - p >= 16) {
            long seconds = buf.getInt(p) & 0xFFFF_FFFFL;
            long fraction = buf.getInt(p + 4) & 0xFFFF_FFFFL;
            long captured = buf.getInt(p + 8) & 0xFFFF_FFFFL;
            if (captured > buf.limit() - p - 16) {
                break; // last record cut short
            }
            byte[] data = Arrays.copyOfRange(buf.array(), p + 16, p + 16 + (int) captured);
            Instant time = Instant.ofEpochSecond(seconds, nanos ? fraction : fraction * 1000);
            packets.add(new CapturedPacket(packets.size(), linkType, time, data));
            p += 16 + (int) captured;
        }
        return packets;
    }

    private record Interface(int linkType, int snapLength, long unitsPerSecond, long offsetSeconds) {
    }

    private static List<CapturedPacket> readPcapng(ByteBuffer buf) throws CaptureFormatException {
        List<CapturedPacket> packets = new ArrayList<>();
        List<Interface> interfaces = new ArrayList<>();
        int p = 0;
        while (buf.limit() - p >= 12) {
            if (buf.getInt(p) == PCAPNG_SHB) { // the block type reads the same in both byte orders
                int bom = buf.getInt(p + 8);
                if (bom == PCAPNG_BOM) {
                    buf.order(ByteOrder.BIG_ENDIAN);
                } else if (Integer.reverseBytes(bom) == PCAPNG_BOM) {
                    buf.order(ByteOrder.LITTLE_ENDIAN);
                } else {
                    throw new CaptureFormatException("pcapng section header with bad byte-order magic");
                }
                interfaces.clear();
            }
            int type = buf.getInt(p);
            long total = buf.getInt(p + 4) & 0xFFFF_FFFFL;
            if (total < 12 || total % 4 != 0) {
                throw new CaptureFormatException("pcapng block length " + total + " at offset " + p);
            }
            if (total > buf.limit() - p) {
                break; // last block cut short
            }
            int body = p + 8;
            int bodyLength = (int) total - 12;
            switch (type) {
                case 1 -> interfaces.add(readInterface(buf, body, bodyLength));
                case 6 -> { // enhanced packet block
                    if (bodyLength < 20) {
                        throw new CaptureFormatException("pcapng enhanced packet block too short at offset " + p);
                    }
                    long id = buf.getInt(body) & 0xFFFF_FFFFL;
                    if (id >= interfaces.size()) {
                        throw new CaptureFormatException("pcapng packet refers to unknown interface " + id);
                    }
                    Interface itf = interfaces.get((int) id);
                    long ts = ((buf.getInt(body + 4) & 0xFFFF_FFFFL) << 32) | (buf.getInt(body + 8) & 0xFFFF_FFFFL);
                    long captured = buf.getInt(body + 12) & 0xFFFF_FFFFL;
                    if (captured > bodyLength - 20) {
                        throw new CaptureFormatException("pcapng packet data overruns its block at offset " + p);
                    }
                    byte[] data = Arrays.copyOfRange(buf.array(), body + 20, body + 20 + (int) captured);
                    packets.add(new CapturedPacket(packets.size(), itf.linkType(), time(itf, ts, p), data));
                }
                case 3 -> { // simple packet block: interface 0, no timestamp
                    if (interfaces.isEmpty() || bodyLength < 4) {
                        throw new CaptureFormatException("pcapng simple packet block without interface at offset " + p);
                    }
                    Interface itf = interfaces.get(0);
                    long original = buf.getInt(body) & 0xFFFF_FFFFL;
                    long captured = Math.min(original, bodyLength - 4);
                    if (itf.snapLength() > 0) {
                        captured = Math.min(captured, itf.snapLength());
                    }
                    byte[] data = Arrays.copyOfRange(buf.array(), body + 4, body + 4 + (int) captured);
                    packets.add(new CapturedPacket(packets.size(), itf.linkType(), Instant.EPOCH, data));
                }
                default -> { } // SHB handled above; statistics, name resolution, custom blocks: skipped
            }
            p += (int) total;
        }
        return packets;
    }

    private static Interface readInterface(ByteBuffer buf, int body, int bodyLength) throws CaptureFormatException {
        if (bodyLength < 8) {
            throw new CaptureFormatException("pcapng interface description block too short");
        }
        int linkType = buf.getShort(body) & 0xFFFF;
        int snapLength = buf.getInt(body + 4);
        long unitsPerSecond = 1_000_000;
        long offsetSeconds = 0;
        int o = body + 8;
        int end = body + bodyLength;
        while (end - o >= 4) {
            int code = buf.getShort(o) & 0xFFFF;
            int length = buf.getShort(o + 2) & 0xFFFF;
            if (code == 0 || length > end - o - 4) {
                break;
            }
            int value = o + 4;
            if (code == 9 && length >= 1) { // if_tsresol
                int r = buf.get(value) & 0xFF;
                int exponent = r & 0x7F;
                if ((r & 0x80) != 0) {
                    unitsPerSecond = exponent < 63 ? 1L << exponent : Long.MAX_VALUE;
                } else {
                    unitsPerSecond = exponent <= 18 ? pow10(exponent) : Long.MAX_VALUE;
                }
            } else if (code == 14 && length >= 8) { // if_tsoffset
                offsetSeconds = buf.getLong(value);
            }
            o = value + ((length + 3) & ~3);
        }
        return new Interface(linkType, snapLength, unitsPerSecond, offsetSeconds);
    }

    private static long pow10(int exponent) {
        long v = 1;
        for (int i = 0; i < exponent; i++) {
            v *= 10;
        }
        return v;
    }

    private static Instant time(Interface itf, long ts, int offset) throws CaptureFormatException {
        long units = itf.unitsPerSecond();
        long seconds = Long.divideUnsigned(ts, units);
        long rest = Long.remainderUnsigned(ts, units);
        long nanos = 1_000_000_000L % units == 0 ? rest * (1_000_000_000L / units)
                : (long) (rest * (1_000_000_000.0 / units));
        try {
            return Instant.ofEpochSecond(Math.addExact(seconds, itf.offsetSeconds()), nanos);
        } catch (ArithmeticException | java.time.DateTimeException e) {
            throw new CaptureFormatException("pcapng timestamp out of range at offset " + offset);
        }
    }
}
