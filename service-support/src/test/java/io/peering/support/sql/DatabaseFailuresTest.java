package io.peering.support.sql;

import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;

import static org.assertj.core.api.Assertions.assertThat;

class DatabaseFailuresTest {

    @Test
    void theDatabaseUnreachableGoingAwayRestartingOrOverloadedIsTransient() {
        for (Throwable failure : new Throwable[] {new ConnectException("Connection refused"),
                ClosedConnectionException.INSTANCE,
                new NoStackTraceThrowable("Fail to read any response from the server, the underlying connection might get lost"),
                new PgException("terminating connection due to administrator command", "FATAL", "57P01", null),
                new PgException("the database system is starting up", "FATAL", "57P03", null),
                new PgException("too many connections", "FATAL", "53300", null),
                new PgException("deadlock detected", "ERROR", "40P01", null),
                new PgException("connection failure", "FATAL", "08006", null)}) {
            assertThat(DatabaseFailures.isTransient(failure)).as(failure.toString()).isTrue();
        }
    }

    @Test
    void anyOtherSqlErrorAndProgrammingErrorsAreNot() {
        for (Throwable failure : new Throwable[] {new PgException("value too long", "ERROR", "22001", null),
                new PgException("duplicate key", "ERROR", "23505", null), new IllegalStateException("a bug"),
                new NullPointerException(), new IllegalArgumentException("bad")}) {
            assertThat(DatabaseFailures.isTransient(failure)).as(failure.toString()).isFalse();
        }
    }
}
