package io.peering.latency.grpc;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.peering.common.v1.TimeGrain;
import io.peering.common.v1.TimeRange;
import io.peering.common.v1.TimeSeriesPoint;
import io.peering.latency.probe.ProbeEndpoint;
import io.peering.latency.probe.ProbeProtocol;
import io.peering.latency.probe.ProbeResult;
import io.peering.latency.probe.Prober;
import io.peering.latency.repository.ProbeResults;
import io.peering.latency.v1.ConnectivityProbeSeries;
import io.peering.latency.v1.LatencyServiceGrpc;
import io.peering.latency.v1.QueryConnectivityProbesRequest;
import io.peering.latency.v1.QueryConnectivityProbesResponse;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * QueryConnectivityProbes over a real gRPC channel and the real database: the metric math on fixed
 * results computed by hand, and real TCP probes of loopback listeners this test starts (one that
 * stops answering, one that answers after known delays). Results are stored at chosen times, so
 * the buckets they land in are known.
 */
@QuarkusTest
class ConnectivityProbesApiTest {

    /** A whole hour five days ago, away from the other latency tests' windows. */
    static final Instant HOUR = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofDays(5));
    static final List<String> ALL = List.of("ConnectivityProbeAvailability", "ConnectivityProbeLatency", "ConnectivityProbeJitter");

    @Inject
    Pool pool;

    @Inject
    ProbeResults results;

    ManagedChannel channel;

    @BeforeEach
    void setUp() {
        clean();
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        clean();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    void clean() {
        pool.query("DELETE FROM latency.connectivity_probes WHERE probe LIKE 'test-%'").execute().await().atMost(Duration.ofSeconds(10));
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    QueryConnectivityProbesResponse query(String probe, TimeGrain grain, List<String> metrics) {
        return LatencyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .queryConnectivityProbes(QueryConnectivityProbesRequest.newBuilder().setParent("peerings/contoso-ams")
                        .setProbe(probe).setTimeRange(TimeRange.newBuilder().setStartTime(ts(HOUR)).setEndTime(ts(HOUR.plus(Duration.ofHours(1)))))
                        .setTimeGrain(grain).addAllMetrics(metrics).build());
    }

    /** The values of one metric's series, by bucket offset in seconds from HOUR. */
    static List<String> values(QueryConnectivityProbesResponse r, String metric) {
        ConnectivityProbeSeries s = r.getSeriesList().stream().filter(x -> x.getMetric().equals(metric)).findFirst().orElseThrow();
        return s.getPointsList().stream().map(p -> (p.getTime().getSeconds() - HOUR.getEpochSecond()) + "s=" + p.getValue()).toList();
    }

    static double[] points(QueryConnectivityProbesResponse r, String metric) {
        return r.getSeriesList().stream().filter(x -> x.getMetric().equals(metric)).findFirst().orElseThrow()
                .getPointsList().stream().mapToDouble(TimeSeriesPoint::getValue).toArray();
    }

    void store(String probe, Instant time, ProbeResult r) {
        results.insert(probe, "contoso-ams", new ProbeResult(time, r.rttMs(), r.failure())).await().atMost(Duration.ofSeconds(10));
    }

    void store(String probe, int second, Double rtt) {
        store(probe, HOUR.plusSeconds(second), rtt == null ? ProbeResult.failed(HOUR, "test") : ProbeResult.success(HOUR, rtt));
    }

    static ProbeEndpoint tcp(String name, int port, boolean awaitFirstByte) {
        return new ProbeEndpoint(name, "contoso-ams", InetAddress.getLoopbackAddress(), ProbeProtocol.TCP, port,
                Duration.ofSeconds(10), Duration.ofSeconds(2), awaitFirstByte);
    }

    @Test
    void availabilityMedianAndJitterOfFixedResultsMatchAHandComputationPerMinuteAndPerFiveMinutes() {
        // minute 0: 10, fail, 14, 11, 20, fail; minute 1: 7; minute 2: fail, fail
        Double[] rtts = {10.0, null, 14.0, 11.0, 20.0, null, 7.0, null, null};
        int[] seconds = {0, 10, 20, 30, 40, 50, 60, 120, 130};
        for (int i = 0; i < rtts.length; i++) {
            store("test-math", seconds[i], rtts[i]);
        }

        QueryConnectivityProbesResponse minute = query("test-math", TimeGrain.TIME_GRAIN_PT1M, ALL);
        assertThat(minute.getSeriesList()).extracting(s -> s.getProbe() + " " + s.getMetric())
                .containsExactly("test-math ConnectivityProbeAvailability", "test-math ConnectivityProbeLatency",
                        "test-math ConnectivityProbeJitter");
        // availability: 4 of 6, 1 of 1, 0 of 2
        assertThat(points(minute, "ConnectivityProbeAvailability")).containsExactly(new double[]{400.0 / 6, 100, 0}, within(1e-9));
        // median of 10 11 14 20 = (11 + 14) / 2; of 7 = 7; none in minute 2 (no success)
        assertThat(values(minute, "ConnectivityProbeLatency")).containsExactly("0s=12.5", "60s=7.0");
        // consecutive successes 10 14 11 20: (4 + 3 + 9) / 3; minute 1 has one success: no jitter
        assertThat(points(minute, "ConnectivityProbeJitter")).containsExactly(new double[]{16.0 / 3}, within(1e-9));

        QueryConnectivityProbesResponse five = query("test-math", TimeGrain.TIME_GRAIN_PT5M, ALL);
        assertThat(points(five, "ConnectivityProbeAvailability")).containsExactly(new double[]{500.0 / 9}, within(1e-9));
        // median of 7 10 11 14 20 = 11
        assertThat(values(five, "ConnectivityProbeLatency")).containsExactly("0s=11.0");
        // 10 14 11 20 7 (the failures between them skipped): (4 + 3 + 9 + 13) / 4
        assertThat(values(five, "ConnectivityProbeJitter")).containsExactly("0s=7.25");
    }

    @Test
    void aListenerThatStopsAnsweringHalvesAvailabilityInTheMinuteItClosesAndZeroesItAfter() throws IOException {
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ProbeEndpoint e = tcp("test-stops", listener.getLocalPort(), false);
        for (int s : new int[]{0, 15, 30, 45, 60, 75}) {
            store(e.name(), HOUR.plusSeconds(s), Prober.probe(e));
        }
        listener.close();
        for (int s : new int[]{90, 105, 120, 135, 150, 165}) {
            store(e.name(), HOUR.plusSeconds(s), Prober.probe(e));
        }

        QueryConnectivityProbesResponse r = query("test-stops", TimeGrain.TIME_GRAIN_PT1M, List.of("ConnectivityProbeAvailability"));
        assertThat(values(r, "ConnectivityProbeAvailability")).containsExactly("0s=100.0", "60s=50.0", "120s=0.0");
        assertThat(r.getSeriesList()).hasSize(1);
    }

    @Test
    void delayedFirstBytesGiveTheMedianAndJitterOfTheMeasuredRtts() throws Exception {
        long[] delaysMs = {30, 120, 50, 80};
        List<Double> rtts = new ArrayList<>();
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                for (long delay : delaysMs) {
                    try (Socket s = listener.accept(); OutputStream out = s.getOutputStream()) {
                        Thread.sleep(delay);
                        out.write('x');
                    } catch (IOException | InterruptedException ex) {
                        throw new IllegalStateException(ex);
                    }
                }
            });
            server.start();
            ProbeEndpoint e = tcp("test-delayed", listener.getLocalPort(), true);
            for (int i = 0; i < delaysMs.length; i++) {
                ProbeResult r = Prober.probe(e);
                assertThat(r.succeeded()).as(String.valueOf(r.failure())).isTrue();
                assertThat(r.rttMs()).as("probe %d against a %d ms delay", i, delaysMs[i])
                        .isGreaterThanOrEqualTo(delaysMs[i]).isLessThan(delaysMs[i] + 1000);
                rtts.add(r.rttMs());
                store(e.name(), HOUR.plusSeconds(10L * i), r);
            }
            server.join();
        }
        double[] sorted = rtts.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = (sorted[1] + sorted[2]) / 2;
        double jitter = (Math.abs(rtts.get(1) - rtts.get(0)) + Math.abs(rtts.get(2) - rtts.get(1)) + Math.abs(rtts.get(3) - rtts.get(2))) / 3;

        QueryConnectivityProbesResponse r = query("test-delayed", TimeGrain.TIME_GRAIN_PT1M, ALL);
        assertThat(points(r, "ConnectivityProbeAvailability")).containsExactly(100.0);
        assertThat(points(r, "ConnectivityProbeLatency")).containsExactly(new double[]{median}, within(1e-9));
        assertThat(points(r, "ConnectivityProbeJitter")).containsExactly(new double[]{jitter}, within(1e-9));
        // the delays alone: median (50 + 80) / 2 = 65, jitter (90 + 70 + 30) / 3 = 63.3; the measured ones add connect time
        assertThat(median).isGreaterThanOrEqualTo(65.0);
        assertThat(Arrays.stream(sorted).min().orElseThrow()).isGreaterThanOrEqualTo(30.0);
    }

    @Test
    void withoutAProbeNameEveryProbeOfThePeeringWithResultsIsReportedByName() {
        store("test-b", 0, 5.0);
        store("test-a", 0, null);
        QueryConnectivityProbesResponse r = query("", TimeGrain.TIME_GRAIN_PT1H, List.of("ConnectivityProbeAvailability"));
        assertThat(r.getSeriesList()).extracting(s -> s.getProbe() + " " + s.getPointsList().get(0).getValue())
                .containsExactly("test-a 0.0", "test-b 100.0");
    }
}
