package io.peering.events.service;

import io.peering.events.PrefixEvent;
import io.peering.events.repository.EventQueries;
import io.peering.support.grpc.ApiErrors;
import io.peering.support.grpc.PageTokens;
import io.peering.support.inventory.Inventory;
import io.peering.support.net.IpPrefix;
import io.peering.support.time.TimeRanges;
import io.peering.support.watch.FollowedLog;
import io.peering.support.watch.LogBounds;
import io.peering.support.watch.LogFollower;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;

/** The events API's logic: request checks, paging, and following the event log. */
@ApplicationScoped
public class EventsService {

    /** How the Watch statuses speak of the event log. */
    private static final LogFollower.Wording LOG = new LogFollower.Wording("event log", "the cursor of an event");

    private final EventQueries queries;
    private final ServicePrefixes servicePrefixes;
    private final LogFollower follower;

    public EventsService(EventQueries queries, ServicePrefixes servicePrefixes, LogFollower follower) {
        this.queries = queries;
        this.servicePrefixes = servicePrefixes;
        this.follower = follower;
    }

    public record Page(List<PrefixEvent> events, String nextPageToken) {
    }

    /**
     * ListPrefixEvents: one peering service or one peering, a time range, optional prefix, types and
     * levels; newest first.
     */
    public Uni<Page> list(String parent, String prefix, Instant from, Instant to, List<Short> types, List<Short> levels,
                          int pageSize, String pageToken) {
        if ("peeringServices/-".equals(parent) || "peerings/-".equals(parent)) {
            throw ApiErrors.invalidArgument("ListPrefixEvents needs one peering service or peering as parent, like"
                    + " \"peeringServices/contoso-web\" or \"peerings/contoso\"; \"-\" (all) is for WatchPrefixEvents only");
        }
        Scope scope = scope(parent, prefix);
        String canonical = scope.prefix();
        TimeRanges.check(from, to, Instant.now());
        int size = PageTokens.pageSize(pageSize);
        String fingerprint = String.join("|", parent, String.valueOf(canonical), from.toString(), to.toString(),
                types.toString(), levels.toString());
        Instant afterTime = null;
        long afterSeq = 0;
        if (pageToken != null && !pageToken.isEmpty()) {
            List<String> p = PageTokens.decode(pageToken, fingerprint, 2);
            try {
                afterTime = Instant.parse(p.get(0));
                afterSeq = Long.parseLong(p.get(1));
            } catch (RuntimeException e) {
                throw ApiErrors.invalidArgument("page_token is not one this service issued; use the next_page_token of the"
                        + " previous response unchanged, or none to start over");
            }
        }
        EventQueries.EventFilter filter = new EventQueries.EventFilter(scope.peerings(), scope.services(), canonical, types, levels);
        return queries.list(filter, from, to, afterTime, afterSeq, size + 1).map(events -> {
            if (events.size() <= size) {
                return new Page(events, "");
            }
            List<PrefixEvent> page = events.subList(0, size);
            PrefixEvent last = page.get(size - 1);
            return new Page(page, PageTokens.encode(fingerprint, last.time(), last.seq()));
        });
    }

    /**
     * WatchPrefixEvents: batches of events after the cursor (or from the start position), then live
     * ({@link LogFollower}).
     */
    public Multi<List<PrefixEvent>> watch(String parent, String prefix, List<Short> types, List<Short> levels,
                                          String afterCursor, boolean fromEarliest) {
        Scope scope;
        if (parent == null || parent.isEmpty() || "peeringServices/-".equals(parent) || "peerings/-".equals(parent)) {
            List<String> peerings = servicePrefixes.visiblePeerings();
            scope = new Scope(peerings, peerings == null ? null : servicePrefixes.visibleServices(),
                    prefix == null || prefix.isEmpty() ? null : parsePrefix(prefix));
        } else {
            scope = scope(parent, prefix);
        }
        EventQueries.EventFilter filter = new EventQueries.EventFilter(scope.peerings(), scope.services(), scope.prefix(),
                types, levels);
        return follower.follow(FollowedLog.of(() -> queries.bounds().map(b -> new LogBounds(b.first(), b.last())),
                queries::lastPosition, (after, upTo, limit) -> queries.after(filter, after, upTo, limit), PrefixEvent::seq),
                LOG, afterCursor, fromEarliest);
    }

    /** The events a parent names: of these peerings or these services (null and null: all), and a prefix (null: all). */
    private record Scope(List<String> peerings, List<String> services, String prefix) {
    }

    /**
     * "peeringServices/{s}": the service's events (a prefix must be one of its prefixes);
     * "peerings/{p}": the peering's route-security events and its services' events (any prefix).
     */
    private Scope scope(String parent, String prefix) {
        if (parent != null && parent.startsWith("peerings/") && parent.indexOf('/', "peerings/".length()) < 0) {
            Inventory.Peering peering = servicePrefixes.peering(parent);
            return new Scope(List.of(parent), servicePrefixes.servicesOf(peering),
                    prefix == null || prefix.isEmpty() ? null : parsePrefix(prefix));
        }
        Inventory.PeeringService service = servicePrefixes.service(parent);
        return new Scope(List.of(), List.of(parent), prefixOf(service, prefix));
    }

    private static String prefixOf(Inventory.PeeringService service, String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return null;
        }
        String canonical = parsePrefix(prefix);
        List<String> own = service.prefixes().stream().map(p -> IpPrefix.parseAddressOrPrefix(p).toString()).toList();
        if (!own.contains(canonical)) {
            throw ApiErrors.invalidArgument("prefix " + canonical + " is not a prefix of peeringServices/" + service.name()
                    + "; its prefixes are " + own);
        }
        return canonical;
    }

    private static String parsePrefix(String text) {
        try {
            return IpPrefix.parseAddressOrPrefix(text).toString();
        } catch (IllegalArgumentException e) {
            throw ApiErrors.invalidArgument("prefix: " + e.getMessage());
        }
    }
}
