package io.peering.metrics.grpc;

import com.google.protobuf.Timestamp;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.peering.common.v1.SessionState;
import io.peering.common.v1.TimeGrain;
import io.peering.common.v1.TimeRange;
import io.peering.metrics.v1.ConnectionSample;
import io.peering.metrics.v1.IngestConnectionSamplesRequest;
import io.peering.metrics.v1.ListMetricDefinitionsRequest;
import io.peering.metrics.v1.MetricsServiceGrpc;
import io.peering.metrics.v1.QueryConnectionMetricsRequest;
import io.peering.metrics.v1.QueryPeeringServiceAvailabilityRequest;
import io.peering.metrics.v1.ReportSessionTransitionsRequest;
import io.peering.metrics.v1.SessionTransitionReport;
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

import static io.peering.support.testing.RoleMatrix.catalogue;
import static io.peering.support.testing.RoleMatrix.ingest;
import static io.peering.support.testing.RoleMatrix.query;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bearer tokens on every metrics RPC: who may call what, and a reader reads only its own peerings. */
@QuarkusTest
@TestProfile(AuthEnabledProfile.class)
class MetricsAuthorizationTest {

    static final String AMS1 = "peerings/contoso-ams/connections/ams-1";
    /** Samples go 40 days back, away from the windows the other metrics tests use. */
    static final Instant WHEN = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(40));

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
        for (String table : List.of("session_transitions", "connection_samples")) {
            pool.preparedQuery("DELETE FROM metrics." + table + " WHERE connection = $1 AND time < $2")
                    .execute(Tuple.of(AMS1, WHEN.plus(Duration.ofDays(1)).atOffset(java.time.ZoneOffset.UTC)))
                    .await().atMost(Duration.ofSeconds(10));
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    static TimeRange lastDay() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.HOURS);
        return TimeRange.newBuilder().setStartTime(ts(now.minus(Duration.ofDays(1)))).setEndTime(ts(now)).build();
    }

    static MetricsServiceGrpc.MetricsServiceBlockingStub stub(Channel ch) {
        return MetricsServiceGrpc.newBlockingStub(ch).withDeadlineAfter(RoleMatrix.deadlineMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void everyMetricsRpcAnswersEachKindOfCallerAsTheRoleMatrixSays() {
        int[] second = {0};
        RoleMatrix.run(port, List.of(
                catalogue("ListMetricDefinitions", ch -> stub(ch).listMetricDefinitions(ListMetricDefinitionsRequest.getDefaultInstance())),
                query("QueryConnectionMetrics", ch -> stub(ch).queryConnectionMetrics(QueryConnectionMetricsRequest.newBuilder()
                        .setResource(AMS1).addMetrics("SessionAvailabilityV4").setTimeRange(lastDay())
                        .setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build())),
                query("QueryPeeringServiceAvailability", ch -> stub(ch).queryPeeringServiceAvailability(
                        QueryPeeringServiceAvailabilityRequest.newBuilder().setPeeringService("peeringServices/contoso-web")
                                .setTimeRange(lastDay()).setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build())),
                ingest("IngestConnectionSamples", ch -> RoleMatrix.clientStream(MetricsServiceGrpc.newStub(ch)::ingestConnectionSamples,
                        List.of(IngestConnectionSamplesRequest.newBuilder().addSamples(ConnectionSample.newBuilder()
                                .setConnection(AMS1).setTime(ts(WHEN.plusSeconds(second[0]++))).setInOctets(1000).setOutOctets(2000))
                                .build()))),
                ingest("ReportSessionTransitions", ch -> RoleMatrix.clientStream(MetricsServiceGrpc.newStub(ch)::reportSessionTransitions,
                        List.of(ReportSessionTransitionsRequest.newBuilder().addTransitions(SessionTransitionReport.newBuilder()
                                .setConnection(AMS1).setSessionAddress("127.0.0.11").setState(SessionState.SESSION_STATE_ESTABLISHED)
                                .setTime(ts(WHEN.plusSeconds(second[0]++)))).build())))),
                RoleMatrix.methodsOf(MetricsServiceGrpc.getServiceDescriptor()));
    }

    @Test
    void readerOfAnotherAsnIsDeniedAPeeringServiceOfThisPeering() {
        Channel asOther = RoleMatrix.withToken(channel, TestTokens.reader(RoleMatrix.OTHER_ASN));
        assertThatThrownBy(() -> stub(asOther).queryPeeringServiceAvailability(QueryPeeringServiceAvailabilityRequest.newBuilder()
                .setPeeringService("peeringServices/contoso-web").setTimeRange(lastDay()).setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("PERMISSION_DENIED")
                .hasMessageContaining("peeringServices/contoso-web belongs to AS64500");
    }
}
