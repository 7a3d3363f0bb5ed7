package io.peering.routes.service;

import io.peering.routes.Rib;
import io.peering.routes.config.RegisteredPrefixConfig;
import io.peering.routes.repository.RouteQueries;
import io.peering.routes.validation.PrefixRules;
import io.peering.support.inventory.Inventory;
import io.peering.support.inventory.InventoryIndex;
import io.peering.support.inventory.ResourceNames;
import io.peering.support.net.IpPrefix;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * GetRegisteredPrefix and ListRegisteredPrefixes: the registered prefixes of the inventory, each judged by
 * {@link PrefixRules} on the routes and sessions the routes schema holds now.
 */
@Startup // a malformed peering.registered-prefixes.* setting stops the start, not the first request
@ApplicationScoped
public class RegisteredPrefixes {

    /** A registered prefix with its verdict, computed at {@code checkedTime} from the routes of {@code rib}. */
    public record Validated(InventoryIndex.RegisteredPrefixRef registered, Rib rib, PrefixRules.Verdict verdict, Instant checkedTime) {
    }

    private final RouteQueries queries;
    private final Peerings peerings;
    private final ResourceNames names;
    private final InventoryIndex inventory;
    private final PrefixRules.Settings settings;

    public RegisteredPrefixes(RouteQueries queries, Peerings peerings, ResourceNames names, InventoryIndex inventory,
                              RegisteredPrefixConfig config) {
        this.queries = queries;
        this.peerings = peerings;
        this.names = names;
        this.inventory = inventory;
        this.settings = settings(config);
    }

    static PrefixRules.Settings settings(RegisteredPrefixConfig config) {
        config.requiredCommunity().filter(c -> !c.matches("\\d{1,5}:\\d{1,5}")).ifPresent(c -> {
            throw new IllegalArgumentException("peering.registered-prefixes.required-community must be \"asn:value\" like"
                    + " \"8075:8007\"; got \"" + c + "\"");
        });
        return new PrefixRules.Settings(config.maxAsPathLength(), config.requiredCommunity(),
                config.reservedPrefixes().stream().map(IpPrefix::parse).toList(),
                config.documentationRanges().stream().map(IpPrefix::parse).toList(), config.documentationPrefixes());
    }

    /** GetRegisteredPrefix: NOT_FOUND, INVALID_ARGUMENT or PERMISSION_DENIED as {@link ResourceNames#registeredPrefix} says. */
    public Uni<Validated> get(String name, Rib rib) {
        InventoryIndex.RegisteredPrefixRef registered = names.registeredPrefix("name", name);
        return validate(registered.peering(), List.of(registered), rib).map(v -> v.get(0));
    }

    /**
     * ListRegisteredPrefixes: a page of the peering's registered prefixes (inventory order), each validated; for
     * {@link Peerings#EVERY_PEERING}, of the registered prefixes of every peering the caller may see (peerings in
     * inventory order), each judged against its own peering's sessions.
     */
    public Uni<RoutesService.Page<Validated>> list(String parent, Rib rib, int pageSize, String pageToken) {
        boolean every = Peerings.EVERY_PEERING.equals(parent);
        List<Inventory.Peering> covered = every ? peerings.visiblePeerings() : List.of(peerings.peering(parent));
        List<InventoryIndex.RegisteredPrefixRef> registered = new ArrayList<>();
        covered.forEach(p -> registered.addAll(inventory.registeredPrefixesOf(p)));
        RoutesService.Page<InventoryIndex.RegisteredPrefixRef> page = RoutesService.inventoryPage(
                "registeredPrefixes of " + (every ? ResourceNames.ALL : covered.get(0).name()), registered, pageSize, pageToken);
        // one validation per peering on the page (its sessions and own ASNs), the page's order kept
        List<Uni<List<Validated>>> byPeering = new ArrayList<>();
        int from = 0;
        List<InventoryIndex.RegisteredPrefixRef> items = page.items();
        for (int i = 1; i <= items.size(); i++) {
            if (i == items.size() || !items.get(i).peering().name().equals(items.get(from).peering().name())) {
                byPeering.add(validate(items.get(from).peering(), items.subList(from, i), rib));
                from = i;
            }
        }
        return Multi.createFrom().iterable(byPeering).onItem().transformToUniAndConcatenate(u -> u)
                .collect().asList()
                .map(lists -> new RoutesService.Page<>(lists.stream().flatMap(List::stream).toList(), page.nextPageToken()));
    }

    private Uni<List<Validated>> validate(Inventory.Peering peering, List<InventoryIndex.RegisteredPrefixRef> registered, Rib rib) {
        if (registered.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<String> addresses = peerings.sessionAddresses(peering, null);
        List<String> prefixes = registered.stream().map(r -> canonical(r.registeredPrefix())).toList();
        List<Long> own = InventoryIndex.ownAsns(peering);
        return queries.sessionStates(addresses).chain(states -> queries.routesForPrefixes(addresses, prefixes, rib).map(routes -> {
            Instant now = Instant.now();
            List<PrefixRules.Session> sessions = new ArrayList<>();
            for (String address : addresses) {
                String connection = peerings.connectionOf(address).map(InventoryIndex.ConnectionRef::resourceName).orElseThrow();
                sessions.add(new PrefixRules.Session(address, connection, states.containsKey(address),
                        Boolean.TRUE.equals(states.get(address))));
            }
            List<Validated> out = new ArrayList<>();
            for (int i = 0; i < registered.size(); i++) {
                IpPrefix prefix = IpPrefix.parse(prefixes.get(i));
                out.add(new Validated(registered.get(i), rib, PrefixRules.judge(prefix, own, sessions,
                        routes.getOrDefault(prefixes.get(i), List.of()), settings), now));
            }
            return out;
        }));
    }

    /** The registered prefix as canonical CIDR (the inventory accepts a bare address as its host prefix). */
    private static String canonical(Inventory.RegisteredPrefix registered) {
        return IpPrefix.parseAddressOrPrefix(registered.prefix()).toString();
    }
}
