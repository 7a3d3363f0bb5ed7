package io.peering.latency.repository;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.peering.common.v1.TimeGrain;
import io.peering.common.v1.TimeRange;
import io.peering.latency.v1.IngestLatencySamplesRequest;
import io.peering.latency.v1.IngestLatencySamplesResponse;
import io.peering.latency.v1.LatencySample;
import io.peering.latency.v1.LatencyServiceGrpc;
import io.peering.latency.v1.QueryPrefixLatencyRequest;
import io.peering.latency.v1.QueryRegisteredAsnLatencyRequest;
import io.peering.latency.v1.QueryRegisteredPrefixLatencyRequest;
import io.peering.latency.LatencyStats;
import io.peering.support.time.Grain;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Prints ingest throughput (gRPC client stream next to COPY) and query latency (hourly medians
 * over 30 days: one prefix in a table of 10 million samples, one ASN with 1,000 customer
 * prefixes), through gRPC and as the same SQL in psql, from the hourly rollup and from the raw
 * samples. Sizes: -Dbench.samples (10000000), -Dbench.hot-prefix-samples (1000000),
 * -Dbench.asn-prefixes (1000), -Dbench.days (30), -Dbench.ingest-samples (1000000),
 * -Dbench.iterations (30); -Dbench.keep=true keeps the data set for another run.
 *
 * <p>Data: the queried prefix 100.64.0.0/24 (origin AS64500) gets the hot-prefix samples, the
 * ASN 4200000001 (peerings/contoso-ams/registeredAsns/contoso-customer) gets the rest spread
 * evenly over its customer prefixes 100.65.0.0/24 onwards, at random times over the days.
 */
@QuarkusTest
@Tag("benchmark")
class LatencyBenchmark {

    static final long ASN = 4200000001L;
    /** Origin of the queried prefix: every sample carries an origin, so the ASN query needs no routes-service. */
    static final long HOT_PREFIX_ASN = 64500L;
    /** contoso-ams's registered prefix contoso-web: QueryRegisteredPrefixLatency reads it too. */
    static final String HOT_PREFIX = "198.51.100.0/24";
    static final String DATA_SET = "100.64.0.0/11";
    static final String INGEST_SET = "100.96.0.0/11";

    final long samples = Long.getLong("bench.samples", 10_000_000);
    final long hotSamples = Long.getLong("bench.hot-prefix-samples", 1_000_000);
    final int asnPrefixes = Integer.getInteger("bench.asn-prefixes", 1000);
    final int days = Integer.getInteger("bench.days", 30);
    final int ingestSamples = Integer.getInteger("bench.ingest-samples", 1_000_000);
    final int iterations = Integer.getInteger("bench.iterations", 30);
    final boolean keep = Boolean.getBoolean("bench.keep");

    final Config config = ConfigProvider.getConfig();

    @Inject
    LatencyQueries queries;

    @Inject
    Pool pool;

