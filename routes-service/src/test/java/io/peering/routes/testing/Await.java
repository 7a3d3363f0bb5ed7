package io.peering.routes.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Waits for what the service does asynchronously: polls a condition until it holds, failing at a deadline. */
public final class Await {

    public static final Duration DEFAULT = Duration.ofSeconds(10);
    private static final long POLL_MILLIS = 50;

    private Await() {
    }

    /** Polls {@code condition} until it holds; fails after {@link #DEFAULT}. */
    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        until(what, DEFAULT, condition);
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        value(what, timeout, condition::getAsBoolean, Boolean::booleanValue);
    }

    /** Reads until {@code done} holds for what was read, and returns that; fails after {@link #DEFAULT}, saying what it saw last. */
    public static <T> T value(String what, Supplier<T> read, Predicate<T> done) throws InterruptedException {
        return value(what, DEFAULT, read, done);
    }

    public static <T> T value(String what, Duration timeout, Supplier<T> read, Predicate<T> done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        T seen = read.get();
        while (!done.test(seen)) {
            assertThat(System.nanoTime()).as("waited " + timeout.toSeconds() + " s for: " + what
                    + (seen instanceof Boolean ? "" : "; last seen: " + seen)).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
            seen = read.get();
        }
        return seen;
    }
}
