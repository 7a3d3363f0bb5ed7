package io.peering.latency.probe;

import io.peering.latency.config.ProbesConfig;
import io.peering.support.net.IpAddresses;
import io.peering.support.net.IpPrefix;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The configured probe endpoints, checked: each target an address literal inside
 * {@code peering.probes.allowed-targets}, each peering in the inventory, TCP with a port. The
 * service refuses to start on the first endpoint that is not, with a message naming it and the setting.
 */
public final class ProbeEndpoints {

    static final String PREFIX = "peering.probes.endpoints.";
    static final String ALLOWED = "peering.probes.allowed-targets";

    private ProbeEndpoints() {
    }

    /** The endpoints by name (sorted), or an IllegalArgumentException saying what to fix. */
    public static List<ProbeEndpoint> check(ProbesConfig config, Set<String> peerings) {
        List<IpPrefix> allowed = new ArrayList<>();
        for (String range : config.allowedTargets()) {
            try {
                allowed.add(IpPrefix.parse(range.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(ALLOWED + ": " + e.getMessage());
            }
        }
        List<ProbeEndpoint> endpoints = new ArrayList<>();
        for (Map.Entry<String, ProbesConfig.Endpoint> e : new TreeMap<>(config.endpoints()).entrySet()) {
            endpoints.add(check(e.getKey(), e.getValue(), allowed, peerings));
        }
        return endpoints;
    }

    private static ProbeEndpoint check(String name, ProbesConfig.Endpoint e, List<IpPrefix> allowed, Set<String> peerings) {
        String key = PREFIX + name;
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException(key + ": a probe name may hold only letters, digits, '.', '_' and '-'");
        }
        if (!peerings.contains(e.peering())) {
            throw new IllegalArgumentException(key + ".peering: no peering \"" + e.peering() + "\" in the inventory; it has "
                    + peerings.stream().sorted().toList());
        }
        InetAddress address;
        try {
            address = IpAddresses.parse(e.address());
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(key + ".address: must be an IP address literal: " + ex.getMessage());
        }
        if (allowed.stream().noneMatch(range -> range.contains(IpPrefix.host(address)))) {
            throw new IllegalArgumentException(key + ".address " + IpAddresses.format(address) + " is outside " + ALLOWED + " "
                    + allowed + "; add its range there to allow probing it");
        }
        int port = 0;
        if (e.protocol() == ProbeProtocol.TCP) {
            port = e.port().orElseThrow(() -> new IllegalArgumentException(key + ".port is required for protocol TCP"));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(key + ".port must be 1..65535; got " + port);
            }
        } else if (e.port().isPresent() || e.awaitFirstByte()) {
            throw new IllegalArgumentException(key + ": port and await-first-byte apply to protocol TCP only");
        }
        requirePositive(key + ".interval", e.interval());
        requirePositive(key + ".timeout", e.timeout());
        if (e.timeout().compareTo(e.interval()) > 0) {
            throw new IllegalArgumentException(key + ".timeout " + e.timeout() + " must not exceed its interval " + e.interval());
        }
        return new ProbeEndpoint(name, e.peering(), address, e.protocol(), port, e.interval(), e.timeout(), e.awaitFirstByte());
    }

    private static void requirePositive(String key, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be positive; got " + d);
        }
    }
}
