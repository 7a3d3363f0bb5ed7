package io.peering.metrics.repository;

import io.peering.metrics.Transition;
import io.peering.support.sql.Columns;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/** Session transitions and the cursors of the feeds they come from. */
@ApplicationScoped
public class TransitionStore {

    private static final String INSERT = """
            INSERT INTO metrics.session_transitions (time, connection, session_address, address_family, state, reason, source)
            SELECT t, c, a::inet, f, s, r, src
            FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::smallint[], $5::smallint[], $6::text[], $7::text[])
                 AS u(t, c, a, f, s, r, src)
            ON CONFLICT DO NOTHING
            """;

    private static final String SAVE_CURSOR = """
            INSERT INTO metrics.feed_cursors (feed, cursor, updated_at) VALUES ($1, $2, now())
            ON CONFLICT (feed) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = EXCLUDED.updated_at
            """;

    private final Pool pool;

    public TransitionStore(Pool pool) {
        this.pool = pool;
    }

    /** Stores the transitions (each at most once); answers how many were new. */
    public Uni<Integer> insert(List<Transition> transitions) {
        return insert(pool, transitions);
    }

    /**
     * Stores a feed's transitions and its new cursor in one transaction: either both are stored or
     * neither, so a resumed feed neither loses nor repeats anything.
     */
    public Uni<Integer> insertWithCursor(List<Transition> transitions, String feed, String cursor) {
        return pool.withTransaction(conn -> insert(conn, transitions)
                .call(() -> conn.preparedQuery(SAVE_CURSOR).execute(Tuple.of(feed, cursor))));
    }

    public Uni<Optional<String>> cursor(String feed) {
        return pool.preparedQuery("SELECT cursor FROM metrics.feed_cursors WHERE feed = $1").execute(Tuple.of(feed))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString(0)));
    }

    private static Uni<Integer> insert(SqlClient client, List<Transition> transitions) {
        if (transitions.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        Columns columns = new Columns(transitions.size(), OffsetDateTime.class, String.class, String.class, Short.class,
                Short.class, String.class, String.class);
        for (Transition t : transitions) {
            columns.add(OffsetDateTime.ofInstant(t.time(), ZoneOffset.UTC), t.connection(), t.sessionAddress(), t.family(),
                    t.state(), t.reason(), t.source());
        }
        return client.preparedQuery(INSERT).execute(columns.tuple()).map(rows -> rows.rowCount());
    }
}
