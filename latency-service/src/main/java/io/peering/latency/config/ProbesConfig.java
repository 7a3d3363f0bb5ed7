package io.peering.latency.config;

import io.peering.latency.probe.ProbeProtocol;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Connectivity probes the service runs itself ({@code peering.probes.*}). */
@ConfigMapping(prefix = "peering.probes")
public interface ProbesConfig {

    /** The ranges a probe target must lie in (CIDR); anything else is refused at start-up. */
    @WithDefault("127.0.0.0/8,::1/128")
    List<String> allowedTargets();

    /** The probe endpoints by name ({@code peering.probes.endpoints.<name>.*}). */
    Map<String, Endpoint> endpoints();

    interface Endpoint {

        /** The peering (inventory name) the endpoint belongs to. */
        String peering();

        /** An IP address literal; never a host name. */
        String address();

        /** TCP (connect time) or ICMP (echo). */
        ProbeProtocol protocol();

        /** TCP only: the port to connect to. */
        Optional<Integer> port();

        /** How often it is probed. */
        @WithDefault("PT10S")
        Duration interval();

        /** How long a probe may take before it counts as failed. */
        @WithDefault("PT2S")
        Duration timeout();

        /**
         * TCP only: measure until the first byte the endpoint sends (a banner: SSH, SMTP, a BGP
         * OPEN) instead of until the connection is established.
         */
        @WithDefault("false")
        boolean awaitFirstByte();
    }
}
