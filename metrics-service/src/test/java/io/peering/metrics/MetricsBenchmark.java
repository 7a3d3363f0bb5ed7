package io.peering.metrics;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.peering.common.v1.TimeGrain;
import io.peering.common.v1.TimeRange;
import io.peering.metrics.repository.MetricQueries;
import io.peering.metrics.repository.ScopeRollupStore;
import io.peering.metrics.repository.RatesFromRaw;
import io.vertx.mutiny.sqlclient.Tuple;
import io.peering.metrics.v1.ConnectionSample;
import io.peering.metrics.v1.IngestConnectionSamplesRequest;
import io.peering.metrics.v1.IngestConnectionSamplesResponse;
import io.peering.metrics.v1.MetricsServiceGrpc;
import io.peering.metrics.v1.QueryConnectionMetricsRequest;
import io.peering.metrics.v1.QueryPeeringServiceAvailabilityRequest;
import io.peering.metrics.v1.ReportSessionTransitionsRequest;
import io.peering.metrics.v1.ReportSessionTransitionsResponse;
import io.peering.metrics.v1.SessionTransitionReport;
import io.peering.common.v1.SessionState;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.ConfigProvider;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Prints ingest throughput of IngestConnectionSamples (which keeps the rollups) next to a COPY of the
 * same rows, and QueryConnectionMetrics latency (all six metrics; one connection and the whole
 * peering; 30 days at PT5M, PT1H and P1D, and 24 h at PT1M) over gRPC, next to the same rollup SQL
 * and the previous release's from-raw SQL run by psql on the same data. Sizes: -Dbench.connections (100), -Dbench.days (30) of one-minute samples,
 * -Dbench.queries (50 per grain).
 */
@QuarkusTest
@Tag("benchmark")
@TestProfile(MetricsBenchmark.BenchmarkInventory.class)
public class MetricsBenchmark {

    static final int CONNECTIONS = Integer.getInteger("bench.connections", 100);
    static final int DAYS = Integer.getInteger("bench.days", 30);
    static final int QUERIES = Integer.getInteger("bench.queries", 50);
    /** Keep the data set for another run in the same hour (it takes minutes to ingest). */
    static final boolean KEEP = Boolean.getBoolean("bench.keep");
    static final long BANDWIDTH_MBPS = 10_000;

    /** An inventory with one peering "bench" of CONNECTIONS connections. */
    public static class BenchmarkInventory implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            StringBuilder yaml = new StringBuilder("inventory:\n  peerings:\n    - name: bench\n      peer-asn: 64999\n      connections:\n");
            for (int c = 0; c < CONNECTIONS; c++) {
                yaml.append("        - name: c").append(c).append("\n          session-addresses: [127.1.")
                        .append(c / 250).append('.').append(c % 250 + 1).append("]\n          bandwidth-mbps: ")
                        .append(BANDWIDTH_MBPS).append('\n');
            }
            yaml.append("  peering-services:\n    - name: bench-service\n      peering: bench\n      primary-connection: c0\n"
                    + "      backup-connection: c1\n      prefixes: [192.0.2.0/24]\n");
            try {
                Path file = Files.createTempFile("bench-inventory", ".yaml");
                Files.writeString(file, yaml);
                file.toFile().deleteOnExit();
                // the scope rollup job runs during ingest, as in production (the test profile switches it off)
                return Map.of("quarkus.config.locations", file.toUri().toString(), "peering.metrics.scope-refresh-every", "1s");
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static String connection(int c) {
        return "peerings/bench/connections/c" + c;
    }

    /** Sample i of connection c: 100 Mbit/s in, 50 Mbit/s out, a few discards. */
    static long[] counters(int c, long i) {
        return new long[]{i * 60 * 12_500_000L + c, i * 60 * 6_250_000L, i * 3, i};
    }

    final Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
    final Instant start = end.minus(Duration.ofDays(DAYS));
    final long perConnection = Duration.ofDays(DAYS).toMinutes();

    static Connection jdbc() throws Exception {
        return DriverManager.getConnection(ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class),
                "peering", "peering");
    }

