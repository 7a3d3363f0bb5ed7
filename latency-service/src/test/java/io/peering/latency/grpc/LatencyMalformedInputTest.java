package io.peering.latency.grpc;

import com.google.protobuf.Timestamp;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.peering.common.v1.TimeGrain;
import io.peering.common.v1.TimeRange;
import io.peering.latency.v1.IngestLatencySamplesRequest;
import io.peering.latency.v1.IngestLatencySamplesResponse;
import io.peering.latency.v1.LatencySample;
import io.peering.latency.v1.LatencyServiceGrpc;
import io.peering.latency.v1.QueryConnectivityProbesRequest;
import io.peering.latency.v1.QueryPrefixLatencyRequest;
import io.peering.latency.v1.QueryRegisteredAsnLatencyRequest;
import io.peering.latency.v1.QueryRegisteredPrefixLatencyRequest;
import io.peering.latency.v1.SampleRejection;
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
 * Every latency RPC with every kind of malformed field its request has: each is refused with
 * INVALID_ARGUMENT naming the field and what it accepts (a message over 4 MiB with RESOURCE_EXHAUSTED),
 * and nothing of it is stored.
 *
 * <p>The rule for IngestLatencySamples: each sample is checked on its own. A stream in which at
 * least one sample is good is answered OK, the good samples stored and each bad one refused in the
 * reply with its index in the stream and a reason that starts with the field. A stream in which
 * every sample is bad stores nothing and ends with INVALID_ARGUMENT naming the first bad sample's
 * index and field.
 */
@QuarkusTest
class LatencyMalformedInputTest {

    static final String TARGET = "198.51.100.77";
    static final Instant NOW = Instant.now();
    /** The time of every otherwise good sample the matrix sends: no row may ever carry it. */
    static final Instant MARK = NOW.minus(Duration.ofDays(3)).truncatedTo(ChronoUnit.SECONDS).plusNanos(654_321_000);
    /** The time of the mixed stream's samples. */
    static final Instant MIXED = MARK.plusSeconds(7);
    static final Timestamp NOT_A_TIMESTAMP = Timestamp.newBuilder().setSeconds(Long.MAX_VALUE).build();

    @Inject
    Pool pool;

    @AfterEach
    void removeTheMixedStreamsGoodSamples() {
        pool.preparedQuery("DELETE FROM latency.samples WHERE time = $1").execute(Tuple.of(utc(MIXED)))
                .await().atMost(Duration.ofSeconds(10));
    }

    static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

    long samplesAt(Instant time) {
        return pool.preparedQuery("SELECT count(*) FROM latency.samples WHERE time = $1").execute(Tuple.of(utc(time)))
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    static TimeRange range(Instant start, Instant end) {
        return TimeRange.newBuilder().setStartTime(ts(start)).setEndTime(ts(end)).build();
    }

    static LatencyServiceGrpc.LatencyServiceBlockingStub stub(Channel ch) {
        return LatencyServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    // ---- valid requests, each case changes one field

    static Function<Channel, Object> prefixLatency(UnaryOperator<QueryPrefixLatencyRequest.Builder> change) {
        QueryPrefixLatencyRequest request = change.apply(QueryPrefixLatencyRequest.newBuilder().setPrefix("198.51.100.0/24")
                .setTimeRange(range(NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(1))))
                .setTimeGrain(TimeGrain.TIME_GRAIN_PT5M)).build();
        return ch -> stub(ch).queryPrefixLatency(request);
    }

    static Function<Channel, Object> registeredPrefixes(UnaryOperator<QueryRegisteredPrefixLatencyRequest.Builder> change) {
        QueryRegisteredPrefixLatencyRequest request = change.apply(QueryRegisteredPrefixLatencyRequest.newBuilder()
                .setParent("peerings/contoso-ams").setTimeRange(range(NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(1))))
                .setTimeGrain(TimeGrain.TIME_GRAIN_PT5M)).build();
        return ch -> stub(ch).queryRegisteredPrefixLatency(request);
    }

