/**
 * Reads captures for tests and tooling. Plain Java, no dependencies.
 *
 * <ul>
 *   <li>{@link io.peering.tools.pcap.CaptureReader#readTcpStreams(java.nio.file.Path)}: libpcap (both byte
 *       orders, micro/nanosecond) or pcapng (SHB, IDB, EPB, SPB) in, reassembled {@link io.peering.tools.pcap.TcpStream}s out.</li>
 *   <li>{@link io.peering.tools.pcap.CaptureReader#readPackets}: the raw frames;
 *       {@link io.peering.tools.pcap.PacketParser#parse}: frame to TCP segment (Ethernet/VLAN, raw IP, SLL, SLL2, loopback);
 *       {@link io.peering.tools.pcap.TcpReassembler#reassemble}: segments to in-order streams.</li>
 *   <li>Bad files raise {@link io.peering.tools.pcap.CaptureFormatException}; frames that are not TCP over IP are ignored.</li>
 * </ul>
 */
package io.peering.tools.pcap;
