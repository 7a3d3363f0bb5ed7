package io.peering.latency.probe;

import java.net.InetAddress;
import java.time.Duration;

/** A checked probe endpoint: its target is an address inside the allowed ranges, and its peering exists. */
public record ProbeEndpoint(String name, String peering, InetAddress address, ProbeProtocol protocol, int port,
                            Duration interval, Duration timeout, boolean awaitFirstByte) {
}
