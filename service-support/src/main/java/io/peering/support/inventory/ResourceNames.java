package io.peering.support.inventory;

import io.grpc.StatusRuntimeException;
import io.peering.support.auth.Caller;
import io.peering.support.grpc.ApiErrors;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * The one parser of the platform's resource names (AIP-122), and their lookup in the inventory with
 * the statuses a caller gets: INVALID_ARGUMENT naming the field and the form it accepts when the text
 * is no such name, NOT_FOUND when the inventory has no such resource (saying which it has),
 * PERMISSION_DENIED when the caller's token may not see it. "-" in place of a peering or peering
 * service means all of them (where an RPC allows it).
 */
@ApplicationScoped
public class ResourceNames {

    public static final String PEERING = "peerings/{peering}";
    public static final String CONNECTION = "peerings/{peering}/connections/{connection}";
    public static final String PEERING_SERVICE = "peeringServices/{peering_service}";
    public static final String REGISTERED_ASN = "peerings/{peering}/registeredAsns/{registered_asn}";
    public static final String REGISTERED_PREFIX = "peerings/{peering}/registeredPrefixes/{registered_prefix}";
    /** In place of a peering's or a peering service's id: all of them. */
    public static final String ALL = "-";

    private final InventoryIndex inventory;

    public ResourceNames(InventoryIndex inventory) {
        this.inventory = inventory;
    }

    // ---- syntax --------------------------------------------------------------------------------

    /** The {peering} of "peerings/{peering}" ({@link #ALL} for "peerings/-"). */
    public static String peeringId(String field, String name) {
        return parts(field, name, PEERING, "peerings/contoso-ams", "peerings")[1];
    }

    /** The {peering} and {connection} of "peerings/{peering}/connections/{connection}". */
    public static String[] connectionIds(String field, String name) {
        String[] parts = parts(field, name, CONNECTION, "peerings/contoso-ams/connections/ams-1", "peerings", "connections");
        return new String[]{parts[1], parts[3]};
    }

    /** The {peering_service} of "peeringServices/{peering_service}" ({@link #ALL} for "peeringServices/-"). */
    public static String peeringServiceId(String field, String name) {
        return parts(field, name, PEERING_SERVICE, "peeringServices/contoso-web", "peeringServices")[1];
    }

    /** The {peering} and {registered_asn} of "peerings/{peering}/registeredAsns/{registered_asn}". */
    public static String[] registeredAsnIds(String field, String name) {
        String[] parts = parts(field, name, REGISTERED_ASN, "peerings/contoso-ams/registeredAsns/contoso-customer", "peerings",
                "registeredAsns");
        return new String[]{parts[1], parts[3]};
    }

    /** The {peering} and {registered_prefix} of "peerings/{peering}/registeredPrefixes/{registered_prefix}". */
    public static String[] registeredPrefixIds(String field, String name) {
        String[] parts = parts(field, name, REGISTERED_PREFIX, "peerings/contoso-ams/registeredPrefixes/contoso-web", "peerings",
                "registeredPrefixes");
        return new String[]{parts[1], parts[3]};
    }

    /**
     * The ids of a name that may be either "peerings/{peering}" or a connection name: {peering} alone,
     * or {peering} and {connection}.
     */
    public static String[] peeringOrConnectionIds(String field, String name) {
        String[] parts = name == null ? new String[0] : name.split("/", -1);
        if (parts.length == 2 && parts[0].equals("peerings") && !parts[1].isEmpty()) {
            return new String[]{parts[1]};
        }
        if (parts.length == 4 && parts[0].equals("peerings") && parts[2].equals("connections") && !parts[1].isEmpty()
                && !parts[3].isEmpty()) {
            return new String[]{parts[1], parts[3]};
        }
        throw ApiErrors.invalidArgument(field + " must be \"" + PEERING + "\" or \"" + CONNECTION + "\", like"
                + " \"peerings/contoso-ams\" or \"peerings/contoso-ams/connections/ams-1\"; got \"" + (name == null ? "" : name) + "\"");
    }

    /**
     * The name split at its slashes when it has the form: each literal followed by a non-empty id
     * ("peerings", "connections" for "peerings/{peering}/connections/{connection}").
     */
    private static String[] parts(String field, String name, String form, String example, String... literals) {
        String[] parts = name == null ? new String[0] : name.split("/", -1);
        boolean ok = parts.length == literals.length * 2;
        for (int i = 0; ok && i < parts.length; i++) {
            ok = i % 2 == 0 ? parts[i].equals(literals[i / 2]) : !parts[i].isEmpty();
        }
        if (!ok) {
            throw malformed(field, form, example, name);
        }
        return parts;
    }

