package io.peering.routes.repository;

import io.peering.routes.PeerRef;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes what routers report about themselves and their BGP sessions into the routes schema: routers
 * connected and disconnected, sessions up and down with their transitions logged, statistics reports.
 * Every method is one transaction. A session going down or re-established changes its routes too,
 * through {@link RouteStore}.
 */
@ApplicationScoped
public class SessionStore {

    /** Session states as stored in routes.sessions and session_transitions: the numbers of peering.common.v1.SessionState. */
    static final short NONE = 1;
    static final short IDLE = 2;
    static final short ESTABLISHED = 7;

    private static final String ROUTER_SEEN = """
            INSERT INTO routes.routers (router, sys_name, sys_descr, connected, connected_since, last_seen)
            VALUES ($1::text::inet, coalesce($2, ''), coalesce($3, ''), true, now(), now())
            ON CONFLICT (router) DO UPDATE SET
                sys_name = coalesce($2, routers.sys_name), sys_descr = coalesce($3, routers.sys_descr),
                connected_since = CASE WHEN routers.connected THEN routers.connected_since ELSE now() END,
                connected = true, last_seen = now()
            """;

    private final Pool pool;
    private final ChangeLog changeLog;
    private final RouteStore routes;

    public SessionStore(Pool pool, ChangeLog changeLog, RouteStore routes) {
        this.pool = pool;
        this.changeLog = changeLog;
        this.routes = routes;
    }

    /**
     * A router opened its BMP session to {@code replica}: it is connected, and its lease is the replica's from now
     * (whoever held it: the router chose this replica), to renew within {@code grace}.
     */
    public Uni<RouterLeases.Lease> routerConnected(String router, String replica, Duration grace) {
        return pool.withTransaction(conn -> conn.preparedQuery(ROUTER_SEEN).execute(Tuple.of(router, null, null))
                .flatMap(v -> RouterLeases.take(conn, router, replica, grace)));
    }

    /** A router's Initiation message: its names. */
    public Uni<Void> routerIdentified(String router, String sysName, String sysDescr) {
        return pool.preparedQuery(ROUTER_SEEN).execute(Tuple.of(router, sysName, sysDescr)).replaceWithVoid();
    }

