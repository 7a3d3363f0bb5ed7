package io.peering.routes.repository;

import io.peering.support.log.LogSignal;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The routes schema's logs (route_changes, session_transitions): the positions they give their entries
 * (routes.log_positions), and the signal to their readers that a commit appended to one.
 */
@ApplicationScoped
public class ChangeLog {

    private static final String ADVANCE_LOG = """
            UPDATE routes.log_positions SET last_seq = last_seq + $2 WHERE log = $1 RETURNING last_seq - $2
            """;

    private final LogSignal signal;

    public ChangeLog(LogSignal signal) {
        this.signal = signal;
    }

    /** Reserves {@code count} positions of a log; yields the position before the first. */
    static Uni<Long> advance(SqlConnection conn, String log, long count) {
        return conn.preparedQuery(ADVANCE_LOG).execute(Tuple.of(log, count))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** Called after a commit that appended to a log (or changed what its readers show). */
    void signal() {
        signal.signal();
    }
}
