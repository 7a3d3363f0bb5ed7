package io.peering.metrics.grpc;

import com.google.protobuf.Timestamp;
import io.grpc.Channel;
import io.peering.common.v1.Aggregation;
import io.peering.common.v1.SessionState;
import io.peering.common.v1.TimeGrain;
import io.peering.common.v1.TimeRange;
import io.peering.metrics.v1.ConnectionSample;
import io.peering.metrics.v1.IngestConnectionSamplesRequest;
import io.peering.metrics.v1.IngestConnectionSamplesResponse;
import io.peering.metrics.v1.ListMetricDefinitionsRequest;
import io.peering.metrics.v1.MetricsServiceGrpc;
import io.peering.metrics.v1.QueryConnectionMetricsRequest;
import io.peering.metrics.v1.QueryPeeringServiceAvailabilityRequest;
import io.peering.metrics.v1.Rejection;
import io.peering.metrics.v1.ReportSessionTransitionsRequest;
import io.peering.metrics.v1.ReportSessionTransitionsResponse;
import io.peering.metrics.v1.SessionTransitionReport;
import io.peering.support.testing.MalformedInputMatrix;
import io.peering.support.testing.MalformedInputMatrix.Case;
import io.peering.support.testing.RoleMatrix;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import static io.peering.support.testing.MalformedInputMatrix.invalid;
import static io.peering.support.testing.MalformedInputMatrix.rpc;
import static io.peering.support.testing.MalformedInputMatrix.tooLarge;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every metrics RPC with every kind of malformed field its request has: each is refused with
 * INVALID_ARGUMENT naming the field and what it accepts (a message over 4 MiB with RESOURCE_EXHAUSTED),
 * and nothing of it is stored.
 *
 * <p>The rule for the two client streams: each item is checked on its own. A stream in which at
 * least one item is good is answered OK, the good items stored and each bad one refused in the
 * reply with its index in the stream and a reason that starts with the field. A stream in which
 * every item is bad stores nothing and ends with INVALID_ARGUMENT naming the first bad item's
 * index and field.
 */
@QuarkusTest
class MetricsMalformedInputTest {

    static final String AMS1 = "peerings/contoso-ams/connections/ams-1"; // 127.0.0.11, fd00:64:500::11
    static final Instant NOW = Instant.now();
    /** The time of every otherwise good item the matrix sends: no row may ever carry it. */
    static final Instant MARK = NOW.minus(Duration.ofDays(3)).truncatedTo(ChronoUnit.SECONDS).plusNanos(123_456_000);
    /** The time of the mixed stream's items. */
    static final Instant MIXED = MARK.plusSeconds(7);

    @Inject
    Pool pool;

    @AfterEach
    void removeTheMixedStreamsGoodItems() {
        for (String table : List.of("connection_samples", "session_transitions")) {
            pool.preparedQuery("DELETE FROM metrics." + table + " WHERE time = $1").execute(Tuple.of(utc(MIXED)))
                    .await().atMost(Duration.ofSeconds(10));
        }
    }

    static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

