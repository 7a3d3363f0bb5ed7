package io.peering.routes.rpki;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Keeps a {@link RoaSet} in step with a ROA JSON file.
 *
 * <p>{@link #start()} loads the file at once, on the caller's thread, and hands the set to the listener; then one
 * daemon thread polls the file's size, last-modified time and file key (inode) every {@code pollInterval} and reloads
 * when any of them changes. Attributes are read through symbolic links, so the atomic {@code ..data} symlink swap of a
 * Kubernetes ConfigMap or Secret volume is seen as a change (a directory WatchService may miss it).
 *
 * <ul>
 *   <li>File missing at start: the listener gets {@link RoaSet#empty()} (every route NOT_FOUND) and a warning is
 *       logged; the set is loaded once the file appears.
 *   <li>File missing later: the last set is kept (a warning is logged once) until the file is back.
 *   <li>A load that fails (not JSON, no "roas" array, truncated, unreadable) keeps the previous set (empty at start),
 *       logs an error and counts a {@linkplain #reloadFailures() failure}; the same file version is not retried, the
 *       next change is.
 * </ul>
 *
 * <p>The listener is called on the thread that loaded the set, never concurrently with itself; an exception it throws
 * is logged and does not stop the watcher.
 */
public final class RoaFileWatcher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RoaFileWatcher.class);

    private final Path file;
    private final Duration pollInterval;
    private final Consumer<RoaSet> listener;
    private final RoaFileParser parser;

    private final Object stateLock = new Object(); // started, closed, executor
    private final Object loadLock = new Object(); // seen, missingLogged; serialises loads
    private boolean started;
    private volatile boolean closed;
    private ScheduledExecutorService executor;

    private FileVersion seen;
    private boolean missingLogged;
    private String attributeError; // last logged, so that a lasting problem is logged once

    private volatile RoaSet current = RoaSet.empty();
    private volatile long entriesSkipped;
    private volatile List<String> lastErrorExamples = List.of();
    private volatile Instant lastLoadTime;
    private volatile String lastFailure;
    private final AtomicLong reloadFailures = new AtomicLong();
    private final AtomicLong successfulLoads = new AtomicLong();

    public RoaFileWatcher(Path file, Duration pollInterval, Consumer<RoaSet> listener) {
        this(file, pollInterval, listener, new RoaFileParser());
    }

    public RoaFileWatcher(Path file, Duration pollInterval, Consumer<RoaSet> listener, RoaFileParser parser) {
        this.file = Objects.requireNonNull(file, "file");
        this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.parser = Objects.requireNonNull(parser, "parser");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive, got " + pollInterval);
        }
    }

    /** Creates and {@linkplain #start() starts} a watcher. */
    public static RoaFileWatcher start(Path file, Duration pollInterval, Consumer<RoaSet> listener) {
        return new RoaFileWatcher(file, pollInterval, listener).start();
    }

    /**
     * Loads the file now (the listener has been called once this returns) and starts polling.
     *
     * @throws IllegalStateException if already started or closed
     */
    public RoaFileWatcher start() {
        synchronized (stateLock) {
            if (closed) {
                throw new IllegalStateException("watcher for " + file + " is closed");
            }
            if (started) {
                throw new IllegalStateException("watcher for " + file + " is already started");
            }
            started = true;
        }
        check(true);
        synchronized (stateLock) {
            if (!closed) {
                executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "rpki-roa-watcher");
                    thread.setDaemon(true);
                    return thread;
                });
                long millis = Math.max(1, pollInterval.toMillis());
                executor.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
            }
        }
        return this;
    }

    /** Stops polling and waits briefly for a load in progress to end. Idempotent. */
    @Override
    public void close() {
        ScheduledExecutorService toStop;
        synchronized (stateLock) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = executor;
        }
        if (toStop != null) {
            toStop.shutdownNow();
            try {
                if (!toStop.awaitTermination(10, TimeUnit.SECONDS)) {
                    LOG.warnf("ROA file watcher for %s did not stop within 10 s", file);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public Path file() {
        return file;
    }

    /** The set in force: the last one loaded, or {@link RoaSet#empty()}. */
    public RoaSet current() {
        return current;
    }

    /** Distinct ROAs in the current set. */
    public int roasLoaded() {
        return current.size();
    }

    /** Entries skipped as unusable in the last successful load. */
    public long entriesSkipped() {
        return entriesSkipped;
    }

    /** Messages for the first few entries skipped in the last successful load. */
    public List<String> lastErrorExamples() {
        return lastErrorExamples;
    }

    /** When the current set was loaded; empty until a load succeeds. */
    public Optional<Instant> lastLoadTime() {
        return Optional.ofNullable(lastLoadTime);
    }

    /** Loads (at start or later) that failed and left the previous set in force. */
    public long reloadFailures() {
        return reloadFailures.get();
    }

    public long successfulLoads() {
        return successfulLoads.get();
    }

    /** Why the last failed load failed; empty if none has. */
    public Optional<String> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    private void poll() {
        try {
            check(false);
        } catch (Throwable t) { // a scheduled task that throws is never run again
            if (!closed) {
                LOG.errorf(t, "ROA file watcher for %s: unexpected error; keeping the current set", file);
            }
        }
    }

    private void check(boolean initial) {
        synchronized (loadLock) {
            if (closed) {
                return;
            }
            FileVersion version;
            try {
                version = FileVersion.of(file);
            } catch (NoSuchFileException e) {
                version = null;
            } catch (IOException e) {
                if (!closed && !e.toString().equals(attributeError)) {
                    LOG.errorf("cannot read the attributes of ROA file %s: %s; keeping the current set of %d ROAs",
                            file, e, current.size());
                }
                attributeError = e.toString();
                if (initial) {
                    publish(RoaSet.empty());
                }
                return;
            }
            attributeError = null;
            if (version == null) {
                if (initial) {
                    LOG.warnf("ROA file %s does not exist; using an empty ROA set (every route NOT_FOUND) until it "
                            + "appears", file);
                    publish(RoaSet.empty());
                } else if (!missingLogged) {
                    LOG.warnf("ROA file %s has disappeared; keeping the %d ROAs loaded before", file, current.size());
                }
                missingLogged = true;
                seen = null;
                return;
            }
            missingLogged = false;
            if (version.equals(seen)) {
                return;
            }
            seen = version;
            load(initial);
        }
    }

    private void load(boolean initial) {
        long startNanos = System.nanoTime();
        RoaFileParser.Result result;
        try {
            result = parser.parse(file);
        } catch (NoSuchFileException e) {
            seen = null; // vanished between stat and open: try again at the next poll
            if (initial) {
                LOG.warnf("ROA file %s does not exist; using an empty ROA set until it appears", file);
                publish(RoaSet.empty());
            }
            return;
        } catch (IOException | RuntimeException e) {
            if (closed) {
                return; // interrupted by close()
            }
            reloadFailures.incrementAndGet();
            lastFailure = e.getMessage();
            if (initial) {
                LOG.errorf("cannot load ROA file: %s; using an empty ROA set (every route NOT_FOUND) until the file "
                        + "changes", e.getMessage());
                publish(RoaSet.empty());
            } else {
                LOG.errorf("reload of ROA file failed, keeping the previous set of %d ROAs: %s", current.size(),
                        e.getMessage());
            }
            return;
        }
        RoaSet set = result.roaSet();
        entriesSkipped = result.skippedEntries();
        lastErrorExamples = result.errorExamples();
        lastLoadTime = Instant.now();
        successfulLoads.incrementAndGet();
        LOG.infof("loaded %d ROAs (%d IPv4, %d IPv6) from %s in %d ms; %d of %d entries skipped", set.size(),
                set.ipv4Size(), set.ipv6Size(), file, (System.nanoTime() - startNanos) / 1_000_000,
                result.skippedEntries(), result.entries());
        if (result.skippedEntries() > 0) {
            LOG.warnf("%d entries of ROA file %s were skipped, e.g. %s", result.skippedEntries(), file,
                    result.errorExamples());
        }
        publish(set);
    }

    private void publish(RoaSet set) {
        current = set;
        try {
            listener.accept(set);
        } catch (RuntimeException e) {
            LOG.errorf(e, "ROA set listener for %s failed", file);
        }
    }

    /** What identifies one version of the file. */
    private record FileVersion(FileTime modified, long size, Object fileKey) {
        static FileVersion of(Path file) throws IOException {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileVersion(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
        }
    }
}
