package io.peering.latency.probe;

/** Probes an endpoint once by its protocol (blocking, at most its timeout plus process overhead). */
public final class Prober {

    private Prober() {
    }

    public static ProbeResult probe(ProbeEndpoint e) {
        return switch (e.protocol()) {
            case TCP -> TcpProbe.probe(e);
            case ICMP -> IcmpProbe.probe(e);
        };
    }
}
