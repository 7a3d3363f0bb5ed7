package io.peering.metrics.grpc;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.peering.common.v1.AddressFamily;
import io.peering.common.v1.Aggregation;
import io.peering.common.v1.SessionState;
import io.peering.common.v1.TimeGrain;
import io.peering.common.v1.TimeRange;
import io.peering.common.v1.TimeSeriesPoint;
import io.peering.metrics.v1.ConnectionSample;
import io.peering.metrics.v1.IngestConnectionSamplesRequest;
import io.peering.metrics.v1.IngestConnectionSamplesResponse;
import io.peering.metrics.v1.ListMetricDefinitionsRequest;
import io.peering.metrics.v1.MetricDefinition;
import io.peering.metrics.v1.MetricSeries;
import io.peering.metrics.v1.MetricsServiceGrpc;
import io.peering.metrics.v1.QueryConnectionMetricsRequest;
import io.peering.metrics.v1.QueryPeeringServiceAvailabilityRequest;
import io.peering.metrics.v1.QueryPeeringServiceAvailabilityResponse;
import io.peering.metrics.v1.ReportSessionTransitionsRequest;
import io.peering.metrics.v1.ReportSessionTransitionsResponse;
import io.peering.metrics.v1.SessionTransitionReport;
import io.peering.metrics.v1.Unit;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

/** The metrics API over a real gRPC channel on the real database, with hand-computed expectations. */
@QuarkusTest
class MetricsApiTest {

    static final String AMS1 = "peerings/contoso-ams/connections/ams-1"; // 127.0.0.11, fd00:64:500::11, 10 Gbit/s
    static final String AMS2 = "peerings/contoso-ams/connections/ams-2"; // 127.0.0.12, fd00:64:500::12
    static final String PEERING = "peerings/contoso-ams";

