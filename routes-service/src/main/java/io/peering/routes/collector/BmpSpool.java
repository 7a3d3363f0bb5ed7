package io.peering.routes.collector;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

/**
 * One router session's BMP bytes, as received, in a local file between the socket and the database: the
 * socket appends, the session reads in order and records, and once what it recorded is stored the
 * session commits the offset up to which everything is stored (kept in a side file {@code .pos}). So
 * the collector keeps reading the router while the database is slow or away, and a restarted collector
 * finds what it had not stored ({@link #leftOver}).
 *
 * <p>Crash safety. Bytes are written through the operating system's page cache, and the position file is replaced
 * whole (written beside, then renamed over), never rewritten in place: a crash of the process, at any instant, leaves
 * every byte the socket gave and a complete position, so the next start stores exactly what was not stored. A crash
 * of the machine loses what is not on disk yet: {@link #sync} (the collector calls it every
 * {@code peering.bmp.spool-sync-interval}) puts the bytes, the position and the directory entry on disk, so it loses
 * at most that interval (the router's TCP session dies with the machine, and it re-sends its table to whichever
 * collector it reaches next). A position file that cannot be read (a disk error, or a hand edit) makes that spool
 * set aside ({@code .unreadable}) with an error naming it, not the start fail.
 *
 * <p>When everything is stored and the file has grown past {@code compactAt}, it starts
 * over with just the given context (the Peer Up messages of the peers up, which decoding later
 * messages needs), committed at once: its length stays bounded on a session that lasts for months.
 */
final class BmpSpool implements Closeable {

    private static final Logger LOG = Logger.getLogger(BmpSpool.class);

    private static final String DATA = ".bmp";
    private static final String POSITION = ".pos";
    private static final String POSITION_NEXT = ".pos.next";
    private static final String UNREADABLE = ".unreadable";

    private final Path data;
    private final Path position;
    /** Where the next position is written before it is renamed over {@link #position}. */
    private final Path positionNext;
    private final FileChannel channel;
    private long written;
    private long read;
    private long committed;
    /** The epoch of the router's lease the session held while it wrote this spool (-1: not taken yet). */
    private long leaseEpoch;
    /** Where each append ended, and when it came: the age of the oldest bytes not yet stored. */
    private final ArrayDeque<long[]> appends = new ArrayDeque<>();
    /** What other threads read (the gauges): bytes not stored, and when the oldest of them came (0: none). */
    private volatile long pendingBytes;
    private volatile long oldestPendingSince;

    private BmpSpool(Path data, long committed, long leaseEpoch) throws IOException {
        this.leaseEpoch = leaseEpoch;
        this.data = data;
        this.position = data.resolveSibling(data.getFileName().toString().replace(DATA, POSITION));
        this.positionNext = data.resolveSibling(data.getFileName().toString().replace(DATA, POSITION_NEXT));
        this.channel = FileChannel.open(data, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.written = channel.size();
        this.committed = Math.min(committed, written);
        this.read = 0;
        if (written > this.committed) {
            appends.add(new long[] {written, System.nanoTime()});
        }
        published();
    }

    /** Publishes what the gauges read, after every change (on the session's context). */
    private void published() {
        pendingBytes = written - committed;
        long[] oldest = appends.peekFirst();
        oldestPendingSince = oldest == null || committed >= written ? 0 : oldest[1];
    }

    /** A new, empty spool for a session of {@code router} in {@code directory}. */
    static BmpSpool create(Path directory, String router) {
        try {
            Files.createDirectories(directory);
            // <router, ':' as '_'>~<millis>~<nanos>: sorts oldest first per router, names the router
            String name = router.replace(':', '_') + "~" + System.currentTimeMillis() + "~" + System.nanoTime() % 1_000_000;
            BmpSpool spool = new BmpSpool(directory.resolve(name + DATA), 0, -1); // a new file: empty
            spool.writePosition();
            return spool;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a BMP spool in " + directory + " (peering.bmp.spool-directory)", e);
        }
    }

    /**
     * Spools a previous run left with bytes not stored, oldest first; spools with everything stored are deleted. Each is
     * read from its start (the context its decoding needs); {@link #committed()} says where its unstored part begins.
     */
    static List<BmpSpool> leftOver(Path directory) {
        List<BmpSpool> found = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return found;
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(DATA))
                    .sorted(java.util.Comparator.comparing(f -> f.getFileName().toString().substring(
                            f.getFileName().toString().indexOf('~')))).toList()) {
                Path pos = file.resolveSibling(file.getFileName().toString().replace(DATA, POSITION));
                long[] saved;
                try {
                    saved = readPosition(pos);
                } catch (IOException | RuntimeException e) {
                    Path aside = file.resolveSibling(file.getFileName() + UNREADABLE);
                    LOG.errorf("BMP spool %s: its position file %s cannot be read (%s), so what of it is stored is unknown;"
                            + " set aside as %s, not replayed (its router re-sends its table on its next session)",
                            file, pos, e.getMessage(), aside.getFileName());
                    Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                    Files.deleteIfExists(pos);
                    continue;
                }
                BmpSpool spool = new BmpSpool(file, saved[0], saved[1]);
                if (spool.pending() == 0) {
                    spool.delete();
                } else {
                    found.add(spool);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the BMP spools in " + directory + ": " + e.getMessage(), e);
        }
        return found;
    }

