package io.peering.support.watch;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.peering.support.log.LogSignal;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Watch loop on a log held in memory: where it starts, what it replays and follows, and what it reads. */
class LogFollowerTest {

    static final LogFollower.Wording WORDING = new LogFollower.Wording("test log", "the cursor of an entry");

    /** Entries at positions 1, 2, ...; those {@code matching} are the ones the stream's filter selects. */
    static final class MemoryLog implements FollowedLog<Long> {
        final List<Boolean> matching = new CopyOnWriteArrayList<>();
        final List<long[]> asked = new CopyOnWriteArrayList<>();
        volatile long first = 1;

        void append(int count, boolean matches) {
            for (int i = 0; i < count; i++) {
                matching.add(matches);
            }
        }

        @Override
        public Uni<LogBounds> bounds() {
            return Uni.createFrom().item(new LogBounds(Math.min(first, matching.size() + 1), matching.size()));
        }

        @Override
        public Uni<Long> lastPosition() {
            return Uni.createFrom().item((long) matching.size());
        }

        @Override
        public Uni<List<Long>> entries(long after, long upTo, int limit) {
            asked.add(new long[]{after, upTo});
            List<Long> out = new ArrayList<>();
            for (long p = after + 1; p <= upTo && out.size() < limit; p++) {
                if (matching.get((int) p - 1)) {
                    out.add(p);
                }
            }
            return Uni.createFrom().item(out);
        }

        @Override
        public long positionOf(Long entry) {
            return entry;
        }

        /** Entries the fetches could read: each asked range's width. */
        long read() {
            return asked.stream().mapToLong(a -> Math.max(0, a[1] - a[0])).sum();
        }
    }

    final LogSignal signal = new LogSignal();
    final LogFollower follower = new LogFollower(signal);

    static List<Long> flat(AssertSubscriber<List<Long>> s) {
        return s.getItems().stream().flatMap(List::stream).toList();
    }

    @Test
    void replaysAfterTheCursorInBatchesThenFollowsLive() {
        MemoryLog log = new MemoryLog();
        log.append(2500, true);
        AssertSubscriber<List<Long>> s = follower.follow(log, WORDING, "10", false)
                .subscribe().withSubscriber(AssertSubscriber.create(100));
        s.awaitItems(3, Duration.ofSeconds(5));
        assertThat(s.getItems()).extracting(List::size).containsExactly(LogFollower.BATCH, LogFollower.BATCH, 490);
        assertThat(flat(s)).startsWith(11L, 12L).endsWith(2500L);

        log.append(3, true);
        signal.signal();
        s.awaitItems(4, Duration.ofSeconds(5));
        assertThat(s.getItems().get(3)).containsExactly(2501L, 2502L, 2503L);
        s.cancel();
    }

    @Test
    void startsAtTheEndOrAtTheBeginningWithoutACursor() {
        MemoryLog log = new MemoryLog();
        log.append(5, true);
        AssertSubscriber<List<Long>> latest = follower.follow(log, WORDING, "", false)
                .subscribe().withSubscriber(AssertSubscriber.create(10));
        AssertSubscriber<List<Long>> earliest = follower.follow(log, WORDING, null, true)
                .subscribe().withSubscriber(AssertSubscriber.create(10));
        earliest.awaitItems(1, Duration.ofSeconds(5));
        assertThat(flat(earliest)).containsExactly(1L, 2L, 3L, 4L, 5L);
        log.append(1, true);
        signal.signal();
        latest.awaitItems(1, Duration.ofSeconds(5));
        assertThat(flat(latest)).containsExactly(6L);
        latest.cancel();
        earliest.cancel();
    }

    @Test
    void aFilterThatRarelyMatchesReadsEachEntryOnce() throws InterruptedException {
        MemoryLog log = new MemoryLog();
        log.append(100, false);
        AssertSubscriber<List<Long>> s = follower.follow(log, WORDING, "0", false)
                .subscribe().withSubscriber(AssertSubscriber.create(10));
        for (int round = 0; round < 10; round++) {
            int asked = log.asked.size();
            log.append(100, false);
            signal.signal();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (log.asked.size() < asked + 2 && System.nanoTime() < deadline) { // woken, then the poll interval
                Thread.sleep(10);
            }
        }
        log.append(1, true);
        signal.signal();
        s.awaitItems(1, Duration.ofSeconds(5));
        assertThat(flat(s)).containsExactly(1101L);
        assertThat(log.read()).as("entries read for 1101 appended").isEqualTo(1101);
        s.cancel();
    }

    @Test
    void refusesCursorsItDidNotIssueAheadOfTheLogOrOlderThanItRetains() {
        MemoryLog log = new MemoryLog();
        log.append(50, true);
        log.first = 20;
        assertRefused(log, "abc", Status.Code.INVALID_ARGUMENT, "after_cursor \"abc\" is not a cursor this service issued; use"
                + " the cursor of an entry, or none to start at start_position");
        assertRefused(log, "-5", Status.Code.INVALID_ARGUMENT, "not a cursor");
        assertRefused(log, "51", Status.Code.INVALID_ARGUMENT, "after_cursor 51 is ahead of the test log (last is 50); use the"
                + " cursor of an entry");
        assertRefused(log, "18", Status.Code.FAILED_PRECONDITION, "older than what the test log retains (oldest entry 20)");
        AssertSubscriber<List<Long>> oldest = follower.follow(log, WORDING, "19", false)
                .subscribe().withSubscriber(AssertSubscriber.create(10));
        oldest.awaitItems(1, Duration.ofSeconds(5));
        assertThat(flat(oldest)).startsWith(20L);
        oldest.cancel();
    }

    void assertRefused(MemoryLog log, String cursor, Status.Code code, String message) {
        assertThatThrownBy(() -> follower.follow(log, WORDING, cursor, false).collect().first().await().atMost(Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(code);
                    assertThat(e.getStatus().getDescription()).contains(message);
                });
    }

    @Test
    void aSlowClientSlowsItsOwnFetching() {
        MemoryLog log = new MemoryLog();
        log.append(5000, true);
        Multi<List<Long>> stream = follower.follow(log, WORDING, "0", false);
        AssertSubscriber<List<Long>> s = stream.subscribe().withSubscriber(AssertSubscriber.create(1));
        s.awaitItems(1, Duration.ofSeconds(5));
        assertThat(log.asked).as("one fetch for the one batch asked for").hasSize(1);
        s.cancel();
    }
}
