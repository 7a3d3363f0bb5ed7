package io.peering.latency.probe;

import io.peering.latency.config.ProbesConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The start-up check of the probe settings, on the real config mapping (no service started, nothing probed). */
class ProbeEndpointsTest {

    static final Set<String> PEERINGS = Set.of("contoso-ams", "fabrikam-lon");

    static ProbesConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withMapping(ProbesConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 100)).build()
                .getConfigMapping(ProbesConfig.class);
    }

    static Map<String, String> endpoint(String name, String address) {
        Map<String, String> p = new HashMap<>();
        p.put("peering.probes.endpoints." + name + ".peering", "contoso-ams");
        p.put("peering.probes.endpoints." + name + ".address", address);
        p.put("peering.probes.endpoints." + name + ".protocol", "TCP");
        p.put("peering.probes.endpoints." + name + ".port", "179");
        return p;
    }

    @Test
    void aTargetOutsideTheAllowedRangesIsRefusedNamingTheEndpointAndTheSetting() {
        assertThatThrownBy(() -> ProbeEndpoints.check(config(endpoint("doc-net", "192.0.2.1")), PEERINGS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("peering.probes.endpoints.doc-net.address 192.0.2.1")
                .hasMessageContaining("peering.probes.allowed-targets");
    }

    @Test
    void anUnknownPeeringIsRefusedNamingTheEndpointsPeeringSetting() {
        Map<String, String> p = endpoint("lost", "127.0.0.1");
        p.put("peering.probes.endpoints.lost.peering", "nowhere-xyz");
        assertThatThrownBy(() -> ProbeEndpoints.check(config(p), PEERINGS))
                .hasMessageContaining("peering.probes.endpoints.lost.peering")
                .hasMessageContaining("nowhere-xyz");
    }

    @Test
    void aHostNameIsRefusedAsAddress() {
        assertThatThrownBy(() -> ProbeEndpoints.check(config(endpoint("named", "localhost")), PEERINGS))
                .hasMessageContaining("peering.probes.endpoints.named.address: must be an IP address literal");
    }

    @Test
    void aTcpEndpointWithoutPortIsRefused() {
        Map<String, String> p = endpoint("noport", "127.0.0.1");
        p.remove("peering.probes.endpoints.noport.port");
        assertThatThrownBy(() -> ProbeEndpoints.check(config(p), PEERINGS))
                .hasMessageContaining("peering.probes.endpoints.noport.port is required");
    }

    @Test
    void loopbackTargetsAreAllowedByDefaultWithTheDefaultIntervalAndTimeout() {
        Map<String, String> p = endpoint("router", "127.0.0.1");
        p.put("peering.probes.endpoints.echo.peering", "fabrikam-lon");
        p.put("peering.probes.endpoints.echo.address", "::1");
        p.put("peering.probes.endpoints.echo.protocol", "ICMP");
        List<ProbeEndpoint> endpoints = ProbeEndpoints.check(config(p), PEERINGS);
        assertThat(endpoints).extracting(e -> e.name() + " " + e.peering() + " " + e.protocol() + " " + e.port() + " "
                        + e.interval() + " " + e.timeout())
                .containsExactly("echo fabrikam-lon ICMP 0 PT10S PT2S", "router contoso-ams TCP 179 PT10S PT2S");
    }

    @Test
    void aWidenedAllowedRangeAdmitsItsTargets() {
        Map<String, String> p = endpoint("doc-net", "192.0.2.1");
        p.put("peering.probes.allowed-targets", "192.0.2.0/24");
        assertThat(ProbeEndpoints.check(config(p), PEERINGS)).hasSize(1);
    }
}
