package io.peering.routes.rpki;

import static io.peering.routes.rpki.RpkiVerdict.State.INVALID;
import static io.peering.routes.rpki.RpkiVerdict.State.NOT_FOUND;
import static io.peering.routes.rpki.RpkiVerdict.State.VALID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peering.support.net.IpPrefix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoaFileWatcherTest {

    private static final Duration POLL = Duration.ofMillis(20);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final List<RoaSet> received = new CopyOnWriteArrayList<>();
    private RoaFileWatcher watcher;

    @AfterEach
    void closeWatcher() {
        if (watcher != null) {
            watcher.close();
        }
    }

    /** One ROA for 10.0.0.0/8 with the given origin, padded so that successive versions differ in size too. */
    private static String roas(long asn, String ta) {
        return "{\"roas\": [{\"asn\": " + asn + ", \"prefix\": \"10.0.0.0/8\", \"maxLength\": 24, \"ta\": \"" + ta
                + "\"}]}" + " ".repeat((int) (asn % 97));
    }

    private static RpkiVerdict check(RoaSet set, long origin) {
        return set.validate(IpPrefix.parse("10.1.0.0/16"), origin);
    }

    /** Polls the condition until it holds or the timeout passes; returns whether it held. */
    private static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Writes a sibling temp file and renames it over {@code file}, as rpki-client and Routinator do. */
    private static void writeAtomically(Path file, String content) throws Exception {
        Path tmp = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private RoaFileWatcher start(Path file) {
        watcher = new RoaFileWatcher(file, POLL, received::add).start();
        return watcher;
    }

    @Test
    void loadsTheFileAtStartBeforeStartReturns() throws Exception {
        Path file = dir.resolve("roas.json");
        Files.writeString(file, roas(64500, "ripe"));
        start(file);
        assertThat(received).hasSize(1);
        assertThat(check(received.get(0), 64500)).isEqualTo(new RpkiVerdict(VALID, "ripe"));
        assertThat(watcher.roasLoaded()).isEqualTo(1);
        assertThat(watcher.successfulLoads()).isEqualTo(1);
        assertThat(watcher.lastLoadTime()).isPresent();
        assertThat(watcher.reloadFailures()).isZero();
    }

    @Test
    void missingFileGivesAnEmptySetThenLoadsTheFileWhenItAppears() throws Exception {
        Path file = dir.resolve("roas.json");
        start(file);
        assertThat(received).hasSize(1);
        assertThat(received.get(0).isEmpty()).isTrue();
        assertThat(check(watcher.current(), 64500).state()).isEqualTo(NOT_FOUND);
        assertThat(watcher.lastLoadTime()).isEmpty();

        Files.writeString(file, roas(64500, "ripe"));
        // the listener is called just after current() changes: wait for what it received, not for roasLoaded()
        assertThat(await(() -> received.get(received.size() - 1).size() == 1)).as("file picked up once it exists").isTrue();
        assertThat(watcher.roasLoaded()).isEqualTo(1);
        assertThat(check(received.get(received.size() - 1), 64500).state()).isEqualTo(VALID);
    }

    @Test
    void reloadsWhenTheFileChanges() throws Exception {
        Path file = dir.resolve("roas.json");
        Files.writeString(file, roas(64500, "ripe"));
        start(file);
        assertThat(check(watcher.current(), 64501).state()).isEqualTo(INVALID);

        // rewritten in place: same inode, new size and mtime (the poller may also catch it half written, which
        // counts as a failed load and is followed by a good one)
        Files.writeString(file, roas(64501, "apnic"));
        assertThat(await(() -> check(received.get(received.size() - 1), 64501).isValid())).as("new set loaded").isTrue();
        RoaSet latest = received.get(received.size() - 1);
        assertThat(latest).isSameAs(watcher.current());
        assertThat(check(latest, 64501)).isEqualTo(new RpkiVerdict(VALID, "apnic"));
        assertThat(check(latest, 64500).state()).isEqualTo(INVALID);
    }

    @Test
    void reloadsWhenTheFileIsReplacedByRename() throws Exception {
        Path file = dir.resolve("roas.json");
        Files.writeString(file, roas(64500, "ripe"));
        start(file);
        writeAtomically(file, roas(64501, "apnic"));
        assertThat(await(() -> check(received.get(received.size() - 1), 64501).isValid())).as("new set loaded").isTrue();
        assertThat(received).hasSize(2);
        assertThat(watcher.successfulLoads()).isEqualTo(2);
        assertThat(watcher.reloadFailures()).isZero();
    }

    @Test
    void unchangedFileIsNotReloaded() throws Exception {
        Path file = dir.resolve("roas.json");
        Files.writeString(file, roas(64500, "ripe"));
        start(file);
        // proof that polls ran meanwhile: a second watcher, started later with the same interval, sees its change
        Path other = dir.resolve("other.json");
        Files.writeString(other, roas(64501, "ripe"));
        try (RoaFileWatcher second = new RoaFileWatcher(other, POLL, set -> { }).start()) {
            writeAtomically(other, roas(64502, "ripe"));
            assertThat(await(() -> second.successfulLoads() == 2)).isTrue();
        }
        assertThat(received).hasSize(1);
        assertThat(watcher.successfulLoads()).isEqualTo(1);
    }

    @Test
    void failedReloadKeepsTheOldSetAndCountsTheFailure() throws Exception {
        Path file = dir.resolve("roas.json");
        Files.writeString(file, roas(64500, "ripe"));
        start(file);
        RoaSet first = watcher.current();

        writeAtomically(file, "this is not json {");
        assertThat(await(() -> watcher.reloadFailures() == 1)).as("failure counted").isTrue();
        assertThat(watcher.current()).isSameAs(first);
        assertThat(received).containsExactly(first);
        assertThat(watcher.lastFailure()).hasValueSatisfying(m -> assertThat(m).contains(file.toString())
                .contains("not valid JSON"));
        assertThat(check(watcher.current(), 64500).state()).isEqualTo(VALID);

        writeAtomically(file, roas(64503, "arin"));
        assertThat(await(() -> check(watcher.current(), 64503).isValid())).as("recovers on the next change")
                .isTrue();
        assertThat(watcher.reloadFailures()).isEqualTo(1);
    }

    @Test
    void fileWithoutRoasAtStartCountsAFailureAndStartsEmpty() throws Exception {
        Path file = dir.resolve("roas.json");
        Files.writeString(file, "{\"metadata\": {}}");
        start(file);
        assertThat(watcher.reloadFailures()).isEqualTo(1);
        assertThat(received).hasSize(1);
        assertThat(received.get(0).isEmpty()).isTrue();
    }

    @Test
    void skippedEntriesAreExposed() throws Exception {
        Path file = dir.resolve("roas.json");
        Files.writeString(file, "{\"roas\": [{\"asn\": 1, \"prefix\": \"10.0.0.1/8\"}, "
                + "{\"asn\": 1, \"prefix\": \"10.0.0.0/8\"}]}");
        start(file);
        assertThat(watcher.roasLoaded()).isEqualTo(1);
        assertThat(watcher.entriesSkipped()).isEqualTo(1);
        assertThat(watcher.lastErrorExamples()).singleElement().asString().contains("host bits set");
    }

    @Test
    void deletedFileKeepsTheLastSet() throws Exception {
        Path file = dir.resolve("roas.json");
        Files.writeString(file, roas(64500, "ripe"));
        start(file);
        RoaSet first = watcher.current();
        Files.delete(file);
        Thread.sleep(POLL.toMillis() * 5); // give the poller a few rounds; nothing may change
        assertThat(watcher.current()).isSameAs(first);
        assertThat(watcher.reloadFailures()).isZero();

        writeAtomically(file, roas(64504, "ripe"));
        assertThat(await(() -> check(watcher.current(), 64504).isValid())).isTrue();
    }

    /** Kubernetes ConfigMap volume: roas.json -> ..data/roas.json, ..data -> ..2024_xx; an update swaps ..data. */
    @Test
    void configMapStyleSymlinkSwapIsSeenAsAChange() throws Exception {
        Path v1 = Files.createDirectory(dir.resolve("..2024_01"));
        Files.writeString(v1.resolve("roas.json"), roas(64500, "ripe"));
        Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Path file = dir.resolve("roas.json");
        Files.createSymbolicLink(file, Path.of("..data", "roas.json"));
        start(file);
        assertThat(check(watcher.current(), 64500).state()).isEqualTo(VALID);

        Path v2 = Files.createDirectory(dir.resolve("..2024_02"));
        Files.writeString(v2.resolve("roas.json"), roas(64501, "ripe"));
        Path tmpLink = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
        Files.move(tmpLink, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        assertThat(await(() -> check(watcher.current(), 64501).isValid())).as("swap detected").isTrue();
    }

    @Test
    void closeStopsPollingAndIsIdempotent() throws Exception {
        Path file = dir.resolve("roas.json");
        Files.writeString(file, roas(64500, "ripe"));
        start(file);
        watcher.close();
        watcher.close();
        Files.writeString(file, roas(64501, "apnic"));
        Thread.sleep(POLL.toMillis() * 5);
        assertThat(received).hasSize(1);
        // tests run one at a time and close their watchers, so no poller thread may be left
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("rpki-roa-watcher"));
        assertThatThrownBy(watcher::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void listenerExceptionDoesNotStopTheWatcher() throws Exception {
        Path file = dir.resolve("roas.json");
        Files.writeString(file, roas(64500, "ripe"));
        watcher = new RoaFileWatcher(file, POLL, set -> {
            received.add(set);
            throw new IllegalStateException("listener bug");
        }).start();
        writeAtomically(file, roas(64501, "apnic"));
        assertThat(await(() -> received.size() == 2)).isTrue();
        writeAtomically(file, roas(64502, "apnic"));
        assertThat(await(() -> received.size() == 3)).isTrue();
    }

    @Test
    void rejectsANonPositiveInterval() {
        assertThatThrownBy(() -> new RoaFileWatcher(dir.resolve("x"), Duration.ZERO, set -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
