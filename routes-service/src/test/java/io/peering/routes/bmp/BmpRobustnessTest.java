package io.peering.routes.bmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.peering.support.testing.Fixtures;
import io.peering.tools.pcap.CaptureReader;
import io.peering.tools.pcap.TcpStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Feeds 200,000 damaged messages (real messages from the captures with flipped bytes, cuts, rewritten
 * length fields, inserted and deleted bytes, plus random noise) from a fixed seed through framing and a
 * session that has seen the real Peer Ups. Only BmpDecodeException may come out, and each decode is fast.
 */
class BmpRobustnessTest {
    private static final int INPUTS = 200_000;
    private static final long SEED = 7854;
    private static final long HANG_NANOS = 2_000_000_000L; // a decode takes microseconds: seconds mean a hang

    @Test
    void damagedMessagesOnlyEverRaiseBmpDecodeExceptionAndDecodeFast() throws IOException {
        List<byte[]> originals = realMessages();
        assertThat(originals).hasSizeGreaterThan(400);
        Random random = new Random(SEED);
        BmpSession session = primedSession(originals);
        int decoded = 0;
        int rejected = 0;
        long slowest = 0;

        for (int i = 0; i < INPUTS; i++) {
            byte[] input = mutate(originals.get(random.nextInt(originals.size())), random);
            long start = System.nanoTime();
            try {
                BmpFraming.messageLength(ByteBuffer.wrap(input));
                session.decode(ByteBuffer.wrap(input));
                decoded++;
            } catch (BmpDecodeException expected) {
                rejected++;
            } catch (RuntimeException | Error e) {
                fail("input #" + i + " raised " + e + "\ninput: " + HexFormat.of().formatHex(input), e);
            }
            slowest = Math.max(slowest, System.nanoTime() - start);
            if (i % 20_000 == 0) {
                session = primedSession(originals); // mutated Peer Ups/Downs wander the state off; start again now and then
            }
        }

        assertThat(decoded + rejected).isEqualTo(INPUTS);
        assertThat(rejected).as("most damage is detected").isGreaterThan(INPUTS / 10);
        assertThat(decoded).as("some damage is harmless").isGreaterThan(INPUTS / 100);
        assertThat(slowest).as("slowest single decode in ns (a hang, not a speed target)").isLessThan(HANG_NANOS);
    }

    @Test
    void damagedStreamsOnlyEverRaiseBmpDecodeExceptionThroughTheFrameBuffer() throws IOException {
        List<byte[]> originals = realMessages();
        Random random = new Random(SEED + 1);
        for (int round = 0; round < 2_000; round++) {
            BmpFrameBuffer buffer = new BmpFrameBuffer();
            BmpSession session = new BmpSession();
            for (int k = 0; k < 20; k++) {
                byte[] chunk = random.nextInt(4) == 0 ? mutate(originals.get(random.nextInt(originals.size())), random)
                        : originals.get(random.nextInt(originals.size()));
                buffer.append(chunk, 0, chunk.length);
                try {
                    for (ByteBuffer m; (m = buffer.next()) != null; ) {
                        try {
                            session.decode(m);
                        } catch (BmpFramingException e) {
                            throw e;
                        } catch (BmpDecodeException e) {
                            // counted and skipped by a real collector
                        }
                    }
                } catch (BmpFramingException e) {
                    break; // a real collector closes the connection here
                } catch (RuntimeException | Error e) {
                    fail("round " + round + " raised " + e, e);
                }
            }
        }
    }

    /** Every BMP message of every capture, in order. */
    static List<byte[]> realMessages() throws IOException {
        Path dir = Fixtures.require().resolve("netgauze");
        List<Path> captures;
        try (Stream<Path> files = Files.walk(dir)) {
            captures = files.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted().toList();
        }
        List<byte[]> messages = new ArrayList<>();
        for (Path capture : captures) {
            for (TcpStream stream : CaptureReader.readTcpStreams(capture)) {
                ByteBuffer buf = ByteBuffer.wrap(stream.payload());
                try {
                    for (ByteBuffer m; (m = BmpFraming.nextMessage(buf)) != null; ) {
                        byte[] bytes = new byte[m.remaining()];
                        m.get(bytes);
                        messages.add(bytes);
                    }
                } catch (BmpFramingException e) {
                    throw new AssertionError("real capture " + capture + " does not frame", e);
                }
            }
        }
        return messages;
    }

    /** A session that has decoded every real Peer Up, so ADD-PATH and 4-byte paths are exercised. */
    private static BmpSession primedSession(List<byte[]> originals) {
        BmpSession session = new BmpSession();
        for (byte[] m : originals) {
            if (m[5] == BmpMessage.TYPE_PEER_UP) {
                try {
                    session.decode(ByteBuffer.wrap(m));
                } catch (BmpDecodeException e) {
                    throw new AssertionError("real Peer Up does not decode", e);
                }
            }
        }
        return session;
    }

    static byte[] mutate(byte[] original, Random random) {
        byte[] m = original.clone();
        switch (random.nextInt(8)) {
            case 0 -> { // flip a few bytes
                for (int i = 1 + random.nextInt(4); i > 0; i--) {
                    m[random.nextInt(m.length)] ^= (byte) (1 + random.nextInt(255));
                }
            }
            case 1 -> m = fixLength(Arrays.copyOf(m, random.nextInt(m.length + 1))); // cut, header agrees
            case 2 -> m = Arrays.copyOf(m, random.nextInt(m.length + 1)); // cut, header disagrees
            case 3 -> { // overwrite a 1- or 2-byte field (lengths, counts, types) with an extreme value
                int at = random.nextInt(m.length);
                int[] extremes = {0, 1, 0x7F, 0x80, 0xFF};
                m[at] = (byte) extremes[random.nextInt(extremes.length)];
                if (at + 1 < m.length && random.nextBoolean()) {
                    m[at + 1] = (byte) extremes[random.nextInt(extremes.length)];
                }
            }
            case 4 -> { // insert random bytes, header agrees
                int at = random.nextInt(m.length + 1);
                byte[] extra = new byte[1 + random.nextInt(16)];
                random.nextBytes(extra);
                m = fixLength(BmpBytes.concat(Arrays.copyOf(m, at), extra, Arrays.copyOfRange(m, at, m.length)));
            }
            case 5 -> { // delete a run of bytes, header agrees
                int at = random.nextInt(m.length);
                int n = Math.min(m.length - at, 1 + random.nextInt(16));
                m = fixLength(BmpBytes.concat(Arrays.copyOf(m, at), Arrays.copyOfRange(m, at + n, m.length)));
            }
            case 6 -> { // random body behind a valid header of the same type
                byte[] body = new byte[random.nextInt(300)];
                random.nextBytes(body);
                m = fixLength(BmpBytes.concat(Arrays.copyOf(m, Math.min(m.length, 6 + 42)), body));
            }
            default -> { // many scattered flips
                for (int i = 0; i < 1 + m.length / 20; i++) {
                    m[random.nextInt(m.length)] = (byte) random.nextInt(256);
                }
            }
        }
        return m;
    }

    /** Rewrites the BMP length field to the actual size so the damage reaches the decoder. */
    private static byte[] fixLength(byte[] m) {
        if (m.length >= 5) {
            ByteBuffer.wrap(m).putInt(1, m.length);
        }
        return m;
    }
}
