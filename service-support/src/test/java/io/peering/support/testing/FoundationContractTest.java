package io.peering.support.testing;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.peering.support.retention.RetentionJob;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.hamcrest.Matchers.equalTo;

/**
 * What every service must show on the real database and a real gRPC channel: its hypertables
 * exist, readiness is UP, gRPC health answers SERVING, reflection lists the service, and the
 * retention job drops expired chunks. A service's test extends this and says which service it is.
 */
public abstract class FoundationContractTest {

    @Inject
    protected Pool pool;

    @Inject
    protected RetentionJob retentionJob;

    protected ManagedChannel channel;

    /** Fully qualified gRPC service name, e.g. "peering.routes.v1.RoutesService". */
    protected abstract String grpcServiceName();

    /** The service's schema. */
    protected abstract String schema();

    /** Hypertables (table names inside {@link #schema()}) the migrations must have created. */
    protected abstract List<String> expectedHypertables();

    /** A schema-qualified hypertable the retention job trims, used by the retention test. */
    protected abstract String retentionTestTable();

    /** A text column of that table that can carry a test marker. */
    protected abstract String markerColumn();

    /**
     * An INSERT into {@link #retentionTestTable()} of a row at time $1 (a timestamptz) whose
     * {@link #markerColumn()} is $2.
     */
    protected abstract String insertRowAtTimeWithMarker();

    /**
     * Calls one RPC of the service that is not implemented yet, over {@code channel}; or
     * returns null once every RPC is implemented.
     */
    protected abstract ThrowingCallable callAnRpcNotYetImplemented(ManagedChannel channel);

    @BeforeEach
    void openChannel() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @AfterEach
    void closeChannel() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void theServiceQueriesRunWithoutJit() {
        // JIT compiles a large plan for seconds (5.1 s measured for a 30-day chart) to save milliseconds
        String jit = pool.query("SHOW jit").execute().await().atMost(Duration.ofSeconds(10)).iterator().next().getString(0);
        assertThat(jit).isEqualTo("off");
    }

    @Test
    void migrationsCreateTheServiceHypertables() {
        List<String> hypertables = StreamSupport.stream(pool
                        .preparedQuery("SELECT hypertable_name FROM timescaledb_information.hypertables WHERE hypertable_schema = $1")
                        .execute(Tuple.of(schema())).await().atMost(Duration.ofSeconds(10)).spliterator(), false)
                .map(row -> row.getString(0)).toList();
        assertThat(hypertables).containsAll(expectedHypertables());
    }

    @Test
    void readinessIsUpWhileTheDatabaseAnswers() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void readinessSaysTheSchemaHasEveryMigrationOfThisBuild() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'schema' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'schema' }.data.version",
                        equalTo(ConfigProvider.getConfig().getValue("peering.db.schema-version", Integer.class)));
    }

    @Test
    void livenessAndStartedAreUp() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void grpcHealthAnswersServingForTheService() {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
        assertThat(health.check(HealthCheckRequest.newBuilder().setService(grpcServiceName()).build()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThat(health.check(HealthCheckRequest.newBuilder().setService("").build()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void reflectionListsTheService() throws Exception {
        CompletableFuture<List<String>> services = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        services.complete(response.getListServicesResponse().getServiceList().stream()
                                .map(ServiceResponse::getName).toList());
                    }

                    @Override
                    public void onError(Throwable t) {
                        services.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        services.completeExceptionally(new AssertionError("reflection stream ended without an answer"));
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
        requests.onCompleted();
        assertThat(services.get(5, TimeUnit.SECONDS)).contains(grpcServiceName());
    }

    @Test
    void anRpcNotYetImplementedAnswersUnimplemented() {
        ThrowingCallable call = callAnRpcNotYetImplemented(channel);
        assumeTrue(call != null, "every RPC of " + grpcServiceName() + " is implemented");
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
    }

    @Test
    void retentionDropsChunksOlderThanThePeriodAndKeepsRecentOnes() {
        String marker = getClass().getSimpleName() + "-" + System.nanoTime();
        pool.preparedQuery(insertRowAtTimeWithMarker())
                .execute(Tuple.of(java.time.OffsetDateTime.now().minusYears(3), marker + "-old"))
                .await().atMost(Duration.ofSeconds(10));
        pool.preparedQuery(insertRowAtTimeWithMarker())
                .execute(Tuple.of(java.time.OffsetDateTime.now().minusMinutes(5), marker + "-new"))
                .await().atMost(Duration.ofSeconds(10));
        assertThat(count(marker + "-old")).isEqualTo(1);

        int dropped = retentionJob.dropExpiredChunks().await().atMost(Duration.ofSeconds(30));

        assertThat(dropped).isGreaterThanOrEqualTo(1);
        assertThat(count(marker + "-old")).isZero();
        assertThat(count(marker + "-new")).isEqualTo(1);
        pool.preparedQuery("DELETE FROM " + retentionTestTable() + " WHERE " + markerColumn() + " = $1")
                .execute(Tuple.of(marker + "-new")).await().atMost(Duration.ofSeconds(10));
    }

    private long count(String marker) {
        Row row = pool.preparedQuery("SELECT count(*) FROM " + retentionTestTable() + " WHERE " + markerColumn() + " = $1")
                .execute(Tuple.of(marker)).await().atMost(Duration.ofSeconds(10)).iterator().next();
        return row.getLong(0);
    }
}
