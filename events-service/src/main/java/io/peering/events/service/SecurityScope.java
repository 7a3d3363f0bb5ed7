package io.peering.events.service;

import io.peering.events.config.EventsConfig;
import io.peering.support.inventory.Inventory;
import io.peering.support.inventory.InventoryIndex;
import io.peering.support.net.IpAddresses;
import io.peering.support.net.IpPrefix;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What route security needs from the inventory: the prefixes each peering protects (its registered
 * prefixes and its peering services' prefixes) with the origin ASNs they may have, the peering a BGP
 * session belongs to, and the transit providers of the configuration.
 */
@Singleton
public class SecurityScope {

    /**
     * A prefix a peering protects: "peerings/p", the peering service ("peeringServices/s", or "" for
     * a registered prefix), the prefix (canonical CIDR) and the peering's own ASNs (peer ASN and registered ASNs).
     */
    public record Protected(String peering, String peeringService, String prefix, List<Long> ownAsns) {
    }

    /** The peering of a BGP session: "peerings/p", the connection's resource name, and the peering's own ASNs. */
    public record Session(String peering, String connection, List<Long> ownAsns) {
    }

    private final InventoryIndex inventory;
    private final Map<IpPrefix, List<Protected>> protectedPrefixes = new HashMap<>();
    private final Set<Integer> protectedLengthsV4 = new TreeSet<>();
    private final Set<Integer> protectedLengthsV6 = new TreeSet<>();
    private final Set<Long> transitAsns;

    public SecurityScope(InventoryIndex inventory, EventsConfig config) {
        this.inventory = inventory;
        this.transitAsns = Set.copyOf(config.security().transitAsns());
        for (Inventory.Peering p : inventory.peerings()) {
            List<Long> own = InventoryIndex.ownAsns(p);
            p.registeredPrefixes().orElse(List.of()).forEach(rp -> protect(new Protected("peerings/" + p.name(), "",
                    IpPrefix.parseAddressOrPrefix(rp.prefix()).toString(), own)));
        }
        for (Inventory.PeeringService s : inventory.peeringServices()) {
            inventory.peering(s.peering()).ifPresent(p -> s.prefixes().forEach(prefix -> protect(new Protected(
                    "peerings/" + p.name(), "peeringServices/" + s.name(),
                    IpPrefix.parseAddressOrPrefix(prefix).toString(), InventoryIndex.ownAsns(p)))));
        }
    }

    /** Once per peering and prefix: a prefix both registered and of a peering service is the service's. */
    private void protect(Protected p) {
        IpPrefix prefix = IpPrefix.parse(p.prefix());
        List<Protected> here = protectedPrefixes.computeIfAbsent(prefix, k -> new ArrayList<>());
        here.removeIf(q -> q.peering().equals(p.peering()) && q.peeringService().isEmpty());
        if (here.stream().noneMatch(q -> q.peering().equals(p.peering()))) {
            here.add(p);
        }
        (prefix.isIpv4() ? protectedLengthsV4 : protectedLengthsV6).add(prefix.length());
    }

    /** The protected prefixes that equal {@code route} or cover it (it is a more-specific of them). */
    public List<Protected> covering(IpPrefix route) {
        List<Protected> found = new ArrayList<>();
        for (int length : route.isIpv4() ? protectedLengthsV4 : protectedLengthsV6) {
            if (length > route.length()) {
                break;
            }
            found.addAll(protectedPrefixes.getOrDefault(route.truncate(length), List.of()));
        }
        return found;
    }

    /** The peering the session with BGP peer {@code peerAddress} belongs to, if the inventory names it. */
    public Optional<Session> session(String peerAddress) {
        try {
            return inventory.connectionBySessionAddress(IpAddresses.parse(peerAddress))
                    .map(c -> new Session("peerings/" + c.peering().name(), c.resourceName(), InventoryIndex.ownAsns(c.peering())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public boolean isTransit(long asn) {
        return transitAsns.contains(asn);
    }
}
