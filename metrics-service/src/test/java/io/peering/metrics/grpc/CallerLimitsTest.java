package io.peering.metrics.grpc;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.peering.common.v1.TimeGrain;
import io.peering.common.v1.TimeRange;
import io.peering.metrics.v1.ConnectionSample;
import io.peering.metrics.v1.IngestConnectionSamplesRequest;
import io.peering.metrics.v1.IngestConnectionSamplesResponse;
import io.peering.metrics.v1.MetricsServiceGrpc;
import io.peering.metrics.v1.QueryConnectionMetricsRequest;
import io.peering.support.auth.Caller;
import io.peering.support.limits.CallerLimitsInterceptor;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-caller limits answer RESOURCE_EXHAUSTED with the limit and the way under it; deadlines end streams. */
@QuarkusTest
@TestProfile(CallerLimitsTest.Tight.class)
class CallerLimitsTest {

    public static class Tight implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("peering.limits.streams-per-caller", "1", "peering.limits.messages-per-second", "5",
                    "peering.limits.messages-burst", "8");
        }
    }

    static final String SUBJECT = Caller.UNAUTHENTICATED_OPERATOR.subject(); // authentication is off in this test

    @Inject
    CallerLimitsInterceptor limits;

    ManagedChannel channel;

    @BeforeEach
    void setUp() throws InterruptedException {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        Thread.sleep(2000); // refill the caller's bucket (8 tokens at 5/s) after the previous test
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static final class Reply implements StreamObserver<IngestConnectionSamplesResponse> {
        final CompletableFuture<IngestConnectionSamplesResponse> done = new CompletableFuture<>();

        @Override
        public void onNext(IngestConnectionSamplesResponse value) {
            done.complete(value);
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
        }

        Status status() throws InterruptedException {
            try {
                done.get(30, TimeUnit.SECONDS);
                return Status.OK;
            } catch (ExecutionException e) {
                return ((StatusRuntimeException) e.getCause()).getStatus();
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("no answer in 30 s", e);
            }
        }
    }

    @Test
    void secondStreamOfOneCallerIsRefusedWithTheStreamLimit() throws Exception {
        Reply first = new Reply();
        StreamObserver<IngestConnectionSamplesRequest> open = MetricsServiceGrpc.newStub(channel).ingestConnectionSamples(first);
        open.onNext(IngestConnectionSamplesRequest.getDefaultInstance());
        awaitOpenStreams(1);

        Reply second = new Reply();
        MetricsServiceGrpc.newStub(channel).ingestConnectionSamples(second).onCompleted();
        Status refused = second.status();

        open.onCompleted();
        assertThat(first.status().isOk()).isTrue();
        assertThat(refused.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(refused.getDescription()).contains("peering.limits.streams-per-caller").contains("1 streams open");
    }

    @Test
    void streamSendingFasterThanTheRateIsEndedWithTheRateLimit() throws Exception {
        Reply reply = new Reply();
        StreamObserver<IngestConnectionSamplesRequest> stream = MetricsServiceGrpc.newStub(channel).ingestConnectionSamples(reply);
        for (int i = 0; i < 30; i++) {
            stream.onNext(IngestConnectionSamplesRequest.getDefaultInstance());
        }
        stream.onCompleted();
        Status status = reply.status();
        assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(status.getDescription()).contains("peering.limits.messages-per-second").contains("resend");
        awaitOpenStreams(0);
    }

    @Test
    void unaryCallsBeyondTheBurstAreRefusedUntilTheBucketRefills() throws InterruptedException {
        var stub = MetricsServiceGrpc.newBlockingStub(channel);
        Instant now = Instant.now();
        QueryConnectionMetricsRequest query = QueryConnectionMetricsRequest.newBuilder()
                .setResource("peerings/contoso-ams/connections/ams-1").addMetrics("SessionAvailabilityV4")
                .setTimeRange(TimeRange.newBuilder().setStartTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond() - 3600))
                        .setEndTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond())))
                .setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build();
        StatusRuntimeException refused = null;
        for (int i = 0; i < 20 && refused == null; i++) {
            try {
                stub.withDeadlineAfter(10, TimeUnit.SECONDS).queryConnectionMetrics(query);
            } catch (StatusRuntimeException e) {
                refused = e;
            }
        }
        assertThat(refused).isNotNull();
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        Thread.sleep(1000); // 5 tokens come back
        assertThat(stub.withDeadlineAfter(10, TimeUnit.SECONDS).queryConnectionMetrics(query)).isNotNull();
    }

    @Test
    void streamPastItsDeadlineEndsOnTheServerToo() throws Exception {
        Reply reply = new Reply();
        StreamObserver<IngestConnectionSamplesRequest> stream = MetricsServiceGrpc.newStub(channel)
                .withDeadlineAfter(500, TimeUnit.MILLISECONDS).ingestConnectionSamples(reply);
        stream.onNext(IngestConnectionSamplesRequest.getDefaultInstance());
        assertThat(reply.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        awaitOpenStreams(0); // the server let go of the stream: it no longer counts against the caller
    }

    void awaitOpenStreams(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (limits.openStreams(SUBJECT) != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(limits.openStreams(SUBJECT)).isEqualTo(expected);
    }
}