    static void sql(String statement) throws Exception {
        try (Connection c = jdbc(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    @Inject
    ScopeRollupStore scopeRollups;

    @Test
    void printIngestAndQueryFigures() throws Exception {
        long rows = CONNECTIONS * perConnection;
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        if (KEEP && keptDataSetIsThere(rows)) {
            System.out.printf("%n(the data set of an earlier run with -Dbench.keep=true is reused: no ingest figures)%n");
        } else {
            clearBench();
            ingestAndCopy(channel, rows);
        }

        MetricsServiceGrpc.MetricsServiceBlockingStub stub = MetricsServiceGrpc.newBlockingStub(channel);
        record Case(String label, TimeGrain grain, int seconds, Instant from, boolean peering) {
        }
        List<Case> cases = new ArrayList<>();
        for (boolean peering : List.of(false, true)) {
            cases.add(new Case(DAYS + " days at PT5M", TimeGrain.TIME_GRAIN_PT5M, 300, start, peering));
            cases.add(new Case(DAYS + " days at PT1H", TimeGrain.TIME_GRAIN_PT1H, 3600, start, peering));
            cases.add(new Case(DAYS + " days at P1D", TimeGrain.TIME_GRAIN_P1D, 86400, start, peering));
            cases.add(new Case("24 h at PT1M", TimeGrain.TIME_GRAIN_PT1M, 60, end.minus(Duration.ofDays(1)), peering));
        }
        String only = System.getProperty("bench.only", ""); // e.g. "one connection PT5M": the cases whose name has these words
        for (Case k : cases) {
            String name = (k.peering() ? "peering " : "one connection ") + k.label();
            if (!only.isEmpty() && !java.util.Arrays.stream(only.split(" ")).allMatch(name::contains)) {
                continue;
            }
            Random random = new Random(7);
            List<Double> grpc = new ArrayList<>();
            int points = 0;
            for (int q = 0; q < QUERIES + 3; q++) {
                QueryConnectionMetricsRequest request = QueryConnectionMetricsRequest.newBuilder()
                        .setResource(k.peering() ? "peerings/bench" : connection(random.nextInt(CONNECTIONS)))
                        .addAllMetrics(Metric.names())
                        .setTimeRange(TimeRange.newBuilder().setStartTime(ts(k.from())).setEndTime(ts(end)))
                        .setTimeGrain(k.grain()).build();
                long q0 = System.nanoTime();
                points = stub.withDeadlineAfter(60, TimeUnit.SECONDS).queryConnectionMetrics(request).getSeries(2).getPointsCount();
                if (q >= 3) { // the first three warm up
                    grpc.add((System.nanoTime() - q0) / 1e6);
                }
            }
            List<Double> newSql = psqlTimings(k.seconds(), k.from(), k.peering(), false, QUERIES);
            // the old path takes about 30 s a query for the peering: a few runs show it
            int oldRuns = k.peering() ? Math.min(QUERIES, 3) : QUERIES;
            List<Double> oldSql = psqlTimings(k.seconds(), k.from(), k.peering(), true, oldRuns);
            System.out.printf("BENCHMARK QueryConnectionMetrics %s, all six metrics, %s (%d ingress points), %d queries:%n",
                    k.peering() ? "peering of " + CONNECTIONS + " connections" : "one connection", k.label(), points, QUERIES);
            System.out.printf("  new path over gRPC:             p50 %8.1f ms  p99 %8.1f ms%n", pct(grpc, 50), pct(grpc, 99));
            System.out.printf("  new path SQL (rollups), psql:   p50 %8.1f ms  p99 %8.1f ms%n", pct(newSql, 50), pct(newSql, 99));
            System.out.printf("  old path SQL (from raw), psql:  p50 %8.1f ms  p99 %8.1f ms  (%d queries)%n", pct(oldSql, 50),
                    pct(oldSql, 99), oldRuns);
        }
        peeringServiceAvailability(channel, only);
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        if (!KEEP) {
            clearBench();
        }
    }

    void ingestAndCopy(ManagedChannel channel, long rows) throws Exception {
        long t0 = System.nanoTime();
        IngestConnectionSamplesResponse reply = ingestOverStream(channel);
        double streamSeconds = (System.nanoTime() - t0) / 1e9;
        assertThat(reply.getAccepted()).isEqualTo(rows);
        long t1 = System.nanoTime();
        long marksAtEnd = scopeRollups.staleMarks().await().atMost(Duration.ofSeconds(30));
        while (scopeRollups.staleMarks().await().atMost(Duration.ofSeconds(30)) > 0) {
            Thread.sleep(200);
        }
        double catchUpSeconds = (System.nanoTime() - t1) / 1e9;

        // COPY writes the raw rows only; the rollups the stream made from the same rows stay, so both paths read the same data
        sql("DELETE FROM metrics.connection_samples WHERE connection LIKE 'peerings/bench/%'");
        t0 = System.nanoTime();
        copy();
        double copySeconds = (System.nanoTime() - t0) / 1e9;
        for (String table : List.of("connection_samples", "rate_intervals", "rate_short_intervals", "rate_seconds", "rate_minutes", "rate_5minutes", "rate_hours", "rate_days",
                "rate_scopes", "rate_scopes_stale")) {
            sql("ANALYZE metrics." + table);
        }

        System.out.printf("%nBENCHMARK ingest of %,d samples (%d connections x %d days of one-minute samples):%n", rows,
                CONNECTIONS, DAYS);
        System.out.printf("  IngestConnectionSamples client stream: %8.1f s  %,10.0f samples/s%n", streamSeconds, rows / streamSeconds);
        System.out.printf("  COPY (PostgreSQL JDBC CopyManager):    %8.1f s  %,10.0f samples/s%n", copySeconds, rows / copySeconds);
        System.out.printf("  scope rollups (job every 1 s during ingest): %,d stale connection-hours when the stream ended,"
                + " all remade %.1f s later%n", marksAtEnd, catchUpSeconds);
    }

    /**
     * QueryPeeringServiceAvailability of bench-service (primary c0, backup c1) over 30 days, computed
     * from session transitions: each session goes down for 3 minutes every 2 hours (720 flaps each).
     */
    void peeringServiceAvailability(ManagedChannel channel, String only) throws Exception {
        if (!only.isEmpty() && !only.contains("availability")) {
            return;
        }
        sql("DELETE FROM metrics.session_transitions WHERE connection LIKE 'peerings/bench/%'");
        MetricsServiceGrpc.MetricsServiceStub async = MetricsServiceGrpc.newStub(channel);
        CompletableFuture<ReportSessionTransitionsResponse> reply = new CompletableFuture<>();
        StreamObserver<ReportSessionTransitionsRequest> requests = async.reportSessionTransitions(new StreamObserver<>() {
            @Override
            public void onNext(ReportSessionTransitionsResponse value) {
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
        for (int c = 0; c < 2; c++) {
            ReportSessionTransitionsRequest.Builder b = ReportSessionTransitionsRequest.newBuilder();
            String address = "127.1.0." + (c + 1);
            b.addTransitions(report(c, address, start, SessionState.SESSION_STATE_ESTABLISHED));
            for (Instant down = start.plus(Duration.ofHours(1)); down.isBefore(end); down = down.plus(Duration.ofHours(2))) {
                b.addTransitions(report(c, address, down, SessionState.SESSION_STATE_IDLE));
                b.addTransitions(report(c, address, down.plusSeconds(180), SessionState.SESSION_STATE_ESTABLISHED));
            }
            requests.onNext(b.build());
        }
        requests.onCompleted();
        assertThat(reply.get(5, TimeUnit.MINUTES).getRejected()).isZero();

        MetricsServiceGrpc.MetricsServiceBlockingStub stub = MetricsServiceGrpc.newBlockingStub(channel);
        for (TimeGrain grain : List.of(TimeGrain.TIME_GRAIN_PT5M, TimeGrain.TIME_GRAIN_PT1H, TimeGrain.TIME_GRAIN_P1D)) {
            QueryPeeringServiceAvailabilityRequest request = QueryPeeringServiceAvailabilityRequest.newBuilder()
                    .setPeeringService("peeringServices/bench-service").setTimeGrain(grain)
                    .setTimeRange(TimeRange.newBuilder().setStartTime(ts(start)).setEndTime(ts(end))).build();
            List<Double> grpc = new ArrayList<>();
            int points = 0;
            for (int q = 0; q < QUERIES + 3; q++) {
                long q0 = System.nanoTime();
                points = stub.withDeadlineAfter(60, TimeUnit.SECONDS).queryPeeringServiceAvailability(request).getPrimary().getPointsCount();
                if (q >= 3) {
                    grpc.add((System.nanoTime() - q0) / 1e6);
                }
            }
            System.out.printf("BENCHMARK QueryPeeringServiceAvailability, primary and backup, %d days at %s (%d points each,"
                    + " 1,442 transitions), %d queries:%n", DAYS, grain.name().replace("TIME_GRAIN_", ""), points, QUERIES);
            System.out.printf("  over gRPC:                      p50 %8.1f ms  p99 %8.1f ms%n", pct(grpc, 50), pct(grpc, 99));
        }
    }

    static SessionTransitionReport report(int c, String address, Instant time, SessionState state) {
        return SessionTransitionReport.newBuilder().setConnection(connection(c)).setSessionAddress(address).setState(state)
                .setTime(ts(time)).build();
    }

    /** The data set of an earlier run with -Dbench.keep=true, for the same hour: every sample there, every rollup made. */
    boolean keptDataSetIsThere(long rows) throws Exception {
        try (Connection c = jdbc(); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT count(*), max(time) FROM metrics.connection_samples WHERE connection LIKE 'peerings/bench/%'")) {
            r.next();
            return r.getLong(1) == rows && r.getTimestamp(2).toInstant().equals(end.minusSeconds(60))
                    && scopeRollups.staleMarks().await().atMost(Duration.ofSeconds(30)) == 0;
        }
    }

    static void clearBench() throws Exception {
        for (String table : List.of("connection_samples", "rate_intervals", "rate_short_intervals", "rate_seconds", "rate_minutes", "rate_5minutes", "rate_hours", "rate_days",
                "rate_scopes_stale", "session_transitions")) {
            sql("DELETE FROM metrics." + table + " WHERE connection LIKE 'peerings/bench/%'");
        }
        sql("DELETE FROM metrics.rate_scopes WHERE scope LIKE 'peerings/bench%'");
    }

    IngestConnectionSamplesResponse ingestOverStream(ManagedChannel channel) throws Exception {
        CompletableFuture<IngestConnectionSamplesResponse> reply = new CompletableFuture<>();
        MetricsServiceGrpc.newStub(channel).ingestConnectionSamples(new ClientResponseObserver<IngestConnectionSamplesRequest,
                IngestConnectionSamplesResponse>() {
            int c;
            long i;

            @Override
            public void beforeStart(ClientCallStreamObserver<IngestConnectionSamplesRequest> requests) {
                requests.setOnReadyHandler(() -> {
                    while (requests.isReady() && c < CONNECTIONS) {
                        IngestConnectionSamplesRequest.Builder batch = IngestConnectionSamplesRequest.newBuilder();
                        for (int n = 0; n < 1000 && c < CONNECTIONS; n++) {
                            long[] k = counters(c, i);
                            batch.addSamples(ConnectionSample.newBuilder().setConnection(connection(c))
                                    .setTime(ts(start.plusSeconds(i * 60))).setInOctets(k[0]).setOutOctets(k[1])
                                    .setInDiscards(k[2]).setOutDiscards(k[3]));
                            if (++i == perConnection) {
                                i = 0;
                                c++;
                            }
                        }
                        requests.onNext(batch.build());
                        if (c == CONNECTIONS) {
                            requests.onCompleted();
                        }
                    }
                });
            }

            @Override
            public void onNext(IngestConnectionSamplesResponse value) {
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
        return reply.get(2, TimeUnit.HOURS);
    }

    void copy() throws Exception {
        try (Connection c = jdbc()) {
            CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY metrics.connection_samples (time, connection,"
                    + " session_address, in_octets, out_octets, in_discards, out_discards) FROM STDIN (FORMAT csv)");
            StringBuilder chunk = new StringBuilder();
            for (int conn = 0; conn < CONNECTIONS; conn++) {
                for (long i = 0; i < perConnection; i++) {
                    long[] k = counters(conn, i);
                    chunk.append(OffsetDateTime.ofInstant(start.plusSeconds(i * 60), ZoneOffset.UTC)).append(',')
                            .append(connection(conn)).append(",\"\",").append(k[0]).append(',').append(k[1]).append(',')
                            .append(k[2]).append(',').append(k[3]).append('\n');
                    if (chunk.length() > 1 << 20) {
                        byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
                        copy.writeToCopy(bytes, 0, bytes.length);
                        chunk.setLength(0);
                    }
                }
            }
            byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            copy.endCopy();
        }
    }

    /**
     * The rate SQL prepared once in psql and executed QUERIES times with \timing, on the same data:
     * the service's rollup statement (MetricQueries.RatesQuery#statement, the same for every connection of a case) or
     * the previous release's from-raw SQL (RatesFromRaw).
     */
    List<Double> psqlTimings(int grainSeconds, Instant from, boolean peering, boolean old, int runs) throws Exception {
        StringBuilder script = new StringBuilder("\\o /dev/null\nSET jit = off;\n"); // as the services run (application.properties)
        if (old) {
            script.append("PREPARE q(text[], float8[], timestamptz, timestamptz, float8, float8) AS\n").append(RatesFromRaw.SQL);
        } else {
            MetricQueries.RatesStatement statement = statement(0, grainSeconds, from, peering);
            script.append("PREPARE q(").append(String.join(", ", statement.parameterTypes())).append(") AS\n").append(statement.sql());
        }
        script.append(";\n");
        for (int w = 0; w < (old && peering ? 1 : 3); w++) {
            script.append(execute(w % CONNECTIONS, grainSeconds, from, peering, old));
        }
        script.append("\\timing on\n");
        Random random = new Random(7);
        for (int q = 0; q < runs; q++) {
            script.append(execute(random.nextInt(CONNECTIONS), grainSeconds, from, peering, old));
        }
        Path file = Files.createTempFile("bench", ".sql");
        Files.writeString(file, script);
        Process psql = new ProcessBuilder("psql", "-X", "-q", "-h", "127.0.0.1", "-p", "55432", "-U", "peering", "-d", ConfigProvider.getConfig().getValue("peering.db.name", String.class),
                "-v", "ON_ERROR_STOP=1", "-f", file.toString()).redirectErrorStream(true).start();
        String out = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(psql.waitFor()).as(out).isZero();
        Files.delete(file);
        List<Double> times = new ArrayList<>();
        Matcher m = Pattern.compile("Time: ([0-9.]+) ms").matcher(out);
        while (m.find()) {
            times.add(Double.parseDouble(m.group(1)));
        }
        assertThat(times).as(out).hasSize(runs);
        return times;
    }

    String execute(int c, int grainSeconds, Instant from, boolean peering, boolean old) {
        List<String> connections = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            if (peering || i == c) {
                connections.add("'" + connection(i) + "'");
            }
        }
        String array = "ARRAY[" + String.join(",", connections) + "]";
        if (old) {
            return "EXECUTE q(" + array + ", array_fill(" + BANDWIDTH_MBPS * 1e6 + "::float8, ARRAY[" + connections.size()
                    + "]), '" + from + "', '" + end + "', " + grainSeconds + ", 3600);\n";
        }
        Tuple t = statement(c, grainSeconds, from, peering).parameters();
        StringBuilder sql = new StringBuilder("EXECUTE q(").append(array);
        for (int i = 1; i < t.size(); i++) {
            Object v = t.getValue(i);
            sql.append(", ").append(v instanceof String || v instanceof OffsetDateTime ? "'" + v + "'" : String.valueOf(v));
        }
        return sql.append(");\n").toString();
    }

    /** The service's rates statement for connection c (or the peering), with no stale pieces: the scope job has caught up. */
    MetricQueries.RatesStatement statement(int c, int grainSeconds, Instant from, boolean peering) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            if (peering || i == c) {
                names.add(connection(i));
            }
        }
        return new MetricQueries.RatesQuery(peering ? "peerings/bench" : null, names, from, end,
                Duration.ofSeconds(grainSeconds)).statement(List.of());
    }

    /** The p-th percentile (nearest rank) of the values. */
    public static double pct(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }
}