    static Function<Channel, Object> registeredAsn(UnaryOperator<QueryRegisteredAsnLatencyRequest.Builder> change) {
        QueryRegisteredAsnLatencyRequest request = change.apply(QueryRegisteredAsnLatencyRequest.newBuilder()
                .setName("peerings/contoso-ams/registeredAsns/contoso")
                .setTimeRange(range(NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(1))))
                .setTimeGrain(TimeGrain.TIME_GRAIN_PT5M)).build();
        return ch -> stub(ch).queryRegisteredAsnLatency(request);
    }

    static Function<Channel, Object> probes(UnaryOperator<QueryConnectivityProbesRequest.Builder> change) {
        QueryConnectivityProbesRequest request = change.apply(QueryConnectivityProbesRequest.newBuilder()
                .setParent("peerings/contoso-ams").setTimeRange(range(NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(1))))
                .setTimeGrain(TimeGrain.TIME_GRAIN_PT5M).addMetrics("ConnectivityProbeLatency")).build();
        return ch -> stub(ch).queryConnectivityProbes(request);
    }

    static LatencySample.Builder sample() {
        return LatencySample.newBuilder().setTarget(TARGET).setTime(ts(MARK)).setRttMs(12.5).setProbeLocation("malformed-input");
    }

    static IngestLatencySamplesResponse ingest(Channel ch, List<IngestLatencySamplesRequest> messages) {
        return RoleMatrix.clientStream(LatencyServiceGrpc.newStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)::ingestLatencySamples,
                messages);
    }

    /** A stream of one message holding these samples. */
    static Function<Channel, Object> samples(LatencySample.Builder... samples) {
        IngestLatencySamplesRequest.Builder m = IngestLatencySamplesRequest.newBuilder();
        for (LatencySample.Builder s : samples) {
            m.addSamples(s);
        }
        IngestLatencySamplesRequest message = m.build();
        return ch -> ingest(ch, List.of(message));
    }

    /** A stream of only bad samples: INVALID_ARGUMENT naming the first one's index and field. */
    static Case refusedStream(String name, String field, String accepts, Function<Channel, Object> call) {
        return invalid(name, field, accepts, call).mentioning("index 0: " + field);
    }

    // ---- cases shared by several RPCs

    static List<Case> prefix(String field, Function<String, Function<Channel, Object>> with) {
        return List.of(
                invalid(field + " missing", field, "198.51.100.0/24", with.apply("")),
                invalid(field + " 10.0.0.0/33", field, "0..32", with.apply("10.0.0.0/33")),
                invalid(field + " not-a-prefix", field, "IPv4 or IPv6", with.apply("not-a-prefix")),
                invalid(field + " host name", field, "IPv4 or IPv6", with.apply("example.com")),
                invalid(field + " host bits set", field, "did you mean 198.51.100.0/24", with.apply("198.51.100.1/24")));
    }

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

    static List<Case> timeGrain(Function<TimeGrain, Function<Channel, Object>> grain, Function<Channel, Object> tooFine) {
        return List.of(
                invalid("time_grain missing", "time_grain", "PT5M", grain.apply(TimeGrain.TIME_GRAIN_UNSPECIFIED)),
                invalid("time_grain unknown enum value 99", "time_grain", "PT5M", grain.apply(TimeGrain.UNRECOGNIZED)),
                invalid("time_grain too fine for the range", "time_grain", "limit of 10000", tooFine));
    }

    /** A resource-name field: missing, not a name, and names of other kinds (label, name, label, name, ...). */
    static List<Case> name(String field, String accepts, Function<String, Function<Channel, Object>> with, String... otherKinds) {
        List<Case> cases = new ArrayList<>(List.of(
                invalid(field + " missing", field, accepts, with.apply("")),
                invalid(field + " not a resource name", field, accepts, with.apply("contoso-ams"))));
        for (int i = 0; i < otherKinds.length; i += 2) {
            cases.add(invalid(field + " " + otherKinds[i], field, accepts, with.apply(otherKinds[i + 1])));
        }
        return cases;
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
    void everyLatencyRpcRefusesMalformedInputWithInvalidArgumentNamingTheFieldAndStoresNothing() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        TimeRange month = range(NOW.minus(Duration.ofDays(30)), NOW);
        MalformedInputMatrix.run(port, List.of(
                rpc("IngestLatencySamples",
                        refusedStream("target missing", "target", "192.0.2.0/24", samples(sample().setTarget(""))),
                        refusedStream("target not-a-prefix", "target", "IPv4 or IPv6", samples(sample().setTarget("not-a-prefix"))),
                        refusedStream("target host name", "target", "IPv4 or IPv6", samples(sample().setTarget("example.com"))),
                        refusedStream("target 10.0.0.0/33", "target", "0..32", samples(sample().setTarget("10.0.0.0/33"))),
                        refusedStream("target host bits set", "target", "did you mean 198.51.100.0/24",
                                samples(sample().setTarget("198.51.100.7/24"))),
                        refusedStream("rtt_ms negative", "rtt_ms", "0..60000", samples(sample().setRttMs(-1))),
                        refusedStream("rtt_ms NaN", "rtt_ms", "0..60000", samples(sample().setRttMs(Double.NaN))),
                        refusedStream("rtt_ms over a minute", "rtt_ms", "0..60000", samples(sample().setRttMs(60_001))),
                        refusedStream("time missing", "time", "when the sample was measured", samples(sample().clearTime())),
                        refusedStream("time in the future", "time", "now is", samples(sample().setTime(ts(NOW.plus(Duration.ofHours(1)))))),
                        refusedStream("time older than retention", "time", "retention period",
                                samples(sample().setTime(ts(NOW.minus(Duration.ofDays(400)))))),
                        refusedStream("time not a Timestamp (seconds 2^63-1)", "time", "9999-12-31",
                                samples(sample().setTime(NOT_A_TIMESTAMP))),
                        refusedStream("three bad samples: the first is named", "rtt_ms", "0..60000",
                                samples(sample().setRttMs(-5), sample().setTarget("x"), sample().clearTime())).mentioning("3 of 3"),
                        tooLarge("message over 4 MiB", ch -> ingest(ch, List.of(IngestLatencySamplesRequest.newBuilder()
                                .addSamples(sample()).setUnknownFields(MalformedInputMatrix.oversize()).build())))),
                rpc("QueryPrefixLatency", cases(
                        prefix("prefix", p -> prefixLatency(b -> b.setPrefix(p))),
                        timeRange(r -> prefixLatency(b -> r == null ? b.clearTimeRange() : b.setTimeRange(r))),
                        timeGrain(g -> prefixLatency(b -> g == TimeGrain.UNRECOGNIZED ? b.setTimeGrainValue(99) : b.setTimeGrain(g)),
                                prefixLatency(b -> b.setTimeRange(month).setTimeGrain(TimeGrain.TIME_GRAIN_PT1M))))),
                rpc("QueryRegisteredPrefixLatency", cases(
                        name("parent", "peerings/{peering}", p -> registeredPrefixes(b -> b.setParent(p)),
                                "a peering service", "peeringServices/contoso-web",
                                "a registered prefix", "peerings/contoso-ams/registeredPrefixes/contoso-web"),
                        timeRange(r -> registeredPrefixes(b -> r == null ? b.clearTimeRange() : b.setTimeRange(r))),
                        timeGrain(g -> registeredPrefixes(b -> g == TimeGrain.UNRECOGNIZED ? b.setTimeGrainValue(99) : b.setTimeGrain(g)),
                                registeredPrefixes(b -> b.setTimeRange(month).setTimeGrain(TimeGrain.TIME_GRAIN_PT1M))))),
                rpc("QueryRegisteredAsnLatency", cases(
                        name("name", "peerings/{peering}/registeredAsns/{registered_asn}", n -> registeredAsn(b -> b.setName(n)),
                                "a peering", "peerings/contoso-ams",
                                "a registered prefix", "peerings/contoso-ams/registeredPrefixes/contoso-web",
                                "with an extra segment", "peerings/contoso-ams/registeredAsns/contoso/extra"),
                        timeRange(r -> registeredAsn(b -> r == null ? b.clearTimeRange() : b.setTimeRange(r))),
                        timeGrain(g -> registeredAsn(b -> g == TimeGrain.UNRECOGNIZED ? b.setTimeGrainValue(99) : b.setTimeGrain(g)),
                                registeredAsn(b -> b.setTimeRange(month).setTimeGrain(TimeGrain.TIME_GRAIN_PT1M))))),
                rpc("QueryConnectivityProbes", cases(
                        name("parent", "peerings/{peering}", p -> probes(b -> b.setParent(p)),
                                "a peering service", "peeringServices/contoso-web"),
                        List.of(invalid("probe with a slash", "probe", "probe endpoint's name",
                                        probes(b -> b.setProbe("peerings/contoso-ams/x"))),
                                invalid("metrics missing", "metrics", "ConnectivityProbeAvailability", probes(b -> b.clearMetrics())),
                                invalid("metrics unknown", "metrics", "ConnectivityProbeJitter",
                                        probes(b -> b.addMetrics("RegisteredPrefixLatency")))),
                        timeRange(r -> probes(b -> r == null ? b.clearTimeRange() : b.setTimeRange(r))),
                        timeGrain(g -> probes(b -> g == TimeGrain.UNRECOGNIZED ? b.setTimeGrainValue(99) : b.setTimeGrain(g)),
                                probes(b -> b.setTimeRange(month).setTimeGrain(TimeGrain.TIME_GRAIN_PT1M)))))),
                RoleMatrix.methodsOf(LatencyServiceGrpc.getServiceDescriptor()));

        assertThat(samplesAt(MARK)).as("samples stored from the malformed streams").isZero();
    }

    @Test
    void aStreamWithGoodSamplesStoresThemAndRefusesEachBadOneWithItsIndexAndField() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            IngestLatencySamplesResponse reply = ingest(channel, List.of(
                    IngestLatencySamplesRequest.newBuilder()
                            .addSamples(sample().setTime(ts(MIXED)).setTarget("198.51.100.0/33"))
                            .addSamples(sample().setTime(ts(MIXED))) // good
                            .addSamples(sample().setTime(NOT_A_TIMESTAMP)).build(),
                    IngestLatencySamplesRequest.newBuilder()
                            .addSamples(sample().setTime(ts(MIXED)).setRttMs(Double.POSITIVE_INFINITY)).build()));

            assertThat(reply.getAccepted()).isEqualTo(1);
            assertThat(reply.getRejected()).isEqualTo(3);
            assertThat(reply.getRejectionsList()).extracting(r -> r.getIndex() + " " + r.getReason()).satisfiesExactly(
                    r -> assertThat(r).startsWith("0 target").contains("0..32"),
                    r -> assertThat(r).startsWith("2 time").contains("9999-12-31"),
                    r -> assertThat(r).startsWith("3 rtt_ms").contains("0..60000"));
            assertThat(reply.getRejectionsList()).extracting(SampleRejection::getIndex).containsExactly(0L, 2L, 3L);
            assertThat(samplesAt(MIXED)).isEqualTo(1);
        } finally {
            channel.shutdownNow();
        }
    }
}
