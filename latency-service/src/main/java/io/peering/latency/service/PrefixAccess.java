package io.peering.latency.service;

import io.peering.support.auth.Caller;
import io.peering.support.inventory.Inventory;
import io.peering.support.inventory.InventoryIndex;
import io.peering.support.net.IpPrefix;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/** Which prefixes' latency a caller may read: operators all, a reader those inside its own peerings' prefixes. */
@ApplicationScoped
public class PrefixAccess {

    private final InventoryIndex inventory;

    public PrefixAccess(InventoryIndex inventory) {
        this.inventory = inventory;
    }

    /**
     * A reader may ask for a prefix inside a registered prefix (or a peering service's prefix) of
     * one of its peerings; anything else could show another peer's customers.
     */
    void requireReadable(IpPrefix asked, String text) {
        Caller caller = Caller.current();
        if (caller.seesAllPeerings()) {
            return;
        }
        List<String> covering = new ArrayList<>();
        for (Inventory.Peering p : caller.visible(inventory.peerings())) {
            p.registeredPrefixes().orElse(List.of()).forEach(rp -> covering.add(rp.prefix()));
            inventory.peeringServices().stream().filter(ps -> ps.peering().equals(p.name()))
                    .forEach(ps -> covering.addAll(ps.prefixes()));
        }
        if (covering.stream().noneMatch(c -> IpPrefix.parseAddressOrPrefix(c).contains(asked))) {
            throw caller.permissionDenied("prefix " + text + " is not inside a registered prefix of those peerings "
                    + covering);
        }
    }
}
