package io.peering.events.repository;

import io.peering.events.EventType;
import io.peering.events.PrefixEvent;
import io.peering.events.RouteSecurity;
import io.peering.events.Role;
import io.peering.events.service.Derivation;
import io.peering.events.service.SecurityDerivation;
import io.peering.support.sql.Columns;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The feed's writes: its cursor, the routes held for peering-service prefixes, and the event log (also written by
 * the validation-state poller).
 * The methods taking a connection run inside the caller's transaction.
 */
@ApplicationScoped
public class EventStore {

    /** The feed of route changes from routes-service. */
    public static final String ROUTES_FEED = "routes.WatchRouteChanges";

    private final Pool pool;

    public EventStore(Pool pool) {
        this.pool = pool;
    }

    /** The feed's cursor; null before its first change. */
    public Uni<Long> cursor(String feed) {
        return pool.preparedQuery("SELECT cursor FROM events.feed_cursors WHERE feed = $1").execute(Tuple.of(feed))
                .map(EventStore::cursorOf);
    }

    /** The feed's cursor, with its row locked until the transaction ends (one deriver at a time). */
    public Uni<Long> lockCursor(SqlConnection conn, String feed) {
        return conn.preparedQuery("SELECT cursor FROM events.feed_cursors WHERE feed = $1 FOR UPDATE").execute(Tuple.of(feed))
                .map(EventStore::cursorOf);
    }

    private static Long cursorOf(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        if (rows.size() == 0) {
            throw new IllegalStateException("events.feed_cursors has no row for the feed; the V1 migration inserts it");
        }
        String cursor = rows.iterator().next().getString(0);
        return cursor.isEmpty() ? null : Long.parseLong(cursor);
    }

    public Uni<Void> saveCursor(SqlConnection conn, String feed, long cursor) {
        return conn.preparedQuery("UPDATE events.feed_cursors SET cursor = $2, updated_at = now() WHERE feed = $1")
                .execute(Tuple.of(feed, Long.toString(cursor))).replaceWithVoid();
    }

    /** The routes held for these peering-service prefixes. */
    public Uni<List<Derivation.HeldRoute>> routes(SqlConnection conn, List<Derivation.Key> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Columns c = keyColumns(keys);
        return conn.preparedQuery("""
                        SELECT r.peering_service, r.prefix::text, r.role, host(r.router), host(r.peer_address), r.path_id,
                               r.as_path, r.origin_asn, r.received_time
                        FROM events.prefix_routes r
                        JOIN unnest($1::text[], $2::text[]) AS k(service, prefix)
                          ON r.peering_service = k.service AND r.prefix = k.prefix::cidr
                        """)
                .execute(c.tuple())
                .map(rows -> {
                    List<Derivation.HeldRoute> held = new ArrayList<>();
                    for (Row r : rows) {
                        held.add(new Derivation.HeldRoute(new Derivation.Key(r.getString(0), r.getString(1)),
                                Role.of(r.getShort(2)), new Derivation.RouteId(r.getString(3), r.getString(4), r.getLong(5)),
                                r.getString(6), r.getLong(7), r.getOffsetDateTime(8).toInstant()));
                    }
                    return held;
                });
    }

