package io.peering.tools.pcap;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

/**
 * One direction of one TCP connection, reassembled in sequence order.
 *
 * @param firstPacketTime time of the first packet of this direction (SYN or data)
 * @param payload         the in-order byte stream
 * @param deliveries      when the bytes became available in order, as a socket would have delivered
 *                        them: after capture packet {@code packetNumber}, {@code payload[0, end)} was readable
 * @param gap             true when a hole in the sequence space cut the stream short (captured bytes
 *                        after the hole are not in {@code payload})
 */
public record TcpStream(InetAddress sourceAddress, int sourcePort, InetAddress destinationAddress, int destinationPort,
                        Instant firstPacketTime, byte[] payload, List<Delivery> deliveries, boolean gap) {

    public TcpStream {
        deliveries = List.copyOf(deliveries);
    }

    /** After capture packet {@code packetNumber} the stream was readable up to {@code end} (exclusive). */
    public record Delivery(int packetNumber, Instant time, int end) {
    }

    @Override
    public String toString() {
        return "TcpStream[" + sourceAddress.getHostAddress() + "." + sourcePort + " > " + destinationAddress.getHostAddress()
                + "." + destinationPort + ", " + payload.length + " bytes" + (gap ? ", gap" : "") + "]";
    }
}
