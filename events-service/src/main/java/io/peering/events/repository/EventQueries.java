package io.peering.events.repository;

import io.peering.support.replica.ReadPool;
import io.peering.events.EventType;
import io.peering.events.PrefixEvent;
import io.peering.events.RouteSecurity;
import io.peering.events.ValidationChange;
import io.peering.support.sql.SqlFilter;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Reads of the event log: pages of a time range (newest first) and the log from a position on. */
@ApplicationScoped
public class EventQueries {

    /**
     * Which events: those of these peerings or of these peering services, by resource name (both
     * null: all; an event matches when either list names it), a prefix (null: all), types and levels
     * (empty: all).
     */
    public record EventFilter(List<String> peerings, List<String> peeringServices, String prefix, List<Short> types,
                              List<Short> levels) {
    }

    /** The log's oldest retained position and its last position. */
    public record LogBounds(long first, long last) {
    }

    private static final String COLUMNS = "e.seq, e.time, e.peering_service, e.prefix::text, e.type, e.connection, e.summary,"
            + " e.description, e.as_path_before, e.as_path_after, e.origin_asn_before, e.origin_asn_after, e.route_cursor,"
            + " e.peering, e.incident, e.resolved, e.security, e.level, e.validation";

    /** The log (Watch) reads the primary; ListPrefixEvents reads where {@link ReadPool} says. */
    private final Pool pool;
    private final ReadPool reads;

    public EventQueries(Pool pool, ReadPool reads) {
        this.pool = pool;
        this.reads = reads;
    }

    /** Events in [from, to), newest first, after the keyset position (afterTime, afterSeq) when given. */
    public Uni<List<PrefixEvent>> list(EventFilter filter, Instant from, Instant to, Instant afterTime, long afterSeq, int limit) {
        SqlFilter where = conditions(filter)
                .and("e.time >= ?", from.atOffset(ZoneOffset.UTC))
                .and("e.time < ?", to.atOffset(ZoneOffset.UTC));
        if (afterTime != null) {
            where.and("(e.time, e.seq) < (?, ?)", afterTime.atOffset(ZoneOffset.UTC), afterSeq);
        }
        String sql = "SELECT " + COLUMNS + " FROM events.prefix_events e" + where.where()
                + " ORDER BY e.time DESC, e.seq DESC LIMIT " + where.param(limit);
        return reads.forQueries().preparedQuery(sql).execute(where.tuple()).map(EventQueries::events);
    }

    /** Events with afterSeq < seq <= upTo, in log order. */
    public Uni<List<PrefixEvent>> after(EventFilter filter, long afterSeq, long upTo, int limit) {
        SqlFilter where = conditions(filter).and("e.seq > ?", afterSeq).and("e.seq <= ?", upTo);
        String sql = "SELECT " + COLUMNS + " FROM events.prefix_events e" + where.where()
                + " ORDER BY e.seq LIMIT " + where.param(limit);
        return pool.preparedQuery(sql).execute(where.tuple()).map(EventQueries::events);
    }

    public Uni<LogBounds> bounds() {
        return pool.preparedQuery("SELECT (SELECT min(seq) FROM events.prefix_events), last_seq FROM events.log_positions"
                        + " WHERE log = 'prefix_events'")
                .execute()
                .map(rows -> {
                    Row r = rows.iterator().next();
                    Long first = r.getLong(0);
                    return new LogBounds(first == null ? r.getLong(1) + 1 : first, r.getLong(1));
                });
    }

    /** The log's last position: every event at or below it is committed. */
    public Uni<Long> lastPosition() {
        return pool.preparedQuery("SELECT last_seq FROM events.log_positions WHERE log = 'prefix_events'").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }

    private static SqlFilter conditions(EventFilter filter) {
        SqlFilter where = new SqlFilter();
        if (filter.peerings() != null || filter.peeringServices() != null) {
            List<String> peerings = filter.peerings() == null ? List.of() : filter.peerings();
            List<String> services = filter.peeringServices() == null ? List.of() : filter.peeringServices();
            where.and("(e.peering = ANY(?::text[]) OR e.peering_service = ANY(?::text[]))",
                    (Object) peerings.toArray(String[]::new), (Object) services.toArray(String[]::new));
        }
        if (filter.prefix() != null) {
            where.and("e.prefix = ?::text::cidr", filter.prefix());
        }
        if (!filter.types().isEmpty()) {
            where.and("e.type = ANY(?::smallint[])", (Object) filter.types().toArray(Short[]::new));
        }
        if (!filter.levels().isEmpty()) {
            where.and("e.level = ANY(?::smallint[])", (Object) filter.levels().toArray(Short[]::new));
        }
        return where;
    }

    private static List<PrefixEvent> events(RowSet<Row> rows) {
        List<PrefixEvent> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new PrefixEvent(r.getLong(0), r.getOffsetDateTime(1).toInstant(), r.getString(2), r.getString(3),
                    EventType.of(r.getShort(4)), r.getString(5), r.getString(6), r.getString(7), r.getString(8),
                    r.getString(9), r.getLong(10), r.getLong(11), r.getLong(12), r.getString(13), r.getString(14),
                    r.getBoolean(15), r.getJsonObject(16) == null ? null : RouteSecurity.fromJson(r.getJsonObject(16)),
                    EventType.Level.of(r.getShort(17)),
                    r.getJsonObject(18) == null ? null : ValidationChange.fromJson(r.getJsonObject(18))));
        }
        return out;
    }
}
