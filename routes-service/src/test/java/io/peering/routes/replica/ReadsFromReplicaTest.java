package io.peering.routes.replica;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.peering.routes.Rib;
import io.peering.routes.v1.ListReceivedRoutesRequest;
import io.peering.routes.v1.PrefixMatch;
import io.peering.routes.v1.ReceivedRoute;
import io.peering.routes.v1.RoutesServiceGrpc;
import io.peering.support.replica.ReadPool;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The query RPCs read from a real streaming replica (pg_basebackup of the test cluster, {@link StreamingReplica}) while
 * it is within peering.db.read.max-lag, and from the primary past it. Replay on the replica is paused to make it fall
 * behind: a route written to the primary then is not listed until the lag passes the bound.
 */
@QuarkusTest
@TestProfile(ReadsFromReplicaTest.WithReplica.class)
class ReadsFromReplicaTest {

    static final String ROUTER = "127.0.0.231";
    static final String PEER = "127.0.0.11"; // peerings/contoso-ams/connections/ams-1
    static final String BEFORE = "192.0.2.0/25";
    static final String WHILE_PAUSED = "192.0.2.128/25";

    public static class WithReplica implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("peering.db.read.max-lag", "PT3S", "peering.db.read.check-interval", "PT1S");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StreamingReplica.class));
        }
    }

    @Inject
    Pool primary;

    @Inject
    ReadPool readPool;

    ManagedChannel channel;
    RoutesServiceGrpc.RoutesServiceBlockingStub routes;
    int port;

    @BeforeEach
    void setUp() {
        deleteRoutes();
        port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        routes = RoutesServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void tearDown() throws Exception {
        replay("pg_wal_replay_resume()");
        deleteRoutes();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void queriesReadTheReplicaWithinTheMaxLagAndThePrimaryPastIt() throws Exception {
        store(BEFORE);
        await("the replica to list " + BEFORE + " and be read", () -> listed().contains(BEFORE) && reads().startsWith("replica"));

        replay("pg_wal_replay_pause()");
        await("replay on the replica to pause", () -> "paused".equals(replayState()));
        store(WHILE_PAUSED);

        // read from the replica, which has not replayed it
        assertThat(listed()).containsExactly(BEFORE);
        assertThat(reads()).startsWith("replica");

        // past 3 s behind, reads go to the primary, which has it; the health check says why
        await("the route written while replay is paused to be listed", () -> listed().size() == 2);
        JsonObject health = readsHealth();
        assertThat(health.getString("reading")).isEqualTo("primary");
        assertThat(health.getString("why")).contains("ms behind the primary (at most), past peering.db.read.max-lag PT3S");
        assertThat(health.getLong("replicaLagMillis")).isGreaterThan(3_000L);

        replay("pg_wal_replay_resume()");
        await("reads to return to the replica once it caught up", () -> reads().startsWith("replica"));
        assertThat(listed()).containsExactly(BEFORE, WHILE_PAUSED);
    }

    @Test
    void theLagCheckDoesNotWaitBehindQueriesOnTheBusyPrimaryPool() throws Exception {
        await("reads on the replica", () -> readPool.status().readingReplica());
        // every connection of the service's primary pool busy for 6 s: past the 3 s bound, had the check to wait for one
        int size = ConfigProvider.getConfig().getValue("quarkus.datasource.reactive.max-size", Integer.class);
        var busy = new java.util.ArrayList<java.util.concurrent.CompletableFuture<?>>();
        for (int i = 0; i < size; i++) {
            busy.add(primary.query("SELECT pg_sleep(6)").execute().subscribeAsCompletionStage());
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < until) {
            ReadPool.Status status = readPool.status();
            assertThat(status.readingReplica()).as("reads stay on the replica while the primary's pool is busy (%s)", status.problem())
                    .isTrue();
            TimeUnit.MILLISECONDS.sleep(200);
        }
        for (var query : busy) {
            query.get(30, TimeUnit.SECONDS);
        }
    }

    List<String> listed() {
        return routes.withDeadlineAfter(10, TimeUnit.SECONDS).listReceivedRoutes(ListReceivedRoutesRequest.newBuilder()
                        .setParent("peerings/contoso-ams").setPrefix("192.0.2.0/24").setPrefixMatch(PrefixMatch.PREFIX_MATCH_OR_LONGER)
                        .build()).getRoutesList().stream()
                .filter(r -> r.getRouter().equals(ROUTER)).map(ReceivedRoute::getPrefix).sorted().toList();
    }

    JsonObject readsHealth() {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
            JsonArray checks = new JsonObject(r.body()).getJsonArray("checks");
            for (int i = 0; i < checks.size(); i++) {
                if ("reads".equals(checks.getJsonObject(i).getString("name"))) {
                    return checks.getJsonObject(i).getJsonObject("data");
                }
            }
            throw new AssertionError("no readiness check \"reads\" in " + r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String reads() {
        return readsHealth().getString("reading");
    }

    void store(String prefix) {
        primary.preparedQuery("INSERT INTO routes.adj_rib_in (router, peer_address, rib, prefix, peer_asn, received_time, as_path,"
                        + " origin_asn) VALUES ($1::text::inet, $2::text::inet, $3, $4::text::cidr, 64500, now(), '64500', 64500)")
                .execute(Tuple.of(ROUTER, PEER, Rib.ADJ_RIB_IN_PRE_POLICY.code, prefix)).await().atMost(Duration.ofSeconds(10));
    }

    void deleteRoutes() {
        primary.preparedQuery("DELETE FROM routes.adj_rib_in WHERE router = $1::text::inet").execute(Tuple.of(ROUTER))
                .await().atMost(Duration.ofSeconds(10));
    }

    static void replay(String function) throws Exception {
        try (Connection c = StreamingReplica.admin("postgres"); Statement s = c.createStatement()) {
            s.execute("SELECT " + function);
        }
    }

    static String replayState() {
        try (Connection c = StreamingReplica.admin("postgres"); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT pg_get_wal_replay_pause_state()")) {
            r.next();
            return r.getString(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 30 s for " + what).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }
}
