package io.peering.routes.collector;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One router session's BMP bytes, as received, in a local file between the socket and the database: the
 * socket appends, the session reads in order and records, and once what it recorded is stored the
 * session commits the offset up to which everything is stored (kept in a side file {@code .pos}). So
 * the collector keeps reading the router while the database is slow or away, and a restarted collector
 * finds what it had not stored ({@link #leftOver}).
 *
 * <p>Bytes are written through the operating system's page cache, not synced: a crash of the process loses
 * nothing, a crash of the machine may lose the last seconds (the router re-sends its table when it
 * reconnects anyway). When everything is stored and the file has grown past {@code compactAt}, it starts
 * over with just the given context (the Peer Up messages of the peers up, which decoding later
 * messages needs), committed at once: its length stays bounded on a session that lasts for months.
 */
final class BmpSpool implements Closeable {

    private static final String DATA = ".bmp";
    private static final String POSITION = ".pos";

    private final Path data;
    private final Path position;
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
                String[] saved = Files.isRegularFile(pos) ? Files.readString(pos).trim().split(" ") : new String[] {"0"};
                BmpSpool spool = new BmpSpool(file, Long.parseLong(saved[0]), saved.length > 1 ? Long.parseLong(saved[1]) : -1);
                if (spool.pending() == 0) {
                    spool.delete();
                } else {
                    found.add(spool);
                }
            }
        } catch (IOException | NumberFormatException e) {
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

    private void writePosition() {
        try {
            Files.writeString(position, committed + " " + leaseEpoch, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the BMP spool position " + position, e);
        }
    }

    /** Closes and deletes it (everything stored, the session over). */
    void delete() {
        close();
        try {
            Files.deleteIfExists(data);
            Files.deleteIfExists(position);
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