    long rowsAt(String table, Instant time) {
        return pool.preparedQuery("SELECT count(*) FROM metrics." + table + " WHERE time = $1").execute(Tuple.of(utc(time)))
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    static TimeRange range(Instant start, Instant end) {
        return TimeRange.newBuilder().setStartTime(ts(start)).setEndTime(ts(end)).build();
    }

    static final Timestamp NOT_A_TIMESTAMP = Timestamp.newBuilder().setSeconds(Long.MAX_VALUE).build();

    static MetricsServiceGrpc.MetricsServiceBlockingStub stub(Channel ch) {
        return MetricsServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static MetricsServiceGrpc.MetricsServiceStub async(Channel ch) {
        return MetricsServiceGrpc.newStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    // ---- valid requests, each case changes one field

    static Function<Channel, Object> query(UnaryOperator<QueryConnectionMetricsRequest.Builder> change) {
        QueryConnectionMetricsRequest request = change.apply(QueryConnectionMetricsRequest.newBuilder().setResource(AMS1)
                .addMetrics("SessionAvailabilityV4").setTimeRange(range(NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(1))))
                .setTimeGrain(TimeGrain.TIME_GRAIN_PT5M)).build();
        return ch -> stub(ch).queryConnectionMetrics(request);
    }

    static Function<Channel, Object> availability(UnaryOperator<QueryPeeringServiceAvailabilityRequest.Builder> change) {
        QueryPeeringServiceAvailabilityRequest request = change.apply(QueryPeeringServiceAvailabilityRequest.newBuilder()
                .setPeeringService("peeringServices/contoso-web")
                .setTimeRange(range(NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(1))))
                .setTimeGrain(TimeGrain.TIME_GRAIN_PT5M)).build();
        return ch -> stub(ch).queryPeeringServiceAvailability(request);
    }

    static ConnectionSample.Builder sample() {
        return ConnectionSample.newBuilder().setConnection(AMS1).setTime(ts(MARK)).setInOctets(1_000).setOutOctets(2_000);
    }

    static SessionTransitionReport.Builder transition() {
        return SessionTransitionReport.newBuilder().setConnection(AMS1).setSessionAddress("127.0.0.11")
                .setState(SessionState.SESSION_STATE_ESTABLISHED).setTime(ts(MARK));
    }

    static IngestConnectionSamplesResponse ingest(Channel ch, List<IngestConnectionSamplesRequest> messages) {
        return RoleMatrix.clientStream(async(ch)::ingestConnectionSamples, messages);
    }

    static ReportSessionTransitionsResponse report(Channel ch, List<ReportSessionTransitionsRequest> messages) {
        return RoleMatrix.clientStream(async(ch)::reportSessionTransitions, messages);
    }

    /** A stream of one message holding these samples, the first of which is bad. */
    static Function<Channel, Object> samples(ConnectionSample.Builder... samples) {
        IngestConnectionSamplesRequest.Builder m = IngestConnectionSamplesRequest.newBuilder();
        for (ConnectionSample.Builder s : samples) {
            m.addSamples(s);
        }
        IngestConnectionSamplesRequest message = m.build();
        return ch -> ingest(ch, List.of(message));
    }

    static Function<Channel, Object> transitions(SessionTransitionReport.Builder... reports) {
        ReportSessionTransitionsRequest.Builder m = ReportSessionTransitionsRequest.newBuilder();
        for (SessionTransitionReport.Builder r : reports) {
            m.addTransitions(r);
        }
        ReportSessionTransitionsRequest message = m.build();
        return ch -> report(ch, List.of(message));
    }

    /** A stream of only bad items: INVALID_ARGUMENT naming the first one's index and field. */
    static Case refusedStream(String name, String field, String accepts, Function<Channel, Object> call) {
        return invalid(name, field, accepts, call).mentioning("index 0: " + field);
    }

    // ---- cases shared by several RPCs

    static List<Case> timeRange(Function<TimeRange, Function<Channel, Object>> with) {
        Instant hourAgo = NOW.minus(Duration.ofHours(1));
        return List.of(
                invalid("time_range missing", "time_range", "start_time", with.apply(null)),
                invalid("time_range reversed", "time_range", "after start_time", with.apply(range(hourAgo, hourAgo.minusSeconds(600)))),
                invalid("time_range empty", "time_range", "after start_time", with.apply(range(hourAgo, hourAgo))),
                invalid("time_range without end_time", "end_time", "end_time",
                        with.apply(TimeRange.newBuilder().setStartTime(ts(hourAgo)).build())),
                invalid("time_range ending in the future", "end_time", "current time",
                        with.apply(range(hourAgo, NOW.plus(Duration.ofHours(1))))),
                invalid("time_range over 366 days", "time_range", "366 days",
                        with.apply(range(hourAgo.minus(Duration.ofDays(400)), hourAgo))),
                invalid("start_time not a Timestamp (seconds 2^63-1)", "start_time", "9999-12-31",
                        with.apply(TimeRange.newBuilder().setStartTime(NOT_A_TIMESTAMP).setEndTime(ts(hourAgo)).build())),
                invalid("end_time not a Timestamp (nanos -1)", "end_time", "999999999",
                        with.apply(TimeRange.newBuilder().setStartTime(ts(hourAgo.minusSeconds(600)))
                                .setEndTime(ts(hourAgo).toBuilder().setNanos(-1)).build())));
    }

    static List<Case> timeGrain(Function<Integer, Function<Channel, Object>> with) {
        return List.of(
                invalid("time_grain missing", "time_grain", "PT5M", with.apply(0)),
                invalid("time_grain unknown enum value 99", "time_grain", "PT5M", with.apply(99)));
    }

    @SafeVarargs
    static Case[] cases(List<Case>... groups) {
        List<Case> all = new ArrayList<>();
        for (List<Case> g : groups) {
            all.addAll(g);
        }
        return all.toArray(Case[]::new);
    }

    @Test
    void everyMetricsRpcRefusesMalformedInputWithInvalidArgumentNamingTheFieldAndStoresNothing() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        String connectionName = "peerings/{peering}/connections/{connection}";
        MalformedInputMatrix.run(port, List.of(
                rpc("ListMetricDefinitions",
                        tooLarge("message over 4 MiB", ch -> stub(ch).listMetricDefinitions(ListMetricDefinitionsRequest.newBuilder()
                                .setUnknownFields(MalformedInputMatrix.oversize()).build()))),
                rpc("QueryConnectionMetrics", cases(
                        List.of(
                                invalid("resource missing", "resource", connectionName, query(b -> b.setResource(""))),
                                invalid("resource not a resource name", "resource", connectionName, query(b -> b.setResource("ams-1"))),
                                invalid("resource of another kind", "resource", connectionName,
                                        query(b -> b.setResource("peeringServices/contoso-web"))),
                                invalid("resource a registered ASN", "resource", connectionName,
                                        query(b -> b.setResource("peerings/contoso-ams/registeredAsns/contoso"))),
                                invalid("metrics empty", "metrics", "SessionAvailabilityV4", query(b -> b.clearMetrics())),
                                invalid("metrics unknown name", "metrics", "SessionAvailabilityV4", query(b -> b.addMetrics("Latency"))),
                                invalid("metrics empty name", "metrics", "SessionAvailabilityV4", query(b -> b.addMetrics(""))),
                                invalid("split_by_session_ip with a rate metric", "split_by_session_ip", "SessionAvailability",
                                        query(b -> b.clearMetrics().addMetrics("IngressTrafficRate").setSplitBySessionIp(true))),
                                invalid("split_by_session_ip with a rate beside a session metric", "split_by_session_ip",
                                        "FlapCounts", query(b -> b.addMetrics("PacketDropRate").setSplitBySessionIp(true)))),
                        timeRange(r -> query(b -> r == null ? b.clearTimeRange() : b.setTimeRange(r))),
                        timeGrain(g -> query(b -> b.setTimeGrainValue(g))),
                        List.of(
                                invalid("time_grain too fine for the range", "time_grain", "limit of 10000",
                                        query(b -> b.setTimeGrain(TimeGrain.TIME_GRAIN_PT1M)
                                                .setTimeRange(range(NOW.minus(Duration.ofDays(30)), NOW)))),
                                invalid("aggregation unknown enum value 99", "aggregation", "AGGREGATION_AVERAGE",
                                        query(b -> b.setAggregationValue(99))),
                                invalid("aggregation not offered for the metric", "aggregation", "it offers",
                                        query(b -> b.setAggregation(Aggregation.AGGREGATION_SUM)))))),
                rpc("QueryPeeringServiceAvailability", cases(
                        List.of(
                                invalid("peering_service missing", "peering_service", "peeringServices/{peering_service}",
                                        availability(b -> b.setPeeringService(""))),
                                invalid("peering_service not a resource name", "peering_service", "peeringServices/{peering_service}",
                                        availability(b -> b.setPeeringService("contoso-web"))),
                                invalid("peering_service resource of another kind", "peering_service",
                                        "peeringServices/{peering_service}", availability(b -> b.setPeeringService("peerings/contoso-ams")))),
                        timeRange(r -> availability(b -> r == null ? b.clearTimeRange() : b.setTimeRange(r))),
                        timeGrain(g -> availability(b -> b.setTimeGrainValue(g))),
                        List.of(invalid("address_family unknown enum value 99", "address_family", "ADDRESS_FAMILY_IPV4",
                                availability(b -> b.setAddressFamilyValue(99)))))),
                rpc("IngestConnectionSamples",
                        refusedStream("connection missing", "connection", connectionName, samples(sample().setConnection(""))),
                        refusedStream("connection not a resource name", "connection", connectionName,
                                samples(sample().setConnection("ams-1"))),
                        refusedStream("connection resource of another kind", "connection", connectionName,
                                samples(sample().setConnection("peerings/contoso-ams"))),
                        refusedStream("connection not in the inventory", "connection", "not in the inventory",
                                samples(sample().setConnection("peerings/contoso-ams/connections/ams-9"))),
                        refusedStream("time missing", "time", "device time", samples(sample().clearTime())),
                        refusedStream("time in the future", "time", "now is", samples(sample().setTime(ts(NOW.plus(Duration.ofHours(1)))))),
                        refusedStream("time older than the retention period (P90D)", "time", "retention period",
                                samples(sample().setTime(ts(NOW.minus(Duration.ofDays(100)))))),
                        refusedStream("time not a Timestamp (seconds 2^63-1)", "time", "9999-12-31",
                                samples(sample().setTime(NOT_A_TIMESTAMP))),
                        refusedStream("session_address not an address", "session_address", "IPv4 or IPv6",
                                samples(sample().setSessionAddress("ams-1.example"))),
                        refusedStream("session_address of another connection", "session_address", "127.0.0.11",
                                samples(sample().setSessionAddress("127.0.0.12"))),
                        refusedStream("three bad samples: the first is named", "time", "device time",
                                samples(sample().clearTime(), sample().setConnection(""), sample().setSessionAddress("x")))
                                .mentioning("3 of 3"),
                        tooLarge("message over 4 MiB", ch -> ingest(ch, List.of(IngestConnectionSamplesRequest.newBuilder()
                                .addSamples(sample()).setUnknownFields(MalformedInputMatrix.oversize()).build())))),
                rpc("ReportSessionTransitions",
                        refusedStream("connection missing", "connection", connectionName, transitions(transition().setConnection(""))),
                        refusedStream("connection not a resource name", "connection", connectionName,
                                transitions(transition().setConnection("ams-1"))),
                        refusedStream("connection resource of another kind", "connection", connectionName,
                                transitions(transition().setConnection("peeringServices/contoso-web"))),
                        refusedStream("connection not in the inventory", "connection", "not in the inventory",
                                transitions(transition().setConnection("peerings/contoso-ams/connections/ams-9"))),
                        refusedStream("session_address missing", "session_address", "127.0.0.11",
                                transitions(transition().setSessionAddress(""))),
                        refusedStream("session_address not an address", "session_address", "IPv4 or IPv6",
                                transitions(transition().setSessionAddress("not-an-address"))),
                        refusedStream("session_address of another connection", "session_address", "127.0.0.11",
                                transitions(transition().setSessionAddress("127.0.0.21"))),
                        refusedStream("state missing", "state", "SESSION_STATE_ESTABLISHED",
                                transitions(transition().setState(SessionState.SESSION_STATE_UNSPECIFIED))),
                        refusedStream("state unknown enum value 99", "state", "SESSION_STATE_ESTABLISHED",
                                transitions(transition().setStateValue(99))),
                        refusedStream("time missing", "time", "device time", transitions(transition().clearTime())),
                        refusedStream("time in the future", "time", "now is",
                                transitions(transition().setTime(ts(NOW.plus(Duration.ofHours(1)))))),
                        refusedStream("time older than the retention period (P90D)", "time", "retention period",
                                transitions(transition().setTime(ts(NOW.minus(Duration.ofDays(100)))))),
                        refusedStream("time not a Timestamp (seconds 2^63-1)", "time", "9999-12-31",
                                transitions(transition().setTime(NOT_A_TIMESTAMP))))),
                RoleMatrix.methodsOf(MetricsServiceGrpc.getServiceDescriptor()));

        assertThat(rowsAt("connection_samples", MARK)).as("samples stored from the malformed streams").isZero();
        assertThat(rowsAt("session_transitions", MARK)).as("transitions stored from the malformed streams").isZero();
    }

