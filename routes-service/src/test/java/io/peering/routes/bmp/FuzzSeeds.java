package io.peering.routes.bmp;

import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.peering.support.testing.Fixtures;
import io.peering.tools.pcap.CaptureReader;
import io.peering.tools.pcap.TcpStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Seed inputs for the fuzz tests, cut at run time from the real captures in {@code shared/fixtures/bmp}
 * (nothing derived from them is committed). Without the fixtures there are no seeds: the fuzz tests then
 * replay only their committed inputs, and a fuzzing run starts from those.
 */
final class FuzzSeeds {
    /** Stream seeds are cut to this size so that libFuzzer mutates small inputs and runs fast. */
    static final int STREAM_SEED_BYTES = 8 * 1024;

    private FuzzSeeds() {
    }

    /** The capture files under the fixtures folder, or none (with a note) when it is absent. */
    static List<Path> captures() {
        Path dir = Fixtures.find();
        if (dir == null) {
            System.err.println("FuzzSeeds: shared/fixtures/bmp is absent; fuzz tests run on their committed inputs only");
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The BMP messages of each TCP stream of a capture, framed as the collector frames them. */
    static List<List<byte[]>> messagesPerStream(Path capture) {
        List<List<byte[]>> out = new ArrayList<>();
        try {
            for (TcpStream stream : CaptureReader.readTcpStreams(capture)) {
                List<byte[]> messages = new ArrayList<>();
                ByteBuffer buf = ByteBuffer.wrap(stream.payload());
                for (ByteBuffer m; (m = BmpFraming.nextMessage(buf)) != null; ) {
                    byte[] bytes = new byte[m.remaining()];
                    m.get(bytes);
                    messages.add(bytes);
                }
                out.add(messages);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (BmpFramingException e) {
            throw new AssertionError("real capture " + capture + " does not frame", e);
        }
        return out;
    }

    /**
     * Byte streams for the stream fuzz test: each TCP stream of each capture in pieces of at most
     * {@link #STREAM_SEED_BYTES}, cut at message boundaries; a piece that is not the start of its stream
     * begins with the Peer Ups seen so far (as many as fit) so that ADD-PATH and 2-byte AS state carry over.
     */
    static Stream<Arguments> streams() {
        List<Arguments> seeds = new ArrayList<>();
        for (Path capture : captures()) {
            List<List<byte[]>> streams = messagesPerStream(capture);
            for (int s = 0; s < streams.size(); s++) {
                List<byte[]> peerUps = new ArrayList<>();
                ByteArrayOutputStream piece = new ByteArrayOutputStream();
                int first = 0;
                List<byte[]> messages = streams.get(s);
                for (int i = 0; i <= messages.size(); i++) {
                    byte[] m = i < messages.size() ? messages.get(i) : null;
                    if (m == null || (piece.size() > 0 && piece.size() + m.length > STREAM_SEED_BYTES)) {
                        if (piece.size() > 0) {
                            seeds.add(arguments(named(capture.getFileName() + " stream " + s + " messages " + first + "-" + (i - 1),
                                    piece.toByteArray())));
                        }
                        piece.reset();
                        first = i;
                        for (byte[] up : peerUps) {
                            if (m != null && piece.size() + up.length + m.length <= STREAM_SEED_BYTES) {
                                piece.writeBytes(up);
                            }
                        }
                    }
                    if (m != null) {
                        piece.writeBytes(m);
                        if (m[5] == BmpMessage.TYPE_PEER_UP) {
                            peerUps.add(m);
                        }
                    }
                }
            }
        }
        return seeds.stream();
    }

    /**
     * Single messages for the message fuzz test, one per distinct (version, type, peer flags, session
     * context, length), each prefixed with the context byte that rebuilds what the real session had
     * negotiated for its peer (see {@link BmpFuzzTest#context}).
     */
    static Stream<Arguments> messages() {
        List<Arguments> seeds = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Path capture : captures()) {
            for (List<byte[]> stream : messagesPerStream(capture)) {
                BmpSession session = new BmpSession();
                for (byte[] m : stream) {
                    int context = BmpFuzzTest.NO_PEER_UP;
                    try {
                        if (session.decode(ByteBuffer.wrap(m)) instanceof BmpMessage.RouteMonitoring rm) {
                            context = BmpFuzzTest.context(session.negotiated(rm.peer()));
                        }
                    } catch (BmpDecodeException e) {
                        // real messages the decoder rejects (none today) are still good seeds
                    }
                    int flags = m.length > 7 ? m[7] & 0xFF : -1;
                    if (seen.add(m[0] + "/" + m[5] + "/" + flags + "/" + context + "/" + m.length)) {
                        byte[] seed = new byte[m.length + 1];
                        seed[0] = (byte) context;
                        System.arraycopy(m, 0, seed, 1, m.length);
                        seeds.add(arguments(named(capture.getFileName() + " type " + m[5] + " " + m.length + " bytes", seed)));
                    }
                }
            }
        }
        return seeds.stream();
    }
}
