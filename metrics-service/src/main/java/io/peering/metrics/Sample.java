package io.peering.metrics;

import java.time.Instant;

/**
 * One reading of a connection's interface counters. The counters are unsigned 64-bit values held
 * in a long (read them with {@link Long#toUnsignedString(long)}).
 *
 * @param sessionAddress canonical address text, or "" when the collector does not split by it
 */
public record Sample(String connection, String sessionAddress, Instant time, long inOctets, long outOctets,
                     long inDiscards, long outDiscards) {
}