    /** Replaces the routes held for these prefixes with {@code routes}. */
    public Uni<Void> replaceRoutes(SqlConnection conn, List<Derivation.Key> keys, List<Derivation.HeldRoute> routes) {
        if (keys.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Uni<Void> delete = conn.preparedQuery("""
                        DELETE FROM events.prefix_routes r USING unnest($1::text[], $2::text[]) AS k(service, prefix)
                        WHERE r.peering_service = k.service AND r.prefix = k.prefix::cidr
                        """)
                .execute(keyColumns(keys).tuple()).replaceWithVoid();
        if (routes.isEmpty()) {
            return delete;
        }
        Columns c = new Columns(routes.size(), String.class, String.class, Short.class, String.class, String.class, Long.class,
                String.class, Long.class, OffsetDateTime.class);
        for (Derivation.HeldRoute r : routes) {
            c.add(r.key().peeringService(), r.key().prefix(), r.role().code, r.id().router(), r.id().peerAddress(),
                    r.id().pathId(), r.asPath(), r.originAsn(), r.received().atOffset(ZoneOffset.UTC));
        }
        return delete.flatMap(v -> conn.preparedQuery("""
                        INSERT INTO events.prefix_routes (peering_service, prefix, role, router, peer_address, path_id, as_path,
                            origin_asn, received_time)
                        SELECT s, p::cidr, role, router::inet, peer::inet, path_id, as_path, origin_asn, t
                        FROM unnest($1::text[], $2::text[], $3::smallint[], $4::text[], $5::text[], $6::bigint[], $7::text[],
                                    $8::bigint[], $9::timestamptz[]) AS u(s, p, role, router, peer, path_id, as_path, origin_asn, t)
                        """)
                .execute(c.tuple()).replaceWithVoid());
    }

    private static Columns keyColumns(List<Derivation.Key> keys) {
        Columns c = new Columns(keys.size(), String.class, String.class);
        keys.forEach(k -> c.add(k.peeringService(), k.prefix()));
        return c;
    }

    /** The open incidents of these routes. */
    public Uni<List<SecurityDerivation.OpenIncident>> openIncidents(SqlConnection conn, List<SecurityDerivation.RouteKey> routes) {
        if (routes.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return conn.preparedQuery("""
                        SELECT i.incident, i.type, i.peering, i.peering_service, i.prefix::text, host(i.router), host(i.peer_address),
                               i.path_id, i.route_prefix::text, i.opened_at, i.connection, i.security
                        FROM events.open_incidents i
                        JOIN unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) AS k(router, peer, path_id, prefix)
                          ON i.router = k.router::inet AND i.peer_address = k.peer::inet AND i.path_id = k.path_id
                         AND i.route_prefix = k.prefix::cidr
                        """)
                .execute(routeColumns(routes).tuple())
                .map(rows -> {
                    List<SecurityDerivation.OpenIncident> open = new ArrayList<>();
                    for (Row r : rows) {
                        open.add(new SecurityDerivation.OpenIncident(r.getString(0),
                                new SecurityDerivation.RouteKey(r.getString(5), r.getString(6), r.getLong(7), r.getString(8)),
                                new SecurityDerivation.Offence(EventType.of(r.getShort(1)), r.getString(2), r.getString(3),
                                        r.getString(4)),
                                r.getOffsetDateTime(9).toInstant(), r.getString(10), RouteSecurity.fromJson(r.getJsonObject(11))));
                    }
                    return open;
                });
    }

    /** Replaces the open incidents of these routes with {@code open}. */
    public Uni<Void> replaceOpenIncidents(SqlConnection conn, List<SecurityDerivation.RouteKey> routes,
                                          List<SecurityDerivation.OpenIncident> open) {
        if (routes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Uni<Void> delete = conn.preparedQuery("""
                        DELETE FROM events.open_incidents i
                        USING unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) AS k(router, peer, path_id, prefix)
                        WHERE i.router = k.router::inet AND i.peer_address = k.peer::inet AND i.path_id = k.path_id
                          AND i.route_prefix = k.prefix::cidr
                        """)
                .execute(routeColumns(routes).tuple()).replaceWithVoid();
        if (open.isEmpty()) {
            return delete;
        }
        Columns c = new Columns(open.size(), String.class, Short.class, String.class, String.class, String.class, String.class,
                String.class, Long.class, String.class, OffsetDateTime.class, String.class, String.class);
        for (SecurityDerivation.OpenIncident i : open) {
            c.add(i.incident(), i.offence().type().code, i.offence().peering(), i.offence().peeringService(), i.offence().prefix(),
                    i.route().router(), i.route().peerAddress(), i.route().pathId(), i.route().routePrefix(),
                    i.openedAt().atOffset(ZoneOffset.UTC), i.connection(), i.security().toJson().encode());
        }
        return delete.flatMap(v -> conn.preparedQuery("""
                        INSERT INTO events.open_incidents (incident, type, peering, peering_service, prefix, router, peer_address,
                            path_id, route_prefix, opened_at, connection, security)
                        SELECT incident, type, peering, service, prefix::cidr, router::inet, peer::inet, path_id, route::cidr,
                               opened, conn, security::jsonb
                        FROM unnest($1::text[], $2::smallint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                    $8::bigint[], $9::text[], $10::timestamptz[], $11::text[], $12::text[])
                             AS u(incident, type, peering, service, prefix, router, peer, path_id, route, opened, conn, security)
                        """)
                .execute(c.tuple()).replaceWithVoid());
    }

    private static Columns routeColumns(List<SecurityDerivation.RouteKey> routes) {
        Columns c = new Columns(routes.size(), String.class, String.class, Long.class, String.class);
        routes.forEach(k -> c.add(k.router(), k.peerAddress(), k.pathId(), k.routePrefix()));
        return c;
    }

    /**
     * Appends events to the log with consecutive positions, reserved under the log's row lock (held
     * until commit, so positions grow in commit order). Yields the events with their positions.
     */
    public Uni<List<PrefixEvent>> appendEvents(SqlConnection conn, List<PrefixEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return conn.preparedQuery("UPDATE events.log_positions SET last_seq = last_seq + $1 WHERE log = 'prefix_events'"
                        + " RETURNING last_seq - $1")
                .execute(Tuple.of((long) events.size()))
                .map(rows -> rows.iterator().next().getLong(0))
                .flatMap(base -> {
                    Columns c = new Columns(events.size(), OffsetDateTime.class, Long.class, String.class, String.class,
                            Short.class, Short.class, String.class, String.class, String.class, String.class, String.class,
                            Long.class, Long.class, Long.class, String.class, String.class, Boolean.class, String.class,
                            String.class);
                    List<PrefixEvent> stored = new ArrayList<>(events.size());
                    long seq = base;
                    for (PrefixEvent e : events) {
                        PrefixEvent at = e.at(++seq);
                        stored.add(at);
                        c.add(at.time().atOffset(ZoneOffset.UTC), at.seq(), at.peeringService(), at.prefix(), at.type().code,
                                at.level().code, at.connection(), at.summary(), at.description(), at.asPathBefore(),
                                at.asPathAfter(), at.originAsnBefore(), at.originAsnAfter(), at.routeCursor(), at.peering(),
                                at.incident(), at.resolved(), at.security() == null ? null : at.security().toJson().encode(),
                                at.validation() == null ? null : at.validation().toJson().encode());
                    }
                    return conn.preparedQuery("""
                                    INSERT INTO events.prefix_events (time, seq, peering_service, prefix, type, level, connection,
                                        summary, description, as_path_before, as_path_after, origin_asn_before, origin_asn_after,
                                        route_cursor, peering, incident, resolved, security, validation)
                                    SELECT t, seq, s, p::cidr, type, level, conn, summary, description, before, after, ob, oa, rc,
                                           peering, incident, resolved, security::jsonb, validation::jsonb
                                    FROM unnest($1::timestamptz[], $2::bigint[], $3::text[], $4::text[], $5::smallint[],
                                                $6::smallint[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                                                $12::bigint[], $13::bigint[], $14::bigint[], $15::text[], $16::text[],
                                                $17::boolean[], $18::text[], $19::text[])
                                         AS u(t, seq, s, p, type, level, conn, summary, description, before, after, ob, oa, rc,
                                              peering, incident, resolved, security, validation)
                                    """)
                            .execute(c.tuple()).replaceWith(stored);
                });
    }
}
