package io.peering.routes.service;

import io.peering.support.grpc.ApiErrors;
import io.peering.support.grpc.PageTokens;

import io.peering.routes.PeerRef;
import io.peering.routes.Rib;
import io.peering.routes.repository.RouteQueries;
import io.peering.support.inventory.Inventory;
import io.peering.support.net.IpPrefix;
import io.peering.support.time.TimeRanges;
import io.peering.support.watch.FollowedLog;
import io.peering.support.watch.LogFollower;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/** The routes API's logic: request checks, inventory resolution, paging, and following the logs. */
@ApplicationScoped
public class RoutesService {

    private final RouteQueries queries;
    private final Peerings peerings;
    private final LogFollower follower;

    public RoutesService(RouteQueries queries, Peerings peerings, LogFollower follower) {
        this.queries = queries;
        this.peerings = peerings;
        this.follower = follower;
    }

    public record Page<T>(List<T> items, String nextPageToken) {
    }

    /** ListPeerings: the peerings the caller may see, paged by position in the inventory. */
    public Page<Inventory.Peering> listPeerings(int pageSize, String pageToken) {
        return inventoryPage("peerings", peerings.visiblePeerings(), pageSize, pageToken);
    }

    /** ListPeeringServices: the peering services the caller may see, paged by position in the inventory. */
    public Page<Inventory.PeeringService> listPeeringServices(int pageSize, String pageToken) {
        return inventoryPage("peeringServices", peerings.visiblePeeringServices(), pageSize, pageToken);
    }

    /** A page of an inventory list; the token holds the index of the next item (the inventory is fixed while a service runs). */
    static <T> Page<T> inventoryPage(String what, List<T> items, int pageSize, String pageToken) {
        int size = PageTokens.pageSize(pageSize);
        int from = 0;
        if (pageToken != null && !pageToken.isEmpty()) {
            String position = PageTokens.decode(pageToken, what, 1).get(0);
            from = position.matches("\\d{1,9}") ? Integer.parseInt(position) : -1;
            if (from < 0 || from > items.size()) {
                throw ApiErrors.invalidArgument("page_token is not one this service issued; use the next_page_token of the"
                        + " previous response unchanged, or none to start over");
            }
        }
        int to = Math.min(items.size(), from + size);
        return new Page<>(items.subList(from, to), to < items.size() ? PageTokens.encode(what, to) : "");
    }

    /**
     * ListReceivedRoutes after its checks. {@code parent}: a peering, or {@link Peerings#EVERY_PEERING} for every
     * peering the caller may see. {@code originAsn}: null any, else the only origin AS (1..2^32-1).
     * {@code originAsValid}: null any, true valid only, false invalid only (each route judged against its own peering).
     */
    public Uni<Page<RouteQueries.StoredRoute>> listReceivedRoutes(String parent, String connection, String prefix,
            boolean orLonger, String asPath, Long originAsn, Boolean originAsValid, Short rpkiState, Short rib, int pageSize,
            String pageToken) {
        List<String> addresses = peerings.sessionAddresses(parent, connection);
        String canonicalPrefix = prefix == null || prefix.isEmpty() ? null : parsePrefix(prefix, "prefix").toString();
        List<Long> sequence = asPath == null || asPath.isBlank() ? null : asnSequence(asPath);
        if (originAsn != null && (originAsn < 1 || originAsn > 0xFFFF_FFFFL)) {
            throw ApiErrors.invalidArgument("origin_asn " + originAsn + " is not an origin AS: give an ASN in 1..4294967295"
                    + " (a route whose AS path is empty or ends in an AS_SET has none), or leave it unset for any origin");
        }
        Map<String, List<Long>> own = originAsValid == null ? null : peerings.ownAsnsBySessionAddress(parent);
        int size = PageTokens.pageSize(pageSize);
        String fingerprint = String.join("|", parent, String.valueOf(connection), String.valueOf(canonicalPrefix),
                String.valueOf(orLonger), String.valueOf(sequence), String.valueOf(originAsValid), String.valueOf(rpkiState),
                String.valueOf(rib)) + (originAsn == null ? "" : "|origin_asn=" + originAsn); // tokens issued before it stay valid
        RouteQueries.RouteKey after = null;
        if (pageToken != null && !pageToken.isEmpty()) {
            TokenPosition p = TokenPosition.decode(pageToken, fingerprint, 6);
            after = new RouteQueries.RouteKey(p.address(0), p.prefix(1), p.address(2), p.number(3, Long.MIN_VALUE, Long.MAX_VALUE),
                    (short) p.number(4, Rib.ADJ_RIB_IN_PRE_POLICY.code, Rib.LOC_RIB.code), p.number(5, 0, 0xFFFF_FFFFL));
        }
        RouteQueries.RouteFilter filter = new RouteQueries.RouteFilter(addresses, canonicalPrefix, orLonger, sequence,
                originAsn, originAsValid, own, rpkiState, rib);
        if (addresses != null && addresses.isEmpty()) {
            return Uni.createFrom().item(new Page<>(List.of(), ""));
        }
        return queries.listRoutes(filter, after, size + 1).map(routes -> {
            if (routes.size() <= size) {
                return new Page<>(routes, "");
            }
            List<RouteQueries.StoredRoute> page = routes.subList(0, size);
            RouteQueries.StoredRoute last = page.get(size - 1);
            return new Page<>(page, PageTokens.encode(fingerprint, last.peer().peerAddress(), last.prefix(),
                    last.peer().router(), last.peer().distinguisher(), last.rib().code, last.pathId()));
        });
    }

