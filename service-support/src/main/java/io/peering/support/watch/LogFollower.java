package io.peering.support.watch;

import io.peering.support.grpc.ApiErrors;
import io.peering.support.log.LogSignal;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Follows a log for a Watch stream: checks the client's cursor against the log's bounds, replays
 * what follows it, then follows live, woken by {@link LogSignal} (or its poll interval) whenever it
 * has caught up. Demand-driven: a slow client slows its own fetching; it holds no lock and delays no
 * writer.
 *
 * <p>Each fetch reads the log's last position first and asks only for entries up to it: a batch that
 * comes back short has covered the log to that position, so the next fetch starts there. A stream
 * whose filter rarely matches reads each entry once, not the whole tail since its cursor on every poll.
 */
@ApplicationScoped
public class LogFollower {

    /** Entries fetched per round trip. */
    public static final int BATCH = 1000;

    /**
     * How the statuses refusing a cursor speak of the log: its {@code name} ("event log") and how to get a good
     * cursor ({@code goodCursor}: "the cursor of an event").
     */
    public record Wording(String name, String goodCursor) {
    }

    private final LogSignal signal;

    public LogFollower(LogSignal signal) {
        this.signal = signal;
    }

    /**
     * Batches of the log's entries after {@code afterCursor} (when given; else from the start, or from the end when
     * not {@code fromEarliest}), then live. INVALID_ARGUMENT for a cursor this service did not issue or one ahead of
     * the log, FAILED_PRECONDITION for one older than the retained entries.
     */
    public <T> Multi<List<T>> follow(FollowedLog<T> log, Wording wording, String afterCursor, boolean fromEarliest) {
        Long requested = cursor(afterCursor, wording);
        return log.bounds().onItem().transformToMulti(bounds -> {
            AtomicLong position = new AtomicLong(start(requested, fromEarliest, bounds, wording));
            AtomicBoolean caughtUp = new AtomicBoolean(false);
            return Multi.createBy().repeating()
                    .uni(() -> (caughtUp.get() ? signal.awaitNext() : Uni.createFrom().voidItem())
                            .flatMap(v -> log.lastPosition())
                            .flatMap(last -> log.entries(position.get(), last, BATCH).invoke(batch -> {
                                caughtUp.set(batch.size() < BATCH);
                                // a short batch covers everything up to the log's end as read
                                position.set(batch.size() < BATCH ? Math.max(position.get(), last)
                                        : log.positionOf(batch.get(batch.size() - 1)));
                            })))
                    .indefinitely()
                    .select().where(batch -> !batch.isEmpty());
        });
    }

    private static Long cursor(String afterCursor, Wording wording) {
        if (afterCursor == null || afterCursor.isEmpty()) {
            return null;
        }
        long cursor;
        try {
            cursor = Long.parseLong(afterCursor);
        } catch (NumberFormatException e) {
            cursor = -1;
        }
        if (cursor < 0) {
            throw ApiErrors.invalidArgument("after_cursor \"" + afterCursor + "\" is not a cursor this service issued; use "
                    + wording.goodCursor() + ", or none to start at start_position");
        }
        return cursor;
    }

    private static long start(Long requested, boolean fromEarliest, LogBounds bounds, Wording wording) {
        if (requested == null) {
            return fromEarliest ? 0 : bounds.last();
        }
        if (requested > bounds.last()) {
            throw ApiErrors.invalidArgument("after_cursor " + requested + " is ahead of the " + wording.name() + " (last is "
                    + bounds.last() + "); use " + wording.goodCursor());
        }
        if (requested < bounds.first() - 1) {
            throw ApiErrors.failedPrecondition("after_cursor " + requested + " is older than what the " + wording.name()
                    + " retains (oldest entry " + bounds.first() + "): entries were dropped by retention. Start again with"
                    + " start_position EARLIEST and rebuild what you derived");
        }
        return requested;
    }
}
