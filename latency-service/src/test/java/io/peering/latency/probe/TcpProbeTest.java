package io.peering.latency.probe;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The TCP probe against loopback listeners this test starts. */
class TcpProbeTest {

    static ProbeEndpoint endpoint(int port, boolean awaitFirstByte) {
        return new ProbeEndpoint("t", "contoso-ams", InetAddress.getLoopbackAddress(), ProbeProtocol.TCP, port,
                Duration.ofSeconds(10), Duration.ofSeconds(2), awaitFirstByte);
    }

    @Test
    void aListeningPortGivesASuccessWithItsConnectTime() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ProbeResult r = TcpProbe.probe(endpoint(listener.getLocalPort(), false));
            assertThat(r.succeeded()).as(String.valueOf(r.failure())).isTrue();
            assertThat(r.rttMs()).isBetween(0.0, 2000.0);
        }
    }

    @Test
    void aClosedPortGivesAFailureWithoutRtt() throws IOException {
        int port;
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = listener.getLocalPort();
        }
        ProbeResult r = TcpProbe.probe(endpoint(port, false));
        assertThat(r.succeeded()).isFalse();
        assertThat(r.rttMs()).isNull();
        assertThat(r.failure()).contains("Connection refused");
    }

    @Test
    void awaitingTheFirstByteMeasuresTheListenersDelayBeforeItWrites() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (Socket s = listener.accept(); OutputStream out = s.getOutputStream()) {
                    Thread.sleep(150);
                    out.write('x');
                    out.flush();
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            server.start();
            ProbeResult r = TcpProbe.probe(endpoint(listener.getLocalPort(), true));
            server.join();
            assertThat(r.succeeded()).as(String.valueOf(r.failure())).isTrue();
            assertThat(r.rttMs()).isGreaterThanOrEqualTo(150.0).isLessThan(1150.0);
        }
    }

    @Test
    void aListenerThatNeverWritesTimesOutWhenTheFirstByteIsAwaited() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ProbeEndpoint e = new ProbeEndpoint("t", "contoso-ams", InetAddress.getLoopbackAddress(), ProbeProtocol.TCP,
                    listener.getLocalPort(), Duration.ofSeconds(10), Duration.ofMillis(300), true);
            ProbeResult r = TcpProbe.probe(e);
            assertThat(r.succeeded()).isFalse();
            assertThat(r.failure()).contains("timed out");
        }
    }
}
