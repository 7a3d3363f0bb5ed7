package io.peering.support.feed;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The client side of a Watch stream followed from a cursor that is stored together with what is
 * derived from it (metrics-service's session feed, events-service's route-change feed): one loop, so
 * whichever side restarts, the feed resumes right after what was stored, nothing lost, nothing twice.
 * <ul>
 * <li>{@code open} reads the stored cursor and opens the stream after it; it is called afresh at
 * every (re)connection, so a reconnection resumes from what was stored by then.</li>
 * <li>Each message goes to {@code store} (one transaction: the derived rows and the message's last
 * cursor), one at a time, in order.</li>
 * <li>A failure of the stream is held back until every message received before it is stored, then
 * reported, so a burst that arrived just before the connection broke is not lost until the next
 * connection sends it again.</li>
 * <li>Stopping never cuts a transaction in half: the message being stored runs to its end (its
 * transaction commits or fails whole), and {@link #stop()} answers when it has.</li>
 * <li>When the stream fails or ends it reconnects after {@code initialBackoff}, doubling up to
 * {@code maxBackoff} while it keeps failing; the first message stored resets the delay.</li>
 * </ul>
 *
 * @param <M> a message of the stream
 * @param <R> what storing one message answers (passed to {@code stored}, e.g. for counters)
 */
public final class CursorFeed<M, R> {

    private static final Logger LOG = Logger.getLogger(CursorFeed.class);

    private final String name;
    private final Supplier<Multi<M>> open;
    private final Function<M, Uni<R>> store;
    private final Consumer<R> stored;
    private final Function<Throwable, String> describe;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    private boolean running;
    private long generation;
    private int failuresInARow;
    private long failures;
    private Cancellable subscription;
    private Cancellable pendingRetry;
    /** The message being stored: it runs to its end even when the stream is cancelled. */
    private volatile CompletableFuture<R> lastStore = CompletableFuture.completedFuture(null);

    /**
     * @param name           what it follows, for the log ("session feed: routes-service WatchSessions")
     * @param open           reads the stored cursor and opens the stream after it
     * @param store          stores one message with its cursor, in one transaction
     * @param stored         told of every message stored
     * @param describe       what a failure is, in words an operator can act on
     */
    public CursorFeed(String name, Supplier<Multi<M>> open, Function<M, Uni<R>> store, Consumer<R> stored,
                      Function<Throwable, String> describe, Duration initialBackoff, Duration maxBackoff) {
        this.name = name;
        this.open = open;
        this.store = store;
        this.stored = stored;
        this.describe = describe;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    /** Starts following from the stored cursor (nothing when already running). */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        failuresInARow = 0;
        connect(++generation);
    }

    /**
     * Stops following. The message being stored, if any, still commits or fails as a whole; the stage
     * completes then. A later {@link #start()} resumes from the stored cursor.
     */
    public synchronized CompletionStage<Void> stop() {
        running = false;
        generation++;
        if (subscription != null) {
            subscription.cancel();
            subscription = null;
        }
        if (pendingRetry != null) {
            pendingRetry.cancel();
            pendingRetry = null;
        }
        return lastStore.handle((r, failure) -> null);
    }

    public synchronized boolean running() {
        return running;
    }

    /** Times the stream failed or ended and was reconnected. */
    public synchronized long failures() {
        return failures;
    }

    private synchronized void connect(long gen) {
        if (gen != generation || !running) {
            return;
        }
        pendingRetry = null;
        AtomicReference<Throwable> streamFailure = new AtomicReference<>();
        subscription = Multi.createFrom().<M>deferred(open::get)
                // the failure is held back until every message received before it is stored
                // (concatenation delays completion, not failure), then reported
                .onFailure().invoke(streamFailure::set)
                .onFailure().recoverWithCompletion()
                .onItem().transformToUniAndConcatenate(this::storeToTheEnd)
                .subscribe().with(
                        r -> stored(gen, r),
                        failure -> failed(gen, describe.apply(failure)),
                        () -> failed(gen, streamFailure.get() == null ? "ended" : "failed: " + describe.apply(streamFailure.get())));
    }

    /** Stores one message; the stream gets a copy of the result, so cancelling it does not cancel the transaction. */
    private Uni<R> storeToTheEnd(M message) {
        CompletableFuture<R> done = new CompletableFuture<>();
        lastStore = done;
        store.apply(message).subscribe().with(done::complete, done::completeExceptionally);
        return Uni.createFrom().completionStage(done.thenApply(r -> r));
    }

    private void stored(long gen, R result) {
        synchronized (this) {
            if (gen == generation) {
                failuresInARow = 0;
            }
        }
        stored.accept(result);
    }

    private synchronized void failed(long gen, String why) {
        if (gen != generation || !running) {
            return;
        }
        failures++;
        failuresInARow++;
        long initial = Math.max(1, initialBackoff.toMillis());
        long delay = Math.min(maxBackoff.toMillis(), initial << Math.min(failuresInARow - 1, 20));
        LOG.warnf("%s %s; reconnecting from the stored cursor in %d ms (failure %d in a row)", name, why, delay, failuresInARow);
        pendingRetry = Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(delay))
                .subscribe().with(v -> connect(gen));
    }
}