    /**
     * A BMP Peer Up: the session is Established. When the collector already had it up (the router
     * reconnected, or the collector restarted), its stored routes become stale until re-sent, and
     * this yields true: the caller sweeps them at End-of-RIB ({@link RouteStore#sweepStale}).
     */
    public Uni<Boolean> peerUp(PeerRef peer, Instant time, String peerBgpId, String localAddress, long localAsn) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                                INSERT INTO routes.sessions (router, peer_distinguisher, peer_address, peer_asn, peer_bgp_id,
                                    local_address, local_asn, state, state_since)
                                VALUES ($1::text::inet, $2, $3::text::inet, $4, $5::text::inet, $6::text::inet, $7, $9, $8)
                                ON CONFLICT (router, peer_distinguisher, peer_address) DO UPDATE SET
                                    peer_asn = $4, peer_bgp_id = $5::text::inet, local_address = $6::text::inet, local_asn = $7,
                                    state = $9, state_since = CASE WHEN sessions.state = $9 THEN sessions.state_since ELSE $8 END
                                RETURNING (SELECT state FROM routes.sessions o WHERE o.router = $1::text::inet
                                           AND o.peer_distinguisher = $2 AND o.peer_address = $3::text::inet)
                                """)
                        .execute(Tuple.tuple(java.util.Arrays.asList(peer.router(), peer.distinguisher(), peer.peerAddress(), peer.peerAsn(),
                                nullable(peerBgpId), nullable(localAddress), localAsn, RouteStore.utc(time), ESTABLISHED)))
                        .call(rows -> {
                            Short previous = rows.iterator().next().getShort(0);
                            // routes the router sent before this Peer Up (or while the session was down) are
                            // stored already: count them (a session up keeps its count; the resync sweep recounts)
                            return previous != null && previous == ESTABLISHED ? Uni.createFrom().voidItem()
                                    : RouteStore.recountRoutes(conn, peer);
                        })
                        .flatMap(rows -> {
                            Short previous = rows.iterator().next().getShort(0);
                            if (previous != null && previous == ESTABLISHED) {
                                // already up: no transition, but what we hold must be confirmed by the re-sent table
                                return routes.markStale(conn, peer);
                            }
                            return appendTransition(conn, peer, time, previous == null ? NONE : previous, ESTABLISHED, "", 0, 0, 0)
                                    .replaceWith(false);
                        }))
                .invoke(resync -> {
                    if (resync) {
                        routes.resyncStarted(peer);
                    }
                    changeLog.signal();
                });
    }

    /**
     * A BMP Peer Down (or the router gone): the session is Idle, all its routes are withdrawn
     * (each recorded as a withdrawal with the given reason), and the transition is logged. A session
     * already Idle (routes sent after its Peer Down) has its routes withdrawn too, without a transition.
     */
    public Uni<Void> peerDown(PeerRef peer, Instant time, String reason, int peerDownReason, int notificationCode,
                              int notificationSubcode, String withdrawalReason) {
        return peerDown(peer, time, reason, peerDownReason, notificationCode, notificationSubcode, withdrawalReason, null);
    }

    /**
     * {@link #peerDown} decided by this replica, not reported by the router (its BMP session gone for longer than the
     * grace period, or a peer it did not report again after reconnecting): only while {@code lease} (when given) is still
     * this replica's, else {@link RouterLeases.LeaseLostException} and nothing changed.
     */
    public Uni<Void> peerDown(PeerRef peer, Instant time, String reason, int peerDownReason, int notificationCode,
                              int notificationSubcode, String withdrawalReason, RouterLeases.Lease lease) {
        return pool.withTransaction(conn -> RouterLeases.check(conn, lease)
                .flatMap(checked -> conn.preparedQuery("""
                                UPDATE routes.sessions SET state = $6, state_since = $4, last_error = $5, routes_count = 0
                                WHERE router = $1::text::inet AND peer_distinguisher = $2 AND peer_address = $3::text::inet AND state <> $6
                                RETURNING peer_asn
                                """)
                        .execute(Tuple.of(peer.router(), peer.distinguisher(), peer.peerAddress(), RouteStore.utc(time), reason, IDLE))
                        .flatMap(rows -> routes.withdrawRoutes(conn, peer, time, "true", withdrawalReason)
                                .flatMap(v -> conn.preparedQuery("""
                                                UPDATE routes.sessions SET routes_count = 0 WHERE router = $1::text::inet
                                                AND peer_distinguisher = $2 AND peer_address = $3::text::inet AND routes_count <> 0""")
                                        .execute(Tuple.of(peer.router(), peer.distinguisher(), peer.peerAddress())))
                                .flatMap(v -> rows.size() == 0 ? Uni.createFrom().voidItem()
                                        : appendTransition(conn, peer, time, ESTABLISHED, IDLE, reason, peerDownReason,
                                        notificationCode, notificationSubcode)))))
                .invoke(() -> {
                    routes.resyncEnded(peer);
                    changeLog.signal();
                });
    }

    private Uni<Void> appendTransition(SqlConnection conn, PeerRef peer, Instant time, int previous, int state, String reason,
                                       int peerDownReason, int code, int subcode) {
        return ChangeLog.advance(conn, "session_transitions", 1).flatMap(base -> conn.preparedQuery("""
                        INSERT INTO routes.session_transitions (time, seq, router, peer_distinguisher, peer_address, peer_asn,
                            previous_state, state, reason, peer_down_reason, notification_code, notification_subcode)
                        VALUES ($1, $2, $3::text::inet, $4, $5::text::inet, $6, $7, $8, $9, $10, $11, $12)
                        """)
                .execute(Tuple.tuple(List.of(RouteStore.utc(time), base + 1, peer.router(), peer.distinguisher(), peer.peerAddress(),
                        peer.peerAsn(), (short) previous, (short) state, reason, (short) peerDownReason, (short) code,
                        (short) subcode)))
                .replaceWithVoid());
    }

    /** The sessions of a router that are up (to take down when the router is gone). */
    public Uni<List<PeerRef>> establishedPeersOf(String router) {
        return pool.preparedQuery("""
                        SELECT host(router), peer_distinguisher, host(peer_address), peer_asn FROM routes.sessions
                        WHERE router = $1::text::inet AND state = $2
                        """)
                .execute(Tuple.of(router, ESTABLISHED))
                .map(rows -> {
                    List<PeerRef> peers = new ArrayList<>();
                    for (Row r : rows) {
                        peers.add(new PeerRef(r.getString(0), r.getLong(1), r.getString(2), r.getLong(3)));
                    }
                    return peers;
                });
    }

    /**
     * The router's BMP session to this replica ended: unless its lease changed hands meanwhile (the router connected
     * to another replica), it is disconnected and its lease runs for the grace period; after that, its peers are
     * taken down ({@link RouterLeases#claimExpired}).
     */
    public Uni<Void> routerDisconnected(RouterLeases.Lease lease, Duration grace) {
        return pool.withTransaction(conn -> RouterLeases.release(conn, lease, grace).flatMap(released -> !released
                ? Uni.createFrom().voidItem()
                : conn.preparedQuery("UPDATE routes.routers SET connected = false, last_seen = now() WHERE router = $1::text::inet")
                .execute(Tuple.of(lease.router())).replaceWithVoid()));
    }

    /** A BMP Statistics Report, stored as received. */
    public Uni<Void> statistics(PeerRef peer, Instant time, List<Integer> types, List<Long> values) {
        if (types.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery("""
                        INSERT INTO routes.statistics_reports (time, router, peer_distinguisher, peer_address, stat_type, value)
                        SELECT $1, $2::text::inet, $3, $4::text::inet, t, v::numeric FROM unnest($5::int[], $6::text[]) AS u(t, v)
                        """)
                .execute(Tuple.tuple(List.of(RouteStore.utc(time), peer.router(), peer.distinguisher(), peer.peerAddress(),
                        types.toArray(Integer[]::new), values.stream().map(Long::toUnsignedString).toArray(String[]::new))))
                .replaceWithVoid();
    }

    private static Object nullable(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