    @Test
    void aStreamWithGoodItemsStoresThemAndRefusesEachBadOneWithItsIndexAndField() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        io.grpc.ManagedChannel channel = io.grpc.ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            IngestConnectionSamplesResponse samples = ingest(channel, List.of(
                    IngestConnectionSamplesRequest.newBuilder()
                            .addSamples(sample().setConnection("ams-1").setTime(ts(MIXED)))
                            .addSamples(sample().setTime(ts(MIXED))) // good
                            .addSamples(sample().setTime(ts(NOW.plus(Duration.ofDays(1))))).build(),
                    IngestConnectionSamplesRequest.newBuilder()
                            .addSamples(sample().setTime(ts(MIXED)).setSessionAddress("not-an-address"))
                            .addSamples(sample().clearTime()).build()));

            assertThat(samples.getAccepted()).isEqualTo(1);
            assertThat(samples.getRejected()).isEqualTo(4);
            assertThat(samples.getRejectionsList()).extracting(Rejection::getIndex).containsExactly(0L, 2L, 3L, 4L);
            assertThat(samples.getRejectionsList()).extracting(Rejection::getReason).satisfiesExactly(
                    r -> assertThat(r).startsWith("connection").contains("peerings/{peering}/connections/{connection}"),
                    r -> assertThat(r).startsWith("time").contains("in the future"),
                    r -> assertThat(r).startsWith("session_address").contains("IPv4 or IPv6"),
                    r -> assertThat(r).startsWith("time").contains("required"));
            assertThat(rowsAt("connection_samples", MIXED)).isEqualTo(1);

            ReportSessionTransitionsResponse transitions = report(channel, List.of(ReportSessionTransitionsRequest.newBuilder()
                    .addTransitions(transition().setTime(ts(MIXED)).setStateValue(99))
                    .addTransitions(transition().setTime(ts(MIXED)))  // good
                    .addTransitions(transition().setTime(ts(MIXED)).setConnection("peerings/contoso-ams")).build()));

            assertThat(transitions.getAccepted()).isEqualTo(1);
            assertThat(transitions.getRejectionsList()).extracting(r -> r.getIndex() + " " + r.getReason()).satisfiesExactly(
                    r -> assertThat(r).startsWith("0 state").contains("SESSION_STATE_ESTABLISHED"),
                    r -> assertThat(r).startsWith("2 connection").contains("peerings/{peering}/connections/{connection}"));
            assertThat(rowsAt("session_transitions", MIXED)).isEqualTo(1);
        } finally {
            channel.shutdownNow();
        }
    }
}
