package io.peering.routes.collector;

import io.peering.support.sql.DatabaseFailures;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The writes of one router's session, one in flight at a time, in the order they were added; results
 * come back on the session's context.
 *
 * <p>A write that fails because the database is unreachable, restarting or overloaded
 * ({@link DatabaseFailures#isTransient}) is tried again, after a back-off of 100 ms doubling up to
 * {@code maxBackoff}, until it is stored; nothing after it runs before (a session's writes repeat
 * safely: a route re-sent unchanged is no change, a withdrawal of a route gone is none). Any other
 * failure ends the queue: the writes waiting are dropped and none of them runs, since a later write
 * succeeding would store the router's later changes without the earlier ones.
 *
 * <p>Each write is tagged, when added, with how far into the session's spool everything is covered
 * by the writes added so far ({@code covered}); once it is stored, {@link Listener#stored} is told that offset.
 */
final class WriteQueue {

    /** What the session hears from its queue, on its context. */
    interface Listener {
        /** A write failed for good: the writes waiting were dropped. */
        void failed(Throwable failure);

        /** A write failed for now and is tried again after {@code delay} ({@code attempt}: 1 for the first retry). */
        void retrying(Throwable failure, int attempt, Duration delay);

        /** A write is stored (after retries, if any), covering the spool up to {@code covered}; the next one starts after. */
        void stored(long covered, int retries);

        /** A write is done, stored or failed, before the next one starts. */
        void afterWrite();
    }

    private record Write(Supplier<Uni<?>> run, long covered) {
    }

    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

    private final Vertx vertx;
    private final Context context;
    private final LongSupplier covered;
    private final Listener listener;
    private final Duration maxBackoff;
    private final ArrayDeque<Write> pending = new ArrayDeque<>();
    private boolean writing;
    private boolean failed;
    /** Runs once the last write is done ({@link #addLast}). */
    private Runnable whenDone;

    WriteQueue(Vertx vertx, Context context, LongSupplier covered, Duration maxBackoff, Listener listener) {
        this.vertx = vertx;
        this.context = context;
        this.covered = covered;
        this.maxBackoff = maxBackoff;
        this.listener = listener;
    }

    void add(Supplier<Uni<?>> write) {
        pending.add(new Write(write, covered.getAsLong()));
        pump();
    }

    /** Adds the session's last write; {@code whenDone} runs once it and every write before it are done. */
    void addLast(Supplier<Uni<?>> write, Runnable whenDone) {
        this.whenDone = whenDone;
        add(write);
    }

    /** Drops the writes waiting (not the one in flight): the session stores nothing more. */
    void dropWaiting() {
        pending.clear();
    }

    /** Writes waiting, not counting the one in flight. */
    int waiting() {
        return pending.size();
    }

    /** A write failed for good: nothing more of this session is stored (the router re-sends everything when it reconnects). */
    boolean failed() {
        return failed;
    }

    /** Whether nothing is in flight or waiting. */
    boolean idle() {
        return !writing && pending.isEmpty();
    }

    private void pump() {
        if (writing) {
            return;
        }
        Write next = pending.poll();
        if (next == null) {
            if (whenDone != null) {
                Runnable done = whenDone;
                whenDone = null;
                done.run();
            }
            return;
        }
        writing = true;
        run(next, 0);
    }

    private void run(Write write, int retries) {
        write.run().get().subscribe().with(
                ok -> context.runOnContext(v -> {
                    listener.stored(write.covered(), retries);
                    afterWrite();
                }),
                failure -> context.runOnContext(v -> {
                    if (!failed && DatabaseFailures.isTransient(failure)) {
                        Duration delay = backoff(retries);
                        listener.retrying(failure, retries + 1, delay);
                        vertx.setTimer(delay.toMillis(), id -> context.runOnContext(x -> run(write, retries + 1)));
                        return;
                    }
                    failed = true;
                    pending.clear();
                    listener.failed(failure);
                    afterWrite();
                }));
    }

    private Duration backoff(int retries) {
        Duration d = FIRST_BACKOFF.multipliedBy(1L << Math.min(retries, 16));
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    private void afterWrite() {
        writing = false;
        listener.afterWrite();
        pump();
    }
}
