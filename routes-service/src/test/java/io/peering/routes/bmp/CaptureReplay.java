package io.peering.routes.bmp;

import io.peering.tools.pcap.CaptureReader;
import io.peering.tools.pcap.TcpStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Replays the TCP streams of a capture through framing and one {@link BmpSession} per stream, the way a
 * collector would see them: streams interleave in capture packet order (as NetGauze's pcap test did when
 * it wrote the expected JSON), and each packet's bytes are handed over in small odd-sized chunks so
 * messages are split at arbitrary points.
 */
final class CaptureReplay {
    /** Chunk sizes cycled through while feeding bytes: odd and prime sizes, split headers everywhere. */
    static final int[] ODD_CHUNKS = {1, 3, 7, 2, 13, 5, 64, 11, 333, 17, 1021};

    /** One decode result, in the order it came out of the replay. */
    record Decoded(int stream, BmpMessage message, BmpDecodeException error) {
    }

    /** The result of a replay: decode results in order, plus the session of each stream. */
    record Result(List<Decoded> decoded, List<BmpSession> sessions, List<TcpStream> streams) {
        List<BmpMessage> messages() {
            return decoded.stream().filter(d -> d.message() != null).map(Decoded::message).toList();
        }

        List<BmpDecodeException> errors() {
            return decoded.stream().filter(d -> d.error() != null).map(Decoded::error).toList();
        }
    }

    private CaptureReplay() {
    }

    static Result replay(Path capture) throws IOException {
        return replay(CaptureReader.readTcpStreams(capture), ODD_CHUNKS);
    }

    static Result replay(List<TcpStream> streams, int[] chunkSizes) {
        record Step(int stream, TcpStream.Delivery delivery) {
        }
        List<Step> steps = new ArrayList<>();
        List<BmpSession> sessions = new ArrayList<>();
        List<BmpFrameBuffer> buffers = new ArrayList<>();
        for (int i = 0; i < streams.size(); i++) {
            for (TcpStream.Delivery d : streams.get(i).deliveries()) {
                steps.add(new Step(i, d));
            }
            sessions.add(new BmpSession());
            buffers.add(new BmpFrameBuffer());
        }
        steps.sort(Comparator.comparingInt(s -> s.delivery().packetNumber()));

        List<Decoded> out = new ArrayList<>();
        int[] fed = new int[streams.size()];
        boolean[] broken = new boolean[streams.size()];
        int chunk = 0;
        for (Step step : steps) {
            int s = step.stream();
            byte[] payload = streams.get(s).payload();
            while (fed[s] < step.delivery().end() && !broken[s]) {
                int n = Math.min(chunkSizes[chunk++ % chunkSizes.length], step.delivery().end() - fed[s]);
                buffers.get(s).append(payload, fed[s], n);
                fed[s] += n;
                broken[s] = drain(s, buffers.get(s), sessions.get(s), out);
            }
        }
        return new Result(out, sessions, streams);
    }

    /** Decodes every complete message; returns true when framing broke (the stream must be dropped). */
    private static boolean drain(int stream, BmpFrameBuffer buffer, BmpSession session, List<Decoded> out) {
        try {
            for (ByteBuffer msg; (msg = buffer.next()) != null; ) {
                try {
                    out.add(new Decoded(stream, session.decode(msg), null));
                } catch (BmpDecodeException e) {
                    out.add(new Decoded(stream, null, e));
                }
            }
            return false;
        } catch (BmpFramingException e) {
            out.add(new Decoded(stream, null, e));
            return true;
        }
    }
}
