package io.peering.latency.service;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.peering.common.v1.TimeGrain;
import io.peering.common.v1.TimeRange;
import io.peering.latency.v1.ConnectivityProbe;
import io.peering.latency.v1.ConnectivityProbeProtocol;
import io.peering.latency.v1.LatencyServiceGrpc;
import io.peering.latency.v1.QueryConnectivityProbesRequest;
import io.peering.latency.v1.QueryConnectivityProbesResponse;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A configured endpoint is probed by the service itself on its interval, and each run is stored. */
@QuarkusTest
@TestProfile(ScheduledProbesTest.OneLoopbackEndpoint.class)
class ScheduledProbesTest {

    /** A loopback listener that lives as long as the test class; the profile points the endpoint at it. */
    static final ServerSocket LISTENER = listen();

    static ServerSocket listen() {
        try {
            return new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static class OneLoopbackEndpoint implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "peering.probes.endpoints.test-scheduled.peering", "contoso-ams",
                    "peering.probes.endpoints.test-scheduled.address", "127.0.0.1",
                    "peering.probes.endpoints.test-scheduled.protocol", "TCP",
                    "peering.probes.endpoints.test-scheduled.port", String.valueOf(LISTENER.getLocalPort()),
                    "peering.probes.endpoints.test-scheduled.interval", "PT0.5S",
                    "peering.probes.endpoints.test-scheduled.timeout", "PT0.5S");
        }
    }

    @Inject
    Pool pool;

    @AfterAll
    static void closeListener() throws IOException {
        LISTENER.close();
    }

    Row counts() {
        return pool.query("SELECT count(*) FILTER (WHERE success), count(*) FILTER (WHERE NOT success), count(*) FILTER (WHERE peering <> 'contoso-ams')"
                        + " FROM latency.connectivity_probes WHERE probe = 'test-scheduled'")
                .execute().await().atMost(Duration.ofSeconds(10)).iterator().next();
    }

    @Test
    void theServiceProbesAConfiguredEndpointOnItsIntervalAndStoresEachRun() throws InterruptedException {
        pool.query("DELETE FROM latency.connectivity_probes WHERE probe = 'test-scheduled'").execute().await().atMost(Duration.ofSeconds(10));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (counts().getLong(0) < 3 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        Row r = counts();
        assertThat(r.getLong(0)).as("successful runs stored within 20 s at a 0.5 s interval").isGreaterThanOrEqualTo(3);
        assertThat(r.getLong(1)).as("failed runs").isZero();
        assertThat(r.getLong(2)).as("rows of another peering").isZero();
        pool.query("DELETE FROM latency.connectivity_probes WHERE probe = 'test-scheduled'").execute().await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void theAnswerDescribesTheConfiguredEndpointItsAddressProtocolPortAndInterval() throws InterruptedException {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            Instant now = Instant.now();
            QueryConnectivityProbesResponse r = LatencyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .queryConnectivityProbes(QueryConnectivityProbesRequest.newBuilder().setParent("peerings/contoso-ams")
                            .setTimeRange(TimeRange.newBuilder().setStartTime(ts(now.minus(Duration.ofHours(1)))).setEndTime(ts(now)))
                            .setTimeGrain(TimeGrain.TIME_GRAIN_PT1M).addMetrics("ConnectivityProbeAvailability").build());
            assertThat(r.getSeriesList()).extracting(s -> s.getProbe()).contains("test-scheduled");
            ConnectivityProbe p = r.getProbesList().stream().filter(x -> x.getName().equals("test-scheduled")).findFirst().orElseThrow();
            assertThat(p.getAddress()).isEqualTo("127.0.0.1");
            assertThat(p.getProtocol()).isEqualTo(ConnectivityProbeProtocol.CONNECTIVITY_PROBE_PROTOCOL_TCP);
            assertThat(p.getPort()).isEqualTo(LISTENER.getLocalPort());
            assertThat(p.getInterval().getNanos()).isEqualTo(500_000_000);
            assertThat(p.getTimeout().getNanos()).isEqualTo(500_000_000);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }
}
