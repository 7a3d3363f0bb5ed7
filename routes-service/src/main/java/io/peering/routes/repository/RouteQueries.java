package io.peering.routes.repository;

import io.peering.support.replica.ReadPool;
import io.peering.support.sql.SqlFilter;
import io.peering.support.watch.LogBounds;

import io.peering.routes.PeerRef;
import io.peering.routes.Rib;
import io.peering.routes.RouteChange;
import io.peering.routes.validation.PrefixRules;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads of the routes schema: received routes, history, sessions, and the two logs. The query RPCs' reads go
 * where {@link ReadPool} says (a streaming replica within its maximum lag, else the primary); the logs' reads
 * for the Watch streams stay on the primary, whose positions they follow.
 */
@ApplicationScoped
public class RouteQueries {

    private final Pool pool;
    private final ReadPool reads;

    public RouteQueries(Pool pool, ReadPool reads) {
        this.pool = pool;
        this.reads = reads;
    }

    /** A stored route, with where it was received and when. */
    public record StoredRoute(PeerRef peer, Rib rib, String prefix, long pathId, Instant receivedTime,
                              RouteChange.Attributes attributes) {
    }

    /** Keyset position of a route in the listing order. */
    public record RouteKey(String peerAddress, String prefix, String router, long distinguisher, short rib, long pathId) {
    }

    /**
     * What ListReceivedRoutes filters on; null fields do not filter.
     *
     * @param originAsn     only routes with this origin AS
     * @param originAsValid true: only routes whose origin AS is one of {@code ownAsns} of their peer address;
     *                      false: only routes of those addresses whose origin AS is not
     * @param ownAsns       per session address of the peerings asked for, the ASNs that are the peering's own
     */
    public record RouteFilter(List<String> peerAddresses, String prefix, boolean orLonger, List<Long> asPathSequence,
                              Long originAsn, Boolean originAsValid, Map<String, List<Long>> ownAsns, Short rpkiState, Short rib) {
    }

    private static final String ROUTE_COLUMNS = """
            host(router), peer_distinguisher, host(peer_address), peer_asn, rib, prefix::text, path_id, received_time,
            origin, as_path, origin_asn, host(next_hop), med, local_pref, communities, large_communities, rpki_state, trust_anchor,
            only_to_customer
            """;

    public Uni<List<StoredRoute>> listRoutes(RouteFilter f, RouteKey after, int limit) {
        SqlFilter where = new SqlFilter();
        if (f.peerAddresses() != null) {
            where.and("peer_address = ANY(?::text[]::inet[])", (Object) f.peerAddresses().toArray(String[]::new));
        }
        if (f.prefix() != null) {
            where.and(f.orLonger() ? "prefix <<= ?::text::cidr" : "prefix = ?::text::cidr", f.prefix());
        }
        if (f.asPathSequence() != null) {
            // contiguous ASNs inside the path's display form: " 64500 64501 " within " ... "
            StringBuilder pattern = new StringBuilder("% ");
            f.asPathSequence().forEach(asn -> pattern.append(asn).append(' '));
            where.and("(' ' || as_path || ' ') LIKE ?", pattern.append('%').toString());
        }
        if (f.originAsn() != null) {
            where.and("origin_asn = ?", f.originAsn());
        }
        if (f.originAsValid() != null) {
            List<String> addresses = new ArrayList<>();
            List<Long> asns = new ArrayList<>();
            f.ownAsns().forEach((address, own) -> own.forEach(asn -> {
                addresses.add(address);
                asns.add(asn);
            }));
            String own = "EXISTS (SELECT 1 FROM unnest(?::text[], ?::bigint[]) AS o(address, asn)"
                    + " WHERE o.address::inet = a.peer_address AND o.asn = coalesce(a.origin_asn, 0))";
            Object[] pairs = {addresses.toArray(String[]::new), asns.toArray(Long[]::new)};
            if (f.originAsValid()) {
                where.and(own, pairs);
            } else { // a peer in no peering has no own ASNs: neither valid nor invalid
                where.and("a.peer_address = ANY(?::text[]::inet[]) AND NOT " + own,
                        (Object) f.ownAsns().keySet().toArray(String[]::new), pairs[0], pairs[1]);
            }
        }
        if (f.rpkiState() != null) {
            where.and("rpki_state = ?", f.rpkiState());
        }
        if (f.rib() != null) {
            where.and("rib = ?", f.rib());
        }
        if (after != null) {
            where.and("(peer_address, prefix, router, peer_distinguisher, rib, path_id) > (?::text::inet, ?::text::cidr, ?::text::inet, ?, ?, ?)",
                    after.peerAddress(), after.prefix(), after.router(), after.distinguisher(), after.rib(), after.pathId());
        }
        // ORDER BY names the table's columns: the output column "prefix" is text and would sort differently
        String sql = "SELECT " + ROUTE_COLUMNS + " FROM routes.adj_rib_in a" + where.where()
                + " ORDER BY a.peer_address, a.prefix, a.router, a.peer_distinguisher, a.rib, a.path_id LIMIT " + where.param(limit);
        return reads.forQueries().preparedQuery(sql).execute(where.tuple()).map(rows -> {
            List<StoredRoute> routes = new ArrayList<>();
            rows.forEach(r -> routes.add(route(r)));
            return routes;
        });
    }

