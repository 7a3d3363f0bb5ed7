package io.peering.events.service;

import io.peering.events.EventType;
import io.peering.events.PrefixEvent;
import io.peering.events.RouteSecurity;
import io.peering.events.RouteUpdate;
import io.peering.support.net.IpPrefix;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Derives route-security incidents from route changes, one change after another. Plain Java: the
 * feed loads the open incidents of the routes a batch touches, applies the batch here, and stores the
 * events and the incidents still open in the same transaction as the cursor.
 *
 * <p>A route (router, BGP peer, ADD-PATH id, prefix), as announced now, offends:
 * <ul>
 *   <li>as a possible <b>hijack</b> ({@link EventType#PREFIX_COVERING_ROUTE_ORIGIN_AS_CHANGE_EVENT}), of each
 *   protected prefix (a registered prefix, or a peering-service prefix) it equals or is a more-specific of,
 *   when its origin AS is not one of that peering's ASNs and it is not RPKI-valid; over any session of the edge;</li>
 *   <li>as an <b>RPKI-invalid route</b> ({@link EventType#PREFIX_RPKI_INVALID_ROUTE_EVENT}) of the peering whose
 *   session sent it, when its RPKI state is invalid (origin AS or max-length);</li>
 *   <li>as a <b>leak</b> ({@link EventType#PREFIX_LEAK_EVENT}, or {@link EventType#PREFIX_BACKUP_ROUTE_LEAK_EVENT}
 *   for a peering-service prefix received over the service's backup connection) of the peering whose session
 *   sent it, when it carries an RFC 9234 Only-To-Customer attribute of another AS than the peer's (RFC 9234
 *   section 5: from a peer, OTC must equal the peer's AS), or its AS path continues past the peer into a transit
 *   provider of the configuration.</li>
 * </ul>
 * Each offence is an incident: it opens with an event when the route starts to offend, and ends with a
 * resolved event of the same type and incident when the route is withdrawn or no longer offends. A route
 * announced again that still offends the same way keeps its incident (no event).
 */
public final class SecurityDerivation {

    /** A route: the same route announced again replaces it. */
    public record RouteKey(String router, String peerAddress, long pathId, String routePrefix) {
    }

    /** What a route offends: the type, and the peering, service and prefix it offends. */
    public record Offence(EventType type, String peering, String peeringService, String prefix) {
    }

    /** An open incident: its id, what it offends, when it opened, and the route as it was then. */
    public record OpenIncident(String incident, RouteKey route, Offence offence, Instant openedAt, String connection,
                               RouteSecurity security) {
    }

    private final SecurityScope scope;
    private final Map<RouteKey, Map<Offence, OpenIncident>> open = new LinkedHashMap<>();
    private final List<PrefixEvent> events = new ArrayList<>();

    /** Starts from the stored open incidents of the routes the changes will touch. */
    public SecurityDerivation(SecurityScope scope, List<OpenIncident> stored) {
        this.scope = scope;
        for (OpenIncident i : stored) {
            open.computeIfAbsent(i.route(), k -> new LinkedHashMap<>()).put(i.offence(), i);
        }
    }

    /** The routes a change concerns: the key of its route. */
    public static RouteKey keyOf(RouteUpdate change) {
        return new RouteKey(change.router(), change.peerAddress(), change.pathId(), canonical(change.prefix()));
    }

    /** Applies one change of the followed RIB view. {@code serviceTargets}: where the route counts for peering services. */
    public void apply(RouteUpdate change, List<ServicePrefixes.Target> serviceTargets) {
        RouteKey key = keyOf(change);
        Map<Offence, RouteSecurity> now = change.withdrawn() ? Map.of() : offences(change, serviceTargets);
        Map<Offence, OpenIncident> before = open.computeIfAbsent(key, k -> new LinkedHashMap<>());
        for (OpenIncident i : List.copyOf(before.values())) {
            if (!now.containsKey(i.offence())) {
                before.remove(i.offence());
                events.add(resolvedEvent(change, i));
            }
        }
        String connection = scope.session(change.peerAddress()).map(SecurityScope.Session::connection).orElse("");
        now.forEach((offence, security) -> {
            if (!before.containsKey(offence)) {
                OpenIncident i = new OpenIncident(incidentId(key, offence, change.cursor()), key, offence, change.time(),
                        connection, security);
                before.put(offence, i);
                events.add(openedEvent(change, i));
            }
        });
    }

    private Map<Offence, RouteSecurity> offences(RouteUpdate change, List<ServicePrefixes.Target> serviceTargets) {
        Map<Offence, RouteSecurity> found = new LinkedHashMap<>();
        IpPrefix route;
        try {
            route = IpPrefix.parseAddressOrPrefix(change.prefix());
        } catch (IllegalArgumentException e) {
            return found;
        }
        boolean rpkiValid = change.rpkiState() == RPKI_VALID;
        for (SecurityScope.Protected p : scope.covering(route)) {
            if (!p.ownAsns().contains(change.originAsn()) && !rpkiValid) {
                String reason = "origin AS" + change.originAsn() + " of " + route + " is not one of " + p.peering() + "'s "
                        + asns(p.ownAsns()) + (route.toString().equals(p.prefix()) ? "" : " (a more-specific of " + p.prefix() + ")")
                        + " and " + (change.rpkiState() == RPKI_INVALID ? "RPKI says invalid" : "no ROA makes it valid");
                found.put(new Offence(EventType.PREFIX_COVERING_ROUTE_ORIGIN_AS_CHANGE_EVENT, p.peering(), p.peeringService(),
                        p.prefix()), security(change, p.ownAsns(), reason, 0));
            }
        }
        scope.session(change.peerAddress()).ifPresent(session -> {
            if (change.rpkiState() == RPKI_INVALID) {
                found.put(new Offence(EventType.PREFIX_RPKI_INVALID_ROUTE_EVENT, session.peering(), "", route.toString()),
                        security(change, session.ownAsns(), rpkiReason(change), 0));
            }
            String leak = null;
            long transit = 0;
            if (change.onlyToCustomer() != null && change.onlyToCustomer() != change.peerAsn()) {
                leak = "the route carries Only-To-Customer AS" + change.onlyToCustomer() + ", not the peer's AS"
                        + change.peerAsn() + ": it was learned from a provider or peer of AS" + change.onlyToCustomer()
                        + " and must not reach a peer (RFC 9234)";
            } else {
                transit = transitPastPeer(change.asPath(), change.peerAsn());
                if (transit != 0) {
                    leak = "the AS path continues past the peer AS" + change.peerAsn() + " into transit provider AS" + transit
                            + ": the peer re-exports a route of its upstream";
                }
            }
            if (leak != null) {
                ServicePrefixes.Target backup = serviceTargets.stream()
                        .filter(t -> t.role() == io.peering.events.Role.BACKUP).findFirst().orElse(null);
                ServicePrefixes.Target primary = serviceTargets.stream()
                        .filter(t -> t.role() == io.peering.events.Role.PRIMARY).findFirst().orElse(null);
                Offence offence = backup != null
                        ? new Offence(EventType.PREFIX_BACKUP_ROUTE_LEAK_EVENT, session.peering(), backup.peeringService(), backup.prefix())
                        : new Offence(EventType.PREFIX_LEAK_EVENT, session.peering(),
                        primary == null ? "" : primary.peeringService(), route.toString());
                found.put(offence, security(change, session.ownAsns(), leak, transit));
            }
        });
        return found;
    }

    static final int RPKI_VALID = 1;
    static final int RPKI_INVALID = 2;

    private static String rpkiReason(RouteUpdate change) {
        List<RouteSecurity.MatchedRoa> sameOrigin = change.coveringRoas().stream()
                .filter(r -> r.originAsn() == change.originAsn()).toList();
        int length = IpPrefix.parseAddressOrPrefix(change.prefix()).length();
        if (!sameOrigin.isEmpty()) {
            return "RPKI invalid (max-length): " + sameOrigin.stream().map(SecurityDerivation::roa).collect(Collectors.joining(", "))
                    + " allow" + (sameOrigin.size() == 1 ? "s" : "") + " AS" + change.originAsn() + " no /" + length;
        }
        if (change.coveringRoas().isEmpty()) {
            return "RPKI invalid: origin AS" + change.originAsn() + " is not authorised by the ROAs covering " + change.prefix();
        }
        return "RPKI invalid (origin): no ROA covering " + change.prefix() + " authorises AS" + change.originAsn() + "; "
                + change.coveringRoas().stream().map(SecurityDerivation::roa).collect(Collectors.joining(", "));
    }

    private static String roa(RouteSecurity.MatchedRoa r) {
        return "ROA " + r.prefix() + "-" + r.maxLength() + " AS" + r.originAsn() + (r.trustAnchor().isEmpty() ? "" : " (" + r.trustAnchor() + ")");
    }

    /** The first transit provider in the AS path after the peer's own AS (and its prepends); 0 when none. */
    long transitPastPeer(String asPath, long peerAsn) {
        String[] tokens = asPath.replace("{", " ").replace("}", " ").replace(",", " ").trim().split("\\s+");
        int i = 0;
        while (i < tokens.length && tokens[i].equals(Long.toString(peerAsn))) {
            i++;
        }
        if (i == 0) {
            return 0; // the path does not start with the peer (a route server, or no path): nothing to say
        }
        for (; i < tokens.length; i++) {
            try {
                long asn = Long.parseLong(tokens[i]);
                if (scope.isTransit(asn)) {
                    return asn;
                }
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    private static RouteSecurity security(RouteUpdate c, List<Long> expected, String reason, long transit) {
        return new RouteSecurity(canonical(c.prefix()), c.router(), c.peerAddress(), c.peerAsn(), c.pathId(), c.asPath(),
                c.originAsn(), expected, c.rpkiState(), c.coveringRoas(), reason, c.onlyToCustomer(), transit);
    }

    private static String asns(List<Long> asns) {
        return asns.stream().map(a -> "AS" + a).collect(Collectors.joining(", "));
    }

    private static String canonical(String prefix) {
        try {
            return IpPrefix.parseAddressOrPrefix(prefix).toString();
        } catch (IllegalArgumentException e) {
            return prefix;
        }
    }

    /**
     * A stable incident id: the same route offending the same way, opened by the same change, always
     * has the same id (derivation is deterministic), and a new opening (another change) another id.
     */
    static String incidentId(RouteKey key, Offence offence, long openingCursor) {
        String text = String.join("|", offence.type().azureName, offence.peering(), offence.peeringService(), offence.prefix(),
                key.router(), key.peerAddress(), Long.toString(key.pathId()), key.routePrefix());
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8) + "-" + openingCursor;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private PrefixEvent openedEvent(RouteUpdate change, OpenIncident i) {
        RouteSecurity s = i.security();
        String summary = switch (i.offence().type()) {
            case PREFIX_COVERING_ROUTE_ORIGIN_AS_CHANGE_EVENT -> "Possible hijack of " + i.offence().prefix() + ": "
                    + s.routePrefix() + " originated by AS" + s.originAsn() + " over AS" + s.peerAsn();
            case PREFIX_RPKI_INVALID_ROUTE_EVENT -> "RPKI-invalid route " + s.routePrefix() + " from AS" + s.peerAsn()
                    + " (origin AS" + s.originAsn() + ")";
            default -> "Route leak: " + s.routePrefix() + " from AS" + s.peerAsn()
                    + (s.transitAsn() != 0 ? " through transit AS" + s.transitAsn() : " with Only-To-Customer AS" + s.onlyToCustomer());
        };
        return event(change, i, false, summary, description(i, "Started"));
    }

    private PrefixEvent resolvedEvent(RouteUpdate change, OpenIncident i) {
        String why = change.withdrawn() ? "the route was withdrawn" : "the route no longer offends (announced again with"
                + " AS path \"" + change.asPath() + "\", origin AS" + change.originAsn() + ")";
        String summary = "Resolved: " + i.offence().type().azureName + " of " + i.security().routePrefix() + " from AS"
                + i.security().peerAsn() + " (" + why + ")";
        return event(change, i, true, summary, description(i, "Ended at " + change.time() + ": " + why + ". Started"));
    }

    private static String description(OpenIncident i, String when) {
        RouteSecurity s = i.security();
        return when + " at " + i.openedAt() + ". " + s.reason() + ". Route " + s.routePrefix() + " path id " + s.pathId()
                + ", AS path \"" + s.asPath() + "\", received by router " + s.router() + " from BGP peer " + s.peerAddress()
                + " (AS" + s.peerAsn() + (i.connection().isEmpty() ? ", a session of no peering" : ", " + i.connection()) + ")"
                + ". Expected origins: " + asns(s.expectedOriginAsns()) + ". RPKI: " + rpkiName(s.rpkiState())
                + (s.matchedRoas().isEmpty() ? "" : ", covering " + s.matchedRoas().stream().map(SecurityDerivation::roa)
                .collect(Collectors.joining(", "))) + ".";
    }

    private static String rpkiName(int state) {
        return switch (state) {
            case 1 -> "valid";
            case 2 -> "invalid";
            case 3 -> "not found";
            default -> "unknown";
        };
    }

    private static PrefixEvent event(RouteUpdate change, OpenIncident i, boolean resolved, String summary, String description) {
        RouteSecurity s = i.security();
        Long originBefore = null;
        Long originAfter = s.originAsn();
        if (resolved) {
            originBefore = s.originAsn();
            originAfter = change.withdrawn() ? null : Long.valueOf(change.originAsn());
        }
        return new PrefixEvent(0, change.time(), i.offence().peeringService(), i.offence().prefix(), i.offence().type(),
                i.connection(), summary, description, resolved ? s.asPath() : "",
                resolved ? (change.withdrawn() ? "" : change.asPath()) : s.asPath(), originBefore, originAfter,
                change.cursor(), i.offence().peering(), i.incident(), resolved, s);
    }

    /** The events derived so far, in order. */
    public List<PrefixEvent> events() {
        return events;
    }

    /** The routes touched (or loaded): their stored open incidents are replaced by {@link #openIncidents()}. */
    public List<RouteKey> routes() {
        return List.copyOf(open.keySet());
    }

    /** The incidents open now among the routes touched. */
    public List<OpenIncident> openIncidents() {
        List<OpenIncident> all = new ArrayList<>();
        open.values().forEach(m -> all.addAll(m.values()));
        return all;
    }
}
