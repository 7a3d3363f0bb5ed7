package io.peering.events.service;

import io.peering.events.Role;
import io.peering.support.auth.Caller;
import io.peering.support.inventory.Inventory;
import io.peering.support.inventory.InventoryIndex;
import io.peering.support.inventory.ResourceNames;
import io.peering.support.net.IpAddresses;
import io.peering.support.net.IpPrefix;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The peering services of the inventory as the feed needs them: which (service, prefix, role)
 * a route of a prefix received over a BGP peer address belongs to. A route belongs to a service
 * when its prefix EQUALS one of the service's prefixes (more-specifics are not the prefix being
 * announced) and its peer address is a session address of the service's primary or backup connection.
 */
@Singleton
public class ServicePrefixes {

    /** Where a route counts: a prefix of a service, over one of its connections. */
    public record Target(String peeringService, String peering, String prefix, Role role, String connection,
                         String primaryConnection, Optional<String> backupConnection) {
        /** The connection of the other role, if the service has one. */
        public Optional<String> otherConnection() {
            return role == Role.PRIMARY ? backupConnection : Optional.of(primaryConnection);
        }
    }

    private final InventoryIndex inventory;
    private final ResourceNames names;
    private final Map<String, List<Target>> byConnectionAndPrefix = new HashMap<>();
    private final Set<String> prefixes = new LinkedHashSet<>();

    public ServicePrefixes(InventoryIndex inventory, ResourceNames names) {
        this.inventory = inventory;
        this.names = names;
        for (Inventory.PeeringService s : inventory.peeringServices()) {
            String primary = "peerings/" + s.peering() + "/connections/" + s.primaryConnection();
            Optional<String> backup = s.backupConnection().map(b -> "peerings/" + s.peering() + "/connections/" + b);
            for (String p : s.prefixes()) {
                String prefix = IpPrefix.parseAddressOrPrefix(p).toString();
                prefixes.add(prefix);
                add(new Target("peeringServices/" + s.name(), "peerings/" + s.peering(), prefix, Role.PRIMARY, primary, primary, backup));
                backup.ifPresent(b -> add(new Target("peeringServices/" + s.name(), "peerings/" + s.peering(), prefix, Role.BACKUP,
                        b, primary, backup)));
            }
        }
    }

    private void add(Target t) {
        byConnectionAndPrefix.computeIfAbsent(t.connection() + " " + t.prefix(), k -> new ArrayList<>()).add(t);
    }

    /** Every prefix of every peering service, canonical (the feed's filter). */
    public List<String> allPrefixes() {
        return List.copyOf(prefixes);
    }

    /** Where a route of {@code prefix} from BGP peer {@code peerAddress} counts; empty when nowhere. */
    public List<Target> targets(String prefix, String peerAddress) {
        Optional<InventoryIndex.ConnectionRef> connection;
        String canonical;
        try {
            connection = inventory.connectionBySessionAddress(IpAddresses.parse(peerAddress));
            canonical = IpPrefix.parseAddressOrPrefix(prefix).toString();
        } catch (IllegalArgumentException e) {
            return List.of();
        }
        return connection.map(c -> byConnectionAndPrefix.getOrDefault(c.resourceName() + " " + canonical, List.of()))
                .orElse(List.of());
    }

    /**
     * "peeringServices/{name}" → the service ({@link ResourceNames}): INVALID_ARGUMENT or NOT_FOUND otherwise, and
     * PERMISSION_DENIED when the caller's token does not cover the service's peering.
     */
    public Inventory.PeeringService service(String resource) {
        return names.peeringService("parent", resource);
    }

    /**
     * "peerings/{name}" → the peering ({@link ResourceNames}): INVALID_ARGUMENT or NOT_FOUND otherwise, and
     * PERMISSION_DENIED when the caller's token does not cover it.
     */
    public Inventory.Peering peering(String resource) {
        return names.peering("parent", resource);
    }

    /** The peering services (resource names) of a peering. */
    public List<String> servicesOf(Inventory.Peering peering) {
        return inventory.peeringServices().stream().filter(s -> s.peering().equals(peering.name()))
                .map(s -> "peeringServices/" + s.name()).toList();
    }

    /** The peerings (resource names) the caller may see when it asks for all: null (no restriction) for an operator. */
    public List<String> visiblePeerings() {
        Caller caller = Caller.current();
        if (caller.seesAllPeerings()) {
            return null;
        }
        return inventory.peerings().stream().filter(caller::maySee).map(p -> "peerings/" + p.name()).toList();
    }

    /**
     * The peering services (resource names) the caller may see when it asks for all of them: null
     * (no restriction) for an operator, else those of the peerings of its ASNs.
     */
    public List<String> visibleServices() {
        Caller caller = Caller.current();
        if (caller.seesAllPeerings()) {
            return null;
        }
        return inventory.peeringServices().stream()
                .filter(s -> inventory.peering(s.peering()).map(caller::maySee).orElse(false))
                .map(s -> "peeringServices/" + s.name()).toList();
    }

}
