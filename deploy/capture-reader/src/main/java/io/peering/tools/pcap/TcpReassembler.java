package io.peering.tools.pcap;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reassembles each direction of each TCP connection in sequence-number order: retransmissions and
 * overlaps are dropped (first copy wins), out-of-order segments wait for the missing bytes, the SYN's
 * sequence number is skipped, and sequence numbers may wrap. A new SYN with another initial sequence
 * number on the same 4-tuple starts a new stream. Directions without payload are dropped, and so are
 * directions whose captured payload all lies before the stream's start (nothing to deliver, no gap).
 */
public final class TcpReassembler {

    private TcpReassembler() {
    }

    private record FlowKey(InetAddress source, int sourcePort, InetAddress destination, int destinationPort) {
    }

    private static final class Connection {
        final FlowKey key;
        final List<TcpSegment> segments = new ArrayList<>();
        Long initialSequence;
        boolean hasData;

        Connection(FlowKey key) {
            this.key = key;
        }
    }

    public static List<TcpStream> reassemble(List<CapturedPacket> packets) {
        Map<FlowKey, Connection> current = new HashMap<>();
        List<Connection> connections = new ArrayList<>();
        for (CapturedPacket packet : packets) {
            TcpSegment s = PacketParser.parse(packet);
            if (s == null) {
                continue;
            }
            FlowKey key = new FlowKey(s.source(), s.sourcePort(), s.destination(), s.destinationPort());
            Connection c = current.get(key);
            boolean newConnection = c == null || (s.syn() && (c.initialSequence != null
                    ? c.initialSequence != s.sequence() : c.hasData));
            if (newConnection) {
                c = new Connection(key);
                current.put(key, c);
                connections.add(c);
            }
            if (s.syn() && c.initialSequence == null) {
                c.initialSequence = s.sequence();
            }
            c.hasData |= s.payload().length > 0;
            c.segments.add(s);
        }
        List<TcpStream> streams = new ArrayList<>();
        for (Connection c : connections) {
            if (c.hasData) {
                TcpStream stream = assemble(c);
                if (stream.payload().length > 0 || stream.gap()) {
                    streams.add(stream);
                }
            }
        }
        return streams;
    }

    private static TcpStream assemble(Connection c) {
        long base = c.initialSequence != null ? c.initialSequence + 1 : lowestDataSequence(c.segments);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TreeMap<Long, byte[]> pending = new TreeMap<>();
        List<TcpStream.Delivery> deliveries = new ArrayList<>();
        long next = 0;
        for (TcpSegment s : c.segments) {
            byte[] data = s.payload();
            if (data.length == 0) {
                continue;
            }
            long start = (int) (s.sequence() + (s.syn() ? 1 : 0) - base); // signed 32-bit distance, handles wrap
            if (start + data.length <= next) {
                continue; // retransmission of bytes already delivered
            }
            byte[] existing = pending.get(start);
            if (existing == null || existing.length < data.length) {
                pending.put(start, data);
            }
            long before = next;
            while (!pending.isEmpty() && pending.firstKey() <= next) {
                Map.Entry<Long, byte[]> first = pending.pollFirstEntry();
                long from = next - first.getKey();
                if (from < first.getValue().length) {
                    out.write(first.getValue(), (int) from, first.getValue().length - (int) from);
                    next = first.getKey() + first.getValue().length;
                }
            }
            if (next > before) {
                deliveries.add(new TcpStream.Delivery(s.packetNumber(), s.time(), (int) next));
            }
        }
        FlowKey k = c.key;
        return new TcpStream(k.source(), k.sourcePort(), k.destination(), k.destinationPort(),
                c.segments.get(0).time(), out.toByteArray(), deliveries, !pending.isEmpty());
    }

    /** Without a SYN, the stream starts at the lowest sequence number seen (relative to the first data segment). */
    private static long lowestDataSequence(List<TcpSegment> segments) {
        Long reference = null;
        long lowest = 0;
        for (TcpSegment s : segments) {
            if (s.payload().length == 0) {
                continue;
            }
            if (reference == null) {
                reference = s.sequence();
            }
            lowest = Math.min(lowest, (int) (s.sequence() - reference));
        }
        return reference == null ? 0 : reference + lowest;
    }
}
