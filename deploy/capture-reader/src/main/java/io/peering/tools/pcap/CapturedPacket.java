package io.peering.tools.pcap;

import java.time.Instant;

/**
 * One captured frame.
 *
 * @param number   0-based position of the packet in the capture
 * @param linkType link-layer header type (LINKTYPE_* value: 1 Ethernet, 101 raw IP, 113 SLL, ...)
 * @param time     capture time
 * @param data     captured bytes (possibly shorter than the original frame)
 */
public record CapturedPacket(int number, int linkType, Instant time, byte[] data) {
}
