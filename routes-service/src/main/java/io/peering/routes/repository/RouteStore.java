package io.peering.routes.repository;

import io.peering.support.sql.Columns;

import io.peering.routes.PeerRef;
import io.peering.routes.Rib;
import io.peering.routes.RouteChange;
import io.peering.support.net.IpAddresses;
import io.peering.support.net.IpPrefix;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the routes routers report into the routes schema: the Adj-RIB-In and its change log (the
 * routers and sessions themselves are {@link SessionStore}'s). Every method is one transaction; a router's
 * writes are issued one after another by its connection, so they apply in the order it sent them.
 *
 * <p>Route changes go in batches through {@code unnest} arrays. The Adj-RIB-In gets each route's
 * final state; the change log gets every change of state: an announcement that repeats the stored
 * route (a router re-sending its table) and a withdrawal of a route never stored are not changes.
 */
@ApplicationScoped
public class RouteStore {

    private final Pool pool;
    private final ChangeLog changeLog;

    /** Sessions re-established while their routes were stored: their routes are stale until re-sent. */
    private final Set<SessionKey> resyncing = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A BGP session as stored (routes.sessions key): a peer without its ASN. One session may be reported with
     * several peer ASNs (AS 0 on post-policy messages and the real ASN on Loc-RIB ones, say); its routes,
     * count and resync are the session's, whatever ASN each message carried.
     */
    private record SessionKey(String router, long distinguisher, String peerAddress) {
        static SessionKey of(PeerRef peer) {
            return new SessionKey(peer.router(), peer.distinguisher(), peer.peerAddress());
        }
    }

    /** Java types of the route key columns: router, distinguisher, peer, rib, prefix, path id. */
    private static final Class<?>[] KEY_TYPES = {String.class, Long.class, String.class, Short.class, String.class, Long.class};

    private static Class<?>[] keyAnd(Class<?>... more) {
        Class<?>[] all = java.util.Arrays.copyOf(KEY_TYPES, KEY_TYPES.length + more.length);
        System.arraycopy(more, 0, all, KEY_TYPES.length, more.length);
        return all;
    }

    public RouteStore(Pool pool, ChangeLog changeLog) {
        this.pool = pool;
        this.changeLog = changeLog;
    }

    /** What {@link #applyRouteChanges} did: changes logged, and routes added minus routes removed. */
    public record Applied(int logged, long routesDelta) {
    }

    /** For the first change of each route in a batch: does the route exist, and does an announcement repeat it. */
    private static final String PRIOR_STATE = """
            SELECT u.i, a.router IS NOT NULL AS present,
                   u.as_path IS NOT NULL AND
                   (a.origin, a.as_path, a.next_hop, a.med, a.local_pref, a.communities, a.large_communities,
                    a.only_to_customer, a.peer_asn)
                   IS NOT DISTINCT FROM
                   (u.origin, u.as_path, u.next_hop::inet, u.med, u.local_pref,
                    coalesce(string_to_array(nullif(u.comm, ''), ' '), '{}'), coalesce(string_to_array(nullif(u.lcomm, ''), ' '), '{}'),
                    u.otc, u.peer_asn)
                   AS repeated
            FROM unnest($1::text[], $2::bigint[], $3::text[], $4::smallint[], $5::text[], $6::bigint[],
                        $7::smallint[], $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::text[], $13::text[],
                        $14::bigint[], $15::bigint[])
                 WITH ORDINALITY AS u(router, pd, peer, rib, prefix, path_id, origin, as_path, next_hop, med, local_pref, comm, lcomm,
                                      otc, peer_asn, i)
            LEFT JOIN routes.adj_rib_in a
              ON a.router = u.router::inet AND a.peer_distinguisher = u.pd AND a.peer_address = u.peer::inet
             AND a.rib = u.rib AND a.prefix = u.prefix::cidr AND a.path_id = u.path_id
            """;

    private static final String UPSERT_ROUTES = """
            INSERT INTO routes.adj_rib_in (router, peer_distinguisher, peer_address, rib, prefix, path_id, peer_asn,
                received_time, origin, as_path, origin_asn, next_hop, med, local_pref, communities, large_communities,
                only_to_customer, rpki_state, trust_anchor)
            SELECT router::inet, pd, peer::inet, rib, prefix::cidr, path_id, peer_asn, t, origin, as_path, origin_asn,
                   next_hop::inet, med, local_pref, coalesce(string_to_array(nullif(comm, ''), ' '), '{}'),
                   coalesce(string_to_array(nullif(lcomm, ''), ' '), '{}'), otc, rpki, ta
            FROM unnest($1::text[], $2::bigint[], $3::text[], $4::smallint[], $5::text[], $6::bigint[], $7::bigint[],
                        $8::timestamptz[], $9::smallint[], $10::text[], $11::bigint[], $12::text[], $13::bigint[], $14::bigint[],
                        $15::text[], $16::text[], $17::bigint[], $18::smallint[], $19::text[])
                 AS u(router, pd, peer, rib, prefix, path_id, peer_asn, t, origin, as_path, origin_asn, next_hop, med,
                      local_pref, comm, lcomm, otc, rpki, ta)
            ON CONFLICT (router, peer_distinguisher, peer_address, rib, prefix, path_id) DO UPDATE SET
                peer_asn = EXCLUDED.peer_asn, received_time = EXCLUDED.received_time, origin = EXCLUDED.origin,
                as_path = EXCLUDED.as_path, origin_asn = EXCLUDED.origin_asn, next_hop = EXCLUDED.next_hop,
                med = EXCLUDED.med, local_pref = EXCLUDED.local_pref, communities = EXCLUDED.communities,
                large_communities = EXCLUDED.large_communities, only_to_customer = EXCLUDED.only_to_customer,
                rpki_state = EXCLUDED.rpki_state, trust_anchor = EXCLUDED.trust_anchor, stale = false
            WHERE (adj_rib_in.origin, adj_rib_in.as_path, adj_rib_in.next_hop, adj_rib_in.med, adj_rib_in.local_pref,
                   adj_rib_in.communities, adj_rib_in.large_communities, adj_rib_in.only_to_customer, adj_rib_in.peer_asn)
                  IS DISTINCT FROM
                  (EXCLUDED.origin, EXCLUDED.as_path, EXCLUDED.next_hop, EXCLUDED.med, EXCLUDED.local_pref,
                   EXCLUDED.communities, EXCLUDED.large_communities, EXCLUDED.only_to_customer, EXCLUDED.peer_asn)
            RETURNING host(router), peer_distinguisher, host(peer_address), rib, prefix::text, path_id, (xmax = 0) AS inserted
            """;

    /** A route re-sent unchanged during a resync is no longer stale (and is no change). */
    private static final String REFRESH_STALE = """
            UPDATE routes.adj_rib_in a SET stale = false
            FROM unnest($1::text[], $2::bigint[], $3::text[], $4::smallint[], $5::text[], $6::bigint[],
                        $7::smallint[], $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::text[], $13::text[],
                        $14::bigint[], $15::bigint[])
                 AS u(router, pd, peer, rib, prefix, path_id, origin, as_path, next_hop, med, local_pref, comm, lcomm, otc, peer_asn)
            WHERE a.stale AND a.router = u.router::inet AND a.peer_distinguisher = u.pd AND a.peer_address = u.peer::inet
              AND a.rib = u.rib AND a.prefix = u.prefix::cidr AND a.path_id = u.path_id
              AND (a.origin, a.as_path, a.next_hop, a.med, a.local_pref, a.communities, a.large_communities,
                   a.only_to_customer, a.peer_asn)
                  IS NOT DISTINCT FROM
                  (u.origin, u.as_path, u.next_hop::inet, u.med, u.local_pref,
                   coalesce(string_to_array(nullif(u.comm, ''), ' '), '{}'), coalesce(string_to_array(nullif(u.lcomm, ''), ' '), '{}'),
                   u.otc, u.peer_asn)
            """;

    private static final String DELETE_ROUTES = """
            DELETE FROM routes.adj_rib_in a
            USING unnest($1::text[], $2::bigint[], $3::text[], $4::smallint[], $5::text[], $6::bigint[])
                  WITH ORDINALITY AS w(router, pd, peer, rib, prefix, path_id, i)
            WHERE a.router = w.router::inet AND a.peer_distinguisher = w.pd AND a.peer_address = w.peer::inet
              AND a.rib = w.rib AND a.prefix = w.prefix::cidr AND a.path_id = w.path_id
            RETURNING w.i
            """;

    private static final String INSERT_CHANGES = """
            INSERT INTO routes.route_changes (time, seq, router, peer_distinguisher, peer_address, peer_asn, rib, prefix,
                path_id, withdrawn, reason, origin, as_path, origin_asn, next_hop, med, local_pref, communities, large_communities,
                only_to_customer)
            SELECT t, seq, router::inet, pd, peer::inet, peer_asn, rib, prefix::cidr, path_id, withdrawn, reason, origin,
                   as_path, origin_asn, next_hop::inet, med, local_pref, string_to_array(nullif(comm, ''), ' '),
                   string_to_array(nullif(lcomm, ''), ' '), otc
            FROM unnest($1::timestamptz[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::bigint[], $7::smallint[],
                        $8::text[], $9::bigint[], $10::bool[], $11::text[], $12::smallint[], $13::text[], $14::bigint[],
                        $15::text[], $16::bigint[], $17::bigint[], $18::text[], $19::text[], $20::bigint[])
                 AS u(t, seq, router, pd, peer, peer_asn, rib, prefix, path_id, withdrawn, reason, origin, as_path,
                      origin_asn, next_hop, med, local_pref, comm, lcomm, otc)
            """;

    /**
     * One delta per session (summed here too, so two rows never meet one session: UPDATE ... FROM applies only
     * one of them), the sessions locked in key order so lanes writing at once cannot deadlock.
     */
    private static final String ADJUST_ROUTE_COUNTS = """
            WITH d AS (
                SELECT router::inet AS router, pd, peer::inet AS peer, sum(delta) AS delta
                FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[]) AS u(router, pd, peer, delta)
                GROUP BY 1, 2, 3
            ), locked AS (
                SELECT s.router, s.peer_distinguisher, s.peer_address, d.delta
                FROM routes.sessions s JOIN d ON s.router = d.router AND s.peer_distinguisher = d.pd AND s.peer_address = d.peer
                ORDER BY s.router, s.peer_distinguisher, s.peer_address
                FOR UPDATE OF s
            )
            UPDATE routes.sessions s SET routes_count = greatest(0, s.routes_count + l.delta)
            FROM locked l
            WHERE s.router = l.router AND s.peer_distinguisher = l.peer_distinguisher AND s.peer_address = l.peer_address
            """;

    /**
     * Applies one router's changes, in the order given, in one transaction: the Adj-RIB-In gets each
     * route's final state, and the log gets each change that changed the route's state, judged
     * against the state before the batch and then against the previous change in the batch.
     *
     * <p>A route changed once in the batch (nearly all) learns what its change did from the write
     * itself: the upsert returns only rows it inserted or changed, the delete only rows it removed.
     * Routes changed several times need their prior state, read first.
     */
    public Uni<Applied> applyRouteChanges(List<RouteChange> changes) {
        if (changes.isEmpty()) {
            return Uni.createFrom().item(new Applied(0, 0));
        }
        Map<RouteChange.Key, List<RouteChange>> byRoute = new LinkedHashMap<>();
        for (RouteChange c : changes) {
            byRoute.computeIfAbsent(c.key(), k -> new ArrayList<>(1)).add(c);
        }
        List<List<RouteChange>> repeated = new ArrayList<>();
        List<RouteChange> upserts = new ArrayList<>();
        List<RouteChange> deletes = new ArrayList<>();
        for (List<RouteChange> history : byRoute.values()) {
            if (history.size() > 1) {
                repeated.add(history);
            }
            RouteChange last = history.get(history.size() - 1);
            (last.withdrawn() ? deletes : upserts).add(last);
        }
        List<RouteChange> refreshing = resyncing.isEmpty() ? List.of()
                : upserts.stream().filter(c -> resyncing.contains(SessionKey.of(c.peer()))).toList();
        return pool.withTransaction(conn -> priorState(conn, repeated.stream().map(h -> h.get(0)).toList())
                        .call(prior -> refreshStale(conn, refreshing))
                        .flatMap(prior -> upsert(conn, upserts).flatMap(upserted -> delete(conn, deletes).flatMap(deleted -> {
                            Set<RouteChange> logged = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                            Map<SessionKey, Long> countDelta = new HashMap<>();
                            for (int j = 0; j < upserts.size(); j++) {
                                RouteChange c = upserts.get(j);
                                Boolean inserted = upserted.get(c.key());
                                if (byRoute.get(c.key()).size() == 1 && inserted != null) {
                                    logged.add(c);
                                    if (inserted) {
                                        countDelta.merge(SessionKey.of(c.peer()), 1L, Long::sum);
                                    }
                                }
                            }
                            for (int j = 0; j < deletes.size(); j++) {
                                RouteChange c = deletes.get(j);
                                if (byRoute.get(c.key()).size() == 1 && deleted.get(j)) {
                                    logged.add(c);
                                    countDelta.merge(SessionKey.of(c.peer()), -1L, Long::sum);
                                }
                            }
                            for (int r = 0; r < repeated.size(); r++) {
                                List<RouteChange> history = repeated.get(r);
                                boolean present = prior.present().get(r);
                                boolean same = prior.repeated().get(r);
                                RouteChange previous = null;
                                for (RouteChange c : history) {
                                    boolean changed = previous == null
                                            ? (c.withdrawn() ? present : !present || !same)
                                            : (c.withdrawn() ? !previous.withdrawn()
                                            : previous.withdrawn() || !c.attributes().equals(previous.attributes()));
                                    if (changed) {
                                        logged.add(c);
                                    }
                                    previous = c;
                                }
                                long delta = (previous.withdrawn() ? 0 : 1) - (present ? 1 : 0);
                                if (delta != 0) {
                                    countDelta.merge(SessionKey.of(previous.peer()), delta, Long::sum);
                                }
                            }
                            List<RouteChange> log = changes.stream().filter(logged::contains).toList();
                            return adjustRouteCounts(conn, countDelta)
                                    .flatMap(v -> appendLog(conn, log))
                                    .map(v -> new Applied(log.size(), countDelta.values().stream().mapToLong(Long::longValue).sum()));
                        }))))
                .invoke(applied -> {
                    if (applied.logged() > 0) {
                        changeLog.signal();
                    }
                });
    }

    /**
     * Applies a router's changes split by prefix into {@code lanes} parts written at the same time on
     * separate connections. Each prefix's changes (of every peer and path) stay in one part, in
     * order, so the outcome per route is the same as {@link #applyRouteChanges} and the log keeps the
     * router's order of the changes of each prefix (followers derive per prefix: a backup's
     * announcement logged after the primary's withdrawal it preceded would read as an outage); only
     * changes of different prefixes may interleave.
     */
    public Uni<Applied> applyRouteChanges(List<RouteChange> changes, int lanes) {
        if (lanes <= 1 || changes.size() < 2 * lanes) {
            return applyRouteChanges(changes);
        }
        List<List<RouteChange>> parts = new ArrayList<>();
        for (int i = 0; i < lanes; i++) {
            parts.add(new ArrayList<>(changes.size() / lanes + 1));
        }
        for (RouteChange c : changes) {
            parts.get(Math.floorMod(c.prefix().hashCode(), lanes)).add(c);
        }
        return Uni.join().all(parts.stream().filter(p -> !p.isEmpty()).map(this::applyRouteChanges).toList())
                .andFailFast()
                .map(results -> new Applied(results.stream().mapToInt(Applied::logged).sum(),
                        results.stream().mapToLong(Applied::routesDelta).sum()));
    }

    private record Prior(BitSet present, BitSet repeated) {
    }

    private Uni<Prior> priorState(SqlConnection conn, List<RouteChange> firsts) {
        if (firsts.isEmpty()) {
            return Uni.createFrom().item(new Prior(new BitSet(), new BitSet()));
        }
        return conn.preparedQuery(PRIOR_STATE).execute(keysAndAttributes(firsts)).map(rows -> {
            BitSet present = new BitSet();
            BitSet repeated = new BitSet();
            for (Row row : rows) {
                int index = (int) (row.getLong(0) - 1);
                present.set(index, row.getBoolean(1));
                repeated.set(index, row.getBoolean(2));
            }
            return new Prior(present, repeated);
        });
    }

    private Uni<Void> refreshStale(SqlConnection conn, List<RouteChange> announcements) {
        if (announcements.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery(REFRESH_STALE).execute(keysAndAttributes(announcements)).replaceWithVoid();
    }

    /**
     * The columns PRIOR_STATE and REFRESH_STALE compare: route key, the attributes that make a route
     * "the same" (null for a withdrawal), and the peer ASN.
     */
    private static io.vertx.mutiny.sqlclient.Tuple keysAndAttributes(List<RouteChange> changes) {
        Columns c = new Columns(changes.size(), keyAnd(Short.class, String.class, String.class, Long.class, Long.class,
                String.class, String.class, Long.class, Long.class));
        for (RouteChange r : changes) {
            RouteChange.Attributes a = r.attributes();
            c.add(r.peer().router(), r.peer().distinguisher(), r.peer().peerAddress(), r.rib().code, r.prefix(), r.pathId(),
                    a == null ? null : a.origin(), a == null ? null : a.asPath(), a == null ? null : a.nextHop(),
                    a == null ? null : a.med(), a == null ? null : a.localPref(),
                    a == null ? null : String.join(" ", a.communities()), a == null ? null : String.join(" ", a.largeCommunities()),
                    a == null ? null : a.onlyToCustomer(), r.peer().peerAsn());
        }
        return c.tuple();
    }

    /** Writes the announcements; yields, for each route it inserted or changed, whether it inserted it. */
    private Uni<Map<RouteChange.Key, Boolean>> upsert(SqlConnection conn, List<RouteChange> announcements) {
        if (announcements.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        Columns c = new Columns(announcements.size(), keyAnd(Long.class, OffsetDateTime.class, Short.class, String.class,
                Long.class, String.class, Long.class, Long.class, String.class, String.class, Long.class, Short.class, String.class));
        for (RouteChange r : announcements) {
            RouteChange.Attributes a = r.attributes();
            c.add(r.peer().router(), r.peer().distinguisher(), r.peer().peerAddress(), r.rib().code, r.prefix(), r.pathId(),
                    r.peer().peerAsn(), utc(r.time()), a.origin(), a.asPath(), a.originAsn(), a.nextHop(), a.med(),
                    a.localPref(), String.join(" ", a.communities()), String.join(" ", a.largeCommunities()),
                    a.onlyToCustomer(), a.rpkiState(), a.trustAnchor());
        }
        return conn.preparedQuery(UPSERT_ROUTES).execute(c.tuple()).map(rows -> {
            Map<RouteChange.Key, Boolean> written = new HashMap<>();
            for (Row row : rows) {
                // the key as the collector wrote it: canonical text, not PostgreSQL's (which prints ::ffff:192.0.2.1)
                written.put(new RouteChange.Key(IpAddresses.canonical(row.getString(0)), row.getLong(1),
                        IpAddresses.canonical(row.getString(2)), Rib.of(row.getShort(3)),
                        IpPrefix.parse(row.getString(4)).toString(), row.getLong(5)),
                        row.getBoolean(6));
            }
            return written;
        });
    }

    /** Deletes the given routes; the bit of each one that existed is set. */
    private Uni<BitSet> delete(SqlConnection conn, List<RouteChange> withdrawals) {
        if (withdrawals.isEmpty()) {
            return Uni.createFrom().item(new BitSet());
        }
        Columns c = new Columns(withdrawals.size(), keyAnd());
        for (RouteChange r : withdrawals) {
            c.add(r.peer().router(), r.peer().distinguisher(), r.peer().peerAddress(), r.rib().code, r.prefix(), r.pathId());
        }
        return conn.preparedQuery(DELETE_ROUTES).execute(c.tuple()).map(rows -> {
            BitSet deleted = new BitSet();
            for (Row row : rows) {
                deleted.set((int) (row.getLong(0) - 1));
            }
            return deleted;
        });
    }

    private Uni<Void> adjustRouteCounts(SqlConnection conn, Map<SessionKey, Long> delta) {
        delta.values().removeIf(d -> d == 0);
        if (delta.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Columns c = new Columns(delta.size(), String.class, Long.class, String.class, Long.class);
        delta.forEach((peer, d) -> c.add(peer.router(), peer.distinguisher(), peer.peerAddress(), d));
        return conn.preparedQuery(ADJUST_ROUTE_COUNTS).execute(c.tuple()).replaceWithVoid();
    }

    /** Appends changes to the log with consecutive positions (taken under the log's row lock). */
    private Uni<Void> appendLog(SqlConnection conn, List<RouteChange> log) {
        if (log.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return ChangeLog.advance(conn, "route_changes", log.size()).flatMap(base -> {
            Columns c = new Columns(log.size(), OffsetDateTime.class, Long.class, String.class, Long.class, String.class, Long.class, Short.class, String.class, Long.class, Boolean.class, String.class, Short.class, String.class, Long.class, String.class, Long.class, Long.class, String.class, String.class, Long.class);
            long seq = base;
            for (RouteChange r : log) {
                RouteChange.Attributes a = r.attributes();
                c.add(utc(r.time()), ++seq, r.peer().router(), r.peer().distinguisher(), r.peer().peerAddress(),
                        r.peer().peerAsn(), r.rib().code, r.prefix(), r.pathId(), r.withdrawn(), r.reason(),
                        a == null ? null : a.origin(), a == null ? null : a.asPath(), a == null ? null : a.originAsn(),
                        a == null ? null : a.nextHop(), a == null ? null : a.med(), a == null ? null : a.localPref(),
                        a == null ? "" : String.join(" ", a.communities()), a == null ? "" : String.join(" ", a.largeCommunities()),
                        a == null ? null : a.onlyToCustomer());
            }
            return conn.preparedQuery(INSERT_CHANGES).execute(c.tuple()).replaceWithVoid();
        });
    }

    static OffsetDateTime utc(Instant time) {
        return time.atOffset(ZoneOffset.UTC);
    }

    // ---- re-established sessions (stale routes) ----------------------------------------------

    /**
     * The peer's session was re-established while the collector had it up: its stored routes become
     * stale until re-sent. Yields whether it had any (then the caller starts a resync, {@link #resyncStarted}).
     */
    Uni<Boolean> markStale(SqlConnection conn, PeerRef peer) {
        return conn.preparedQuery("""
                        UPDATE routes.adj_rib_in SET stale = true WHERE router = $1::text::inet
                        AND peer_distinguisher = $2 AND peer_address = $3::text::inet""")
                .execute(Tuple.of(peer.router(), peer.distinguisher(), peer.peerAddress()))
                .map(marked -> marked.rowCount() > 0);
    }

    /** The peer's routes marked stale ({@link #markStale}) are committed: re-sent ones are refreshed, the rest swept. */
    void resyncStarted(PeerRef peer) {
        resyncing.add(SessionKey.of(peer));
    }

    /** The peer's session is down: nothing of it is stale any more. */
    void resyncEnded(PeerRef peer) {
        resyncing.remove(SessionKey.of(peer));
    }

    /**
     * Withdraws the peer's routes still stale (not re-sent since the session was re-established), of
     * one address family (4 or 6) at its End-of-RIB, or of both (0) when the router sends none in time; only while
     * {@code lease} (when given) is still this replica's, else {@link RouterLeases.LeaseLostException} and nothing changed.
     */
    public Uni<Void> sweepStale(PeerRef peer, Instant time, int family, RouterLeases.Lease lease) {
        if (!resyncing.contains(SessionKey.of(peer))) {
            return Uni.createFrom().voidItem();
        }
        String condition = "stale" + (family == 0 ? "" : " AND family(prefix) = " + family);
        Tuple key = Tuple.of(peer.router(), peer.distinguisher(), peer.peerAddress());
        return pool.withTransaction(conn -> RouterLeases.check(conn, lease)
                        .flatMap(checked -> withdrawRoutes(conn, peer, time, condition,
                                "not re-sent after the session was re-established"))
                        .flatMap(v -> recountRoutes(conn, peer))
                        .flatMap(v -> conn.preparedQuery("""
                                        SELECT EXISTS (SELECT 1 FROM routes.adj_rib_in WHERE router = $1::text::inet
                                        AND peer_distinguisher = $2 AND peer_address = $3::text::inet AND stale)""")
                                .execute(key)))
                .invoke(rows -> {
                    if (!rows.iterator().next().getBoolean(0)) {
                        resyncing.remove(SessionKey.of(peer));
                    }
                    changeLog.signal();
                })
                .replaceWithVoid();
    }

    /** Sets the session's routes_count to the routes stored for it (every view, every peer ASN it was reported with). */
    static Uni<Void> recountRoutes(SqlConnection conn, PeerRef peer) {
        return conn.preparedQuery("""
                        UPDATE routes.sessions s SET routes_count = (SELECT count(*) FROM routes.adj_rib_in a
                            WHERE a.router = s.router AND a.peer_distinguisher = s.peer_distinguisher
                              AND a.peer_address = s.peer_address)
                        WHERE s.router = $1::text::inet AND s.peer_distinguisher = $2 AND s.peer_address = $3::text::inet""")
                .execute(Tuple.of(peer.router(), peer.distinguisher(), peer.peerAddress()))
                .replaceWithVoid();
    }

    /** Deletes the peer's routes matching {@code condition} (fixed SQL), logging each as a withdrawal. */
    Uni<Void> withdrawRoutes(SqlConnection conn, PeerRef peer, Instant time, String condition, String reason) {
        // One statement: the deleted routes are numbered and logged as withdrawals with positions
        // reserved under the log's row lock, taken after the delete so the lock is held briefly.
        return conn.preparedQuery("""
                        WITH gone AS (
                            DELETE FROM routes.adj_rib_in
                            WHERE router = $1::text::inet AND peer_distinguisher = $2 AND peer_address = $3::text::inet
                              AND (""" + condition + """
                            ) RETURNING *
                        ), numbered AS (
                            SELECT g.*, row_number() OVER (ORDER BY rib, prefix, path_id) AS n FROM gone g
                        ), reserved AS (
                            UPDATE routes.log_positions SET last_seq = last_seq + (SELECT count(*) FROM gone)
                            WHERE log = 'route_changes' RETURNING last_seq - (SELECT count(*) FROM gone) AS base
                        )
                        INSERT INTO routes.route_changes (time, seq, router, peer_distinguisher, peer_address, peer_asn, rib,
                            prefix, path_id, withdrawn, reason, origin, as_path, origin_asn, next_hop, med, local_pref,
                            communities, large_communities, only_to_customer)
                        SELECT $4, reserved.base + n, router, peer_distinguisher, peer_address, peer_asn, rib, prefix, path_id,
                               true, $5, origin, as_path, origin_asn, next_hop, med, local_pref, communities, large_communities,
                               only_to_customer
                        FROM numbered, reserved
                        """)
                .execute(Tuple.of(peer.router(), peer.distinguisher(), peer.peerAddress(), utc(time), reason))
                .replaceWithVoid();
    }

}
