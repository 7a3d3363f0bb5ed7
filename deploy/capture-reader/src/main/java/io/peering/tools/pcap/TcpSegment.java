package io.peering.tools.pcap;

import java.net.InetAddress;
import java.time.Instant;

/** A TCP segment taken out of a captured packet. {@code flags} holds the TCP flag bits (SYN = 0x02, ...). */
public record TcpSegment(int packetNumber, Instant time, InetAddress source, int sourcePort,
                         InetAddress destination, int destinationPort, long sequence, int flags, byte[] payload) {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;

    public boolean syn() {
        return (flags & SYN) != 0;
    }
}
