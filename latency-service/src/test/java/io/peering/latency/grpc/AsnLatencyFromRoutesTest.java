package io.peering.latency.grpc;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.peering.latency.v1.IngestLatencySamplesRequest;
import io.peering.latency.v1.IngestLatencySamplesResponse;
import io.peering.latency.v1.LatencySample;
import io.peering.latency.v1.LatencyServiceGrpc;
import io.peering.latency.v1.QueryRegisteredAsnLatencyRequest;
import io.peering.latency.v1.QueryRegisteredAsnLatencyResponse;
import io.peering.routes.v1.ReceivedRoute;
import io.peering.common.v1.TimeGrain;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.peering.latency.grpc.LatencyApiTest.HOUR;
import static io.peering.latency.grpc.LatencyApiTest.at;
import static io.peering.latency.grpc.LatencyApiTest.range;
import static io.peering.latency.grpc.LatencyApiTest.sample;
import static io.peering.latency.grpc.LatencyApiTest.ts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Samples without an origin ASN are attributed to a registered ASN through routes-service's received routes. */
@QuarkusTest
@QuarkusTestResource(value = FakeRoutesService.class, restrictToAnnotatedClass = true)
class AsnLatencyFromRoutesTest {

    static final long ASN = 4200000001L; // peerings/contoso-ams/registeredAsns/contoso-customer

    @Inject
    Pool pool;

    ManagedChannel channel;
    LatencyServiceGrpc.LatencyServiceBlockingStub latency;

    @BeforeEach
    void setUp() {
        pool.query("TRUNCATE latency.samples, latency.hourly, latency.prefix_hourly, latency.prefix_minutes, latency.prefix_buckets, latency.asn_rollup").execute().await().atMost(Duration.ofSeconds(10));
        FakeRoutesService.requests.clear();
        FakeRoutesService.routes = List.of(
                route("10.50.0.0/16", "64500 4200000001"),
                route("10.50.1.0/24", "64500 4200000001"),   // inside the /16: its samples must not count twice
                route("10.60.0.0/24", "4200000001 64999"),   // the ASN is in the path but not the origin
                route("10.70.0.0/25", "64500 4200000001"),   // longer than /24: its samples are reported at the /24
                route("10.90.0.0/24", "64500 64501"));
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        latency = LatencyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static ReceivedRoute route(String prefix, String asPath) {
        String[] path = asPath.split(" ");
        return ReceivedRoute.newBuilder().setPrefix(prefix).setAsPath(asPath)
                .setOriginAsn((int) Long.parseLong(path[path.length - 1])).build();
    }

    void ingest(LatencySample... samples) throws Exception {
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
        requests.onNext(IngestLatencySamplesRequest.newBuilder().addAllSamples(List.of(samples)).build());
        requests.onCompleted();
        assertThat(reply.get(60, TimeUnit.SECONDS).getAccepted()).isEqualTo(samples.length);
    }

    QueryRegisteredAsnLatencyResponse query(Instant start) {
        return latency.queryRegisteredAsnLatency(QueryRegisteredAsnLatencyRequest.newBuilder()
                .setName("peerings/contoso-ams/registeredAsns/contoso-customer")
                .setTimeRange(range(start, HOUR.plus(Duration.ofHours(6)))).setTimeGrain(TimeGrain.TIME_GRAIN_PT1H).build());
    }

    @Test
    void samplesWithoutOriginCountForTheAsnWhenTheyLieInsideItsReceivedRoutes() throws Exception {
        ingest(sample("10.50.1.5", at(1, 0), 10), sample("10.50.1.6", at(1, 1), 20), // no origin, inside the /16 and the /24
                sample("10.50.1.7", at(1, 2), 30, ASN),                               // same /24, with the origin
                sample("10.50.2.5", at(1, 3), 40),                                    // no origin, inside the /16
                sample("10.70.0.9", at(1, 4), 7),                                     // no origin, inside the /25
                sample("10.60.0.1", at(1, 5), 1000),                                  // route's origin is 64999
                sample("10.90.0.1", at(1, 6), 1000),                                  // route without the ASN
                sample("10.80.0.1", at(1, 7), 3, ASN));                               // origin from the probe

        // medians: 10.50.1.0/24 {10, 20, 30} -> 20; 10.50.2.0/24 -> 40; 10.70.0.0/24 -> 7; 10.80.0.0/24 -> 3
        // average over the 4 customer prefixes: (20 + 40 + 7 + 3) / 4 = 17.5
        for (Instant start : List.of(HOUR, HOUR.plusSeconds(1))) { // rollup, then raw samples
            QueryRegisteredAsnLatencyResponse r = query(start);
            assertThat(r.getCustomerPrefixCount()).isEqualTo(4);
            assertThat(r.getPointsList()).hasSize(1);
            assertThat(r.getPoints(0).getTime()).isEqualTo(ts(at(1, 0)));
            assertThat(r.getPoints(0).getValue()).isCloseTo(17.5, within(1e-9));
        }
        assertThat(FakeRoutesService.requests).allSatisfy(request -> {
            assertThat(request.getParent()).isEqualTo("peerings/contoso-ams");
            assertThat(request.getAsPath()).isEqualTo("4200000001");
        });
        assertThat(FakeRoutesService.requests).hasSize(2 * 2); // two queries, each reading two pages of two routes
    }

    @Test
    void routesServiceIsNotAskedWhenEverySampleCarriesItsOrigin() throws Exception {
        ingest(sample("10.80.0.1", at(1, 7), 3, ASN), sample("10.80.0.2", at(1, 8), 5, ASN));

        QueryRegisteredAsnLatencyResponse r = query(HOUR);

        assertThat(r.getPoints(0).getValue()).isCloseTo(4, within(1e-9));
        assertThat(FakeRoutesService.requests).isEmpty();
    }
}
