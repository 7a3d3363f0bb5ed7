package io.peering.support.ingest;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one ingest stream of metrics- and latency-service: refusals by index, batches, duplicates,
 * an all-refused stream, and what a client is told when the database fails under it. (The whole path,
 * with the database really restarting, is deploy/tests' DatabaseRestartDuringSampleStreamsTest.)
 */
class IngestStreamTest {

    /** A store of distinct numbers; a negative number is a bad item. */
    static final class Store {
        final Set<Integer> stored = Collections.synchronizedSet(new HashSet<>());
        final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());

        IngestStream<Integer, Integer> stream(int batchSize, int concurrent) {
            return new IngestStream<>("numbers", batchSize, concurrent, n -> {
                if (n < 0) {
                    throw new IllegalArgumentException("number " + n + " is negative");
                }
                return n;
            }, batch -> {
                batchSizes.add(batch.size());
                return Uni.createFrom().item((int) batch.stream().filter(stored::add).count());
            });
        }
    }

    @Test
    void goodItemsAreStoredInBatchesAndBadOnesRefusedByIndex() {
        Store store = new Store();
        List<Integer> items = new ArrayList<>(IntStream.range(0, 25).boxed().toList());
        items.set(3, -3);
        items.set(17, -17);
        IngestStream.Outcome outcome = store.stream(10, 2).store(Multi.createFrom().iterable(items)).await().atMost(Duration.ofSeconds(5));
        assertThat(outcome.accepted()).isEqualTo(23);
        assertThat(outcome.duplicates()).isZero();
        assertThat(outcome.refused()).isEqualTo(2);
        assertThat(outcome.refusals()).containsExactly(new IngestStream.Refusal(3, "number -3 is negative"),
                new IngestStream.Refusal(17, "number -17 is negative"));
        assertThat(store.batchSizes).containsExactlyInAnyOrder(10, 10, 3);
    }

    @Test
    void itemsStoredBeforeAreCountedAsDuplicates() {
        Store store = new Store();
        store.stream(4, 1).store(Multi.createFrom().items(1, 2, 3)).await().atMost(Duration.ofSeconds(5));
        IngestStream.Outcome again = store.stream(4, 1).store(Multi.createFrom().items(1, 2, 3, 4, 5)).await().atMost(Duration.ofSeconds(5));
        assertThat(again.accepted()).isEqualTo(2);
        assertThat(again.duplicates()).isEqualTo(3);
    }

    @Test
    void aStreamOfOnlyBadItemsEndsWithInvalidArgumentNamingTheFirst() {
        Store store = new Store();
        assertThatThrownBy(() -> store.stream(10, 2).store(Multi.createFrom().items(-1, -2)).await().atMost(Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("every number of the stream was refused (2 of 2), nothing"
                            + " was stored; the first refused is index 0: number -1 is negative");
                });
        assertThat(store.stored).isEmpty();
    }

    @Test
    void anEmptyStreamStoresNothingAndIsFine() {
        IngestStream.Outcome outcome = new Store().stream(10, 2).store(Multi.createFrom().empty()).await().atMost(Duration.ofSeconds(5));
        assertThat(outcome).isEqualTo(new IngestStream.Outcome(0, 0, 0, List.of()));
    }

    @Test
    void theDatabaseGoingAwayOrRefusingConnectionsIsUnavailableWithWhatToDo() {
        for (Throwable failure : new Throwable[] {ClosedConnectionException.INSTANCE, new ConnectException("Connection refused"),
                new PgException("terminating connection due to administrator command", "FATAL", "57P01", null),
                new PgException("the database system is starting up", "FATAL", "57P03", null)}) {
            StatusRuntimeException e = IngestStream.storeFailed(failure, "samples", 4000);
            assertThat(e.getStatus().getCode()).as(failure.toString()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).contains("4000 samples of this stream were stored", "Send the stream again",
                    "counted as duplicates", "not stored twice");
        }
    }

    @Test
    void anyOtherDatabaseErrorIsInternal() {
        StatusRuntimeException e = IngestStream.storeFailed(
                new PgException("value too long for type character varying", "ERROR", "22001", null), "transitions", 0);
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(e.getStatus().getDescription()).contains("value too long");
    }

    @Test
    void aBatchThatCannotBeWrittenRefusesTheStream() {
        IngestStream<Integer, Integer> failing = new IngestStream<>("numbers", 2, 1, n -> n,
                batch -> Uni.createFrom().failure(ClosedConnectionException.INSTANCE));
        assertThatThrownBy(() -> failing.store(Multi.createFrom().items(1, 2, 3)).await().atMost(Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }
}