    /** The router whose session this spool holds (from its file name). */
    String router() {
        String name = data.getFileName().toString();
        return name.substring(0, name.indexOf('~')).replace('_', ':');
    }

    /** Appends bytes received from the router. */
    void append(byte[] bytes, int offset, int length) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
            while (buffer.hasRemaining()) {
                written += channel.write(buffer, written);
            }
            appends.add(new long[] {written, System.nanoTime()});
            published();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the BMP spool " + data, e);
        }
    }

    /** Reads the next bytes not read yet into {@code into}; returns how many (0 when all is read). */
    int read(byte[] into) {
        if (read >= written) {
            return 0;
        }
        try {
            int n = channel.read(ByteBuffer.wrap(into, 0, (int) Math.min(into.length, written - read)), read);
            read += Math.max(0, n);
            return Math.max(0, n);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the BMP spool " + data, e);
        }
    }

    /** Everything up to {@code offset} is stored (offsets only grow; a smaller one is ignored). */
    void commit(long offset) {
        if (offset <= committed) {
            return;
        }
        committed = Math.min(offset, written);
        while (!appends.isEmpty() && appends.peekFirst()[0] <= committed) {
            appends.pollFirst();
        }
        published();
        writePosition();
    }

    /**
     * When everything is stored and read, and the file is past {@code compactAt} bytes: starts it over with {@code context}
     * (committed: only decoded again after a restart). Returns whether it did.
     */
    boolean compact(long compactAt, byte[] context) {
        if (written < compactAt || committed < written || read < written) {
            return false;
        }
        try {
            channel.truncate(0);
            written = 0;
            channel.write(ByteBuffer.wrap(context), 0);
            written = context.length;
            read = written;
            committed = written;
            appends.clear();
            published();
            writePosition();
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compact the BMP spool " + data, e);
        }
    }

    /** The session holds the router's lease at this epoch: a restart replays the spool only if nobody took it since. */
    void lease(long epoch) {
        if (epoch != leaseEpoch) {
            leaseEpoch = epoch;
            writePosition();
        }
    }

    long leaseEpoch() {
        return leaseEpoch;
    }

    long written() {
        return written;
    }

    long committed() {
        return committed;
    }

    /** Bytes received and not yet stored (any thread). */
    long pending() {
        return pendingBytes;
    }

    /** Nanoseconds since the oldest bytes not yet stored arrived, 0 when everything is stored (any thread). */
    long oldestPendingNanos() {
        long since = oldestPendingSince;
        return since == 0 ? 0 : System.nanoTime() - since;
    }

    /** {committed offset, lease epoch (-1: none)} from a position file; none at all: nothing stored yet. */
    private static long[] readPosition(Path pos) throws IOException {
        if (!Files.exists(pos)) {
            return new long[] {0, -1};
        }
        String[] saved = Files.readString(pos, StandardCharsets.US_ASCII).trim().split(" ");
        if (saved.length > 2 || saved[0].isEmpty()) {
            throw new IOException("expected \"<offset> <lease epoch>\", found \"" + String.join(" ", saved) + "\"");
        }
        // a spool of a release before leases has just the offset
        return new long[] {Long.parseLong(saved[0]), saved.length == 2 ? Long.parseLong(saved[1]) : -1};
    }

    /** Replaces the position file whole: written beside it, then renamed over it (a crash leaves the old or the new). */
    private void writePosition() {
        try {
            Files.writeString(positionNext, committed + " " + leaseEpoch, StandardCharsets.US_ASCII);
            Files.move(positionNext, position, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the BMP spool position " + position, e);
        }
    }

    /**
     * Puts what was appended and the last position written on disk (fsync of the data, of the position and of the
     * directory, which holds the position's rename). Called from another thread than the session's: a spool closed
     * meanwhile is simply skipped.
     */
    void sync() {
        try {
            channel.force(false);
            try (FileChannel pos = FileChannel.open(position, StandardOpenOption.READ)) {
                pos.force(false);
            } catch (NoSuchFileException deleted) {
                return;
            }
            try (FileChannel dir = FileChannel.open(data.getParent(), StandardOpenOption.READ)) {
                dir.force(false);
            }
        } catch (ClosedChannelException closed) {
            // deleted or closed meanwhile: nothing left to sync
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync the BMP spool " + data + " to disk", e);
        }
    }

    /** Closes and deletes it (everything stored, the session over). */
    void delete() {
        close();
        try {
            Files.deleteIfExists(data);
            Files.deleteIfExists(position);
            Files.deleteIfExists(positionNext);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the BMP spool " + data, e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
