package io.peering.support.inventory;

import io.peering.support.net.IpAddresses;
import io.peering.support.net.IpPrefix;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The inventory, validated once at start-up (a service with a broken inventory does not start,
 * and says which entry is wrong), with the look-ups the services need.
 */
@Startup
@ApplicationScoped
public class InventoryIndex {

    /** A connection with the peering it belongs to. */
    public record ConnectionRef(Inventory.Peering peering, Inventory.Connection connection) {
        /** {@code peerings/{peering}/connections/{connection}} */
        public String resourceName() {
            return "peerings/" + peering.name() + "/connections/" + connection.name();
        }
    }

    /** A registered prefix with the peering it belongs to. */
    public record RegisteredPrefixRef(Inventory.Peering peering, Inventory.RegisteredPrefix registeredPrefix) {
        /** {@code peerings/{peering}/registeredPrefixes/{registered_prefix}} */
        public String resourceName() {
            return "peerings/" + peering.name() + "/registeredPrefixes/" + registeredPrefix.name();
        }
    }

    private final Map<String, Inventory.Peering> peerings = new LinkedHashMap<>();
    private final Map<String, ConnectionRef> connections = new LinkedHashMap<>();
    private final Map<InetAddress, ConnectionRef> bySessionAddress = new HashMap<>();
    private final Map<String, Inventory.PeeringService> peeringServices = new LinkedHashMap<>();

    public InventoryIndex(Inventory inventory) {
        List<String> errors = new ArrayList<>();
        for (Inventory.Peering p : inventory.peerings()) {
            if (peerings.putIfAbsent(p.name(), p) != null) {
                errors.add("peering '" + p.name() + "' is defined twice");
            }
            checkAsn(errors, "peerings/" + p.name() + " peer-asn", p.peerAsn());
            Set<String> names = new HashSet<>();
            for (Inventory.RegisteredAsn a : p.registeredAsns().orElse(List.of())) {
                checkAsn(errors, "peerings/" + p.name() + "/registeredAsns/" + a.name(), a.asn());
                if (!names.add("asn/" + a.name())) {
                    errors.add("peerings/" + p.name() + ": registered ASN '" + a.name() + "' is defined twice");
                }
            }
            for (Inventory.RegisteredPrefix rp : p.registeredPrefixes().orElse(List.of())) {
                checkPrefix(errors, "peerings/" + p.name() + "/registeredPrefixes/" + rp.name(), rp.prefix());
                if (!names.add("prefix/" + rp.name())) {
                    errors.add("peerings/" + p.name() + ": registered prefix '" + rp.name() + "' is defined twice");
                }
            }
            for (Inventory.Connection c : p.connections()) {
                ConnectionRef ref = new ConnectionRef(p, c);
                if (connections.putIfAbsent(ref.resourceName(), ref) != null) {
                    errors.add(ref.resourceName() + " is defined twice");
                }
                for (String address : c.sessionAddresses()) {
                    try {
                        ConnectionRef other = bySessionAddress.putIfAbsent(IpAddresses.parse(address), ref);
                        if (other != null) {
                            errors.add("session address " + address + " is used by both " + other.resourceName()
                                    + " and " + ref.resourceName());
                        }
                    } catch (IllegalArgumentException e) {
                        errors.add(ref.resourceName() + " session-addresses: " + e.getMessage());
                    }
                }
            }
        }
        for (Inventory.PeeringService s : inventory.peeringServices().orElse(List.of())) {
            String name = "peeringServices/" + s.name();
            if (peeringServices.putIfAbsent(s.name(), s) != null) {
                errors.add(name + " is defined twice");
            }
            if (!connections.containsKey("peerings/" + s.peering() + "/connections/" + s.primaryConnection())) {
                errors.add(name + ": primary-connection '" + s.primaryConnection() + "' is not a connection of peering '"
                        + s.peering() + "'");
            }
            s.backupConnection().ifPresent(backup -> {
                if (!connections.containsKey("peerings/" + s.peering() + "/connections/" + backup)) {
                    errors.add(name + ": backup-connection '" + backup + "' is not a connection of peering '"
                            + s.peering() + "'");
                }
            });
            for (String prefix : s.prefixes()) {
                checkPrefix(errors, name + " prefixes", prefix);
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("The inventory is invalid:\n  - " + String.join("\n  - ", errors));
        }
    }

    private static void checkAsn(List<String> errors, String where, long asn) {
        if (asn <= 0 || asn > 0xFFFF_FFFFL) {
            errors.add(where + ": ASN " + asn + " is outside 1..4294967295");
        }
    }

    private static void checkPrefix(List<String> errors, String where, String prefix) {
        try {
            IpPrefix.parseAddressOrPrefix(prefix);
        } catch (IllegalArgumentException e) {
            errors.add(where + ": " + e.getMessage());
        }
    }

    public Optional<Inventory.Peering> peering(String name) {
        return Optional.ofNullable(peerings.get(name));
    }

    public List<Inventory.Peering> peerings() {
        return List.copyOf(peerings.values());
    }

    /** By resource name {@code peerings/{peering}/connections/{connection}}. */
    public Optional<ConnectionRef> connection(String resourceName) {
        return Optional.ofNullable(connections.get(resourceName));
    }

    public List<ConnectionRef> connectionsOf(String peeringName) {
        return connections.values().stream().filter(c -> c.peering().name().equals(peeringName)).toList();
    }

    /** The connection whose session addresses include the BGP peer's address. */
    public Optional<ConnectionRef> connectionBySessionAddress(InetAddress peerAddress) {
        return Optional.ofNullable(bySessionAddress.get(peerAddress));
    }

    /**
     * The ASNs whose routes are the peering's own: its peer ASN, then its registered ASNs (each once). A route
     * with another origin is not the peering's (a hijack or a customer not registered).
     */
    public static List<Long> ownAsns(Inventory.Peering peering) {
        List<Long> own = new ArrayList<>();
        own.add(peering.peerAsn());
        peering.registeredAsns().orElse(List.of()).forEach(a -> {
            if (!own.contains(a.asn())) {
                own.add(a.asn());
            }
        });
        return List.copyOf(own);
    }

    /** The registered prefixes of a peering, in inventory order. */
    public List<RegisteredPrefixRef> registeredPrefixesOf(Inventory.Peering peering) {
        return peering.registeredPrefixes().orElse(List.of()).stream().map(rp -> new RegisteredPrefixRef(peering, rp)).toList();
    }

    public Optional<Inventory.PeeringService> peeringService(String name) {
        return Optional.ofNullable(peeringServices.get(name));
    }

    public List<Inventory.PeeringService> peeringServices() {
        return List.copyOf(peeringServices.values());
    }
}