    Connection jdbc() throws Exception {
        return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getValue("quarkus.datasource.password", String.class));
    }

    static String asnPrefix(int i) {
        return "100." + (65 + i / 256) + "." + (i % 256) + ".0/24";
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    @Test
    void ingestAndQueryFigures() throws Exception {
        int port = config.getValue("quarkus.http.test-port", Integer.class);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                .maxInboundMessageSize(64 * 1024 * 1024).build();
        try (Connection db = jdbc()) {
            db.setAutoCommit(true);
            ingestFigures(channel, db);
            queryFigures(channel, db);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    // ---------------------------------------------------------------- ingest

    void ingestFigures(ManagedChannel channel, Connection db) throws Exception {
        // live probes: recent samples (the last hour) over 1,000 prefixes, 1,000 samples per message
        SplittableRandom random = new SplittableRandom(7);
        Instant now = Instant.now();
        long[] times = new long[ingestSamples];
        int[] prefixes = new int[ingestSamples];
        double[] rtts = new double[ingestSamples];
        for (int i = 0; i < ingestSamples; i++) {
            times[i] = now.toEpochMilli() - random.nextLong(3_600_000);
            prefixes[i] = random.nextInt(1000);
            rtts[i] = Math.round(random.nextDouble(1, 200) * 1000) / 1000.0;
        }
        deleteIngestSet(db);
        List<IngestLatencySamplesRequest> messages = new ArrayList<>();
        for (int m = 0; m < ingestSamples; m += 1000) {
            IngestLatencySamplesRequest.Builder b = IngestLatencySamplesRequest.newBuilder();
            for (int i = m; i < Math.min(ingestSamples, m + 1000); i++) {
                b.addSamples(LatencySample.newBuilder().setTarget(ingestTarget(prefixes[i], i))
                        .setTime(ts(Instant.ofEpochMilli(times[i]))).setRttMs(rtts[i]).setProbeLocation("bench-grpc")
                        .setOriginAsn((int) ASN));
            }
            messages.add(b.build());
        }
        long start = System.nanoTime();
        IngestLatencySamplesResponse reply = ingest(channel, messages);
        double grpcSeconds = (System.nanoTime() - start) / 1e9;
        assertThat(reply.getAccepted()).isEqualTo(ingestSamples);
        liveAsnChart(channel, db);

        start = System.nanoTime();
        try (Writer out = copyIn(db)) {
            for (int i = 0; i < ingestSamples; i++) {
                out.append(Instant.ofEpochMilli(times[i]).toString()).append('\t')
                        .append(ingestPrefix(prefixes[i])).append('\t').append(ingestTarget(prefixes[i], i)).append('\t')
                        .append(Double.toString(rtts[i])).append("\tbench-copy\t").append(Long.toString(ASN)).append('\n');
            }
        }
        double copySeconds = (System.nanoTime() - start) / 1e9;
        long copied = count(db, "SELECT count(*) FROM latency.samples WHERE probe_location = 'bench-copy'");
        assertThat(copied).isEqualTo(ingestSamples);

        System.out.printf("%nINGEST %,d samples (1,000 prefixes, times within the last hour)%n", ingestSamples);
        System.out.printf("  gRPC IngestLatencySamples stream (raw rows + hourly rollup, %d-sample unnest statements): %,.0f samples/s (%.1f s)%n",
                config.getValue("peering.latency.batch-size", Integer.class), ingestSamples / grpcSeconds, grpcSeconds);
        System.out.printf("  COPY of the same rows into latency.samples (raw rows only, no rollup):              %,.0f samples/s (%.1f s)%n",
                ingestSamples / copySeconds, copySeconds);
        deleteIngestSet(db);
    }

    /**
     * A chart of the last 15 minutes of an ASN whose probes send their origin (PT1M), on the samples just ingested
     * (1,000,000 in the last hour): as they are, its open hour read from the samples (the path before V7), and after
     * one compaction run at the next minute (the minutes made); both answers compared. Not with -Dbench.keep (the
     * compaction would add rows of these samples' hours to the kept data set's ASN); the rows it made are deleted after.
     */
    void liveAsnChart(ManagedChannel channel, Connection db) throws Exception {
        if (keep) {
            System.out.printf("%n(the live ASN chart is skipped with -Dbench.keep=true)%n");
            return;
        }
        LatencyServiceGrpc.LatencyServiceBlockingStub stub = LatencyServiceGrpc.newBlockingStub(channel);
        Instant to = Instant.now();
        try (Statement st = db.createStatement()) {
            // as in queryFigures: samples without an origin that other tests left would make the query ask routes-service
            st.execute("DELETE FROM latency.hourly WHERE origin_asn = 0 AND hour >= '" + to.minus(Duration.ofHours(2)) + "'");
            st.execute("DELETE FROM latency.samples WHERE origin_asn IS NULL AND time >= '" + to.minus(Duration.ofHours(2)) + "'");
        }
        QueryRegisteredAsnLatencyRequest live = QueryRegisteredAsnLatencyRequest.newBuilder()
                .setName("peerings/contoso-ams/registeredAsns/contoso-customer")
                .setTimeRange(TimeRange.newBuilder().setStartTime(ts(to.minus(Duration.ofMinutes(15)))).setEndTime(ts(to)))
                .setTimeGrain(TimeGrain.TIME_GRAIN_PT1M).build();
        var fromSamples = stub.withDeadlineAfter(1, TimeUnit.MINUTES).queryRegisteredAsnLatency(live);
        List<Double> open = time(() -> stub.withDeadlineAfter(1, TimeUnit.MINUTES).queryRegisteredAsnLatency(live));
        // the same chart as when the probes send no origin: attributed through the ASN's routes (here its 1,000
        // prefixes, given as routes-service would), LatencyQueries called directly (routes-service does not run here);
        // and one prefix's chart
        Instant from = to.minus(Duration.ofMinutes(15));
        List<String> routes = new ArrayList<>();
        for (int p = 0; p < 1000; p++) {
            routes.add(ingestPrefix(p));
        }
        String prefix = ingestPrefix(0);
        Supplier<LatencyQueries.AsnSeries> byRoutes = () -> queries.asnSeries(ASN, routes, from, to, Grain.PT1M)
                .await().atMost(Duration.ofMinutes(1));
        Supplier<List<LatencyStats>> onePrefix = () -> queries.prefixSeries(prefix, from, to, Grain.PT1M)
                .await().atMost(Duration.ofMinutes(1));
        // the previous release's path for it: LatencyQueries.ASN_RAW (every sample of the range, a range scan per route)
        Tuple legacyParams = Tuple.of(ASN, from.atOffset(java.time.ZoneOffset.UTC), to.atOffset(java.time.ZoneOffset.UTC))
                .addArrayOfString(routes.toArray(String[]::new)).addString(Grain.PT1M.sqlInterval());
        Supplier<LatencyQueries.AsnSeries> legacyRoutes = () -> {
            List<LatencyQueries.AsnPoint> points = new ArrayList<>();
            int count = 0;
            for (Row r : pool.preparedQuery(LatencyQueries.ASN_RAW).execute(legacyParams)
                    .await().atMost(Duration.ofMinutes(1))) {
                points.add(new LatencyQueries.AsnPoint(r.getOffsetDateTime(0).toInstant(), r.getDouble(1)));
                count = r.getLong(2).intValue();
            }
            return new LatencyQueries.AsnSeries(points, count);
        };
        LatencyQueries.AsnSeries routesBefore = byRoutes.get();
        assertSameSeries(routesBefore, legacyRoutes.get());
        List<LatencyStats> prefixBefore = onePrefix.get();
        List<Double> routesLegacyMs = time(legacyRoutes);
        List<Double> routesOpenMs = time(byRoutes);
        List<Double> prefixOpenMs = time(onePrefix);
        // the job's run once every sample's minute is over: the batch rows merged, the minutes made
        Thread.sleep(60_000 - Instant.now().toEpochMilli() % 60_000 + 1_000);
        long t0 = System.nanoTime();
        try (Statement st = db.createStatement()) {
            st.execute(SampleStore.COMPACT);
        }
        double compactSeconds = (System.nanoTime() - t0) / 1e9;
        var fromRows = stub.withDeadlineAfter(1, TimeUnit.MINUTES).queryRegisteredAsnLatency(live);
        List<Double> made = time(() -> stub.withDeadlineAfter(1, TimeUnit.MINUTES).queryRegisteredAsnLatency(live));
        assertThat(fromRows.getCustomerPrefixCount()).isEqualTo(fromSamples.getCustomerPrefixCount());
        assertThat(fromRows.getPointsCount()).isEqualTo(fromSamples.getPointsCount());
        for (int i = 0; i < fromSamples.getPointsCount(); i++) {
            assertThat(fromRows.getPoints(i).getTime()).isEqualTo(fromSamples.getPoints(i).getTime());
            assertThat(fromRows.getPoints(i).getValue()).isCloseTo(fromSamples.getPoints(i).getValue(), within(1e-9));
        }
        System.out.printf("%nBENCHMARK QueryRegisteredAsnLatency, the last 15 minutes at PT1M (%d points, %d customer prefixes),"
                + " on the samples just ingested; the same answers both ways%n", fromRows.getPointsCount(),
                fromRows.getCustomerPrefixCount());
        report("  the open hour from the samples (before V7)", open);
        report("  after one compaction run (its minutes made)", made);
        System.out.printf("  that compaction run (the previous hour closed, this hour's minutes made): %.1f s%n", compactSeconds);
        assertSameSeries(byRoutes.get(), routesBefore);
        assertThat(onePrefix.get()).isEqualTo(prefixBefore);
        System.out.printf("%nBENCHMARK the same chart attributed through the ASN's 1,000 routes (LatencyQueries.asnSeries, no gRPC);"
                + " the same answers every way%n");
        report("  the previous release's SQL (every sample of the range)", routesLegacyMs);
        report("  this release's, the open hour from the samples", routesOpenMs);
        report("  this release's, after the compaction run (V8)", time(byRoutes));
        System.out.printf("%nBENCHMARK one prefix's chart of the last 15 minutes at PT1M (%s, %d points;"
                + " LatencyQueries.prefixSeries, no gRPC)%n", prefix, prefixBefore.size());
        report("  the open hour from the samples", prefixOpenMs);
        report("  after the compaction run (V8)", time(onePrefix));
        try (Statement st = db.createStatement()) {
            st.execute("DELETE FROM latency.asn_rollup WHERE origin_asn = " + ASN + " AND bucket >= '"
                    + to.minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.DAYS) + "'");
            st.execute("DELETE FROM latency.prefix_hourly WHERE prefix <<= '" + INGEST_SET + "'");
            st.execute("DELETE FROM latency.prefix_minutes WHERE prefix <<= '" + INGEST_SET + "'");
            st.execute("DELETE FROM latency.prefix_buckets WHERE prefix <<= '" + INGEST_SET + "'");
        }
    }

    static void assertSameSeries(LatencyQueries.AsnSeries actual, LatencyQueries.AsnSeries expected) {
        assertThat(actual.customerPrefixCount()).isEqualTo(expected.customerPrefixCount());
        assertThat(actual.points()).hasSameSizeAs(expected.points());
        for (int i = 0; i < expected.points().size(); i++) {
            assertThat(actual.points().get(i).bucket()).isEqualTo(expected.points().get(i).bucket());
            assertThat(actual.points().get(i).averageMedianMs()).isCloseTo(expected.points().get(i).averageMedianMs(), within(1e-9));
        }
    }

    static String ingestPrefix(int p) {
        return "100." + (96 + p / 256) + "." + (p % 256) + ".0/24";
    }

    static String ingestTarget(int p, int i) {
        return "100." + (96 + p / 256) + "." + (p % 256) + "." + (i % 256);
    }

    void deleteIngestSet(Connection db) throws Exception {
        try (Statement st = db.createStatement()) {
            st.execute("DELETE FROM latency.samples WHERE prefix <<= '" + INGEST_SET + "'");
            st.execute("DELETE FROM latency.hourly WHERE prefix <<= '" + INGEST_SET + "'");
        }
    }

    IngestLatencySamplesResponse ingest(ManagedChannel channel, List<IngestLatencySamplesRequest> messages) throws Exception {
        CompletableFuture<IngestLatencySamplesResponse> reply = new CompletableFuture<>();
        StreamObserver<IngestLatencySamplesRequest> requests = LatencyServiceGrpc.newStub(channel)
                .withDeadlineAfter(30, TimeUnit.MINUTES).ingestLatencySamples(new StreamObserver<>() {
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
        messages.forEach(requests::onNext);
        requests.onCompleted();
        return reply.get(30, TimeUnit.MINUTES);
    }

    Writer copyIn(Connection db) throws Exception {
        CopyIn copy = db.unwrap(PGConnection.class).getCopyAPI().copyIn(
                "COPY latency.samples (time, prefix, target, rtt_ms, probe_location, origin_asn) FROM STDIN");
        return new OutputStreamWriter(new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                try {
                    copy.writeToCopy(b, off, len);
                } catch (java.sql.SQLException e) {
                    throw new java.io.IOException(e);
                }
            }

            @Override
            public void close() throws java.io.IOException {
                try {
                    copy.endCopy();
                } catch (java.sql.SQLException e) {
                    throw new java.io.IOException(e);
                }
            }
        }, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- queries

    void queryFigures(ManagedChannel channel, Connection db) throws Exception {
        Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
        Instant start = end.minus(Duration.ofDays(days));
        Instant dayAgo = end.minus(Duration.ofDays(1));
        loadDataSet(db, start, end);
        try (Statement st = db.createStatement()) {
            // Samples without an origin that other tests left in the range would make the ASN query ask
            // routes-service, which does not run here: the benchmark measures the closed-hour path only.
            st.execute("DELETE FROM latency.hourly WHERE origin_asn = 0 AND hour >= '" + start + "'");
            st.execute("DELETE FROM latency.samples WHERE origin_asn IS NULL AND time >= '" + start + "'");
        }
        long table = count(db, "SELECT count(*) FROM latency.samples");
        long hotRows = count(db, "SELECT count(*) FROM latency.samples WHERE prefix = '" + HOT_PREFIX + "'");
        System.out.printf("%nQUERIES over %d days (%s .. %s); latency.samples holds %,d rows, %,d of them in %s (contoso-ams's"
                + " registered prefix contoso-web), %,d in the %d customer prefixes of AS%d; latency.hourly holds %,d rows,"
                + " prefix_hourly %,d, asn_rollup %,d%n", days, start, end, table, hotRows, HOT_PREFIX, samples - hotSamples,
                asnPrefixes, ASN, count(db, "SELECT count(*) FROM latency.hourly"), count(db, "SELECT count(*) FROM latency.prefix_hourly"),
                count(db, "SELECT count(*) FROM latency.asn_rollup"));

        LatencyServiceGrpc.LatencyServiceBlockingStub stub = LatencyServiceGrpc.newBlockingStub(channel);
        record Window(String label, Instant from, TimeGrain grain, int seconds) {
        }
        for (Window w : List.of(new Window(days + " days at PT1H", start, TimeGrain.TIME_GRAIN_PT1H, 3600),
                new Window("24 h at PT1M", dayAgo, TimeGrain.TIME_GRAIN_PT1M, 60))) {
            TimeRange range = TimeRange.newBuilder().setStartTime(ts(w.from())).setEndTime(ts(end)).build();
            QueryPrefixLatencyRequest prefixRequest = QueryPrefixLatencyRequest.newBuilder().setPrefix(HOT_PREFIX)
                    .setTimeRange(range).setTimeGrain(w.grain()).build();
            QueryRegisteredPrefixLatencyRequest registeredRequest = QueryRegisteredPrefixLatencyRequest.newBuilder()
                    .setParent("peerings/contoso-ams").setTimeRange(range).setTimeGrain(w.grain()).build();
            QueryRegisteredAsnLatencyRequest asnRequest = QueryRegisteredAsnLatencyRequest.newBuilder()
                    .setName("peerings/contoso-ams/registeredAsns/contoso-customer").setTimeRange(range)
                    .setTimeGrain(w.grain()).build();
            int prefixPoints = stub.withDeadlineAfter(10, TimeUnit.MINUTES).queryPrefixLatency(prefixRequest).getPointsCount();
            var asnReply = stub.withDeadlineAfter(10, TimeUnit.MINUTES).queryRegisteredAsnLatency(asnRequest);
            System.out.printf("%nBENCHMARK latency queries, %s: %s %d points; AS%d %d points over %d customer prefixes%n",
                    w.label(), HOT_PREFIX, prefixPoints, ASN, asnReply.getPointsCount(), asnReply.getCustomerPrefixCount());

            boolean hourly = w.seconds() == 3600;
            Instant[] hours = LatencyQueries.wholeHours(w.from(), end);
            Instant[] wholeDays = LatencyQueries.wholeDays(hours[0], hours[1]);
            Prepared prefixNow = hourly ? bind(LatencyQueries.PREFIX_CLOSED_HOURS, "'" + HOT_PREFIX + "'", w.from(), end, hours[0], hours[1])
                    : bind(LatencyQueries.PREFIX_CLOSED_MINUTES, "'" + HOT_PREFIX + "'", w.from(), end, hours[0], hours[1],
                    w.seconds());
            Instant[] buckets = LatencyQueries.wholeBuckets(w.from(), end, Duration.ofSeconds(w.seconds()));
            Prepared asnNow = bind(LatencyQueries.ASN_CLOSED_HOURS, ASN, w.from(), end, buckets[0], buckets[1], w.seconds(),
                    wholeDays[0], wholeDays[1], "'" + w.seconds() + " seconds'", hours[0], hours[1]);
            report("QueryPrefixLatency over gRPC", time(() -> stub.withDeadlineAfter(10, TimeUnit.MINUTES)
                    .queryPrefixLatency(prefixRequest)));
            report("QueryRegisteredPrefixLatency over gRPC (2 prefixes)", time(() -> stub.withDeadlineAfter(10, TimeUnit.MINUTES)
                    .queryRegisteredPrefixLatency(registeredRequest)));
            report("  the prefix's SQL in psql", psql(prefixNow, iterations));
            if (hourly) {
                report("  previous release's SQL in psql (hourly rollup)", psql(bind(LegacyLatencySql.PREFIX_ROLLUP.formatted("3600 seconds"),
                        "'" + HOT_PREFIX + "'", w.from(), end), iterations));
            }
            report("  raw-sample SQL in psql", psql(bind(LegacyLatencySql.PREFIX_RAW.formatted(w.seconds() + " seconds"),
                    "'" + HOT_PREFIX + "'", w.from(), end), iterations));
            report("QueryRegisteredAsnLatency over gRPC", time(() -> stub.withDeadlineAfter(10, TimeUnit.MINUTES)
                    .queryRegisteredAsnLatency(asnRequest)));
            report("  its SQL in psql", psql(asnNow, iterations));
            if (hourly) {
                report("  previous release's SQL in psql (hourly rollup)", psql(bind(LegacyLatencySql.ASN_ROLLUP_HOURLY,
                        ASN, w.from(), end), iterations));
            }
            report("  raw-sample SQL in psql", psql(bind(LegacyLatencySql.ASN_RAW.formatted(w.seconds() + " seconds"),
                    ASN, w.from(), end, "ARRAY[]::text[]"), Math.max(3, iterations / 5)));
        }

        if (!keep) {
            clearDataSet(db);
        }
    }

    /**
     * The statement prepared in psql as the service's client prepares it, and executed with the values
     * (an Instant is a timestamptz, a Long a bigint, an Integer an integer, a String a literal of the
     * type after its "::", text without one).
     */
    record Prepared(String prepare, String execute) {
    }

    static Prepared bind(String sql, Object... values) {
        List<String> types = new ArrayList<>();
        List<String> literals = new ArrayList<>();
        for (Object v : values) {
            if (v instanceof Instant t) {
                types.add("timestamptz");
                literals.add("'" + t + "'");
            } else if (v instanceof Long n) {
                types.add("bigint");
                literals.add(n.toString());
            } else if (v instanceof Integer n) {
                types.add("integer");
                literals.add(n.toString());
            } else {
                String text = v.toString();
                int cast = text.lastIndexOf("::");
                types.add(cast < 0 ? "text" : text.substring(cast + 2));
                literals.add(text);
            }
        }
        return new Prepared("PREPARE q(" + String.join(", ", types) + ") AS " + sql.strip() + ";\n",
                "EXECUTE q(" + String.join(", ", literals) + ");\n");
    }

    void clearDataSet(Connection db) throws Exception {
        try (Statement st = db.createStatement()) {
            for (String table : List.of("samples", "hourly", "prefix_hourly", "prefix_minutes", "prefix_buckets")) {
                st.execute("DELETE FROM latency." + table + " WHERE prefix <<= '" + DATA_SET + "' OR prefix = '" + HOT_PREFIX + "'");
            }
            st.execute("DELETE FROM latency.asn_rollup WHERE origin_asn IN (" + ASN + ", " + HOT_PREFIX_ASN + ")");
        }
    }

    /** COPY of the data set, then the rollup built from it (what ingest maintains as it goes). Skipped if already there. */
    void loadDataSet(Connection db, Instant start, Instant end) throws Exception {
        long present = count(db, "SELECT count(*) FROM latency.samples WHERE (prefix <<= '" + DATA_SET + "' OR prefix = '"
                + HOT_PREFIX + "') AND time >= '" + start + "' AND time < '" + end + "'");
        if (present == samples) {
            System.out.printf("%n(data set of %,d samples already loaded; reused)%n", present);
            return;
        }
        clearDataSet(db);
        SplittableRandom random = new SplittableRandom(11);
        long span = Duration.between(start, end).toMillis();
        long t0 = System.nanoTime();
        try (Writer out = copyIn(db)) {
            StringBuilder line = new StringBuilder(96);
            for (long i = 0; i < samples; i++) {
                boolean hot = i < hotSamples;
                int p = hot ? -1 : (int) ((i - hotSamples) % asnPrefixes);
                String prefix = hot ? HOT_PREFIX : asnPrefix(p);
                String target = prefix.substring(0, prefix.length() - 4) + (1 + i % 254);
                line.setLength(0);
                line.append(Instant.ofEpochMilli(start.toEpochMilli() + random.nextLong(span))).append('\t').append(prefix)
                        .append('\t').append(target).append('\t').append(Math.round(random.nextDouble(1, 250) * 1000) / 1000.0)
                        .append("\tbench\t").append(hot ? Long.toString(HOT_PREFIX_ASN) : Long.toString(ASN)).append('\n');
                out.append(line);
            }
        }
        double copySeconds = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        try (Statement st = db.createStatement()) {
            st.execute("INSERT INTO latency.hourly (hour, prefix, origin_asn, rtts, sorted) "
                    + "SELECT time_bucket(INTERVAL '1 hour', time), prefix, coalesce(origin_asn, 0), array_agg(rtt_ms ORDER BY rtt_ms), true "
                    + "FROM latency.samples WHERE prefix <<= '" + DATA_SET + "' OR prefix = '" + HOT_PREFIX + "' GROUP BY 1, 2, 3");
        }
        double rollupSeconds = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        try (Statement st = db.createStatement()) {
            st.execute(SampleStore.COMPACT); // what the compaction job does
            for (String table : List.of("samples", "hourly", "prefix_hourly", "prefix_minutes", "asn_rollup")) {
                st.execute("ANALYZE latency." + table);
            }
        }
        System.out.printf("%nLOAD: COPY of %,d samples %.1f s (%,.0f samples/s); hourly rollup built from them in %.1f s;"
                + " the hours closed (prefix_hourly, prefix_minutes, asn_rollup) in %.1f s%n", samples, copySeconds, samples / copySeconds,
                rollupSeconds, (System.nanoTime() - t0) / 1e9);
    }

    List<Double> time(Supplier<?> call) {
        for (int i = 0; i < Math.min(3, iterations); i++) {
            call.get();
        }
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            long t = System.nanoTime();
            call.get();
            ms.add((System.nanoTime() - t) / 1e6);
        }
        return ms;
    }

    /** Runs the statement in psql {@code runs} times (after two warm-up runs) and collects psql's own timings. */
    /** Prepares the statement in psql, runs it twice, then {@code runs} times timed, and collects psql's own timings. */
    List<Double> psql(Prepared statement, int runs) throws Exception {
        StringBuilder script = new StringBuilder("\\o /dev/null\nSET jit = off;\n") // as the service's sessions
                .append(statement.prepare()).append(statement.execute()).append(statement.execute()).append("\\timing on\n");
        for (int i = 0; i < runs; i++) {
            script.append(statement.execute());
        }
        ProcessBuilder pb = new ProcessBuilder("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", config.getValue("peering.db.host", String.class),
                "-p", config.getValue("peering.db.port", String.class), "-U", config.getValue("quarkus.datasource.username", String.class),
                "-d", config.getValue("peering.db.name", String.class)).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", config.getValue("quarkus.datasource.password", String.class));
        Process process = pb.start();
        try (Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
            in.write(script.toString());
        }
        List<Double> ms = new ArrayList<>();
        List<String> other = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("Time: ")) {
                    ms.add(Double.parseDouble(line.substring(6, line.indexOf(" ms"))));
                } else {
                    other.add(line);
                }
            }
        }
        assertThat(process.waitFor()).as("psql: " + other).isZero();
        assertThat(ms).hasSize(runs);
        return ms;
    }

    static void report(String what, List<Double> ms) {
        double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf("  %-52s p50 %9.1f ms   p99 %9.1f ms   (%d runs)%n", what, percentile(sorted, 0.5),
                percentile(sorted, 0.99), sorted.length);
    }

    static double percentile(double[] sorted, double f) {
        double pos = f * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    static long count(Connection db, String sql) throws Exception {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
