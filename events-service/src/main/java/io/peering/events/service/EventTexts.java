package io.peering.events.service;

import io.peering.events.EventType;
import io.peering.events.PrefixValidation;
import io.peering.events.Role;
import io.peering.events.RouteUpdate;

/** The summary and description of each event: what happened, the routes before and after, what to check. */
final class EventTexts {

    record Text(String summary, String description) {
    }

    private EventTexts() {
    }

    /** An announcement, withdrawal or origin-AS change of the route of one connection. */
    static Text connectionEvent(EventType type, ServicePrefixes.Target t, RouteUpdate change, Derivation.HeldRoute before,
                                Derivation.HeldRoute after, Derivation.HeldRoute otherConnectionRoute) {
        String role = t.role().word();
        String where = t.prefix() + " on the " + role + " connection " + t.connection() + " of " + t.peeringService();
        String paths = " AS path before: " + path(before) + "; after: " + path(after) + ".";
        String source = " (BGP peer " + change.peerAddress() + ", seen by router " + change.router()
                + (change.pathId() != 0 ? ", path id " + change.pathId() : "") + ")";
        return switch (type) {
            case PREFIX_ANNOUNCEMENT_EVENT, PREFIX_BACKUP_ROUTE_ANNOUNCEMENT_EVENT -> new Text(
                    "Prefix " + t.prefix() + " announced on " + role + " connection " + t.connection(),
                    "The peer announced " + where + source + "." + paths
                            + " No action is needed if the announcement was planned; if not, check the peer's export"
                            + " policy for " + t.prefix() + " on this connection.");
            case PREFIX_WITHDRAWAL_EVENT, PREFIX_BACKUP_ROUTE_WITHDRAWAL_EVENT -> new Text(
                    "Prefix " + t.prefix() + " withdrawn on " + role + " connection " + t.connection(),
                    "The route for " + where + " is gone" + source + ", reason: "
                            + (change.reason().isEmpty() ? "withdrawn" : change.reason()) + "." + paths + " "
                            + afterWithdrawal(t, otherConnectionRoute) + " Check "
                            + (change.reason().contains("down") || change.reason().contains("disconnected")
                            ? "the BGP session of " + t.connection() + " (routes-service ListSessions: state and last error)"
                            + " and the router's BMP session."
                            : "why the peer stopped announcing " + t.prefix() + " on " + t.connection()
                            + ": its export policy and whether its origin still announces the prefix."));
            case PREFIX_ORIGIN_AS_CHANGE_EVENT, PREFIX_BACKUP_ROUTE_ORIGIN_AS_CHANGE_EVENT -> new Text(
                    "Origin AS of " + t.prefix() + " on " + role + " connection " + t.connection() + " changed from AS"
                            + before.originAsn() + " to AS" + after.originAsn(),
                    "The route for " + where + source + " is now originated by AS" + after.originAsn() + " instead of AS"
                            + before.originAsn() + "." + paths + " An unexpected origin AS can mean a route leak, a hijack or"
                            + " a misconfiguration: confirm with the owner of " + t.prefix() + " that AS" + after.originAsn()
                            + " may originate it, and check the route's RPKI and origin-AS validation states (routes-service"
                            + " ListReceivedRoutes).");
            default -> throw new IllegalArgumentException(type + " is not a connection event");
        };
    }

    private static String afterWithdrawal(ServicePrefixes.Target t, Derivation.HeldRoute other) {
        if (t.role() == Role.PRIMARY) {
            if (t.backupConnection().isEmpty()) {
                return "The service has no backup connection: " + t.prefix() + " has no route over this peering now.";
            }
            return other == null
                    ? "The backup connection " + t.backupConnection().get() + " has no route for it either: " + t.prefix()
                    + " has no route over this peering now."
                    : "Traffic for " + t.prefix() + " now uses the backup connection " + t.backupConnection().get()
                    + " (AS path " + path(other) + ").";
        }
        return other == null
                ? "The primary connection " + t.primaryConnection() + " has no route for it either: " + t.prefix()
                + " has no route over this peering now."
                : "Traffic still uses the primary connection " + t.primaryConnection() + ", which now has no backup route.";
    }

    /** The route in use moved to the primary (PrefixActivePath) or to the backup (PrefixBackupPath). */
    static Text pathEvent(EventType type, ServicePrefixes.Target t, String connection, Derivation.HeldRoute before,
                          Derivation.HeldRoute after) {
        String from = before == null ? "no route"
                : (before.role() == Role.PRIMARY ? "the primary connection " + t.primaryConnection()
                : "the backup connection " + t.backupConnection().orElse(""));
        String paths = " AS path before: " + path(before) + "; after: " + path(after) + ".";
        if (type == EventType.PREFIX_ACTIVE_PATH) {
            return new Text("Prefix " + t.prefix() + " is routed over the primary connection " + connection,
                    "The route in use for " + t.prefix() + " of " + t.peeringService() + " moved from " + from
                            + " to the primary connection " + connection + "." + paths
                            + " This is the normal state; no action is needed.");
        }
        return new Text("Prefix " + t.prefix() + " is routed over the backup connection " + connection,
                "The route in use for " + t.prefix() + " of " + t.peeringService() + " moved from " + from
                        + " to the backup connection " + connection + " because the primary connection "
                        + t.primaryConnection() + " has no route for it." + paths + " Check the BGP session of "
                        + t.primaryConnection() + " and the peer's announcement of " + t.prefix() + " there.");
    }

    /** A registered prefix's validation state changed from {@code before}'s to {@code now}'s. */
    static Text validationEvent(PrefixValidation before, PrefixValidation now) {
        String prefix = now.prefix();
        String findings = now.reasons().isEmpty() ? "" : " Findings: " + String.join("; ", now.reasons()) + ".";
        String what = switch (now.state()) {
            case VERIFIED -> "It is announced on every session of its address family and every rule passes. No action is"
                    + " needed.";
            case PENDING -> "A session that is up does not announce it yet, or no session is up; nothing announced breaks"
                    + " a hard rule." + findings + " Check that the peer announces " + prefix + " on every session of "
                    + now.peering() + ".";
            case WARNING -> "Only soft rules are broken (RPKI NOT_FOUND, a documentation prefix, a session that is down)."
                    + findings + " Fix what the findings name; a missing ROA is fixed by creating one for the origin AS.";
            case FAILED -> "A hard rule is broken (a reserved or private prefix, a private ASN or too long an AS path, a"
                    + " missing required community, RPKI INVALID, or no session of its family)." + findings
                    + " Fix what the findings name: the prefix cannot be verified until then.";
            case UNKNOWN -> "No router has reported any session of its address family over BMP, so nothing is known of it."
                    + findings + " Check the routers' BMP sessions to routes-service and the BGP sessions of " + now.peering()
                    + ".";
        };
        return new Text("Validation state of registered prefix " + prefix + " changed from " + before.state().azureName
                + " to " + now.state().azureName,
                "routes-service now validates " + prefix + " (" + now.registeredPrefix() + ") as " + now.state().azureName
                        + "; it was " + before.state().azureName + ". " + what
                        + " routes-service GetRegisteredPrefix shows the state now.");
    }

    private static String path(Derivation.HeldRoute r) {
        if (r == null) {
            return "none (no route)";
        }
        return (r.asPath().isEmpty() ? "(empty)" : r.asPath()) + " (origin AS" + r.originAsn() + ")";
    }
}
