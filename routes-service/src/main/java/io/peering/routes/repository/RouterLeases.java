package io.peering.routes.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which collector replica holds each router (routes.router_leases), so that several routes-service
 * replicas can share the routers behind one BMP load balancer. Expiry is judged by the database's clock,
 * never a replica's.
 *
 * <p>The replica a router connects to takes its lease ({@link SessionStore#routerConnected}: always, raising the epoch; the
 * router chose it) and renews it while connected ({@link #renew}). When the router disconnects, the
 * lease is let run for the grace period ({@link SessionStore#routerDisconnected}). A lease that runs out (the router did not come
 * back, or its replica died and stopped renewing) is claimed by exactly one replica ({@link #claimExpired}),
 * which takes the router's sessions down under that claim's {@link Lease} and then deletes it
 * ({@link #ended}). After a restart of the database, no lease runs out before a grace period has passed
 * since (no replica could renew while it was down). Withdrawals a replica decides on its own check their lease in their own transaction
 * ({@link #check}), so a router taken over by another replica is never withdrawn by this one.
 */
@ApplicationScoped
public class RouterLeases {

    /** A lease as held by one replica: the router and the epoch it was taken or claimed at. */
    public record Lease(String router, long epoch) {
    }

    /** A lease claimed after it ran out: who held it, and whether its router was still connected (its replica died). */
    public record Expired(Lease lease, String previousOwner, boolean wasConnected) {
    }

    /** The lease was taken over by another replica (or the router came back) since this replica took it. */
    public static final class LeaseLostException extends IllegalStateException { // not transient: never retried
        public LeaseLostException(Lease lease) {
            super("router " + lease.router() + ": its lease (epoch " + lease.epoch() + ") is no longer this replica's");
        }
    }

    private final Pool pool;

    public RouterLeases(Pool pool) {
        this.pool = pool;
    }

    /** The router connected to {@code owner}: its lease is {@code owner}'s from now, whoever held it. */
    static Uni<Lease> take(SqlConnection conn, String router, String owner, Duration grace) {
        return conn.preparedQuery("""
                        INSERT INTO routes.router_leases AS l (router, owner, epoch, connected, expires)
                        VALUES ($1::text::inet, $2, 1, true, now() + make_interval(secs => $3))
                        ON CONFLICT (router) DO UPDATE SET owner = $2, epoch = l.epoch + 1, connected = true,
                            expires = now() + make_interval(secs => $3)
                        RETURNING epoch""")
                .execute(Tuple.of(router, owner, seconds(grace)))
                .map(rows -> new Lease(router, rows.iterator().next().getLong(0)));
    }

    /**
     * Takes the router's lease for {@code owner} only if it is still at {@code epoch} (nobody took it since a previous run
     * of this replica held it); null when it changed hands or ended (the router connected elsewhere, or was taken down).
     */
    public Uni<Lease> takeIfStillAt(String router, long epoch, String owner, Duration grace) {
        return pool.preparedQuery("""
                        UPDATE routes.router_leases SET owner = $3, epoch = epoch + 1, connected = true,
                            expires = now() + make_interval(secs => $4)
                        WHERE router = $1::text::inet AND epoch = $2
                        RETURNING epoch""")
                .execute(Tuple.of(router, epoch, owner, seconds(grace)))
                .map(rows -> rows.size() == 0 ? null : new Lease(router, rows.iterator().next().getLong(0)));
    }

    /** Renews the leases of connected routers (router: epoch held) for another grace period; yields those no longer held. */
    public Uni<Set<String>> renew(Map<String, Long> epochs, Duration grace) {
        if (epochs.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        String[] routers = epochs.keySet().toArray(String[]::new);
        Long[] held = new Long[routers.length];
        for (int i = 0; i < routers.length; i++) {
            held[i] = epochs.get(routers[i]);
        }
        return pool.preparedQuery("""
                        UPDATE routes.router_leases l SET expires = now() + make_interval(secs => $3)
                        FROM unnest($1::text[], $2::bigint[]) AS u(router, epoch)
                        WHERE l.router = u.router::inet AND l.epoch = u.epoch AND l.connected
                        RETURNING u.router""")
                .execute(Tuple.of(routers, held, seconds(grace)))
                .map(rows -> {
                    Set<String> lost = new HashSet<>(epochs.keySet());
                    rows.forEach(r -> lost.remove(r.getString(0)));
                    return lost;
                });
    }

    /** The router's connection to the holder closed: the lease runs for the grace period. False if it changed hands. */
    static Uni<Boolean> release(SqlConnection conn, Lease lease, Duration grace) {
        return conn.preparedQuery("""
                        UPDATE routes.router_leases SET connected = false, expires = now() + make_interval(secs => $3)
                        WHERE router = $1::text::inet AND epoch = $2""")
                .execute(Tuple.of(lease.router(), lease.epoch(), seconds(grace)))
                .map(rows -> rows.rowCount() == 1);
    }

    /**
     * Claims leases that ran out for {@code owner} (none another replica is claiming at the same moment), holding
     * each for {@code hold} while its router's sessions are taken down.
     */
    public Uni<List<Expired>> claimExpired(String owner, Duration hold, Duration grace) {
        return pool.preparedQuery("""
                        WITH due AS (
                            SELECT router, owner, connected FROM routes.router_leases
                            WHERE expires < now() AND pg_postmaster_start_time() + make_interval(secs => $3) < now()
                            ORDER BY router LIMIT 100 FOR UPDATE SKIP LOCKED
                        )
                        UPDATE routes.router_leases l SET owner = $1, epoch = l.epoch + 1, connected = false,
                            expires = now() + make_interval(secs => $2)
                        FROM due WHERE l.router = due.router
                        RETURNING host(l.router), l.epoch, due.owner, due.connected""")
                .execute(Tuple.of(owner, seconds(hold), seconds(grace)))
                .map(rows -> {
                    List<Expired> claimed = new ArrayList<>();
                    for (Row r : rows) {
                        claimed.add(new Expired(new Lease(r.getString(0), r.getLong(1)), r.getString(2), r.getBoolean(3)));
                    }
                    return claimed;
                });
    }

    /** The claimed router's sessions are down: the lease is gone (unless taken meanwhile). */
    public Uni<Void> ended(Lease lease) {
        return pool.preparedQuery("DELETE FROM routes.router_leases WHERE router = $1::text::inet AND epoch = $2")
                .execute(Tuple.of(lease.router(), lease.epoch())).replaceWithVoid();
    }

    /**
     * Routers with sessions stored as up and no lease (stored before leases, or a takedown that did not finish):
     * given a lease that runs out after the grace period, as if they had just disconnected.
     */
    public Uni<Integer> adoptRoutersWithoutLease(Duration grace) {
        return pool.preparedQuery("""
                        INSERT INTO routes.router_leases (router, owner, epoch, connected, expires)
                        SELECT DISTINCT router, '', 0, false, now() + make_interval(secs => $2) FROM routes.sessions
                        WHERE state = $1
                        ON CONFLICT (router) DO NOTHING""")
                .execute(Tuple.of(SessionStore.ESTABLISHED, seconds(grace)))
                .map(rows -> rows.rowCount());
    }

    /**
     * In a transaction that withdraws a router's routes on this replica's own decision: fails with
     * {@link LeaseLostException} unless the lease is still held at {@code lease}'s epoch, and keeps it from
     * changing hands until the transaction ends. No lease (null): nothing to check.
     */
    static Uni<Void> check(SqlConnection conn, Lease lease) {
        if (lease == null) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery("SELECT 1 FROM routes.router_leases WHERE router = $1::text::inet AND epoch = $2 FOR SHARE")
                .execute(Tuple.of(lease.router(), lease.epoch()))
                .invoke(rows -> {
                    if (rows.size() == 0) {
                        throw new LeaseLostException(lease);
                    }
                })
                .replaceWithVoid();
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
