package io.peering.routes.service;

import io.peering.support.grpc.ApiErrors;
import io.peering.support.grpc.PageTokens;

import io.peering.routes.PeerRef;
import io.peering.support.log.LogSignal;
import io.peering.routes.repository.RouteQueries;
import io.peering.support.inventory.Inventory;
import io.peering.support.net.Cidr;
import io.peering.support.time.TimeRanges;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/** The routes API's logic: request checks, inventory resolution, paging, and following the logs. */
@ApplicationScoped
public class RoutesService {

    /** Log entries fetched per Watch round trip. */
    static final int WATCH_BATCH = 1000;

    private final RouteQueries queries;
    private final Peerings peerings;
    private final LogSignal signal;

    public RoutesService(RouteQueries queries, Peerings peerings, LogSignal signal) {
        this.queries = queries;
        this.peerings = peerings;
        this.signal = signal;
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
    private static <T> Page<T> inventoryPage(String what, List<T> items, int pageSize, String pageToken) {
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

    /** ListReceivedRoutes after its checks. {@code originAsValid}: null any, true valid only, false invalid only. */
    public Uni<Page<RouteQueries.StoredRoute>> listReceivedRoutes(String parent, String connection, String prefix,
            boolean orLonger, String asPath, Boolean originAsValid, Short rpkiState, Short rib, int pageSize, String pageToken) {
        Inventory.Peering peering = peerings.peering(parent);
        List<String> addresses = peerings.sessionAddresses(peering, connection);
        String canonicalPrefix = prefix == null || prefix.isEmpty() ? null : parsePrefix(prefix, "prefix").toString();
        List<Long> sequence = asPath == null || asPath.isBlank() ? null : asnSequence(asPath);
        List<Long> own = peerings.ownAsns(peering);
        int size = PageTokens.pageSize(pageSize);
        String fingerprint = String.join("|", parent, String.valueOf(connection), String.valueOf(canonicalPrefix),
                String.valueOf(orLonger), String.valueOf(sequence), String.valueOf(originAsValid), String.valueOf(rpkiState),
                String.valueOf(rib));
        RouteQueries.RouteKey after = null;
        if (pageToken != null && !pageToken.isEmpty()) {
            List<String> p = PageTokens.decode(pageToken, fingerprint, 6);
            after = new RouteQueries.RouteKey(p.get(0), p.get(1), p.get(2), Long.parseLong(p.get(3)),
                    Short.parseShort(p.get(4)), Long.parseLong(p.get(5)));
        }
        RouteQueries.RouteFilter filter = new RouteQueries.RouteFilter(addresses, canonicalPrefix, orLonger, sequence,
                Boolean.TRUE.equals(originAsValid) ? own : null, Boolean.FALSE.equals(originAsValid) ? own : null,
                rpkiState, rib);
        if (addresses.isEmpty()) {
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

    public Uni<Page<RouteQueries.LoggedChange>> routeHistory(String parent, String prefix, Instant from, Instant to,
                                                             int pageSize, String pageToken) {
        Inventory.Peering peering = peerings.peering(parent);
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
            List<String> p = PageTokens.decode(pageToken, fingerprint, 2);
            afterTime = Instant.parse(p.get(0));
            afterSeq = Long.parseLong(p.get(1));
        }
        List<String> addresses = peerings.sessionAddresses(peering, null);
        if (addresses.isEmpty()) {
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

    public Uni<Page<RouteQueries.StoredSession>> listSessions(String parent, int pageSize, String pageToken) {
        List<String> addresses = "peerings/-".equals(parent) ? peerings.visibleSessionAddresses()
                : peerings.sessionAddresses(peerings.peering(parent), null);
        int size = PageTokens.pageSize(pageSize);
        PeerRef after = null;
        if (pageToken != null && !pageToken.isEmpty()) {
            List<String> p = PageTokens.decode(pageToken, parent, 3);
            after = new PeerRef(p.get(0), Long.parseLong(p.get(1)), p.get(2), 0);
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

    /** WatchRouteChanges: batches of log entries from the cursor on, then live. */
    public Multi<List<RouteQueries.LoggedChange>> watchRouteChanges(String afterCursor, boolean fromEarliest, String parent,
                                                                    List<String> prefixes) {
        List<String> addresses = peersOf(parent);
        List<String> canonical = new ArrayList<>();
        for (String p : prefixes) {
            canonical.add(parsePrefix(p, "prefixes").toString());
        }
        return follow("route_changes", afterCursor, fromEarliest,
                after -> queries.changesAfter(after, addresses, canonical, WATCH_BATCH), RouteQueries.LoggedChange::seq);
    }

    /** WatchSessions: batches of transitions from the cursor on, then live. */
    public Multi<List<RouteQueries.LoggedTransition>> watchSessions(String afterCursor, boolean fromEarliest, String parent) {
        List<String> addresses = peersOf(parent);
        return follow("session_transitions", afterCursor, fromEarliest,
                after -> queries.transitionsAfter(after, addresses, WATCH_BATCH), RouteQueries.LoggedTransition::seq);
    }

    private List<String> peersOf(String parent) {
        if (parent == null || parent.isEmpty() || "peerings/-".equals(parent)) {
            return peerings.visibleSessionAddresses();
        }
        return peerings.sessionAddresses(peerings.peering(parent), null);
    }

    /**
     * Follows a log: resolves the start position, then repeatedly fetches what follows it, waiting
     * for a write (or the poll interval) whenever it has caught up. Demand-driven: a slow client
     * slows the fetching, it does not fill memory.
     */
    private <T> Multi<List<T>> follow(String log, String afterCursor, boolean fromEarliest,
                                      Function<Long, Uni<List<T>>> fetch, java.util.function.ToLongFunction<T> seqOf) {
        Long cursor = null;
        if (afterCursor != null && !afterCursor.isEmpty()) {
            try {
                cursor = Long.parseLong(afterCursor);
            } catch (NumberFormatException e) {
                cursor = -1L;
            }
            if (cursor < 0) {
                throw ApiErrors.invalidArgument("after_cursor \"" + afterCursor + "\" is not a cursor this service issued; pass"
                        + " the cursor of a change or transition from a response, or none to start at start_position");
            }
        }
        Long requested = cursor;
        return queries.bounds(log).onItem().transformToMulti(bounds -> {
            long start;
            if (requested != null) {
                if (requested > bounds.last()) {
                    throw ApiErrors.invalidArgument("after_cursor " + requested + " is ahead of the log (last is "
                            + bounds.last() + "); use a cursor from a response");
                }
                if (requested < bounds.first() - 1) {
                    throw ApiErrors.failedPrecondition("after_cursor " + requested + " is older than the retained history"
                            + " (oldest entry " + bounds.first() + "); entries were dropped by retention. Start again"
                            + " with start_position EARLIEST and rebuild what you derived");
                }
                start = requested;
            } else {
                start = fromEarliest ? 0 : bounds.last();
            }
            AtomicLong position = new AtomicLong(start);
            java.util.concurrent.atomic.AtomicBoolean caughtUp = new java.util.concurrent.atomic.AtomicBoolean(false);
            return Multi.createBy().repeating()
                    .uni(() -> (caughtUp.get() ? signal.awaitNext() : Uni.createFrom().voidItem())
                            .flatMap(v -> fetch.apply(position.get()))
                            .invoke(batch -> {
                                caughtUp.set(batch.size() < WATCH_BATCH);
                                if (!batch.isEmpty()) {
                                    position.set(seqOf.applyAsLong(batch.get(batch.size() - 1)));
                                }
                            }))
                    .indefinitely()
                    .select().where(batch -> !batch.isEmpty());
        });
    }

    static Cidr parsePrefix(String text, String field) {
        try {
            return Cidr.parse(text);
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
