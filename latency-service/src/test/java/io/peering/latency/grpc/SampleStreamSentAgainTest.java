package io.peering.latency.grpc;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.peering.common.v1.TimeGrain;
import io.peering.common.v1.TimeRange;
import io.peering.latency.v1.IngestLatencySamplesRequest;
import io.peering.latency.v1.IngestLatencySamplesResponse;
import io.peering.latency.v1.LatencyPoint;
import io.peering.latency.v1.LatencySample;
import io.peering.latency.v1.LatencyServiceGrpc;
import io.peering.latency.v1.QueryPrefixLatencyRequest;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A probe whose stream was refused half-way (the database restarted) sends it again, identical.
 * Each sample must be stored once, in the raw samples and in the hourly rollup, and every sample of
 * the stream is acknowledged again.
 */
@QuarkusTest
class SampleStreamSentAgainTest {

    static final Instant HOUR = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(30));

    @Inject
    Pool pool;

    ManagedChannel channel;

    @BeforeEach
    void setUp() {
        pool.query("TRUNCATE latency.samples, latency.hourly, latency.prefix_hourly, latency.prefix_minutes, latency.prefix_buckets, latency.asn_rollup").execute().await().atMost(Duration.ofSeconds(10));
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    IngestLatencySamplesResponse ingest(List<LatencySample> samples) throws Exception {
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
                    }
                });
        for (int i = 0; i < samples.size(); i += 1000) {
            requests.onNext(IngestLatencySamplesRequest.newBuilder()
                    .addAllSamples(samples.subList(i, Math.min(samples.size(), i + 1000))).build());
        }
        requests.onCompleted();
        return reply.get(60, TimeUnit.SECONDS);
    }

    long count(String sql) {
        return pool.query(sql).execute().await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
    }

    @Test
    void aStreamSentAgainStoresEachSampleOnceInTheSamplesAndTheRollup() throws Exception {
        List<LatencySample> stream = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) { // several batches, over two hours
            stream.add(LatencySample.newBuilder().setTarget("198.51.100." + (i % 200 + 1))
                    .setTime(ts(HOUR.plusMillis(i * 500L))).setRttMs(1 + i % 97).setProbeLocation("ams").build());
        }
        // the first half stored before the "failure", then the whole stream sent again
        IngestLatencySamplesResponse first = ingest(stream.subList(0, 6_000));
        IngestLatencySamplesResponse again = ingest(stream);

        assertThat(first.getAccepted()).isEqualTo(6_000);
        assertThat(again.getAccepted()).as("every sample of the stream acknowledged as stored").isEqualTo(12_000);
        assertThat(again.getDuplicates()).as("of them, the first half was stored before").isEqualTo(6_000);
        assertThat(count("SELECT count(*) FROM latency.samples")).isEqualTo(12_000);
        assertThat(count("SELECT sum(cardinality(rtts)) FROM latency.hourly")).as("values in the rollup").isEqualTo(12_000);
        LatencyPoint hour = LatencyServiceGrpc.newBlockingStub(channel).queryPrefixLatency(QueryPrefixLatencyRequest.newBuilder()
                        .setPrefix("198.51.100.0/24").setTimeGrain(TimeGrain.TIME_GRAIN_PT1H)
                        .setTimeRange(TimeRange.newBuilder().setStartTime(ts(HOUR)).setEndTime(ts(HOUR.plus(Duration.ofHours(1)))))
                        .build())
                .getPoints(0);
        assertThat(hour.getSampleCount()).as("samples in the first hour").isEqualTo(7_200);
    }
}
