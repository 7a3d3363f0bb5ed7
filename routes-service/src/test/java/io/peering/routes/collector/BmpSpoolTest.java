package io.peering.routes.collector;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BmpSpoolTest {

    @TempDir
    Path dir;

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static String readAll(BmpSpool spool) {
        StringBuilder out = new StringBuilder();
        byte[] chunk = new byte[3];
        for (int n = spool.read(chunk); n > 0; n = spool.read(chunk)) {
            out.append(new String(chunk, 0, n, StandardCharsets.US_ASCII));
        }
        return out.toString();
    }

    @Test
    void bytesAreReadInTheOrderTheyWereAppendedAndPendingUntilCommitted() {
        BmpSpool spool = BmpSpool.create(dir, "192.0.2.1");
        spool.append(bytes("abcdef"), 0, 6);
        spool.append(bytes("xxghij"), 2, 4);
        assertThat(readAll(spool)).isEqualTo("abcdefghij");
        assertThat(spool.pending()).isEqualTo(10);
        spool.commit(4);
        assertThat(spool.pending()).isEqualTo(6);
        spool.commit(2); // offsets only grow
        assertThat(spool.committed()).isEqualTo(4);
        spool.commit(10);
        assertThat(spool.pending()).isZero();
        assertThat(spool.oldestPendingNanos()).isZero();
    }

    @Test
    void aRestartFindsWhatWasNotStoredReadFromTheStartWithWhereStoringStops() {
        BmpSpool spool = BmpSpool.create(dir, "2001:db8::1");
        spool.append(bytes("context|stored|not stored"), 0, 25);
        spool.lease(7);
        spool.commit(14);
        spool.close(); // the process dies here

        List<BmpSpool> left = BmpSpool.leftOver(dir);
        assertThat(left).hasSize(1);
        BmpSpool again = left.get(0);
        assertThat(again.router()).isEqualTo("2001:db8::1");
        assertThat(again.committed()).isEqualTo(14);
        assertThat(again.leaseEpoch()).as("the router's lease the session held: replayed only if still at it").isEqualTo(7);
        assertThat(readAll(again)).isEqualTo("context|stored|not stored");
        assertThat(again.oldestPendingNanos()).isPositive();
    }

    @Test
    void aSpoolWithEverythingStoredIsNotLeftOverAndIsDeleted() throws Exception {
        BmpSpool spool = BmpSpool.create(dir, "192.0.2.2");
        spool.append(bytes("all stored"), 0, 10);
        spool.commit(10);
        spool.close();
        assertThat(BmpSpool.leftOver(dir)).isEmpty();
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void aDrainedSpoolPastItsSizeStartsOverWithJustItsContextCommitted() {
        BmpSpool spool = BmpSpool.create(dir, "192.0.2.3");
        spool.append(bytes("0123456789"), 0, 10);
        assertThat(spool.compact(5, bytes("UP"))).as("not everything read and stored").isFalse();
        readAll(spool);
        spool.commit(10);
        assertThat(spool.compact(50, bytes("UP"))).as("not past the size").isFalse();
        assertThat(spool.compact(5, bytes("UP"))).isTrue();
        assertThat(spool.written()).isEqualTo(2);
        assertThat(spool.committed()).isEqualTo(2);
        spool.append(bytes("next"), 0, 4);
        assertThat(readAll(spool)).isEqualTo("next");
        spool.close();

        BmpSpool again = BmpSpool.leftOver(dir).get(0); // after a crash: the context first, then what follows
        assertThat(readAll(again)).isEqualTo("UPnext");
        assertThat(again.committed()).isEqualTo(2);
    }

    static Path only(Path dir, String suffix) throws Exception {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).findFirst().orElseThrow();
        }
    }

    @Test
    void aCrashWhileThePositionIsWrittenLeavesThePreviousPositionWhole() throws Exception {
        BmpSpool spool = BmpSpool.create(dir, "192.0.2.4");
        spool.append(bytes("context|stored|not stored"), 0, 25);
        spool.lease(3);
        spool.commit(14);
        Path position = only(dir, ".pos");
        Object before = Files.getAttribute(position, "unix:ino");
        spool.commit(20);
        assertThat(Files.getAttribute(position, "unix:ino")).as("the position file is replaced, not rewritten in place")
                .isNotEqualTo(before);
        spool.close();
        // the process died after writing the next position beside the file, before renaming it over
        Files.writeString(position.resolveSibling(position.getFileName().toString().replace(".pos", ".pos.next")), "2");

        BmpSpool again = BmpSpool.leftOver(dir).get(0);
        assertThat(again.committed()).isEqualTo(20);
        assertThat(again.leaseEpoch()).isEqualTo(3);
    }

    @Test
    void aSpoolWhosePositionCannotBeReadIsSetAsideAndTheOthersStillReplay() throws Exception {
        BmpSpool torn = BmpSpool.create(dir, "192.0.2.5");
        torn.append(bytes("abc"), 0, 3);
        torn.commit(1);
        torn.close();
        Files.writeString(only(dir, ".pos"), ""); // emptied: a disk error, or a hand edit
        BmpSpool fine = BmpSpool.create(dir, "192.0.2.6");
        fine.append(bytes("xyz"), 0, 3);
        fine.close();

        List<BmpSpool> left = BmpSpool.leftOver(dir);
        assertThat(left).extracting(BmpSpool::router).containsExactly("192.0.2.6");
        assertThat(only(dir, ".unreadable").getFileName().toString()).startsWith("192.0.2.5~");
        assertThat(Files.readString(only(dir, ".unreadable"))).as("kept for a person to look at").isEqualTo("abc");
    }

    @Test
    void syncingASpoolDeletedMeanwhileIsSkipped() {
        BmpSpool spool = BmpSpool.create(dir, "192.0.2.7");
        spool.append(bytes("abc"), 0, 3);
        spool.sync();
        spool.delete(); // the session ended on its own thread while the sync thread held it
        spool.sync();
        assertThat(BmpSpool.leftOver(dir)).isEmpty();
    }
}
