package io.peering.latency.grpc;

import com.google.protobuf.Timestamp;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.peering.common.v1.TimeGrain;
import io.peering.common.v1.TimeRange;
import io.peering.latency.v1.IngestLatencySamplesRequest;
import io.peering.latency.v1.LatencySample;
import io.peering.latency.v1.LatencyServiceGrpc;
import io.peering.latency.v1.QueryConnectivityProbesRequest;
import io.peering.latency.v1.QueryPrefixLatencyRequest;
import io.peering.latency.v1.QueryRegisteredAsnLatencyRequest;
import io.peering.latency.v1.QueryRegisteredPrefixLatencyRequest;
import io.peering.support.testing.AuthEnabledProfile;
import io.peering.support.testing.RoleMatrix;
import io.peering.support.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.peering.support.testing.RoleMatrix.ingest;
import static io.peering.support.testing.RoleMatrix.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bearer tokens on every latency RPC: who may call what, and a reader reads only its own prefixes. */
@QuarkusTest
@TestProfile(AuthEnabledProfile.class)
class LatencyAuthorizationTest {

    /** Samples and queries sit 40 days back, away from the windows the other latency tests use. */
    static final Instant WHEN = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(40));
    /** A target in no registered prefix, so the ingested samples touch no other test's series; they carry an
     * origin ASN, so the ASN query has no sample to attribute through routes-service (not running here). */
    static final String TARGET = "192.0.2.77";

    @Inject
    Pool pool;

    int port;
    ManagedChannel channel;

    @BeforeEach
    void setUp() {
        port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.preparedQuery("DELETE FROM latency.samples WHERE target = $1::text::inet").execute(Tuple.of(TARGET))
                .await().atMost(Duration.ofSeconds(10));
        pool.preparedQuery("DELETE FROM latency.hourly WHERE prefix = $1::text::cidr").execute(Tuple.of("192.0.2.0/24"))
                .await().atMost(Duration.ofSeconds(10));
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    static TimeRange range() {
        return TimeRange.newBuilder().setStartTime(ts(WHEN)).setEndTime(ts(WHEN.plus(Duration.ofHours(1)))).build();
    }

    static LatencyServiceGrpc.LatencyServiceBlockingStub stub(Channel ch) {
        return LatencyServiceGrpc.newBlockingStub(ch).withDeadlineAfter(RoleMatrix.deadlineMillis(), TimeUnit.MILLISECONDS);
    }

    static Channel as(Channel channel, String token) {
        return RoleMatrix.withToken(channel, token);
    }

    @Test
    void everyLatencyRpcAnswersEachKindOfCallerAsTheRoleMatrixSays() {
        int[] second = {0};
        RoleMatrix.run(port, List.of(
                ingest("IngestLatencySamples", ch -> RoleMatrix.clientStream(LatencyServiceGrpc.newStub(ch)::ingestLatencySamples,
                        List.of(IngestLatencySamplesRequest.newBuilder().addSamples(LatencySample.newBuilder().setTarget(TARGET)
                                .setTime(ts(WHEN.plusSeconds(second[0]++))).setRttMs(12.5).setProbeLocation("ams").setOriginAsn(64500)).build()))),
                query("QueryPrefixLatency", ch -> stub(ch).queryPrefixLatency(QueryPrefixLatencyRequest.newBuilder()
                        .setPrefix("198.51.100.0/24").setTimeRange(range()).setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build())),
                query("QueryRegisteredPrefixLatency", ch -> stub(ch).queryRegisteredPrefixLatency(QueryRegisteredPrefixLatencyRequest
                        .newBuilder().setParent("peerings/contoso-ams").setTimeRange(range()).setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build())),
                query("QueryRegisteredAsnLatency", ch -> stub(ch).queryRegisteredAsnLatency(QueryRegisteredAsnLatencyRequest.newBuilder()
                        .setName("peerings/contoso-ams/registeredAsns/contoso").setTimeRange(range())
                        .setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build())),
                query("QueryConnectivityProbes", ch -> stub(ch).queryConnectivityProbes(QueryConnectivityProbesRequest.newBuilder()
                        .setParent("peerings/contoso-ams").setTimeRange(range()).setTimeGrain(TimeGrain.TIME_GRAIN_PT1H)
                        .addMetrics("ConnectivityProbeAvailability").build()))),
                RoleMatrix.methodsOf(LatencyServiceGrpc.getServiceDescriptor()));
    }

    @Test
    void readerMayQueryAMoreSpecificPrefixInsideItsRegisteredPrefix() {
        var answer = stub(as(channel, TestTokens.reader(RoleMatrix.OWN_ASN))).queryPrefixLatency(QueryPrefixLatencyRequest.newBuilder()
                .setPrefix("198.51.100.128/25").setTimeRange(range()).setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build());
        assertThat(answer).isNotNull();
    }

    @Test
    void readerIsDeniedAPrefixOutsideItsRegisteredPrefixesAndToldWhichItHas() {
        assertThatThrownBy(() -> stub(as(channel, TestTokens.reader(RoleMatrix.OWN_ASN))).queryPrefixLatency(QueryPrefixLatencyRequest
                .newBuilder().setPrefix("203.0.113.0/24").setTimeRange(range()).setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("PERMISSION_DENIED")
                .hasMessageContaining("198.51.100.0/24");
    }
}
