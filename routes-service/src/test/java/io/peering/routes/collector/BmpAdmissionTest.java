package io.peering.routes.collector;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Who may open a BMP session: only configured source ranges, and no more than the session limit. */
@QuarkusTest
@TestProfile(BmpAdmissionTest.Limits.class)
class BmpAdmissionTest {

    public static class Limits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("peering.bmp.allowed-sources", "127.0.0.0/29,::1/128", "peering.bmp.max-sessions", "2");
        }
    }

    @Inject
    BmpListener listener;

    @Inject
    MeterRegistry registry;

    double refused(String reason) {
        return registry.counter("peering.bmp.refused", "reason", reason).count();
    }

    Socket connectFrom(String source) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        s.connect(new InetSocketAddress("127.0.0.1", listener.port()), 5000);
        return s;
    }

    /** True when the collector closed the connection; false when it is still open after a second. */
    static boolean closedByCollector(Socket s) throws IOException {
        s.setSoTimeout(1000);
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    void awaitOpenSessions(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (listener.openSessions() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(listener.openSessions()).as("BMP sessions open on the collector").isEqualTo(expected);
    }

    @Test
    void connectionFromOutsideTheAllowedRangesIsClosedAndCounted() throws IOException {
        double before = refused("source-address");
        try (Socket outside = connectFrom("127.0.0.9"); Socket inside = connectFrom("127.0.0.5")) {
            assertThat(closedByCollector(outside)).isTrue();
            assertThat(closedByCollector(inside)).isFalse();
        }
        assertThat(refused("source-address")).isEqualTo(before + 1);
    }

    @Test
    void connectionBeyondTheSessionLimitIsClosedUntilOneCloses() throws IOException, InterruptedException {
        awaitOpenSessions(0); // the other test's sessions are closed on the collector's side too
        double before = refused("session-limit");
        List<Socket> open = new ArrayList<>();
        try {
            open.add(connectFrom("127.0.0.2"));
            open.add(connectFrom("127.0.0.3"));
            assertThat(closedByCollector(open.get(0))).isFalse();
            assertThat(closedByCollector(open.get(1))).isFalse();
            try (Socket third = connectFrom("127.0.0.4")) {
                assertThat(closedByCollector(third)).isTrue();
            }
            assertThat(refused("session-limit")).isEqualTo(before + 1);

            open.remove(0).close();
            awaitOpenSessions(1); // the collector sees the close asynchronously
            try (Socket again = connectFrom("127.0.0.4")) {
                assertThat(closedByCollector(again)).as("a session is admitted once one of the two closed").isFalse();
            }
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
