package io.peering.tools.replay;

import io.peering.routes.bmp.BmpFraming;
import io.peering.routes.bmp.BmpFramingException;
import io.peering.support.net.IpPrefix;
import io.peering.tools.pcap.CaptureReader;
import io.peering.tools.pcap.TcpStream;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays the BMP sessions of a capture (pcap or pcapng) into a running collector, one TCP
 * connection per captured BMP stream, so anyone can reproduce what a router sent. Plain Java:
 * <pre>
 *   java -jar deploy/bmp-replay/target/bmp-replay-*-all.jar capture.pcap 127.0.0.1:11019 [--map-sources 127.0.1.0] [--hold]
 * </pre>
 * With {@code --map-sources BASE} each distinct router of the capture connects from its own
 * loopback address (BASE+1, BASE+2, ...), so the collector keeps them apart as the routers were.
 * Without {@code --hold} each connection closes when its bytes are sent, and the collector treats
 * the router as gone (its routes are withdrawn after the grace period, as for a real router); with
 * it, the connections stay open until the command is stopped.
 */
public final class BmpReplay {

    /** A BMP stream found in a capture: its original router and bytes. */
    public record BmpStream(InetAddress router, byte[] bytes, boolean complete) {
    }

    private BmpReplay() {
    }

    public static void main(String[] args) throws Exception {
        List<String> options = List.of(args);
        if (args.length < 2) {
            System.err.println("usage: BmpReplay CAPTURE HOST:PORT [--map-sources LOOPBACK_BASE] [--hold]");
            System.exit(2);
        }
        Path capture = Path.of(args[0]);
        int colon = args[1].lastIndexOf(':');
        InetSocketAddress collector = new InetSocketAddress(literal(args[1].substring(0, colon)),
                Integer.parseInt(args[1].substring(colon + 1)));
        int map = options.indexOf("--map-sources");
        InetAddress sourceBase = map > 0 && map + 1 < args.length ? literal(args[map + 1]) : null;
        List<Socket> open = replay(streams(capture), collector, sourceBase, options.contains("--hold"), System.out);
        System.out.println("replayed the BMP streams of " + capture + " to " + collector);
        if (!open.isEmpty()) {
            System.out.println("holding " + open.size() + " connection(s) open; stop with Ctrl-C");
            Thread.currentThread().join();
        }
    }

    /** An address literal (never a DNS look-up). */
    static InetAddress literal(String text) {
        return IpPrefix.parse(text + (text.contains(":") ? "/128" : "/32")).address();
    }

    /**
     * The BMP sessions of a capture, one per router: TCP streams whose bytes frame as BMP from the
     * start. A router that had several sessions in the capture (it reconnected) gets them back to
     * back, in capture order, since a router has one BMP session at a time and the collector orders
     * work per connection, not across connections.
     */
    public static List<BmpStream> streams(Path capture) throws IOException {
        Map<InetAddress, java.io.ByteArrayOutputStream> bytes = new LinkedHashMap<>();
        Map<InetAddress, Boolean> complete = new LinkedHashMap<>();
        for (TcpStream s : CaptureReader.readTcpStreams(capture)) {
            if (looksLikeBmp(s.payload())) {
                bytes.computeIfAbsent(s.sourceAddress(), a -> new java.io.ByteArrayOutputStream()).writeBytes(s.payload());
                complete.merge(s.sourceAddress(), !s.gap(), Boolean::logicalAnd);
            }
        }
        List<BmpStream> out = new ArrayList<>();
        bytes.forEach((router, b) -> out.add(new BmpStream(router, b.toByteArray(), complete.get(router))));
        return out;
    }

    static boolean looksLikeBmp(byte[] bytes) {
        try {
            return bytes.length >= 6 && BmpFraming.messageLength(ByteBuffer.wrap(bytes)) > 0;
        } catch (BmpFramingException e) {
            return false;
        }
    }

    /**
     * Sends each stream on its own connection, one after another. Yields the connections still
     * open ({@code hold}), else closes each after sending and yields none.
     */
    public static List<Socket> replay(List<BmpStream> streams, InetSocketAddress collector, InetAddress sourceBase,
                                      boolean hold, PrintStream log) throws IOException {
        Map<InetAddress, InetAddress> sources = new LinkedHashMap<>();
        List<Socket> open = new ArrayList<>();
        for (BmpStream stream : streams) {
            InetAddress source = sourceBase == null ? null
                    : sources.computeIfAbsent(stream.router(), r -> offset(sourceBase, sources.size() + 1));
            Socket socket = new Socket();
            try {
                if (source != null) {
                    socket.bind(new InetSocketAddress(source, 0));
                }
                socket.connect(collector, 5000);
                OutputStream out = socket.getOutputStream();
                out.write(stream.bytes());
                out.flush();
            } catch (IOException e) {
                socket.close();
                throw e;
            }
            if (hold) {
                open.add(socket);
            } else {
                socket.close();
            }
            log.printf("  router %s: %d bytes%s%s%n", stream.router().getHostAddress(), stream.bytes().length,
                    source == null ? "" : " from " + source.getHostAddress(), stream.complete() ? "" : " (capture has a gap)");
        }
        return open;
    }

    private static InetAddress offset(InetAddress base, int n) {
        byte[] b = base.getAddress();
        int last = (b[b.length - 1] & 0xFF) + n;
        b[b.length - 1] = (byte) last;
        b[b.length - 2] = (byte) (b[b.length - 2] + (last >> 8));
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
