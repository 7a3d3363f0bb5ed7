package io.peering.latency.grpc;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.peering.common.v1.TimeGrain;
import io.peering.common.v1.TimeRange;
import io.peering.common.v1.TimeSeriesPoint;
import io.peering.latency.v1.IngestLatencySamplesRequest;
import io.peering.latency.v1.IngestLatencySamplesResponse;
import io.peering.latency.v1.LatencyPoint;
import io.peering.latency.v1.LatencySample;
import io.peering.latency.v1.LatencyServiceGrpc;
import io.peering.latency.v1.QueryPrefixLatencyRequest;
import io.peering.latency.v1.QueryPrefixLatencyResponse;
import io.peering.latency.v1.QueryRegisteredAsnLatencyRequest;
import io.peering.latency.v1.QueryRegisteredAsnLatencyResponse;
import io.peering.latency.v1.QueryRegisteredPrefixLatencyRequest;
import io.peering.latency.v1.QueryRegisteredPrefixLatencyResponse;
import io.peering.latency.v1.RegisteredPrefixLatency;
import io.peering.latency.v1.SampleRejection;
import io.quarkus.test.junit.QuarkusTest;
import io.peering.latency.repository.SampleStore;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The latency API over a real gRPC channel and the real database, with statistics computed by
 * hand. Percentiles are percentile_cont's: position f * (n - 1) in the sorted values, linear
 * interpolation between the two closest ranks.
 */
@QuarkusTest
class LatencyApiTest {

