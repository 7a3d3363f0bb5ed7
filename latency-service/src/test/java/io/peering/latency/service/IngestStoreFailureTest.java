package io.peering.latency.service;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stream whose samples could not be stored because the database went away or could not be
 * reached is refused with UNAVAILABLE (retriable) and says what to do, never UNKNOWN with an
 * exception's class name. (The whole path, with the database really restarting, is
 * deploy/tests' DatabaseRestartDuringSampleStreamsTest.)
 */
class IngestStoreFailureTest {

    @Test
    void theDatabaseGoingAwayOrRefusingConnectionsIsUnavailableWithWhatToDo() {
        for (Throwable failure : new Throwable[] {ClosedConnectionException.INSTANCE, new ConnectException("Connection refused"),
                new PgException("terminating connection due to administrator command", "FATAL", "57P01", null),
                new PgException("the database system is starting up", "FATAL", "57P03", null)}) {
            StatusRuntimeException e = LatencyService.storeFailed(failure, 4000);
            assertThat(e.getStatus().getCode()).as(failure.toString()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).contains("4000 samples of this stream were stored", "Send the stream again",
                    "not stored twice");
        }
    }

    @Test
    void anyOtherDatabaseErrorIsInternal() {
        StatusRuntimeException e = LatencyService.storeFailed(
                new PgException("value too long for type character varying", "ERROR", "22001", null), 0);
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(e.getStatus().getDescription()).contains("value too long");
    }
}