    /** GetRouteHistory after its checks; {@code parent} as for {@link #listReceivedRoutes}. */
    public Uni<Page<RouteQueries.LoggedChange>> routeHistory(String parent, String prefix, Instant from, Instant to,
                                                             int pageSize, String pageToken) {
        List<String> addresses = peerings.sessionAddresses(parent, null);
        if (prefix == null || prefix.isEmpty()) {
            throw ApiErrors.invalidArgument("prefix is required, e.g. \"198.51.100.0/24\"");
        }
        String canonical = parsePrefix(prefix, "prefix").toString();
        TimeRanges.check(from, to, Instant.now());
        int size = PageTokens.pageSize(pageSize);
        String fingerprint = String.join("|", parent, canonical, from.toString(), to.toString());
        Instant afterTime = null;
        long afterSeq = 0;
        if (pageToken != null && !pageToken.isEmpty()) {
            TokenPosition p = TokenPosition.decode(pageToken, fingerprint, 2);
            afterTime = p.time(0, from, to);
            afterSeq = p.number(1, 0, Long.MAX_VALUE);
        }
        if (addresses != null && addresses.isEmpty()) {
            return Uni.createFrom().item(new Page<>(List.of(), ""));
        }
        return queries.history(addresses, canonical, from, to, afterTime, afterSeq, size + 1).map(changes -> {
            if (changes.size() <= size) {
                return new Page<>(changes, "");
            }
            List<RouteQueries.LoggedChange> page = changes.subList(0, size);
            RouteQueries.LoggedChange last = page.get(size - 1);
            return new Page<>(page, PageTokens.encode(fingerprint, last.change().time(), last.seq()));
        });
    }

    /** What BgpRoute found: a page of routes, and the prefix that matched (null when none did). */
    public record Lookup(List<RouteQueries.StoredRoute> routes, String matchedPrefix, String nextPageToken) {
    }

