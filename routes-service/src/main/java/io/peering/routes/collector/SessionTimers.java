package io.peering.routes.collector;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The timers of one router's session: the periodic flush of the batch being built, and one-shot
 * timers that act only while the session is live (not closed, no write failed), on its context.
 */
final class SessionTimers {

    private final Vertx vertx;
    private final Context context;
    private final BooleanSupplier live;
    private long flushTimer = -1;
    private long reportCheckTimer = -1;

    SessionTimers(Vertx vertx, Context context, BooleanSupplier live) {
        this.vertx = vertx;
        this.context = context;
        this.live = live;
    }

    /** Runs {@code flush} every {@code interval}, and {@code checkReports} once, {@code resyncTimeout} after now. */
    void start(Duration interval, Runnable flush, Duration resyncTimeout, Runnable checkReports) {
        flushTimer = vertx.setPeriodic(millis(interval), id -> flush.run());
        reportCheckTimer = after(resyncTimeout, checkReports);
    }

    /** Runs {@code action} on the session's context after {@code delay}, if the session is still live then. */
    long after(Duration delay, Runnable action) {
        return vertx.setTimer(millis(delay), id -> context.runOnContext(v -> {
            if (live.getAsBoolean()) {
                action.run();
            }
        }));
    }

    /** Stops the flush and the report check (the session closed). */
    void cancel() {
        vertx.cancelTimer(flushTimer);
        vertx.cancelTimer(reportCheckTimer);
    }

    private static long millis(Duration d) {
        return Math.max(1, d.toMillis());
    }
}