    /** How a looking-glass lookup matches its prefixes against the received ones. */
    public enum Match {
        /** The longest of the candidate prefixes (a target's covering prefixes) that any route has. */
        LONGEST_OF_CANDIDATES,
        /** The one prefix given. */
        EXACT,
        /** The prefix given and every prefix inside it. */
        OR_LONGER
    }

    /**
     * Looking glass (BgpRoute): routes of the given peers (null: any) whose prefix matches, in the order
     * (prefix, router, peer distinguisher, peer address, rib, path id), after a keyset position.
     *
     * @param prefixes for {@link Match#LONGEST_OF_CANDIDATES} the candidates, else the one prefix
     * @param atTime   null: the current Adj-RIB-In; else the routes as the change log says they were then (the
     *                 latest change of each route at or before it is an announcement); such routes carry RPKI
     *                 state 0 (the log keeps no verdict) and their change's time as received time
     */
    public Uni<List<StoredRoute>> lookup(List<String> peerAddresses, Match match, List<String> prefixes, Short rib,
                                         Instant atTime, LookupKey after, int limit) {
        Statement statement = lookupStatement(peerAddresses, match, prefixes, rib, atTime, after, limit);
        return reads.forQueries().preparedQuery(statement.sql()).execute(statement.params()).map(rows -> {
            List<StoredRoute> routes = new ArrayList<>();
            rows.forEach(r -> routes.add(route(r)));
            return routes;
        });
    }

    /** A statement and its parameters. */
    public record Statement(String sql, Tuple params) {
    }

