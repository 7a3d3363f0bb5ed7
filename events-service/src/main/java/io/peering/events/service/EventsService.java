package io.peering.events.service;

import io.peering.events.PrefixEvent;
import io.peering.events.repository.EventQueries;
import io.peering.support.log.LogSignal;
import io.peering.support.grpc.ApiErrors;
import io.peering.support.grpc.PageTokens;
import io.peering.support.inventory.Inventory;
import io.peering.support.net.Cidr;
import io.peering.support.time.TimeRanges;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** The events API's logic: request checks, paging, and following the event log. */
@ApplicationScoped
public class EventsService {

    /** Events fetched per Watch round trip. */
    static final int WATCH_BATCH = 1000;

    private final EventQueries queries;
    private final ServicePrefixes servicePrefixes;
    private final LogSignal signal;

    public EventsService(EventQueries queries, ServicePrefixes servicePrefixes, LogSignal signal) {
        this.queries = queries;
        this.servicePrefixes = servicePrefixes;
        this.signal = signal;
    }

    public record Page(List<PrefixEvent> events, String nextPageToken) {
    }

    /** ListPrefixEvents: one peering service, a time range, optional prefix, types and levels; newest first. */
    public Uni<Page> list(String parent, String prefix, Instant from, Instant to, List<Short> types, List<Short> levels,
                          int pageSize, String pageToken) {
        if ("peeringServices/-".equals(parent)) {
            throw ApiErrors.invalidArgument("ListPrefixEvents needs one peering service as parent, like"
                    + " \"peeringServices/contoso-web\"; \"-\" (all) is for WatchPrefixEvents only");
        }
        Inventory.PeeringService service = servicePrefixes.service(parent);
        String canonical = prefixOf(service, prefix);
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
        EventQueries.EventFilter filter = new EventQueries.EventFilter(List.of(parent), canonical, types, levels);
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
     * WatchPrefixEvents: batches of events after the cursor (or from the start position), then live.
     * Demand-driven: a slow client slows its own fetching; it holds no lock and delays no writer.
     */
    public Multi<List<PrefixEvent>> watch(String parent, String prefix, List<Short> types, List<Short> levels,
                                          String afterCursor, boolean fromEarliest) {
        List<String> services;
        String canonical;
        if (parent == null || parent.isEmpty() || "peeringServices/-".equals(parent)) {
            canonical = prefix == null || prefix.isEmpty() ? null : anyServicePrefix(prefix);
            services = servicePrefixes.visibleServices();
        } else {
            services = List.of(parent);
            canonical = prefixOf(servicePrefixes.service(parent), prefix);
        }
        Long requested = null;
        if (afterCursor != null && !afterCursor.isEmpty()) {
            try {
                requested = Long.parseLong(afterCursor);
            } catch (NumberFormatException e) {
                requested = -1L;
            }
            if (requested < 0) {
                throw ApiErrors.invalidArgument("after_cursor \"" + afterCursor + "\" is not a cursor this service issued;"
                        + " use the cursor of an event");
            }
        }
        EventQueries.EventFilter filter = new EventQueries.EventFilter(services, canonical, types, levels);
        Long cursor = requested;
        return queries.bounds().onItem().transformToMulti(bounds -> {
            long start;
            if (cursor != null) {
                if (cursor > bounds.last()) {
                    throw ApiErrors.invalidArgument("after_cursor " + cursor + " is ahead of the event log (last is "
                            + bounds.last() + "); use the cursor of an event");
                }
                if (cursor < bounds.first() - 1) {
                    throw ApiErrors.failedPrecondition("after_cursor " + cursor + " is older than the retained events"
                            + " (oldest " + bounds.first() + "); they were dropped by retention. Start again with"
                            + " start_position EARLIEST");
                }
                start = cursor;
            } else {
                start = fromEarliest ? 0 : bounds.last();
            }
            AtomicLong position = new AtomicLong(start);
            AtomicBoolean caughtUp = new AtomicBoolean(false);
            return Multi.createBy().repeating()
                    .uni(() -> (caughtUp.get() ? signal.awaitNext() : Uni.createFrom().voidItem())
                            .flatMap(v -> queries.lastPosition())
                            .flatMap(last -> queries.after(filter, position.get(), last, WATCH_BATCH)
                                    .invoke(batch -> {
                                        caughtUp.set(batch.size() < WATCH_BATCH);
                                        // a short batch covers everything up to the log's end as read
                                        position.set(batch.size() < WATCH_BATCH ? Math.max(position.get(), last)
                                                : batch.get(batch.size() - 1).seq());
                                    })))
                    .indefinitely()
                    .select().where(batch -> !batch.isEmpty());
        });
    }

    private static String prefixOf(Inventory.PeeringService service, String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return null;
        }
        String canonical = parsePrefix(prefix);
        List<String> own = service.prefixes().stream().map(p -> Cidr.parse(p).toString()).toList();
        if (!own.contains(canonical)) {
            throw ApiErrors.invalidArgument("prefix " + canonical + " is not a prefix of peeringServices/" + service.name()
                    + "; its prefixes are " + own);
        }
        return canonical;
    }

    private String anyServicePrefix(String prefix) {
        String canonical = parsePrefix(prefix);
        if (!servicePrefixes.allPrefixes().contains(canonical)) {
            throw ApiErrors.invalidArgument("prefix " + canonical + " is not a prefix of any peering service; known: "
                    + servicePrefixes.allPrefixes());
        }
        return canonical;
    }

    private static String parsePrefix(String text) {
        try {
            return Cidr.parse(text).toString();
        } catch (IllegalArgumentException e) {
            throw ApiErrors.invalidArgument("prefix: " + e.getMessage());
        }
    }
}
