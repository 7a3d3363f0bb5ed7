package io.peering.deploy.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Where things are on this machine, free ports, and bounded waiting. */
public final class Local {

    private Local() {
    }

    /** The repository root (the directory holding deploy/local). */
    public static Path repo() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("deploy/local/db-start.sh"))) {
                return dir;
            }
        }
        throw new IllegalStateException("not inside the repository: no deploy/local/db-start.sh above " + Path.of("").toAbsolutePath());
    }

    /** A fresh directory for one test's files (database, logs) under deploy/tests/target/faults. */
    public static Path workDir(String name) {
        try {
            Path base = repo().resolve("deploy/tests/target/faults");
            Files.createDirectories(base);
            Path dir = Files.createTempDirectory(base, name + "-");
            // the database runs as the 'postgres' user when we are root: it must reach its directory
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls {@code condition} every 100 ms until it holds; fails with {@code what} after {@code timeout}. */
    public static void await(Duration timeout, String what, BooleanSupplier condition) {
        await(timeout, what, () -> condition.getAsBoolean(), done -> done);
    }

    /** Polls {@code value} every 100 ms until {@code done} accepts it, and returns it; fails with the last value seen. */
    public static <T> T await(Duration timeout, String what, Supplier<T> value, Predicate<T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        RuntimeException lastError = null;
        while (true) {
            try {
                last = value.get();
                lastError = null;
                if (done.test(last)) {
                    return last;
                }
            } catch (RuntimeException e) { // e.g. the database restarting: keep polling
                lastError = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError failure = new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + " (last seen: " + (lastError != null ? lastError : last) + ")");
                if (lastError != null) {
                    failure.initCause(lastError);
                }
                throw failure;
            }
            sleep(100);
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
