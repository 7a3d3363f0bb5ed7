package io.peering.latency.probe;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Instant;

/**
 * TCP probe: the time from starting the connect until the connection is established (the
 * kernel's SYN, SYN/ACK and ACK; about one round trip), or with {@code awaitFirstByte} until the
 * endpoint's first byte arrives (a banner; connect time plus the server's delay before it writes).
 * No answer, a refused connection, a reset or the endpoint closing before its first byte within the
 * timeout: a failed probe. The connection is closed right after.
 */
public final class TcpProbe {

    private TcpProbe() {
    }

    public static ProbeResult probe(ProbeEndpoint e) {
        Instant time = Instant.now();
        long start = System.nanoTime();
        long timeoutMs = Math.max(1, e.timeout().toMillis());
        try (SocketChannel channel = SocketChannel.open()) {
            channel.socket().connect(new InetSocketAddress(e.address(), e.port()), (int) timeoutMs);
            if (e.awaitFirstByte()) {
                long left = timeoutMs - (System.nanoTime() - start) / 1_000_000;
                if (left <= 0) {
                    return ProbeResult.failed(time, "timed out after " + e.timeout() + " waiting for the first byte");
                }
                channel.socket().setSoTimeout((int) left);
                InputStream in = channel.socket().getInputStream();
                if (in.read() < 0) {
                    return ProbeResult.failed(time, "the endpoint closed the connection before sending a byte");
                }
            }
            return ProbeResult.success(time, (System.nanoTime() - start) / 1e6);
        } catch (SocketTimeoutException ex) {
            return ProbeResult.failed(time, "timed out after " + e.timeout());
        } catch (IOException ex) {
            return ProbeResult.failed(time, ex.toString());
        }
    }
}