    /** The statement {@link #lookup} runs (public for the benchmark's EXPLAIN ANALYZE). */
    public static Statement lookupStatement(List<String> peerAddresses, Match match, List<String> prefixes, Short rib,
                                            Instant atTime, LookupKey after, int limit) {
        SqlFilter where = new SqlFilter();
        String[] prefixArray = prefixes.toArray(String[]::new);
        switch (match) {
            case LONGEST_OF_CANDIDATES -> where.and("prefix = ANY(?::text[]::cidr[])", (Object) prefixArray);
            case EXACT -> where.and("prefix = ?::text::cidr", prefixArray[0]);
            case OR_LONGER -> where.and("prefix <<= ?::text::cidr", prefixArray[0]);
        }
        if (peerAddresses != null) {
            where.and("peer_address = ANY(?::text[]::inet[])", (Object) peerAddresses.toArray(String[]::new));
        }
        if (rib != null) {
            where.and("rib = ?", rib);
        }
        String source;
        if (atTime == null) {
            source = "SELECT * FROM routes.adj_rib_in" + where.where();
        } else {
            where.and("time <= ?", RouteStore.utc(atTime));
            source = """
                    SELECT * FROM (
                      SELECT DISTINCT ON (router, peer_distinguisher, peer_address, rib, prefix, path_id)
                             router, peer_distinguisher, peer_address, peer_asn, rib, prefix, path_id, time AS received_time,
                             origin, as_path, origin_asn, next_hop, med, local_pref, communities, large_communities,
                             0::smallint AS rpki_state, ''::text AS trust_anchor, only_to_customer, withdrawn
                      FROM routes.route_changes""" + where.where() + """

                      ORDER BY router, peer_distinguisher, peer_address, rib, prefix, path_id, time DESC, seq DESC) changed
                    WHERE NOT withdrawn""";
        }
        List<String> outer = new ArrayList<>();
        String with = "";
        if (match == Match.LONGEST_OF_CANDIDATES) {
            // the candidates' rows are few (the routes of at most 33 or 129 prefixes): keep those of the longest
            with = "WITH present AS (" + source + ") ";
            source = "SELECT * FROM present";
            outer.add("a.prefix = (SELECT prefix FROM present ORDER BY masklen(prefix) DESC LIMIT 1)");
        }
        if (after != null) {
            outer.add("(a.prefix, a.router, a.peer_distinguisher, a.peer_address, a.rib, a.path_id) > ("
                    + where.param(after.prefix()) + "::text::cidr, " + where.param(after.router()) + "::text::inet, "
                    + where.param(after.distinguisher()) + ", " + where.param(after.peerAddress()) + "::text::inet, "
                    + where.param(after.rib()) + ", " + where.param(after.pathId()) + ")");
        }
        String sql = with + "SELECT " + ROUTE_COLUMNS + " FROM (" + source + ") a"
                + (outer.isEmpty() ? "" : " WHERE " + String.join(" AND ", outer))
                + " ORDER BY a.prefix, a.router, a.peer_distinguisher, a.peer_address, a.rib, a.path_id LIMIT " + where.param(limit);
        return new Statement(sql, where.tuple());
    }

    /** Keyset position of a route in the looking-glass order. */
    public record LookupKey(String prefix, String router, long distinguisher, String peerAddress, short rib, long pathId) {
    }

    private static StoredRoute route(Row r) {
        PeerRef peer = new PeerRef(r.getString(0), r.getLong(1), r.getString(2), r.getLong(3));
        return new StoredRoute(peer, Rib.of(r.getShort(4)), r.getString(5), r.getLong(6),
                r.getOffsetDateTime(7).toInstant(),
                new RouteChange.Attributes(r.getShort(8), r.getString(9), nz(r.getLong(10)), r.getString(11),
                        r.getLong(12), r.getLong(13), strings(r, 14), strings(r, 15), r.getLong(18), r.getShort(16),
                        r.getString(17)));
    }

    /** One entry of the route-change log. */
    public record LoggedChange(long seq, RouteChange change) {
    }

    private static final String CHANGE_COLUMNS = """
            seq, time, host(router), peer_distinguisher, host(peer_address), peer_asn, rib, prefix::text, path_id, withdrawn,
            reason, origin, as_path, origin_asn, host(next_hop), med, local_pref, communities, large_communities, only_to_customer
            """;

    /** A prefix's changes over [from, to) received from the given peers (null: any), oldest first, after a keyset position. */
    public Uni<List<LoggedChange>> history(List<String> peerAddresses, String prefix, Instant from, Instant to,
                                           Instant afterTime, long afterSeq, int limit) {
        SqlFilter where = new SqlFilter();
        if (peerAddresses != null) {
            where.and("peer_address = ANY(?::text[]::inet[])", (Object) peerAddresses.toArray(String[]::new));
        }
        where.and("prefix = ?::text::cidr", prefix)
                .and("time >= ? AND time < ?", RouteStore.utc(from), RouteStore.utc(to));
        if (afterTime != null) {
            where.and("(time, seq) > (?, ?)", RouteStore.utc(afterTime), afterSeq);
        }
        String sql = "SELECT " + CHANGE_COLUMNS + " FROM routes.route_changes c" + where.where()
                + " ORDER BY c.time, c.seq LIMIT " + where.param(limit);
        return reads.forQueries().preparedQuery(sql).execute(where.tuple()).map(RouteQueries::changes);
    }