    /** A midnight (UTC) ten days ago: recent enough for retention, far enough from now. */
    static final Instant DAY = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(10));

    @Inject
    Pool pool;

    ManagedChannel channel;
    MetricsServiceGrpc.MetricsServiceBlockingStub metrics;
    MetricsServiceGrpc.MetricsServiceStub async;

    @BeforeEach
    void setUp() {
        // every table that holds the connections' samples or rollups: a rollup row left without its intervals would
        // be added to by the next test's samples of the same bucket
        for (String table : List.of("session_transitions", "connection_samples", "rate_intervals", "rate_short_intervals", "rate_seconds", "rate_minutes", "rate_5minutes",
                "rate_hours", "rate_days", "rate_scopes_stale")) {
            pool.query("DELETE FROM metrics." + table + " WHERE connection LIKE 'peerings/contoso-ams/%'"
                    + " OR connection LIKE 'peerings/fabrikam-lon/%'").execute().await().atMost(Duration.ofSeconds(10));
        }
        pool.query("DELETE FROM metrics.rate_scopes WHERE scope IN ('peerings/contoso-ams', 'peerings/fabrikam-lon')").execute()
                .await().atMost(Duration.ofSeconds(10));
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        metrics = MetricsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        async = MetricsServiceGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    // ---- helpers

    static Instant at(String hhmmss) {
        return DAY.plus(Duration.parse("PT" + hhmmss.replaceFirst("(\\d+):(\\d+):(\\d+)", "$1H$2M$3S")));
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    static SessionTransitionReport report(String connection, String address, SessionState state, Instant time) {
        return SessionTransitionReport.newBuilder().setConnection(connection).setSessionAddress(address).setState(state)
                .setTime(ts(time)).build();
    }

    static ConnectionSample sample(String connection, Instant time, long in, long out, long inDiscards, long outDiscards) {
        return ConnectionSample.newBuilder().setConnection(connection).setTime(ts(time)).setInOctets(in).setOutOctets(out)
                .setInDiscards(inDiscards).setOutDiscards(outDiscards).build();
    }

    /** Streams each list as one message of a client stream and waits for the reply. */
    @SafeVarargs
    final ReportSessionTransitionsResponse reportTransitions(List<SessionTransitionReport>... messages) throws Exception {
        CompletableFuture<ReportSessionTransitionsResponse> reply = new CompletableFuture<>();
        StreamObserver<ReportSessionTransitionsRequest> stream = async.reportSessionTransitions(observer(reply));
        for (List<SessionTransitionReport> m : messages) {
            stream.onNext(ReportSessionTransitionsRequest.newBuilder().addAllTransitions(m).build());
        }
        stream.onCompleted();
        return reply.get(30, TimeUnit.SECONDS);
    }

    @SafeVarargs
    final IngestConnectionSamplesResponse ingest(List<ConnectionSample>... messages) throws Exception {
        CompletableFuture<IngestConnectionSamplesResponse> reply = new CompletableFuture<>();
        StreamObserver<IngestConnectionSamplesRequest> stream = async.ingestConnectionSamples(observer(reply));
        for (List<ConnectionSample> m : messages) {
            stream.onNext(IngestConnectionSamplesRequest.newBuilder().addAllSamples(m).build());
        }
        stream.onCompleted();
        return reply.get(30, TimeUnit.SECONDS);
    }

    static <T> StreamObserver<T> observer(CompletableFuture<T> reply) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                reply.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                reply.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    QueryConnectionMetricsRequest.Builder query(String resource, Instant start, Instant end, TimeGrain grain, String... names) {
        return QueryConnectionMetricsRequest.newBuilder().setResource(resource).addAllMetrics(List.of(names))
                .setTimeRange(TimeRange.newBuilder().setStartTime(ts(start)).setEndTime(ts(end))).setTimeGrain(grain);
    }

    /** Series of the response by metric name: bucket start to value. */
    Map<String, Map<Instant, Double>> series(QueryConnectionMetricsRequest request) {
        Map<String, Map<Instant, Double>> all = new LinkedHashMap<>();
        for (MetricSeries s : metrics.queryConnectionMetrics(request).getSeriesList()) {
            all.put(s.getMetric(), points(s));
        }
        return all;
    }

    static Map<Instant, Double> points(MetricSeries s) {
        Map<Instant, Double> points = new LinkedHashMap<>();
        for (TimeSeriesPoint p : s.getPointsList()) {
            points.put(Instant.ofEpochSecond(p.getTime().getSeconds(), p.getTime().getNanos()), p.getValue());
        }
        return points;
    }

    static void assertStatus(Runnable call, Status.Code code, String messagePart) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(messagePart);
        });
    }

    /** ams-1 IPv4: up at 09:58, three flaps between 10:01 and 10:03, up again at 10:04. ams-2 IPv4 up from 09:55. */
    void reportFlappingSession() throws Exception {
        ReportSessionTransitionsResponse r = reportTransitions(List.of(
                report(AMS1, "127.0.0.11", SessionState.SESSION_STATE_ESTABLISHED, at("09:58:00")),
                report(AMS1, "127.0.0.11", SessionState.SESSION_STATE_IDLE, at("10:01:00")),
                report(AMS1, "127.0.0.11", SessionState.SESSION_STATE_ESTABLISHED, at("10:01:30"))), List.of(
                report(AMS1, "127.0.0.11", SessionState.SESSION_STATE_ACTIVE, at("10:02:00")),
                report(AMS1, "127.0.0.11", SessionState.SESSION_STATE_ESTABLISHED, at("10:02:30")),
                report(AMS1, "127.0.0.11", SessionState.SESSION_STATE_IDLE, at("10:03:00")),
                report(AMS1, "127.0.0.11", SessionState.SESSION_STATE_ESTABLISHED, at("10:04:00")),
                report(AMS2, "127.0.0.12", SessionState.SESSION_STATE_ESTABLISHED, at("09:55:00"))));
        assertThat(r.getAccepted()).isEqualTo(8);
    }

    // ---- definitions

    @Test
    void listMetricDefinitionsNamesEveryMetricWithUnitAndAggregations() {
        List<MetricDefinition> defs = metrics.listMetricDefinitions(ListMetricDefinitionsRequest.getDefaultInstance())
                .getMetricDefinitionsList();
        assertThat(defs).extracting(MetricDefinition::getName).containsExactly("SessionAvailabilityV4",
                "SessionAvailabilityV6", "IngressTrafficRate", "EgressTrafficRate", "FlapCounts", "PacketDropRate",
                "SessionAvailability");
        MetricDefinition flaps = defs.get(4);
        assertThat(flaps.getUnit()).isEqualTo(Unit.UNIT_COUNT);
        assertThat(flaps.getPrimaryAggregation()).isEqualTo(Aggregation.AGGREGATION_SUM);
        assertThat(defs.get(2).getUnit()).isEqualTo(Unit.UNIT_BITS_PER_SECOND);
        assertThat(defs.get(2).getSupportedAggregationsList()).contains(Aggregation.AGGREGATION_AVERAGE,
                Aggregation.AGGREGATION_MAXIMUM);
        assertThat(defs.get(0).getTimeGrainsList()).containsExactly(TimeGrain.TIME_GRAIN_PT1M, TimeGrain.TIME_GRAIN_PT5M,
                TimeGrain.TIME_GRAIN_PT1H, TimeGrain.TIME_GRAIN_P1D);
    }

    @Test
    void sessionAvailabilityIsListedWithTheSessionIpDimensionThatRatesDoNotHave() {
        Map<String, MetricDefinition> defs = new LinkedHashMap<>();
        metrics.listMetricDefinitions(ListMetricDefinitionsRequest.getDefaultInstance()).getMetricDefinitionsList()
                .forEach(d -> defs.put(d.getName(), d));

        assertThat(defs.get("SessionAvailability").getUnit()).isEqualTo(Unit.UNIT_PERCENT);
        assertThat(defs.get("SessionAvailability").getPrimaryAggregation()).isEqualTo(Aggregation.AGGREGATION_AVERAGE);
        assertThat(defs.get("SessionAvailability").getDimensionsList()).containsExactly("connection", "sessionIp");
        assertThat(defs.get("SessionAvailabilityV4").getDimensionsList()).containsExactly("connection", "sessionIp");
        assertThat(defs.get("FlapCounts").getDimensionsList()).containsExactly("connection", "sessionIp");
        assertThat(defs.get("IngressTrafficRate").getDimensionsList()).containsExactly("connection");
        assertThat(defs.get("PacketDropRate").getDimensionsList()).containsExactly("connection");
    }

    // ---- Azure Monitor's SessionAvailability (both families) and the SessionIp split

    /** {@link #reportFlappingSession} plus ams-1 IPv6 Established 10:00:00 to 10:02:00, then Idle (one flap). */
    void reportFlappingSessionAndShortIpv6Session() throws Exception {
        reportFlappingSession();
        reportTransitions(List.of(
                report(AMS1, "fd00:64:500::11", SessionState.SESSION_STATE_ESTABLISHED, at("10:00:00")),
                report(AMS1, "fd00:64:500::11", SessionState.SESSION_STATE_IDLE, at("10:02:00"))));
    }

    @Test
    void sessionAvailabilityWeighsBothFamiliesSessionsByTheirKnownTime() throws Exception {
        reportFlappingSessionAndShortIpv6Session();

        Map<String, Map<Instant, Double>> s = series(query(AMS1, at("09:55:00"), at("10:05:00"), TimeGrain.TIME_GRAIN_PT5M,
                "SessionAvailability", "SessionAvailabilityV4", "SessionAvailabilityV6").build());

        // 09:55: only IPv4 known, up 120 s of 120 s. 10:00: IPv4 up 180 s of 300 s, IPv6 up 120 s of 300 s:
        // (180 + 120) / (300 + 300) = 50 %.
        assertThat(s.get("SessionAvailability")).containsExactly(Map.entry(at("09:55:00"), 100.0),
                Map.entry(at("10:00:00"), 50.0));
        assertThat(s.get("SessionAvailabilityV4")).containsExactly(Map.entry(at("09:55:00"), 100.0),
                Map.entry(at("10:00:00"), 60.0));
        assertThat(s.get("SessionAvailabilityV6")).containsExactly(Map.entry(at("10:00:00"), 40.0));
    }

    @Test
    void sessionAvailabilityOfTwoSessionsKnownForDifferentTimesIsTheirTimeWeightedAvailability() throws Exception {
        reportTransitions(List.of(
                report(AMS1, "127.0.0.11", SessionState.SESSION_STATE_ESTABLISHED, at("10:00:00")), // up 300 s of 300 s
                report(AMS1, "fd00:64:500::11", SessionState.SESSION_STATE_IDLE, at("10:04:00")))); // down 60 s of 60 s

        Map<String, Map<Instant, Double>> s = series(query(AMS1, at("10:00:00"), at("10:05:00"), TimeGrain.TIME_GRAIN_PT5M,
                "SessionAvailability").build());

        // 300 / (300 + 60) s, where the mean of the two sessions' percentages would be 50 %
        assertThat(s.get("SessionAvailability").get(at("10:00:00"))).isCloseTo(100.0 * 300 / 360, within(1e-9));
    }

    @Test
    void splitBySessionIpGivesOneSeriesPerSessionAddressOfTheConnection() throws Exception {
        reportFlappingSessionAndShortIpv6Session();

        List<MetricSeries> series = metrics.queryConnectionMetrics(query(AMS1, at("09:55:00"), at("10:05:00"),
                TimeGrain.TIME_GRAIN_PT5M, "SessionAvailability", "FlapCounts", "SessionAvailabilityV6")
                .setSplitBySessionIp(true).build()).getSeriesList();

        assertThat(series).extracting(MetricSeries::getMetric, MetricSeries::getResource, MetricSeries::getSessionIp)
                .containsExactly(
                        tuple("SessionAvailability", AMS1, "127.0.0.11"),
                        tuple("SessionAvailability", AMS1, "fd00:64:500::11"),
                        tuple("FlapCounts", AMS1, "127.0.0.11"),
                        tuple("FlapCounts", AMS1, "fd00:64:500::11"),
                        tuple("SessionAvailabilityV6", AMS1, "fd00:64:500::11"));
        assertThat(points(series.get(0))).containsExactly(Map.entry(at("09:55:00"), 100.0), Map.entry(at("10:00:00"), 60.0));
        assertThat(points(series.get(1))).containsExactly(Map.entry(at("10:00:00"), 40.0));
        assertThat(points(series.get(2))).containsExactly(Map.entry(at("09:55:00"), 0.0), Map.entry(at("10:00:00"), 3.0));
        assertThat(points(series.get(3))).containsExactly(Map.entry(at("10:00:00"), 1.0));
        assertThat(points(series.get(4))).containsExactly(Map.entry(at("10:00:00"), 40.0));
        assertThat(series).allSatisfy(x -> assertThat(x.getUnit()).isNotEqualTo(Unit.UNIT_UNSPECIFIED));
    }

    @Test
    void splitBySessionIpOfAPeeringNamesEachSessionsConnection() throws Exception {
        reportFlappingSession();

        List<MetricSeries> series = metrics.queryConnectionMetrics(query(PEERING, at("10:00:00"), at("10:05:00"),
                TimeGrain.TIME_GRAIN_PT5M, "SessionAvailabilityV4").setSplitBySessionIp(true).build()).getSeriesList();

        Map<String, Map<Instant, Double>> bySession = new LinkedHashMap<>();
        series.forEach(x -> bySession.put(x.getResource() + " " + x.getSessionIp(), points(x)));
        assertThat(bySession).containsEntry(AMS1 + " 127.0.0.11", Map.of(at("10:00:00"), 60.0))
                .containsEntry(AMS2 + " 127.0.0.12", Map.of(at("10:00:00"), 100.0));
        assertThat(series).allSatisfy(x -> assertThat(x.getSessionIp()).doesNotContain(":"));
    }

    @Test
    void splitBySessionIpOfATrafficRateIsRefusedNamingTheField() {
        assertStatus(() -> metrics.queryConnectionMetrics(query(AMS1, at("10:00:00"), at("10:05:00"), TimeGrain.TIME_GRAIN_PT5M,
                "FlapCounts", "IngressTrafficRate").setSplitBySessionIp(true).build()), Status.Code.INVALID_ARGUMENT,
                "split_by_session_ip applies to the metrics from session transitions");
    }

    @Test
    void seriesNotSplitBySessionIpHaveNoSessionIp() throws Exception {
        reportFlappingSession();

        List<MetricSeries> series = metrics.queryConnectionMetrics(query(AMS1, at("10:00:00"), at("10:05:00"),
                TimeGrain.TIME_GRAIN_PT5M, "SessionAvailability", "FlapCounts", "IngressTrafficRate").build()).getSeriesList();

        assertThat(series).extracting(MetricSeries::getSessionIp).containsExactly("", "", "");
        assertThat(series).extracting(MetricSeries::getResource).containsOnly(AMS1);
    }

    // ---- session transitions and availability

    @Test
    void threeFlapsInsideOneFiveMinuteBucketGiveThreeFlapsAndSixtyPercent() throws Exception {
        reportFlappingSession();

        Map<String, Map<Instant, Double>> s = series(query(AMS1, at("09:50:00"), at("10:10:00"), TimeGrain.TIME_GRAIN_PT5M,
                "SessionAvailabilityV4", "FlapCounts", "SessionAvailabilityV6").build());

        // 09:50 nothing known: absent. 09:55: up from 09:58 on. 10:00: up 60+30+30+60 s of 300 s.
        assertThat(s.get("SessionAvailabilityV4")).containsExactly(Map.entry(at("09:55:00"), 100.0),
                Map.entry(at("10:00:00"), 60.0), Map.entry(at("10:05:00"), 100.0));
        assertThat(s.get("FlapCounts")).containsExactly(Map.entry(at("09:55:00"), 0.0),
                Map.entry(at("10:00:00"), 3.0), Map.entry(at("10:05:00"), 0.0));
        assertThat(s.get("SessionAvailabilityV6")).isEmpty(); // no IPv6 transition: no knowledge, not 0 %
    }

    @Test
    void aPeeringAveragesAvailabilityOverItsSessionsTimeAndSumsFlaps() throws Exception {
        reportFlappingSession();

        Map<String, Map<Instant, Double>> s = series(query(PEERING, at("09:55:00"), at("10:05:00"), TimeGrain.TIME_GRAIN_PT5M,
                "SessionAvailabilityV4", "FlapCounts").build());

        // 09:55: ams-1 up 120 s of 120 s, ams-2 up 300 s of 300 s. 10:00: (180 + 300) / (300 + 300) s.
        assertThat(s.get("SessionAvailabilityV4")).containsExactly(Map.entry(at("09:55:00"), 100.0),
                Map.entry(at("10:00:00"), 80.0));
        assertThat(s.get("FlapCounts")).containsExactly(Map.entry(at("09:55:00"), 0.0), Map.entry(at("10:00:00"), 3.0));
    }

    @Test
    void anOutageAcrossADayBoundaryIsSplitExactlyAtP1D() throws Exception {
        reportTransitions(List.of(
                report(AMS1, "fd00:64:500::11", SessionState.SESSION_STATE_ESTABLISHED, at("12:00:00")),
                report(AMS1, "fd00:64:500::11", SessionState.SESSION_STATE_IDLE, at("22:00:00")),
                report(AMS1, "fd00:64:500::11", SessionState.SESSION_STATE_ESTABLISHED, at("27:00:00"))));

        Map<String, Map<Instant, Double>> s = series(query(AMS1, DAY.minus(Duration.ofDays(1)), DAY.plus(Duration.ofDays(2)),
                TimeGrain.TIME_GRAIN_P1D, "SessionAvailabilityV6", "FlapCounts").build());

        // day 1: known from 12:00, down 22:00..24:00 → 10 h of 12 h; day 2: down 00:00..03:00 → 21 h of 24 h
        assertThat(s.get("SessionAvailabilityV6")).hasSize(2);
        assertThat(s.get("SessionAvailabilityV6").get(DAY)).isCloseTo(100.0 * 10 / 12, within(1e-9));
        assertThat(s.get("SessionAvailabilityV6").get(DAY.plus(Duration.ofDays(1)))).isEqualTo(87.5);
        assertThat(s.get("FlapCounts")).containsExactly(Map.entry(DAY, 1.0), Map.entry(DAY.plus(Duration.ofDays(1)), 0.0));
    }

    @Test
    void reportedTransitionsAreCheckedOneByOneAndRepeatsAreStoredOnce() throws Exception {
        SessionTransitionReport good = report(AMS1, "127.0.0.11", SessionState.SESSION_STATE_ESTABLISHED, at("08:00:00"));
        ReportSessionTransitionsResponse r = reportTransitions(List.of(good,
                report("peerings/contoso-ams/connections/nowhere", "127.0.0.11", SessionState.SESSION_STATE_IDLE, at("08:01:00")),
                report(AMS1, "127.0.0.12", SessionState.SESSION_STATE_IDLE, at("08:01:00")),
                report(AMS1, "127.0.0.11", SessionState.SESSION_STATE_UNSPECIFIED, at("08:01:00")),
                report(AMS1, "127.0.0.11", SessionState.SESSION_STATE_IDLE, Instant.now().plus(Duration.ofHours(1))),
                report(AMS1, "127.0.0.11", SessionState.SESSION_STATE_IDLE, at("08:01:00")).toBuilder().clearTime().build(),
                report(AMS1, "", SessionState.SESSION_STATE_IDLE, at("08:01:00"))), List.of(good));

        assertThat(r.getAccepted()).isEqualTo(1);
        assertThat(r.getDuplicates()).isEqualTo(1);
        assertThat(r.getRejected()).isEqualTo(6);
        assertThat(r.getRejectionsList()).extracting(x -> x.getIndex()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(r.getRejections(0).getReason()).contains("not in the inventory");
        assertThat(r.getRejections(1).getReason()).contains("127.0.0.12 is not a session address of " + AMS1);
        assertThat(r.getRejections(2).getReason()).contains("not a session state");
        assertThat(r.getRejections(3).getReason()).contains("in the future");
        assertThat(r.getRejections(4).getReason()).contains("time is required");
        assertThat(r.getRejections(5).getReason()).contains("session_address is required");
        assertThat(reportTransitions(List.of(good)).getDuplicates()).isEqualTo(1);
    }

    @Test
    void peeringServiceAvailabilityReportsPrimaryAndBackupConnections() throws Exception {
        reportFlappingSession();

        QueryPeeringServiceAvailabilityResponse r = metrics.queryPeeringServiceAvailability(
                QueryPeeringServiceAvailabilityRequest.newBuilder().setPeeringService("peeringServices/contoso-web")
                        .setTimeRange(TimeRange.newBuilder().setStartTime(ts(at("10:00:00"))).setEndTime(ts(at("10:05:00"))))
                        .setTimeGrain(TimeGrain.TIME_GRAIN_PT5M).setAddressFamily(AddressFamily.ADDRESS_FAMILY_IPV4).build());

        assertThat(r.getPrimaryConnection()).isEqualTo(AMS1);
        assertThat(r.getBackupConnection()).isEqualTo(AMS2);
        assertThat(r.getPrimary().getMetric()).isEqualTo("SessionAvailabilityV4");
        assertThat(points(r.getPrimary())).containsExactly(Map.entry(at("10:00:00"), 60.0));
        assertThat(points(r.getBackup())).containsExactly(Map.entry(at("10:00:00"), 100.0));
        assertStatus(() -> metrics.queryPeeringServiceAvailability(QueryPeeringServiceAvailabilityRequest.newBuilder()
                .setPeeringService("peeringServices/nothing").setTimeRange(TimeRange.newBuilder().setStartTime(ts(at("10:00:00")))
                        .setEndTime(ts(at("10:05:00")))).setTimeGrain(TimeGrain.TIME_GRAIN_PT5M).build()),
                Status.Code.NOT_FOUND, "peeringServices/nothing");
    }

    // ---- counter samples and rates

    @Test
    void aCounterWrapThroughTwoToThe64GivesTheWrappedIncrease() throws Exception {
        // in: 2^64 - 1,000,000 then 5,000,000 one minute later: 6,000,000 octets = 48,000,000 bits / 60 s
        ingest(List.of(sample(AMS1, at("10:00:00"), -1_000_000L, 0, 0, 0), sample(AMS1, at("10:01:00"), 5_000_000L, 0, 0, 0)));

        Map<String, Map<Instant, Double>> s = series(query(AMS1, at("10:00:00"), at("10:05:00"), TimeGrain.TIME_GRAIN_PT1M,
                "IngressTrafficRate", "EgressTrafficRate").build());

        assertThat(s.get("IngressTrafficRate")).containsExactly(Map.entry(at("10:01:00"), 800_000.0));
        assertThat(s.get("EgressTrafficRate")).containsExactly(Map.entry(at("10:01:00"), 0.0));
    }

    @Test
    void aCounterResetGivesNoRateForItsIntervalAndRatesResumeAfter() throws Exception {
        // 10,000,000,000 then 1,000 (reboot: a wrap would be 1.8e19 octets, beyond 10 Gbit/s) then 61,000
        ingest(List.of(sample(AMS1, at("10:00:00"), 10_000_000_000L, 0, 0, 0), sample(AMS1, at("10:01:00"), 1_000, 0, 0, 0),
                sample(AMS1, at("10:02:00"), 61_000, 0, 0, 0)));

        assertThat(series(query(AMS1, at("10:00:00"), at("10:05:00"), TimeGrain.TIME_GRAIN_PT1M, "IngressTrafficRate").build())
                .get("IngressTrafficRate")).containsExactly(Map.entry(at("10:02:00"), 8_000.0)); // 60,000 * 8 / 60
        assertThat(series(query(AMS1, at("10:00:00"), at("10:05:00"), TimeGrain.TIME_GRAIN_PT5M, "IngressTrafficRate")
                .setAggregation(Aggregation.AGGREGATION_COUNT).build()).get("IngressTrafficRate"))
                .containsExactly(Map.entry(at("10:00:00"), 1.0)); // one interval with a rate, never a negative one
    }

    @Test
    void aRateAboveTheConnectionBandwidthIsDropped() throws Exception {
        // 10 Gbit/s allows 75e9 octets per minute; 80e9 is absurd, then 6e9 more is 800 Mbit/s
        ingest(List.of(sample(AMS1, at("10:00:00"), 0, 0, 0, 0), sample(AMS1, at("10:01:00"), 80_000_000_000L, 0, 0, 0),
                sample(AMS1, at("10:02:00"), 86_000_000_000L, 0, 0, 0)));

        assertThat(series(query(AMS1, at("10:00:00"), at("10:05:00"), TimeGrain.TIME_GRAIN_PT1M, "IngressTrafficRate").build())
                .get("IngressTrafficRate")).containsExactly(Map.entry(at("10:02:00"), 800_000_000.0));
    }

    @Test
    void duplicatedSamplesAreStoredOnceAndCounted() throws Exception {
        List<ConnectionSample> three = List.of(sample(AMS1, at("10:00:00"), 0, 0, 0, 0),
                sample(AMS1, at("10:01:00"), 600, 1_200, 60, 0), sample(AMS1, at("10:02:00"), 1_200, 2_400, 120, 60));

        IngestConnectionSamplesResponse first = ingest(three, List.of(three.get(1)));
        IngestConnectionSamplesResponse again = ingest(three);

        assertThat(first.getAccepted()).isEqualTo(3);
        assertThat(first.getDuplicates()).isEqualTo(1);
        assertThat(again.getAccepted()).isZero();
        assertThat(again.getDuplicates()).isEqualTo(3);
        Map<String, Map<Instant, Double>> s = series(query(AMS1, at("10:00:00"), at("10:05:00"), TimeGrain.TIME_GRAIN_PT5M,
                "IngressTrafficRate", "EgressTrafficRate", "PacketDropRate").build());
        // two intervals of 60 s: in 1,200 octets = 9,600 bits / 120 s; out 19,200 bits / 120 s; drops 180 / 120 s
        assertThat(s.get("IngressTrafficRate")).containsExactly(Map.entry(at("10:00:00"), 80.0));
        assertThat(s.get("EgressTrafficRate")).containsExactly(Map.entry(at("10:00:00"), 160.0));
        assertThat(s.get("PacketDropRate")).containsExactly(Map.entry(at("10:00:00"), 1.5));
    }

    @Test
    void samplesArrivingOutOfOrderGiveTheSameRatesAsInOrder() throws Exception {
        // in order 10:00 0, 10:01 6,000, 10:03 7,200 (a 2-minute gap); sent as 10:03, 10:00, 10:01
        ingest(List.of(sample(AMS1, at("10:03:00"), 7_200, 0, 0, 0)), List.of(sample(AMS1, at("10:00:00"), 0, 0, 0, 0)));
        ingest(List.of(sample(AMS1, at("10:01:00"), 6_000, 0, 0, 0)));

        Map<String, Map<Instant, Double>> s = series(query(AMS1, at("10:00:00"), at("10:05:00"), TimeGrain.TIME_GRAIN_PT1M,
                "IngressTrafficRate").build());
        // 48,000 bits / 60 s = 800 at 10:01; 9,600 bits / 120 s = 80 at 10:03 (the bucket of the interval's end)
        assertThat(s.get("IngressTrafficRate")).containsExactly(Map.entry(at("10:01:00"), 800.0), Map.entry(at("10:03:00"), 80.0));
        Map<String, Map<Instant, Double>> five = series(query(AMS1, at("10:00:00"), at("10:05:00"), TimeGrain.TIME_GRAIN_PT5M,
                "IngressTrafficRate").build());
        // time-weighted: 57,600 bits / 180 s
        assertThat(five.get("IngressTrafficRate")).containsExactly(Map.entry(at("10:00:00"), 320.0));
        Map<String, Map<Instant, Double>> max = series(query(AMS1, at("10:00:00"), at("10:05:00"), TimeGrain.TIME_GRAIN_PT5M,
                "IngressTrafficRate").setAggregation(Aggregation.AGGREGATION_MAXIMUM).build());
        assertThat(max.get("IngressTrafficRate")).containsExactly(Map.entry(at("10:00:00"), 800.0));
    }

    @Test
    void theFirstIntervalOfARangeUsesTheSampleBeforeTheRange() throws Exception {
        ingest(List.of(sample(AMS1, at("09:59:00"), 0, 0, 0, 0), sample(AMS1, at("10:00:00"), 750, 0, 0, 0)));

        assertThat(series(query(AMS1, at("10:00:00"), at("10:05:00"), TimeGrain.TIME_GRAIN_PT1M, "IngressTrafficRate").build())
                .get("IngressTrafficRate")).containsExactly(Map.entry(at("10:00:00"), 100.0));
    }

    @Test
    void aPeeringSumsTheRatesOfItsConnections() throws Exception {
        ingest(List.of(sample(AMS1, at("10:00:00"), 0, 0, 0, 0), sample(AMS1, at("10:01:00"), 600, 0, 0, 0),
                sample(AMS2, at("10:00:30"), 0, 0, 0, 0), sample(AMS2, at("10:01:30"), 1_500, 0, 0, 0)));

        assertThat(series(query(PEERING, at("10:00:00"), at("10:05:00"), TimeGrain.TIME_GRAIN_PT5M, "IngressTrafficRate").build())
                .get("IngressTrafficRate")).containsExactly(Map.entry(at("10:00:00"), 80.0 + 200.0));
    }

    @Test
    void badSamplesAreRefusedWithTheirReasonsAndTheOthersKept() throws Exception {
        IngestConnectionSamplesResponse r = ingest(List.of(sample(AMS1, at("10:00:00"), 0, 0, 0, 0),
                sample("peerings/contoso-ams/connections/ams-9", at("10:00:00"), 0, 0, 0, 0),
                sample(AMS1, at("10:01:00"), 0, 0, 0, 0).toBuilder().setSessionAddress("127.0.0.21").build(),
                sample(AMS1, at("10:01:00"), 0, 0, 0, 0).toBuilder().clearTime().build(),
                sample(AMS1, at("10:01:00"), 0, 0, 0, 0).toBuilder().setSessionAddress("fd00:64:500:0::11").build()));

        assertThat(r.getAccepted()).isEqualTo(2);
        assertThat(r.getRejected()).isEqualTo(3);
        assertThat(r.getRejectionsList()).extracting(x -> x.getIndex() + ": " + x.getReason()).satisfiesExactly(
                x -> assertThat(x).startsWith("1: ").contains("not in the inventory"),
                x -> assertThat(x).startsWith("2: ").contains("not a session address"),
                x -> assertThat(x).startsWith("3: ").contains("time is required"));
    }

    // ---- limits

    @Test
    void queriesOutsideTheLimitsAreRefusedWithActionableMessages() {
        Instant now = Instant.now();
        assertStatus(() -> metrics.queryConnectionMetrics(query(AMS1, now.minus(Duration.ofDays(30)), now,
                TimeGrain.TIME_GRAIN_PT1M, "FlapCounts").build()), Status.Code.INVALID_ARGUMENT, "more than the limit of 10000");
        assertStatus(() -> metrics.queryConnectionMetrics(query(AMS1, at("10:00:00"), at("09:00:00"),
                TimeGrain.TIME_GRAIN_PT5M, "FlapCounts").build()), Status.Code.INVALID_ARGUMENT, "reversed");
        assertStatus(() -> metrics.queryConnectionMetrics(query(AMS1, now, now.plus(Duration.ofHours(1)),
                TimeGrain.TIME_GRAIN_PT5M, "FlapCounts").build()), Status.Code.INVALID_ARGUMENT, "in the future");
        assertStatus(() -> metrics.queryConnectionMetrics(query(AMS1, at("09:00:00"), at("10:00:00"),
                TimeGrain.TIME_GRAIN_PT5M, "Latency").build()), Status.Code.INVALID_ARGUMENT, "unknown metric \"Latency\"");
        assertStatus(() -> metrics.queryConnectionMetrics(query("peerings/contoso-ams/connections/ams-9", at("09:00:00"),
                at("10:00:00"), TimeGrain.TIME_GRAIN_PT5M, "FlapCounts").build()), Status.Code.NOT_FOUND, "ams-9");
        assertStatus(() -> metrics.queryConnectionMetrics(query("peerings/nobody", at("09:00:00"), at("10:00:00"),
                TimeGrain.TIME_GRAIN_PT5M, "FlapCounts").build()), Status.Code.NOT_FOUND, "peerings/nobody");
        assertStatus(() -> metrics.queryConnectionMetrics(query("contoso-ams", at("09:00:00"), at("10:00:00"),
                TimeGrain.TIME_GRAIN_PT5M, "FlapCounts").build()), Status.Code.INVALID_ARGUMENT, "resource must be");
        assertStatus(() -> metrics.queryConnectionMetrics(query(AMS1, at("09:00:00"), at("10:00:00"),
                TimeGrain.TIME_GRAIN_PT5M, "FlapCounts").setAggregation(Aggregation.AGGREGATION_AVERAGE).build()),
                Status.Code.INVALID_ARGUMENT, "not offered for FlapCounts");
        assertStatus(() -> metrics.queryConnectionMetrics(query(PEERING, at("09:00:00"), at("10:00:00"),
                TimeGrain.TIME_GRAIN_PT5M, "IngressTrafficRate").setAggregation(Aggregation.AGGREGATION_MAXIMUM).build()),
                Status.Code.INVALID_ARGUMENT, "single connection only");
        assertStatus(() -> metrics.queryConnectionMetrics(query(AMS1, at("09:00:00"), at("10:00:00"),
                TimeGrain.TIME_GRAIN_UNSPECIFIED, "FlapCounts").build()), Status.Code.INVALID_ARGUMENT, "time_grain is required");
        assertStatus(() -> metrics.queryConnectionMetrics(query(AMS1, at("09:00:00"), at("10:00:00"),
                TimeGrain.TIME_GRAIN_PT5M).build()), Status.Code.INVALID_ARGUMENT, "metrics is empty");
    }
}
