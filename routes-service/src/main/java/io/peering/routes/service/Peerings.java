package io.peering.routes.service;

import io.peering.routes.PeerPlacement;

import io.peering.support.auth.Caller;
import io.peering.support.grpc.ApiErrors;

import io.peering.support.inventory.Inventory;
import io.peering.support.inventory.InventoryIndex;
import io.peering.support.inventory.ResourceNames;
import io.peering.support.net.IpAddresses;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Resolves resource names of the inventory to the BGP peers (session addresses) behind them. */
@ApplicationScoped
public class Peerings {

    /** The parent that means every peering the caller may see (AIP-159: "-" for every collection member). */
    public static final String EVERY_PEERING = "peerings/-";

    private final InventoryIndex inventory;

    private final ResourceNames names;

    public Peerings(InventoryIndex inventory, ResourceNames names) {
        this.inventory = inventory;
        this.names = names;
    }

    /**
     * The {@code parent} of a request, "peerings/{peering}" → the peering; NOT_FOUND or INVALID_ARGUMENT otherwise, and
     * PERMISSION_DENIED when the caller's token does not cover the peering's ASN.
     */
    public Inventory.Peering peering(String resource) {
        return names.peering("parent", resource);
    }

    /**
     * The session addresses the caller may see when it asks for every peering ("peerings/-"):
     * null (no restriction) for an operator, else those of the peerings of its ASNs.
     */
    public List<String> visibleSessionAddresses() {
        Caller caller = Caller.current();
        if (caller.seesAllPeerings()) {
            return null;
        }
        List<String> addresses = new ArrayList<>();
        for (Inventory.Peering p : caller.visible(inventory.peerings())) {
            addresses.addAll(sessionAddresses(p, null));
        }
        return addresses;
    }

    /**
     * The session addresses a request's {@code parent} and optional {@code connectionResource} cover:
     * those of the parent peering (which the caller must see), or for {@link #EVERY_PEERING} those of every
     * peering the caller may see (null, no restriction, for an operator); narrowed to the connection when
     * one is given, which under {@link #EVERY_PEERING} may be of any peering the caller may see.
     */
    public List<String> sessionAddresses(String parent, String connectionResource) {
        if (!EVERY_PEERING.equals(parent)) {
            return sessionAddresses(peering(parent), connectionResource);
        }
        if (connectionResource == null || connectionResource.isEmpty()) {
            return visibleSessionAddresses();
        }
        return sessionAddresses(peering("peerings/" + ResourceNames.connectionIds("connection", connectionResource)[0]),
                connectionResource);
    }

    /**
     * For each session address of the peerings a {@code parent} covers (one peering, or every peering the caller
     * may see for {@link #EVERY_PEERING}): the ASNs whose routes are that peering's own ({@link InventoryIndex#ownAsns}).
     */
    public Map<String, List<Long>> ownAsnsBySessionAddress(String parent) {
        List<Inventory.Peering> covered = EVERY_PEERING.equals(parent) ? visiblePeerings() : List.of(peering(parent));
        Map<String, List<Long>> own = new LinkedHashMap<>();
        for (Inventory.Peering p : covered) {
            List<Long> asns = InventoryIndex.ownAsns(p);
            sessionAddresses(p, null).forEach(a -> own.put(a, asns));
        }
        return own;
    }

    /** The inventory's peerings the caller may see, in inventory order. */
    public List<Inventory.Peering> visiblePeerings() {
        return Caller.current().visible(inventory.peerings());
    }

    /** The inventory's peering services the caller may see (those carried by its peerings), in inventory order. */
    public List<Inventory.PeeringService> visiblePeeringServices() {
        Caller caller = Caller.current();
        return inventory.peeringServices().stream()
                .filter(s -> inventory.peering(s.peering()).map(caller::maySee).orElse(false))
                .toList();
    }

    /**
     * The session addresses (text, canonical) of every connection of a peering, or of one of its connections:
     * INVALID_ARGUMENT when {@code connectionResource} is not a connection name of the peering, NOT_FOUND when the
     * peering has no such connection.
     */
    public List<String> sessionAddresses(Inventory.Peering peering, String connectionResource) {
        if (connectionResource != null && !connectionResource.isEmpty()) {
            if (!ResourceNames.connectionIds("connection", connectionResource)[0].equals(peering.name())) {
                throw ApiErrors.invalidArgument("connection " + connectionResource + " is not under parent peerings/"
                        + peering.name() + "; give one of peerings/" + peering.name() + "/connections/..., or no connection");
            }
        }
        List<String> addresses = new ArrayList<>();
        for (InventoryIndex.ConnectionRef c : inventory.connectionsOf(peering.name())) {
            if (connectionResource == null || connectionResource.isEmpty() || c.resourceName().equals(connectionResource)) {
                c.connection().sessionAddresses().forEach(a -> addresses.add(IpAddresses.format(IpAddresses.parse(a))));
            }
        }
        if (connectionResource != null && !connectionResource.isEmpty() && addresses.isEmpty()) {
            throw ApiErrors.notFound("\"" + connectionResource + "\" is not a connection of peerings/" + peering.name());
        }
        return addresses;
    }

    /** Where a BGP peer address sits: its connection and its peering's own ASNs ({@link PeerPlacement#UNKNOWN} if not named). */
    public PeerPlacement placementOf(String peerAddress) {
        return connectionOf(peerAddress)
                .map(c -> new PeerPlacement(c.resourceName(), InventoryIndex.ownAsns(c.peering())))
                .orElse(PeerPlacement.UNKNOWN);
    }

    /** The connection a BGP peer address belongs to, if the inventory names it. */
    public Optional<InventoryIndex.ConnectionRef> connectionOf(String peerAddress) {
        try {
            return inventory.connectionBySessionAddress(IpAddresses.parse(peerAddress));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