    /** Log entries with afterSeq < seq <= upTo, in log order, optionally only of some peers and prefixes. */
    public Uni<List<LoggedChange>> changesAfter(long afterSeq, long upTo, List<String> peerAddresses, List<String> prefixes,
                                                int limit) {
        SqlFilter where = new SqlFilter().and("seq > ?", afterSeq).and("seq <= ?", upTo);
        if (peerAddresses != null) {
            where.and("peer_address = ANY(?::text[]::inet[])", (Object) peerAddresses.toArray(String[]::new));
        }
        if (prefixes != null && !prefixes.isEmpty()) {
            where.and("prefix <<= ANY(?::text[]::cidr[])", (Object) prefixes.toArray(String[]::new));
        }
        String sql = "SELECT " + CHANGE_COLUMNS + " FROM routes.route_changes c" + where.where()
                + " ORDER BY c.seq LIMIT " + where.param(limit);
        return pool.preparedQuery(sql).execute(where.tuple()).map(RouteQueries::changes);
    }

    private static List<LoggedChange> changes(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        List<LoggedChange> out = new ArrayList<>();
        for (Row r : rows) {
            PeerRef peer = new PeerRef(r.getString(2), r.getLong(3), r.getString(4), r.getLong(5));
            boolean withdrawn = r.getBoolean(9);
            RouteChange.Attributes a = r.getString(12) == null ? null
                    : new RouteChange.Attributes(r.getShort(11), r.getString(12), nz(r.getLong(13)), r.getString(14),
                    r.getLong(15), r.getLong(16), strings(r, 17), strings(r, 18), r.getLong(19), (short) 0, "");
            out.add(new LoggedChange(r.getLong(0), new RouteChange(r.getOffsetDateTime(1).toInstant(), peer,
                    Rib.of(r.getShort(6)), r.getString(7), r.getLong(8), withdrawn, r.getString(10), a)));
        }
        return out;
    }

