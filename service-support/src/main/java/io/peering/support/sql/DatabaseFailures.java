package io.peering.support.sql;

import io.vertx.pgclient.PgException;

/** What a failed database call means for the caller: can the same call succeed later, unchanged? */
public final class DatabaseFailures {

    private DatabaseFailures() {
    }

    /**
     * Whether the failure is the database being unreachable, going away, restarting or overloaded (SQLSTATE classes 08
     * connection, 53 insufficient resources, 57P operator intervention, 40 rollback: serialization or deadlock), or a
     * connection failing below SQL (refused, closed, reset): the same statement may succeed once it is back. Any other
     * SQL error, and programming errors (illegal state or argument, null, ...), are not: repeating them gives the
     * same failure.
     */
    public static boolean isTransient(Throwable failure) {
        if (failure instanceof PgException pg) {
            String state = pg.getSqlState();
            return state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P")
                    || state.startsWith("40"));
        }
        return !(failure instanceof IllegalStateException || failure instanceof IllegalArgumentException
                || failure instanceof NullPointerException || failure instanceof ClassCastException
                || failure instanceof IndexOutOfBoundsException || failure instanceof UnsupportedOperationException
                || failure instanceof ArithmeticException || failure instanceof Error);
    }
}