    static final double EPS = 1e-9;
    /** A whole hour two days ago: every sample of a test lies in the hours after it. */
    static final Instant HOUR = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(48));

    @Inject
    Pool pool;

    @Inject
    SampleStore store;

    ManagedChannel channel;
    LatencyServiceGrpc.LatencyServiceBlockingStub latency;

    @BeforeEach
    void setUp() {
        pool.query("TRUNCATE latency.samples, latency.hourly, latency.prefix_hourly, latency.prefix_minutes, latency.prefix_buckets, latency.asn_rollup").execute().await().atMost(Duration.ofSeconds(10));
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        latency = LatencyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    static LatencySample sample(String target, Instant time, double rtt) {
        return sample(target, time, rtt, 0);
    }

    static LatencySample sample(String target, Instant time, double rtt, long originAsn) {
        return LatencySample.newBuilder().setTarget(target).setTime(ts(time)).setRttMs(rtt).setProbeLocation("ams")
                .setOriginAsn((int) originAsn).build();
    }

    static Instant at(int hours, int minutes) {
        return HOUR.plus(Duration.ofHours(hours)).plus(Duration.ofMinutes(minutes));
    }

    /** Streams the messages (each a list of samples) and returns the reply. */
    IngestLatencySamplesResponse ingest(List<List<LatencySample>> messages) throws Exception {
        CompletableFuture<IngestLatencySamplesResponse> reply = new CompletableFuture<>();
        StreamObserver<IngestLatencySamplesRequest> requests = LatencyServiceGrpc.newStub(channel)
                .withDeadlineAfter(60, TimeUnit.SECONDS).ingestLatencySamples(new StreamObserver<>() {
                    @Override
                    public void onNext(IngestLatencySamplesResponse value) {
                        reply.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        reply.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        reply.complete(null);
                    }
                });
        for (List<LatencySample> message : messages) {
            requests.onNext(IngestLatencySamplesRequest.newBuilder().addAllSamples(message).build());
        }
        requests.onCompleted();
        return reply.get(60, TimeUnit.SECONDS);
    }

    IngestLatencySamplesResponse ingest(LatencySample... samples) throws Exception {
        IngestLatencySamplesResponse reply = ingest(List.of(Arrays.asList(samples)));
        assertThat(reply.getRejectionsList()).isEmpty();
        return reply;
    }

    static TimeRange range(Instant start, Instant end) {
        return TimeRange.newBuilder().setStartTime(ts(start)).setEndTime(ts(end)).build();
    }

    QueryPrefixLatencyResponse query(String prefix, Instant start, Instant end, TimeGrain grain) {
        return latency.queryPrefixLatency(QueryPrefixLatencyRequest.newBuilder().setPrefix(prefix)
                .setTimeRange(range(start, end)).setTimeGrain(grain).build());
    }

    /** Hourly over the test's hours: whole hours, so answered from the rollup. */
    QueryPrefixLatencyResponse hourly(String prefix) {
        return query(prefix, HOUR, HOUR.plus(Duration.ofHours(6)), TimeGrain.TIME_GRAIN_PT1H);
    }

    /** The same buckets from a range starting a second later: not whole hours, so answered from the raw samples. */
    QueryPrefixLatencyResponse hourlyFromRawSamples(String prefix) {
        return query(prefix, HOUR.plusSeconds(1), HOUR.plus(Duration.ofHours(6)), TimeGrain.TIME_GRAIN_PT1H);
    }

    static void assertPoint(LatencyPoint p, Instant bucket, double median, double p90, double p99, double min, double max,
                            long count) {
        assertThat(p.getTime()).isEqualTo(ts(bucket));
        assertThat(p.getMedianMs()).as("median").isCloseTo(median, within(EPS));
        assertThat(p.getP90Ms()).as("p90").isCloseTo(p90, within(EPS));
        assertThat(p.getP99Ms()).as("p99").isCloseTo(p99, within(EPS));
        assertThat(p.getMinMs()).as("min").isEqualTo(min);
        assertThat(p.getMaxMs()).as("max").isEqualTo(max);
        assertThat(p.getSampleCount()).as("count").isEqualTo(count);
    }

    @Test
    void evenCountMedianIsTheMeanOfTheTwoMiddleSamplesAndEmptyBucketsAreAbsent() throws Exception {
        // hour 1: 40, 10, 30, 20 -> sorted 10 20 30 40; median (20+30)/2 = 25;
        //   p90 at position 0.9*3 = 2.7: 30 + 0.7*(40-30) = 37; p99 at 2.97: 30 + 0.97*10 = 39.7
        // hour 3: 1, 2, 3, 4, 100 -> median 3; p90 at 3.6: 4 + 0.6*96 = 61.6; p99 at 3.96: 4 + 0.96*96 = 96.16
        ingest(sample("198.51.100.7", at(1, 5), 40), sample("198.51.100.7", at(1, 10), 10),
                sample("198.51.100.8", at(1, 15), 30), sample("198.51.100.9", at(1, 59), 20),
                sample("198.51.100.7", at(3, 0), 100), sample("198.51.100.7", at(3, 1), 3),
                sample("198.51.100.7", at(3, 2), 1), sample("198.51.100.7", at(3, 3), 4), sample("198.51.100.7", at(3, 4), 2));

        for (QueryPrefixLatencyResponse response : List.of(hourly("198.51.100.0/24"), hourlyFromRawSamples("198.51.100.0/24"))) {
            assertThat(response.getPrefix()).isEqualTo("198.51.100.0/24");
            assertThat(response.getPointsList()).hasSize(2);
            assertPoint(response.getPoints(0), at(1, 0), 25, 37, 39.7, 10, 40, 4);
            assertPoint(response.getPoints(1), at(3, 0), 3, 61.6, 96.16, 1, 100, 5);
        }
    }

    @Test
    void oneSampleIsItsOwnMedianAndEveryPercentile() throws Exception {
        ingest(sample("203.0.113.5", at(2, 30), 42.5));

        for (QueryPrefixLatencyResponse response : List.of(hourly("203.0.113.0/24"), hourlyFromRawSamples("203.0.113.0/24"),
                query("203.0.113.0/24", at(2, 0), at(3, 0), TimeGrain.TIME_GRAIN_PT1M))) {
            assertThat(response.getPointsList()).hasSize(1);
            LatencyPoint p = response.getPoints(0);
            assertThat(p.getTime()).isIn(ts(at(2, 0)), ts(at(2, 30)));
            assertPoint(p, Instant.ofEpochSecond(p.getTime().getSeconds()), 42.5, 42.5, 42.5, 42.5, 42.5, 1);
        }
    }

    @Test
    void a26AndA30AndAnAddressAreReportedAtTheirSlash24() throws Exception {
        // 10, 20, 60 in 192.0.2.0/24 -> median 20; p90 at 1.8: 20 + 0.8*40 = 52; p99 at 1.98: 20 + 0.98*40 = 59.2
        ingest(sample("192.0.2.64/26", at(1, 0), 10), sample("192.0.2.8/30", at(1, 1), 20), sample("192.0.2.200", at(1, 2), 60),
                sample("192.0.3.1", at(1, 3), 999)); // the next /24: not included

        for (String asked : List.of("192.0.2.0/24", "192.0.2.64/26", "192.0.2.8/30", "192.0.2.77")) {
            QueryPrefixLatencyResponse response = hourly(asked);
            assertThat(response.getPrefix()).as(asked).isEqualTo("192.0.2.0/24");
            assertThat(response.getPointsList()).as(asked).hasSize(1);
            assertPoint(response.getPoints(0), at(1, 0), 20, 52, 59.2, 10, 60, 3);
        }
        assertThat(pool.query("SELECT DISTINCT prefix::text FROM latency.samples WHERE prefix <<= '192.0.2.0/23' ORDER BY 1")
                .execute().await().atMost(Duration.ofSeconds(10)).iterator().next().getString(0)).isEqualTo("192.0.2.0/24");
    }

    @Test
    void ipv6SixtyFoursAreReportedAtTheirSlash48() throws Exception {
        // 5, 7 in 2001:db8:1::/48 -> median 6; p90 at 0.9: 5 + 0.9*2 = 6.8; p99 at 0.99: 5 + 0.99*2 = 6.98
        ingest(sample("2001:db8:1:2::/64", at(4, 0), 5), sample("2001:db8:1:ffff::1", at(4, 10), 7),
                sample("2001:db8:2::1", at(4, 20), 500));

        for (QueryPrefixLatencyResponse response : List.of(hourly("2001:db8:1:2::/64"), hourlyFromRawSamples("2001:db8:1::/48"))) {
            assertThat(response.getPrefix()).isEqualTo("2001:db8:1::/48");
            assertThat(response.getPointsList()).hasSize(1);
            assertPoint(response.getPoints(0), at(4, 0), 6, 6.8, 6.98, 5, 7, 2);
        }
    }

    @Test
    void aShorterPrefixCoversEverySampleInsideItAcrossHoursOfADay() throws Exception {
        // 10.20.1.0/24: 1, 2 (hour 1); 10.20.2.0/24: 3 (hour 2); 10.20.3.0/24: 10 (hour 2); outside: 10.21.0.1
        ingest(sample("10.20.1.1", at(1, 0), 2), sample("10.20.1.2", at(1, 1), 1), sample("10.20.2.1", at(2, 0), 3),
                sample("10.20.3.0/24", at(2, 5), 10), sample("10.21.0.1", at(2, 6), 1000));

        // hourly: hour 1 -> 1, 2: median 1.5, p90 1.9, p99 1.99; hour 2 -> 3, 10: median 6.5, p90 9.3, p99 9.93
        for (QueryPrefixLatencyResponse r : List.of(hourly("10.20.0.0/16"), hourlyFromRawSamples("10.20.0.0/16"))) {
            assertThat(r.getPrefix()).isEqualTo("10.20.0.0/16");
            assertThat(r.getPointsList()).hasSize(2);
            assertPoint(r.getPoints(0), at(1, 0), 1.5, 1.9, 1.99, 1, 2, 2);
            assertPoint(r.getPoints(1), at(2, 0), 6.5, 9.3, 9.93, 3, 10, 2);
        }
        // daily, from the rollup (several rows merged) and from the raw samples: 1, 2, 3, 10 -> median 2.5;
        // p90 at 2.7: 3 + 0.7*7 = 7.9; p99 at 2.97: 3 + 0.97*7 = 9.79
        Instant day = HOUR.truncatedTo(ChronoUnit.DAYS);
        for (Instant start : List.of(day, HOUR.plusSeconds(1))) {
            QueryPrefixLatencyResponse daily = query("10.20.0.0/16", start, day.plus(Duration.ofDays(2)), TimeGrain.TIME_GRAIN_P1D);
            List<Instant> days = daily.getPointsList().stream().map(p -> Instant.ofEpochSecond(p.getTime().getSeconds())).toList();
            if (days.size() == 1) {
                assertPoint(daily.getPoints(0), days.get(0), 2.5, 7.9, 9.79, 1, 10, 4);
            } else { // the test's hours straddle midnight UTC
                assertThat(daily.getPointsList().stream().mapToLong(LatencyPoint::getSampleCount).sum()).isEqualTo(4);
            }
        }
    }

    @Test
    void fiveMinuteBucketsSplitAnHour() throws Exception {
        ingest(sample("198.51.100.1", at(1, 0), 8), sample("198.51.100.1", at(1, 4), 4), sample("198.51.100.1", at(1, 5), 6));

        QueryPrefixLatencyResponse r = query("198.51.100.0/24", at(0, 0), at(2, 0), TimeGrain.TIME_GRAIN_PT5M);

        assertThat(r.getPointsList()).hasSize(2);
        assertPoint(r.getPoints(0), at(1, 0), 6, 7.6, 7.96, 4, 8, 2);
        assertPoint(r.getPoints(1), at(1, 5), 6, 6, 6, 6, 6, 1);
    }

    @Test
    void samplesSpreadOverManyBatchesOfOneStreamAreAllKept() throws Exception {
        // 0, 1, ..., 12000 in one hour, sent as 13 messages and written as 3 batches of at most 5000:
        // median 6000; p90 at 10800: 10800; p99 at 11880: 11880
        List<List<LatencySample>> messages = new ArrayList<>();
        for (int m = 0; m <= 12; m++) {
            List<LatencySample> message = new ArrayList<>();
            for (int i = m * 1000; i < Math.min(12001, (m + 1) * 1000); i++) {
                message.add(sample("10.40.0." + (i % 250), at(5, i % 60), 12000 - i));
            }
            messages.add(message);
        }
        messages.set(12, List.of(messages.get(12).get(0))); // 12000 -> value 0
        IngestLatencySamplesResponse reply = ingest(messages);

        assertThat(reply.getAccepted()).isEqualTo(12001);
        assertThat(reply.getRejected()).isZero();
        // each batch adds a rollup row of its own: several open rows until compaction, exact either way
        assertThat(rollupRows("10.40.0.0/24")).isEqualTo(3);
        for (QueryPrefixLatencyResponse r : List.of(hourly("10.40.0.0/24"), hourlyFromRawSamples("10.40.0.0/24"))) {
            assertPoint(r.getPoints(0), at(5, 0), 6000, 10800, 11880, 0, 12000, 12001);
        }

        assertThat(store.compact().await().atMost(Duration.ofSeconds(30))).isEqualTo(1);

        assertThat(rollupRows("10.40.0.0/24")).as("merged into one").isEqualTo(1);
        assertThat(rollupRowSorted("10.40.0.0/24")).isTrue();
        assertPoint(hourly("10.40.0.0/24").getPoints(0), at(5, 0), 6000, 10800, 11880, 0, 12000, 12001);
    }

    long rollupRows(String prefix) {
        return pool.preparedQuery("SELECT count(*) FROM latency.hourly WHERE prefix = $1::text::cidr").execute(Tuple.of(prefix))
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
    }

    boolean rollupRowSorted(String prefix) {
        return pool.preparedQuery("SELECT sorted FROM latency.hourly WHERE prefix = $1::text::cidr").execute(Tuple.of(prefix))
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getBoolean(0);
    }

    @Test
    void badSamplesAreRefusedWithReasonsAndGoodOnesInTheSameStreamKept() throws Exception {
        Instant now = Instant.now();
        LatencySample good = sample("198.51.100.1", at(1, 0), 10);
        List<LatencySample> first = List.of(
                good,                                                              // 0
                sample("not-an-address", at(1, 0), 10),                            // 1
                sample("example.com", at(1, 0), 10),                               // 2: never resolved
                sample("198.51.100.7/24", at(1, 0), 10),                           // 3: host bits set
                sample("198.51.100.1", at(1, 0), -1),                              // 4
                sample("198.51.100.1", at(1, 0), Double.NaN),                      // 5
                sample("198.51.100.1", at(1, 0), 60000.5),                         // 6
                sample("198.51.100.1", at(1, 0), Double.POSITIVE_INFINITY));       // 7
        List<LatencySample> second = List.of(
                good.toBuilder().clearTime().build(),                              // 8
                sample("198.51.100.1", now.plus(Duration.ofMinutes(5)), 10),       // 9
                sample("198.51.100.1", now.minus(Duration.ofDays(200)), 10),       // 10: older than retention (90 days)
                sample("198.51.100.2", at(1, 1), 30),                              // 11: good
                sample("198.51.100.1", now.plusSeconds(20), 60000));               // 12: good (clock skew allowed, max rtt)

        IngestLatencySamplesResponse reply = ingest(List.of(first, second));

        assertThat(reply.getAccepted()).isEqualTo(3);
        assertThat(reply.getRejected()).isEqualTo(10);
        assertThat(reply.getRejectionsList()).extracting(SampleRejection::getIndex)
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        List<String> reasons = reply.getRejectionsList().stream().map(SampleRejection::getReason).toList();
        assertThat(reasons.get(0)).contains("target").contains("not an IPv4 or IPv6 address");
        assertThat(reasons.get(1)).contains("example.com");
        assertThat(reasons.get(2)).contains("host bits").contains("198.51.100.0/24");
        assertThat(reasons.subList(3, 7)).allSatisfy(r -> assertThat(r).contains("rtt_ms").contains("0..60000"));
        assertThat(reasons.get(7)).contains("time is required");
        assertThat(reasons.get(8)).contains("in the future");
        assertThat(reasons.get(9)).contains("older than the retention period");
        assertPoint(hourly("198.51.100.0/24").getPoints(0), at(1, 0), 20, 28, 29.8, 10, 30, 2);
    }

    @Test
    void onlyTheFirstHundredReasonsAreReturnedButEveryRefusalIsCounted() throws Exception {
        List<LatencySample> bad = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            bad.add(sample("198.51.100.1", at(1, 0), -i - 1));
        }
        IngestLatencySamplesResponse reply = ingest(List.of(bad, List.of(sample("198.51.100.1", at(1, 0), 7))));

        assertThat(reply.getAccepted()).isEqualTo(1);
        assertThat(reply.getRejected()).isEqualTo(150);
        assertThat(reply.getRejectionsList()).hasSize(100);
        assertThat(reply.getRejections(99).getIndex()).isEqualTo(99);
    }

    @Test
    void registeredPrefixesOfAPeeringComeInInventoryOrderWithTheirSeries() throws Exception {
        ingest(sample("198.51.100.9", at(1, 0), 4), sample("198.51.100.10", at(1, 1), 8),
                sample("2001:db8:100:5::1", at(2, 0), 3), sample("203.0.113.1", at(1, 0), 77)); // last: another peering's

        QueryRegisteredPrefixLatencyResponse r = latency.queryRegisteredPrefixLatency(QueryRegisteredPrefixLatencyRequest
                .newBuilder().setParent("peerings/contoso-ams").setTimeRange(range(HOUR, HOUR.plus(Duration.ofHours(6))))
                .setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build());

        assertThat(r.getPrefixesList()).hasSize(2);
        assertThat(r.getPrefixes(0).getName()).isEqualTo("peerings/contoso-ams/registeredPrefixes/contoso-web");
        assertThat(r.getPrefixes(0).getPrefix()).isEqualTo("198.51.100.0/24");
        assertThat(r.getPrefixes(0).getReportedPrefix()).isEqualTo("198.51.100.0/24");
        assertThat(r.getPrefixes(0).getPointsList()).hasSize(1);
        assertPoint(r.getPrefixes(0).getPoints(0), at(1, 0), 6, 7.6, 7.96, 4, 8, 2);
        assertThat(r.getPrefixes(1).getName()).isEqualTo("peerings/contoso-ams/registeredPrefixes/contoso-v6");
        assertThat(r.getPrefixes(1).getReportedPrefix()).isEqualTo("2001:db8:100::/48");
        assertPoint(r.getPrefixes(1).getPoints(0), at(2, 0), 3, 3, 3, 3, 3, 1);
    }

    @Test
    void registeredPrefixAndAsnSeriesCarryTheirAzureMonitorMetricNames() throws Exception {
        ingest(sample("198.51.100.9", at(1, 0), 4, 64500), sample("10.30.1.1", at(1, 0), 12, 4200000001L),
                sample("10.30.2.1", at(1, 0), 20, 4200000001L));

        QueryRegisteredPrefixLatencyResponse prefixes = latency.queryRegisteredPrefixLatency(QueryRegisteredPrefixLatencyRequest
                .newBuilder().setParent("peerings/contoso-ams").setTimeRange(range(HOUR, HOUR.plus(Duration.ofHours(6))))
                .setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build());
        QueryRegisteredAsnLatencyResponse asn = latency.queryRegisteredAsnLatency(QueryRegisteredAsnLatencyRequest.newBuilder()
                .setName("peerings/contoso-ams/registeredAsns/contoso-customer")
                .setTimeRange(range(HOUR, HOUR.plus(Duration.ofHours(6)))).setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build());

        assertThat(prefixes.getPrefixesList()).extracting(RegisteredPrefixLatency::getMetric)
                .containsExactly("RegisteredPrefixLatency", "RegisteredPrefixLatency");
        assertPoint(prefixes.getPrefixes(0).getPoints(0), at(1, 0), 4, 4, 4, 4, 4, 1);
        assertThat(asn.getMetric()).isEqualTo("AverageCustomerPrefixLatency");
        assertThat(asn.getPointsList()).extracting(TimeSeriesPoint::getValue).containsExactly(16.0); // (12 + 20) / 2
    }

    @Test
    void asnLatencyWeighsEachCustomerPrefixEquallyWhateverItsSampleCount() throws Exception {
        long asn = 4200000001L; // peerings/contoso-ams/registeredAsns/contoso-customer
        List<LatencySample> samples = new ArrayList<>();
        for (int i = 0; i < 99; i++) {
            samples.add(sample("10.30.1." + i, at(1, i % 60), 10, asn)); // prefix A: 99 samples of 10 ms
        }
        samples.add(sample("10.30.2.1", at(1, 30), 100, asn));        // prefix B: 1 sample of 100 ms
        samples.add(sample("10.30.1.1", at(2, 0), 12, asn));          // hour 2: only prefix A, median (12+14)/2
        samples.add(sample("10.30.1.2", at(2, 1), 14, asn));
        samples.add(sample("10.30.3.1", at(1, 0), 5000, 64500));      // another origin: not a customer prefix of the ASN
        ingest(samples.toArray(LatencySample[]::new));
        ingest(sample("10.30.1.99", at(1, 59), 10, asn));             // a later stream: A's hour-1 rollup row is now unsorted

        for (Instant start : List.of(HOUR, HOUR.plusSeconds(1))) { // rollup, then raw samples
            QueryRegisteredAsnLatencyResponse r = latency.queryRegisteredAsnLatency(QueryRegisteredAsnLatencyRequest.newBuilder()
                    .setName("peerings/contoso-ams/registeredAsns/contoso-customer")
                    .setTimeRange(range(start, HOUR.plus(Duration.ofHours(6)))).setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build());
            assertThat(r.getPointsList()).as("from " + start).hasSize(2);

            assertThat(r.getAsn()).isEqualTo((int) asn);
            assertThat(Integer.toUnsignedLong(r.getAsn())).isEqualTo(asn);
            assertThat(r.getCustomerPrefixCount()).isEqualTo(2);
            // hour 1: (median A 10 + median B 100) / 2 = 55, not the sample mean 10.9 nor the pooled median 10
            assertThat(r.getPointsList()).extracting(TimeSeriesPoint::getTime).containsExactly(ts(at(1, 0)), ts(at(2, 0)));
            assertThat(r.getPoints(0).getValue()).isCloseTo(55, within(EPS));
            assertThat(r.getPoints(1).getValue()).isCloseTo(13, within(EPS));
        }
    }

    @Test
    void asnLatencyNeedingRoutesServiceWhileItIsDownAnswersUnavailable() throws Exception {
        // a sample without origin in the range: only routes-service can say whether it is a customer prefix;
        // the test profile points the routes client at a closed port
        ingest(sample("10.30.1.1", at(1, 0), 10, 4200000001L), sample("10.30.4.1", at(1, 0), 5000));

        assertStatus(() -> latency.queryRegisteredAsnLatency(QueryRegisteredAsnLatencyRequest.newBuilder()
                        .setName("peerings/contoso-ams/registeredAsns/contoso-customer")
                        .setTimeRange(range(HOUR, HOUR.plus(Duration.ofHours(6)))).setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build()),
                Status.Code.UNAVAILABLE, "routes-service did not answer", "origin_asn");
    }

    @Test
    void asnLatencyOfAnAsnWithoutSamplesIsEmpty() {
        QueryRegisteredAsnLatencyResponse r = latency.queryRegisteredAsnLatency(QueryRegisteredAsnLatencyRequest.newBuilder()
                .setName("peerings/fabrikam-lon/registeredAsns/fabrikam").setTimeRange(range(HOUR, HOUR.plus(Duration.ofHours(6))))
                .setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build());

        assertThat(r.getAsn()).isEqualTo((int) 4200000002L);
        assertThat(r.getPointsList()).isEmpty();
        assertThat(r.getCustomerPrefixCount()).isZero();
    }

    static void assertStatus(ThrowingCallable call, Status.Code code, String... messageParts) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(messageParts);
        });
    }

    @Test
    void queryLimitsAndBadRequestsAnswerWithActionableErrors() {
        Instant now = Instant.now();
        QueryPrefixLatencyRequest ok = QueryPrefixLatencyRequest.newBuilder().setPrefix("198.51.100.0/24")
                .setTimeRange(range(HOUR, HOUR.plus(Duration.ofHours(1)))).setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build();
        assertThat(latency.queryPrefixLatency(ok).getPointsList()).isEmpty();

        assertStatus(() -> latency.queryPrefixLatency(ok.toBuilder().setTimeRange(range(HOUR, HOUR.minusSeconds(60))).build()),
                Status.Code.INVALID_ARGUMENT, "reversed");
        assertStatus(() -> latency.queryPrefixLatency(ok.toBuilder().setTimeRange(range(HOUR, now.plus(Duration.ofHours(1)))).build()),
                Status.Code.INVALID_ARGUMENT, "in the future");
        assertStatus(() -> latency.queryPrefixLatency(ok.toBuilder().setTimeGrain(TimeGrain.TIME_GRAIN_PT1M)
                        .setTimeRange(range(now.minus(Duration.ofDays(8)), now)).build()),
                Status.Code.INVALID_ARGUMENT, "more than the limit of 10000", "coarser time_grain");
        assertStatus(() -> latency.queryPrefixLatency(ok.toBuilder().clearTimeGrain().build()),
                Status.Code.INVALID_ARGUMENT, "time_grain must be one of PT1M, PT5M, PT1H, P1D");
        assertStatus(() -> latency.queryPrefixLatency(ok.toBuilder().clearTimeRange().build()),
                Status.Code.INVALID_ARGUMENT, "time_range is required");
        assertStatus(() -> latency.queryPrefixLatency(ok.toBuilder().setPrefix("").build()),
                Status.Code.INVALID_ARGUMENT, "prefix is required");
        assertStatus(() -> latency.queryPrefixLatency(ok.toBuilder().setPrefix("198.51.100.300").build()),
                Status.Code.INVALID_ARGUMENT, "prefix:");
        assertStatus(() -> latency.queryRegisteredPrefixLatency(QueryRegisteredPrefixLatencyRequest.newBuilder()
                        .setParent("peerings/nobody").setTimeRange(ok.getTimeRange()).setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build()),
                Status.Code.NOT_FOUND, "peerings/nobody");
        assertStatus(() -> latency.queryRegisteredPrefixLatency(QueryRegisteredPrefixLatencyRequest.newBuilder()
                        .setParent("contoso-ams").setTimeRange(ok.getTimeRange()).setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build()),
                Status.Code.INVALID_ARGUMENT, "peerings/{peering}");
        assertStatus(() -> latency.queryRegisteredAsnLatency(QueryRegisteredAsnLatencyRequest.newBuilder()
                        .setName("peerings/contoso-ams/registeredAsns/nobody").setTimeRange(ok.getTimeRange())
                        .setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build()),
                Status.Code.NOT_FOUND, "no registered ASN named \"nobody\"");
        assertStatus(() -> latency.queryRegisteredAsnLatency(QueryRegisteredAsnLatencyRequest.newBuilder()
                        .setName("peerings/contoso-ams/contoso").setTimeRange(ok.getTimeRange())
                        .setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build()),
                Status.Code.INVALID_ARGUMENT, "peerings/{peering}/registeredAsns/{registered_asn}");
    }
}
