package io.peering.latency.probe;

/** How an endpoint is probed. */
public enum ProbeProtocol {
    /** Time to establish a TCP connection (optionally until the endpoint's first byte). */
    TCP,
    /** Round-trip time of one ICMP echo, measured by the system's ping. */
    ICMP
}