    /**
     * BgpRoute after its checks. {@code parent} as for {@link #listReceivedRoutes}; {@code target} an address or a
     * prefix; {@code atTime} null for the current routes, else the routes as the change log says they were then.
     */
    public Uni<Lookup> bgpRoute(String parent, String target, RouteQueries.Match match, Instant atTime, Short rib,
                                int pageSize, String pageToken) {
        List<String> addresses = peerings.sessionAddresses(parent, null);
        if (target == null || target.isBlank()) {
            throw ApiErrors.invalidArgument("target is required: an address (\"198.51.100.7\") or a prefix (\"198.51.100.0/24\")");
        }
        IpPrefix prefix = parsePrefix(target, "target");
        if (atTime != null && atTime.isAfter(Instant.now())) {
            throw ApiErrors.invalidArgument("at_time " + atTime + " is in the future; give a past time, or none for the"
                    + " current routes");
        }
        int size = PageTokens.pageSize(pageSize);
        String fingerprint = String.join("|", "bgpRoute", parent, prefix.toString(), match.name(), String.valueOf(atTime),
                String.valueOf(rib));
        RouteQueries.LookupKey after = null;
        if (pageToken != null && !pageToken.isEmpty()) {
            TokenPosition p = TokenPosition.decode(pageToken, fingerprint, 6);
            after = new RouteQueries.LookupKey(p.prefix(0), p.address(1), p.number(2, Long.MIN_VALUE, Long.MAX_VALUE),
                    p.address(3), (short) p.number(4, Rib.ADJ_RIB_IN_PRE_POLICY.code, Rib.LOC_RIB.code),
                    p.number(5, 0, 0xFFFF_FFFFL));
        }
        if (addresses != null && addresses.isEmpty()) {
            return Uni.createFrom().item(new Lookup(List.of(), null, ""));
        }
        List<String> prefixes = match == RouteQueries.Match.LONGEST_OF_CANDIDATES ? covering(prefix) : List.of(prefix.toString());
        return queries.lookup(addresses, match, prefixes, rib, atTime, after, size + 1).map(routes -> {
            String matched = routes.isEmpty() ? null
                    : match == RouteQueries.Match.LONGEST_OF_CANDIDATES ? routes.get(0).prefix() : prefix.toString();
            if (routes.size() <= size) {
                return new Lookup(routes, matched, "");
            }
            List<RouteQueries.StoredRoute> page = routes.subList(0, size);
            RouteQueries.StoredRoute last = page.get(size - 1);
            return new Lookup(page, matched, PageTokens.encode(fingerprint, last.prefix(), last.peer().router(),
                    last.peer().distinguisher(), last.peer().peerAddress(), last.rib().code, last.pathId()));
        });
    }

    /** The prefix and every shorter prefix containing it, down to /0: the candidates of a longest-prefix match. */
    static List<String> covering(IpPrefix prefix) {
        List<String> out = new ArrayList<>();
        byte[] address = prefix.address().getAddress();
        for (int length = prefix.length(); length >= 0; length--) {
            out.add(IpPrefix.masking(address, length).toString());
        }
        return out;
    }

    public Uni<Page<RouteQueries.StoredSession>> listSessions(String parent, int pageSize, String pageToken) {
        List<String> addresses = peerings.sessionAddresses(parent, null);
        int size = PageTokens.pageSize(pageSize);
        PeerRef after = null;
        if (pageToken != null && !pageToken.isEmpty()) {
            TokenPosition p = TokenPosition.decode(pageToken, parent, 3);
            after = new PeerRef(p.address(0), p.number(1, Long.MIN_VALUE, Long.MAX_VALUE), p.address(2), 0);
        }
        if (addresses != null && addresses.isEmpty()) {
            return Uni.createFrom().item(new Page<>(List.of(), ""));
        }
        return queries.sessions(addresses, after, size + 1).map(sessions -> {
            if (sessions.size() <= size) {
                return new Page<>(sessions, "");
            }
            List<RouteQueries.StoredSession> page = sessions.subList(0, size);
            PeerRef last = page.get(size - 1).peer();
            return new Page<>(page, PageTokens.encode(parent, last.router(), last.distinguisher(), last.peerAddress()));
        });
    }

    /** How the Watch statuses speak of the two logs. */
    private static final LogFollower.Wording LOG = new LogFollower.Wording("log", "a cursor from a response");

    /** WatchRouteChanges: batches of log entries from the cursor on, then live. */
    public Multi<List<RouteQueries.LoggedChange>> watchRouteChanges(String afterCursor, boolean fromEarliest, String parent,
                                                                    List<String> prefixes) {
        List<String> addresses = peersOf(parent);
        List<String> canonical = new ArrayList<>();
        for (String p : prefixes) {
            canonical.add(parsePrefix(p, "prefixes").toString());
        }
        return follower.follow(log("route_changes", (after, upTo, limit) -> queries.changesAfter(after, upTo, addresses, canonical,
                limit), RouteQueries.LoggedChange::seq), LOG, afterCursor, fromEarliest);
    }

