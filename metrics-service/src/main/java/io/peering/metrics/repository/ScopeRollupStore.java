package io.peering.metrics.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * The scope rows (metrics.rate_scopes, see V3__rate_scopes.sql): one row per scope (a connection or a
 * peering), grain and bucket, remade from the per-series rollups for the hours ingest marked stale.
 */
@ApplicationScoped
public class ScopeRollupStore {

    /** Which connections make up which peering scope: member i is connection {@code connections[i]} of {@code peerings[i]}. */
    public record Members(String[] peerings, String[] connections) {
        public static Members of(List<String[]> pairs) {
            return new Members(pairs.stream().map(p -> p[0]).toArray(String[]::new),
                    pairs.stream().map(p -> p[1]).toArray(String[]::new));
        }
    }

    private static final String REFRESH = "SELECT metrics.refresh_scopes($1::integer, $2::text[], $3::text[])";
    private static final String SYNC_MEMBERS = "SELECT metrics.sync_scope_members($1::text[], $2::text[])";
    private static final String STALE_HOURS = "SELECT count(*) FROM metrics.rate_scopes_stale";

    private final Pool pool;

    public ScopeRollupStore(Pool pool) {
        this.pool = pool;
    }

    /** Remakes the rows of up to {@code maxUnits} stale (peering, hour) units; answers how many it remade. */
    public Uni<Integer> refresh(int maxUnits, Members members) {
        return pool.withTransaction(conn -> conn.preparedQuery(REFRESH)
                .execute(Tuple.of(maxUnits, members.peerings(), members.connections()))
                .map(rows -> rows.iterator().next().getInteger(0)));
    }

    /** Records the inventory's membership; a peering whose members changed has all its hours marked stale. Answers how many changed. */
    public Uni<Integer> syncMembers(Members members) {
        return pool.withTransaction(conn -> conn.preparedQuery(SYNC_MEMBERS)
                .execute(Tuple.of(members.peerings(), members.connections()))
                .map(rows -> rows.iterator().next().getInteger(0)));
    }

    /** Stale marks waiting (a mark is one connection's hour). */
    public Uni<Long> staleMarks() {
        return pool.query(STALE_HOURS).execute().map(rows -> rows.iterator().next().getLong(0));
    }
}
