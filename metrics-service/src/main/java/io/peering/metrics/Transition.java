package io.peering.metrics;

import java.time.Instant;

/**
 * A BGP session state change of one session address of a connection.
 *
 * @param sessionAddress canonical address text (as {@link io.peering.support.net.IpAddresses} formats it)
 * @param family         1 IPv4, 2 IPv6 (AddressFamily)
 * @param state          SessionState number; 7 is Established
 */
public record Transition(String connection, String sessionAddress, short family, short state, Instant time,
                         String reason, String source) {

    public static final short ESTABLISHED = 7;
}