    /** INVALID_ARGUMENT: {@code field must be "form", like "example"; got "name"}. */
    public static StatusRuntimeException malformed(String field, String form, String example, String name) {
        return ApiErrors.invalidArgument(field + " must be \"" + form + "\", like \"" + example + "\"; got \""
                + (name == null ? "" : name) + "\"");
    }

    // ---- lookup --------------------------------------------------------------------------------

    /** The peering named "peerings/{peering}" that the caller may see; not "-". */
    public Inventory.Peering peering(String field, String name) {
        String id = peeringId(field, name);
        if (id.equals(ALL)) {
            throw ApiErrors.invalidArgument(field + " must name one peering here, like \"peerings/contoso-ams\"; \"peerings/-\""
                    + " (all) is not accepted by this call");
        }
        Inventory.Peering peering = inventory.peering(id).orElseThrow(() -> ApiErrors.notFound("no peering \"" + id + "\" (" + name
                + ") in the inventory; it has " + inventory.peerings().stream().map(Inventory.Peering::name).toList()));
        Caller.current().requirePeering(peering, name);
        return peering;
    }

    /** The connection named "peerings/{peering}/connections/{connection}" that the caller may see. */
    public InventoryIndex.ConnectionRef connection(String field, String name) {
        String[] ids = connectionIds(field, name);
        Inventory.Peering peering = inventory.peering(ids[0]).orElseThrow(() -> ApiErrors.notFound("connection \"" + name
                + "\" is not in the inventory: no peering \"" + ids[0] + "\""));
        Caller.current().requirePeering(peering, name);
        return inventory.connection(name).orElseThrow(() -> ApiErrors.notFound("connection \"" + name
                + "\" is not in the inventory; peerings/" + ids[0] + " has " + inventory.connectionsOf(ids[0]).stream()
                .map(InventoryIndex.ConnectionRef::resourceName).toList()));
    }

    /** The registered prefix named "peerings/{peering}/registeredPrefixes/{registered_prefix}" that the caller may see. */
    public InventoryIndex.RegisteredPrefixRef registeredPrefix(String field, String name) {
        String[] ids = registeredPrefixIds(field, name);
        if (ids[0].equals(ALL)) {
            throw ApiErrors.invalidArgument(field + " must name one peering's registered prefix, like"
                    + " \"peerings/contoso-ams/registeredPrefixes/contoso-web\"; \"peerings/-\" (all) is not accepted here");
        }
        Inventory.Peering peering = inventory.peering(ids[0]).orElseThrow(() -> ApiErrors.notFound("registered prefix \"" + name
                + "\" is not in the inventory: no peering \"" + ids[0] + "\""));
        Caller.current().requirePeering(peering, name);
        List<InventoryIndex.RegisteredPrefixRef> registered = inventory.registeredPrefixesOf(peering);
        return registered.stream().filter(r -> r.registeredPrefix().name().equals(ids[1])).findFirst()
                .orElseThrow(() -> ApiErrors.notFound("registered prefix \"" + name + "\" is not in the inventory; peerings/"
                        + ids[0] + " has " + registered.stream().map(InventoryIndex.RegisteredPrefixRef::resourceName).toList()));
    }

    /** The peering service named "peeringServices/{peering_service}" that the caller may see; not "-". */
    public Inventory.PeeringService peeringService(String field, String name) {
        String id = peeringServiceId(field, name);
        if (id.equals(ALL)) {
            throw ApiErrors.invalidArgument(field + " must name one peering service here, like \"peeringServices/contoso-web\";"
                    + " \"peeringServices/-\" (all) is not accepted by this call");
        }
        Inventory.PeeringService service = inventory.peeringService(id).orElseThrow(() -> ApiErrors.notFound(
                "no peering service \"" + id + "\" (" + name + ") in the inventory; it has "
                        + inventory.peeringServices().stream().map(Inventory.PeeringService::name).toList()));
        inventory.peering(service.peering()).ifPresent(p -> Caller.current().requirePeering(p, name));
        return service;
    }

    /** The peerings the caller may see, for "-". */
    public List<Inventory.Peering> visiblePeerings() {
        return Caller.current().visible(inventory.peerings());
    }
}
