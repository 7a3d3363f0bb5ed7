package io.peering.metrics.e2e;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.peering.common.v1.TimeGrain;
import io.peering.common.v1.TimeRange;
import io.peering.metrics.feed.SessionFeed;
import io.peering.metrics.v1.MetricSeries;
import io.peering.metrics.v1.MetricsServiceGrpc;
import io.peering.metrics.v1.QueryConnectionMetricsRequest;
import io.peering.support.testing.RoutesServiceWithRouters;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * End to end with a real router: GoBGP R1's session to P1 (127.0.0.11, contoso-ams ams-1) is taken
 * down and up; routes-service sees it over BMP, metrics-service follows WatchSessions, and the
 * availability and flap count over gRPC match what happened, to the second.
 */
@QuarkusTest
@TestProfile(SessionAvailabilityFromRealRoutersTest.RealChain.class)
class SessionAvailabilityFromRealRoutersTest {

    public static class RealChain implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RoutesServiceWithRouters.class));
        }

        @Override
        public java.util.Map<String, String> getConfigOverrides() {
            return java.util.Map.of("peering.metrics.session-feed.enabled", "false"); // the test starts it
        }
    }

    static final String P1 = "127.0.0.11";
    static final String AMS1 = "peerings/contoso-ams/connections/ams-1";

    @Inject
    SessionFeed feed;

    @Inject
    Pool pool;

    record Stored(Instant time, short state) {
    }

    List<Stored> transitionsSince(Instant since) {
        List<Stored> out = new ArrayList<>();
        for (Row r : pool.preparedQuery("SELECT time, state FROM metrics.session_transitions WHERE connection = $1"
                        + " AND session_address = $2::text::inet AND time >= $3 ORDER BY time")
                .execute(Tuple.of(AMS1, P1, since.atOffset(java.time.ZoneOffset.UTC))).await().atMost(Duration.ofSeconds(10))) {
            out.add(new Stored(r.getOffsetDateTime(0).toInstant(), r.getShort(1)));
        }
        return out;
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 60 s for: " + what).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    @Test
    void aSessionTakenDownAndUpGivesTheAvailabilityAndFlapCountThatHappened() throws Exception {
        assumeTrue(RoutesServiceWithRouters.unavailable == null, RoutesServiceWithRouters.unavailable);
        // what other tests stored (a scripted routes-service's cursor and transitions) is not this routes-service's
        pool.preparedQuery("DELETE FROM metrics.feed_cursors WHERE feed = $1").execute(Tuple.of(SessionFeed.FEED))
                .await().atMost(Duration.ofSeconds(10));
        pool.preparedQuery("DELETE FROM metrics.session_transitions WHERE connection = $1").execute(Tuple.of(AMS1))
                .await().atMost(Duration.ofSeconds(10));
        feed.start();
        // up, as routes-service knows it (a session it already had up gives no new transition)
        await("P1's session Established, seen through BMP and WatchSessions", () -> {
            List<Stored> all = transitionsSince(Instant.EPOCH);
            return !all.isEmpty() && all.get(all.size() - 1).state() == 7;
        });

        Instant from = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        TimeUnit.MILLISECONDS.sleep(Duration.between(Instant.now(), from).toMillis() + 2000);
        Instant downAt = Instant.now();
        RoutesServiceWithRouters.run("bash", RoutesServiceWithRouters.routers.toString(), "session-down", P1);
        Instant downDone = Instant.now();
        await("the session down in metrics", () -> transitionsSince(from).stream().anyMatch(t -> t.state() != 7));
        TimeUnit.SECONDS.sleep(3);
        Instant upAt = Instant.now();
        RoutesServiceWithRouters.run("bash", RoutesServiceWithRouters.routers.toString(), "session-up", P1); // waits for Established
        Instant upDone = Instant.now();
        await("the session up again in metrics", () -> {
            List<Stored> t = transitionsSince(from);
            return !t.isEmpty() && t.get(t.size() - 1).state() == 7;
        });
        TimeUnit.SECONDS.sleep(2);
        Instant to = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        List<Stored> happened = transitionsSince(from);
        Instant down = happened.stream().filter(t -> t.state() != 7).findFirst().orElseThrow().time();
        Instant up = happened.get(happened.size() - 1).time();
        // the router's own times (BMP per-peer header; GoBGP gives whole seconds) fall while each command ran
        // (GoBGP waits some seconds before it reconnects, so the session comes up well after session-up starts)
        assertThat(down).isBetween(downAt.minusSeconds(1), downDone.plusSeconds(1));
        assertThat(up).isBetween(upAt.minusSeconds(1), upDone.plusSeconds(1));

        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            List<MetricSeries> series = MetricsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .queryConnectionMetrics(QueryConnectionMetricsRequest.newBuilder().setResource(AMS1)
                            .addMetrics("SessionAvailabilityV4").addMetrics("FlapCounts")
                            .setTimeRange(TimeRange.newBuilder().setStartTime(ts(from)).setEndTime(ts(to)))
                            .setTimeGrain(TimeGrain.TIME_GRAIN_P1D).build())
                    .getSeriesList();
            double covered = Duration.between(from, to).toNanos();
            double expected = 100.0 * (covered - Duration.between(down, up).toNanos()) / covered;
            assertThat(series.get(0).getPointsList()).hasSize(1);
            assertThat(series.get(0).getPoints(0).getValue()).isCloseTo(expected, org.assertj.core.data.Offset.offset(0.01));
            assertThat(series.get(0).getPoints(0).getValue()).isLessThan(100.0);
            assertThat(series.get(1).getPoints(0).getValue()).isEqualTo(1.0);
        } finally {
            feed.stop();
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