    /** The last position of a log ("route_changes" or "session_transitions"), and the first still retained. */
    public Uni<LogBounds> bounds(String log) {
        String table = switch (log) {
            case "route_changes" -> "routes.route_changes";
            case "session_transitions" -> "routes.session_transitions";
            default -> throw new IllegalArgumentException(log);
        };
        return pool.preparedQuery("SELECT (SELECT min(seq) FROM " + table + "), last_seq FROM routes.log_positions WHERE log = $1")
                .execute(Tuple.of(log))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    Long first = r.getLong(0);
                    return new LogBounds(first == null ? r.getLong(1) + 1 : first, r.getLong(1));
                });
    }

    /** A log's last position: every entry at or below it is committed. */
    public Uni<Long> lastPosition(String log) {
        return pool.preparedQuery("SELECT last_seq FROM routes.log_positions WHERE log = $1").execute(Tuple.of(log))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    // ---- sessions ----------------------------------------------------------------------------

    /** A session row with its router's name. */
    public record StoredSession(PeerRef peer, String routerName, String peerBgpId, String localAddress, long localAsn,
                                short state, Instant stateSince, String lastError, long routesCount) {
    }

    public Uni<List<StoredSession>> sessions(List<String> peerAddresses, PeerRef after, int limit) {
        SqlFilter where = new SqlFilter();
        if (peerAddresses != null) {
            where.and("s.peer_address = ANY(?::text[]::inet[])", (Object) peerAddresses.toArray(String[]::new));
        }
        if (after != null) {
            where.and("(s.router, s.peer_distinguisher, s.peer_address) > (?::text::inet, ?, ?::text::inet)",
                    after.router(), after.distinguisher(), after.peerAddress());
        }
        String sql = """
                SELECT host(s.router), s.peer_distinguisher, host(s.peer_address), s.peer_asn, coalesce(r.sys_name, ''),
                       host(s.peer_bgp_id), host(s.local_address), coalesce(s.local_asn, 0), s.state, s.state_since,
                       s.last_error, s.routes_count
                FROM routes.sessions s LEFT JOIN routes.routers r ON r.router = s.router""" + where.where()
                + " ORDER BY s.router, s.peer_distinguisher, s.peer_address LIMIT " + where.param(limit);
        return reads.forQueries().preparedQuery(sql).execute(where.tuple()).map(rows -> {
            List<StoredSession> out = new ArrayList<>();
            for (Row r : rows) {
                out.add(new StoredSession(new PeerRef(r.getString(0), r.getLong(1), r.getString(2), r.getLong(3)),
                        r.getString(4), r.getString(5), r.getString(6), r.getLong(7), r.getShort(8),
                        r.getOffsetDateTime(9).toInstant(), r.getString(10), r.getLong(11)));
            }
            return out;
        });
    }

    /** One entry of the session-transition log. */
    public record LoggedTransition(long seq, Instant time, PeerRef peer, short previousState, short state, String reason,
                                   int peerDownReason, int notificationCode, int notificationSubcode) {
    }

    /** Transitions with afterSeq < seq <= upTo, in log order, optionally only of some peers. */
    public Uni<List<LoggedTransition>> transitionsAfter(long afterSeq, long upTo, List<String> peerAddresses, int limit) {
        SqlFilter where = new SqlFilter().and("seq > ?", afterSeq).and("seq <= ?", upTo);
        if (peerAddresses != null) {
            where.and("peer_address = ANY(?::text[]::inet[])", (Object) peerAddresses.toArray(String[]::new));
        }
        String sql = """
                SELECT seq, time, host(router), peer_distinguisher, host(peer_address), peer_asn, previous_state, state,
                       reason, peer_down_reason, notification_code, notification_subcode
                FROM routes.session_transitions""" + where.where() + " ORDER BY seq LIMIT " + where.param(limit);
        return pool.preparedQuery(sql).execute(where.tuple()).map(rows -> {
            List<LoggedTransition> out = new ArrayList<>();
            for (Row r : rows) {
                out.add(new LoggedTransition(r.getLong(0), r.getOffsetDateTime(1).toInstant(),
                        new PeerRef(r.getString(2), r.getLong(3), r.getString(4), r.getLong(5)), r.getShort(6),
                        r.getShort(7), r.getString(8), r.getShort(9), r.getShort(10), r.getShort(11)));
            }
            return out;
        });
    }

    // ---- registered-prefix validation --------------------------------------------------------------

    /**
     * For each of the peer addresses some router reports a session with: whether any reports it Established.
     * An address no router reports is absent.
     */
    public Uni<Map<String, Boolean>> sessionStates(List<String> peerAddresses) {
        return reads.forQueries().preparedQuery("SELECT host(peer_address), bool_or(state = $2) FROM routes.sessions"
                        + " WHERE peer_address = ANY($1::text[]::inet[]) GROUP BY peer_address")
                .execute(Tuple.of(peerAddresses.toArray(String[]::new), SessionStore.ESTABLISHED))
                .map(rows -> {
                    Map<String, Boolean> states = new HashMap<>();
                    rows.forEach(r -> states.put(r.getString(0), r.getBoolean(1)));
                    return states;
                });
    }

    /** The routes of one view for exactly these prefixes from these peers, by prefix (canonical CIDR text). */
    public Uni<Map<String, List<PrefixRules.Route>>> routesForPrefixes(List<String> peerAddresses, List<String> prefixes, Rib rib) {
        return reads.forQueries().preparedQuery("""
                        SELECT prefix::text, host(peer_address), host(router), as_path, communities, rpki_state
                        FROM routes.adj_rib_in
                        WHERE prefix = ANY($1::text[]::cidr[]) AND peer_address = ANY($2::text[]::inet[]) AND rib = $3
                        ORDER BY prefix, peer_address, router, path_id""")
                .execute(Tuple.of(prefixes.toArray(String[]::new), peerAddresses.toArray(String[]::new), rib.code))
                .map(rows -> {
                    Map<String, List<PrefixRules.Route>> byPrefix = new HashMap<>();
                    for (Row r : rows) {
                        byPrefix.computeIfAbsent(r.getString(0), p -> new ArrayList<>()).add(new PrefixRules.Route(r.getString(1),
                                r.getString(2), r.getString(3), strings(r, 4), r.getShort(5)));
                    }
                    return byPrefix;
                });
    }

    private static long nz(Long value) {
        return value == null ? 0 : value;
    }

    private static List<String> strings(Row row, int column) {
        String[] values = row.getArrayOfStrings(column);
        return values == null ? List.of() : Arrays.asList(values);
    }
}
