package io.peering.routes.collector;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;

import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The writes of one router's session, one in flight at a time, in the order they were added; results
 * come back on the session's context. When a write fails, the writes waiting are dropped and none of
 * them runs: a later write succeeding would store the router's later changes without the earlier ones.
 */
final class WriteQueue {

    private final Context context;
    private final Consumer<Throwable> onFailure;
    private final Runnable afterEachWrite;
    private final ArrayDeque<Supplier<Uni<?>>> pending = new ArrayDeque<>();
    private boolean writing;
    private boolean failed;
    /** Runs once the last write is done ({@link #addLast}). */
    private Runnable whenDone;

    /**
     * @param onFailure      told of a failed write, after the writes waiting were dropped
     * @param afterEachWrite runs after each write (done or failed), before the next one starts
     */
    WriteQueue(Context context, Consumer<Throwable> onFailure, Runnable afterEachWrite) {
        this.context = context;
        this.onFailure = onFailure;
        this.afterEachWrite = afterEachWrite;
    }

    void add(Supplier<Uni<?>> write) {
        pending.add(write);
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

    /** A write failed: nothing more of this session is stored (the router re-sends everything when it reconnects). */
    boolean failed() {
        return failed;
    }

    private void pump() {
        if (writing) {
            return;
        }
        Supplier<Uni<?>> next = pending.poll();
        if (next == null) {
            if (whenDone != null) {
                Runnable done = whenDone;
                whenDone = null;
                done.run();
            }
            return;
        }
        writing = true;
        next.get().subscribe().with(
                ok -> context.runOnContext(v -> afterWrite()),
                failure -> context.runOnContext(v -> {
                    failed = true;
                    pending.clear();
                    onFailure.accept(failure);
                    afterWrite();
                }));
    }

    private void afterWrite() {
        writing = false;
        afterEachWrite.run();
        pump();
    }
}
