package io.peering.routes.grpc;

import io.peering.common.v1.StartPosition;
import io.peering.routes.PeerRef;
import io.peering.routes.Rib;
import io.peering.routes.RouteChange;
import io.peering.routes.repository.RouteStore;
import io.peering.routes.v1.RoutesServiceGrpc;
import io.peering.routes.v1.WatchRouteChangesRequest;
import io.peering.routes.v1.WatchRouteChangesResponse;
import io.peering.routes.testing.Await;
import io.peering.routes.testing.RoutesChannel;
import io.peering.routes.testing.TestRouter;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A WatchRouteChanges whose filter matches nothing while changes keep arriving: each poll that comes back short has
 * read the log up to its end, so the next poll starts there. It must not scan the same growing tail again on every
 * poll (reads that grow with the log's length since the stream started, for as long as the stream lives).
 */
@QuarkusTest
@TestProfile(RecordingRouteQueries.Profile.class)
class FilteredWatchReadsEachChangeOnceTest {

    static final String ROUTER = "127.0.0.207";
    static final PeerRef PEER = new PeerRef(ROUTER, 0, "127.0.0.12", 64500);
    static final int ROUNDS = 8;
    static final int CHANGES_PER_ROUND = 50;

    @Inject
    RouteStore store;

    @Inject
    Pool pool;

    RoutesChannel channel;

    @BeforeEach
    @AfterEach
    void clean() {
        TestRouter.forget(pool, ROUTER);
    }

    @AfterEach
    void close() throws InterruptedException {
        if (channel != null) {
            channel.close();
        }
    }

    @Test
    void aFilterThatNeverMatchesReadsEachChangeOnceNotTheWholeTailOnEveryPoll() throws Exception {
        channel = RoutesChannel.open();
        RoutesApiTest.Collector<WatchRouteChangesResponse> watcher = new RoutesApiTest.Collector<>();
        RecordingRouteQueries.READS.clear();
        channel.async().watchRouteChanges(WatchRouteChangesRequest.newBuilder()
                .setStartPosition(StartPosition.START_POSITION_LATEST).addPrefixes(RecordingRouteQueries.WATCHED).build(), watcher);
        Await.until("the first read of the log", () -> !RecordingRouteQueries.READS.isEmpty());

        for (int round = 0; round < ROUNDS; round++) {
            List<RouteChange> changes = new ArrayList<>();
            for (int i = 0; i < CHANGES_PER_ROUND; i++) {
                changes.add(RouteChange.announce(Instant.now(), PEER, Rib.ADJ_RIB_IN_PRE_POLICY, "10.207." + round + "." + i + "/32",
                        0, RoutesApiTest.attributes("64500", 64500, (short) 3)));
            }
            store.applyRouteChanges(changes).await().atMost(Duration.ofSeconds(30));
            int readsBefore = RecordingRouteQueries.READS.size();
            // woken by the write, then again after the poll interval: two reads after this round's changes
            Await.until("two reads after round " + round, () -> RecordingRouteQueries.READS.size() >= readsBefore + 2);
        }

        List<RecordingRouteQueries.Read> reads = List.copyOf(RecordingRouteQueries.READS);
        long read = reads.stream().mapToLong(RecordingRouteQueries.Read::span).sum();
        int written = ROUNDS * CHANGES_PER_ROUND;
        assertThat(watcher.error).isNull();
        assertThat(watcher.items).as("nothing matches the filter").allMatch(r -> r.getChangesCount() == 0);
        assertThat(read).as("changes read by %d reads of the log (%s) for %d changes written", reads.size(), reads, written)
                .isLessThanOrEqualTo(2L * written);
        RecordingRouteQueries.Read last = reads.get(reads.size() - 1);
        assertThat(last.span()).as("the last read, after the log stopped growing, reads nothing already read: %s", last)
                .isZero();
    }
}