    /** WatchSessions: batches of transitions from the cursor on, then live. */
    public Multi<List<RouteQueries.LoggedTransition>> watchSessions(String afterCursor, boolean fromEarliest, String parent) {
        List<String> addresses = peersOf(parent);
        return follower.follow(log("session_transitions", (after, upTo, limit) -> queries.transitionsAfter(after, upTo, addresses,
                limit), RouteQueries.LoggedTransition::seq), LOG, afterCursor, fromEarliest);
    }

    private List<String> peersOf(String parent) {
        if (parent == null || parent.isEmpty() || Peerings.EVERY_PEERING.equals(parent)) {
            return peerings.visibleSessionAddresses();
        }
        return peerings.sessionAddresses(peerings.peering(parent), null);
    }

    /** One of the two logs of the routes schema ("route_changes", "session_transitions"), read with a Watch's filter. */
    private <T> FollowedLog<T> log(String log, FollowedLog.Entries<T> entries, ToLongFunction<T> seqOf) {
        return FollowedLog.of(() -> queries.bounds(log), () -> queries.lastPosition(log), entries, seqOf);
    }

    /**
     * The position fields of a page token that passed the fingerprint check, each checked to be what this
     * service writes there: a token forged or damaged to fit the request is refused as not issued here,
     * not passed on to the database.
     */
    private record TokenPosition(List<String> fields) {

        static TokenPosition decode(String token, String fingerprint, int count) {
            return new TokenPosition(PageTokens.decode(token, fingerprint, count));
        }

        /** An address literal, as the database printed it; passed on unchanged. */
        String address(int i) {
            String text = fields.get(i);
            try {
                parseAddress(text);
                return text;
            } catch (IllegalArgumentException e) {
                throw notIssued();
            }
        }

        /** A prefix (CIDR, host bits zero), as the database printed it; passed on unchanged. */
        String prefix(int i) {
            String text = fields.get(i);
            try {
                IpPrefix.parse(text);
                return text;
            } catch (IllegalArgumentException e) {
                throw notIssued();
            }
        }

        private static java.net.InetAddress parseAddress(String text) {
            return IpPrefix.parse(text + (text.contains(":") ? "/128" : "/32")).address();
        }

        long number(int i, long min, long max) {
            try {
                long value = Long.parseLong(fields.get(i));
                if (value < min || value > max) {
                    throw notIssued();
                }
                return value;
            } catch (NumberFormatException e) {
                throw notIssued();
            }
        }

        /** A time within [from, to): where the request's items lie. */
        Instant time(int i, Instant from, Instant to) {
            try {
                Instant t = Instant.parse(fields.get(i));
                if (t.isBefore(from) || !t.isBefore(to)) {
                    throw notIssued();
                }
                return t;
            } catch (java.time.format.DateTimeParseException e) {
                throw notIssued();
            }
        }

        static io.grpc.StatusRuntimeException notIssued() {
            return ApiErrors.invalidArgument("page_token is not one this service issued; use the next_page_token of the"
                    + " previous response unchanged, or none to start over");
        }
    }

    static IpPrefix parsePrefix(String text, String field) {
        try {
            return IpPrefix.parseAddressOrPrefix(text);
        } catch (IllegalArgumentException e) {
            throw ApiErrors.invalidArgument(field + ": " + e.getMessage());
        }
    }

    static List<Long> asnSequence(String asPath) {
        List<Long> asns = new ArrayList<>();
        for (String token : asPath.trim().split("\\s+")) {
            try {
                long asn = Long.parseLong(token);
                if (asn < 0 || asn > 0xFFFF_FFFFL) {
                    throw new NumberFormatException();
                }
                asns.add(asn);
            } catch (NumberFormatException e) {
                throw ApiErrors.invalidArgument("as_path must be ASNs separated by spaces, like \"64500 64501\"; \""
                        + token + "\" is not an ASN");
            }
        }
        return asns;
    }
}
