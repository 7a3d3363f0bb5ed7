package io.peering.metrics.repository;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.peering.metrics.MetricsBenchmark.pct;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one ingest batch costs as a busy series' data grows: the soak's counter feed (1,000 samples a second over three
 * connections, a message of 100 samples every 100 ms, so a sample every 3 ms per series), simulated for
 * -Dbench.seconds (120) of samples. Each batch is one transaction as SampleStore makes it: insert the samples, take
 * the series' locks (metrics.lock_rate_series), refresh the rollups. Run twice on the same database, the same
 * samples under other connection names: with metrics.refresh_rates as migration V3 had it (read from that
 * migration, created as metrics.refresh_rates_v3 for the run and dropped after) and as it is now. Prints the mean
 * and greatest time of a batch for each 10 s of samples, side by side; both paths' rollup rows of the levels V3 had
 * must be equal, and the current path's seconds rows its short intervals summed per second. A second
 * benchmark feeds the same series and times the soak's chart of them (the last 15 minutes at PT1M, ragged edges).
 * <p>Run: {@code ./mvnw -B -pl metrics-service test -Dgroups=benchmark -DexcludedGroups=none
 * -Dtest=BusySeriesRefreshBenchmark}.
 */
@QuarkusTest
@Tag("benchmark")
class BusySeriesRefreshBenchmark {

    static final int SECONDS = Integer.getInteger("bench.seconds", 120);
    static final int PER_BATCH = 100;
    static final int BATCHES_PER_SECOND = 10;
    static final int SERIES = 3;
    /** Away from the windows of the other metrics tests and benchmarks (25 and 30 days back, today). */
    static final Instant START = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(40)).plus(Duration.ofHours(9));
    static final List<String> TABLES = List.of("connection_samples", "rate_intervals", "rate_short_intervals", "rate_seconds", "rate_minutes", "rate_5minutes",
            "rate_hours", "rate_days");

    /** The samples of one batch, made by the server (the refresh is what is measured, not the client's encoding). */
    static final String INSERT = """
            WITH inserted AS (
                INSERT INTO metrics.connection_samples (time, connection, session_address, in_octets, out_octets, in_discards, out_discards)
                SELECT ?::timestamptz + ((k / %1$d) * 3000 + k %% %1$d) * interval '1 microsecond', ? || (k %% %1$d), '',
                       (k / %1$d)::numeric * 375000, (k / %1$d)::numeric * 750000, (k / %1$d)::numeric, (k / %1$d)::numeric
                FROM (SELECT ?::bigint + i AS k FROM generate_series(0, %2$d - 1) AS i) g
                ON CONFLICT DO NOTHING
                RETURNING connection, session_address, time)
            SELECT array_agg(connection ORDER BY connection), array_agg(session_address ORDER BY connection),
                   array_agg(f ORDER BY connection), array_agg(t ORDER BY connection), sum(n)
            FROM (SELECT connection, session_address, min(time) AS f, max(time) AS t, count(*) AS n FROM inserted GROUP BY 1, 2) g
            """.formatted(SERIES, PER_BATCH);

    record Path(String name, String function, String connectionPrefix) {
    }

    @Inject
    MetricQueries queries;

    static Connection jdbc() throws Exception {
        return DriverManager.getConnection(ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class),
                "peering", "peering");
    }

    @Test
    void printBatchTimesOfABusySeriesWithTheV3RefreshAndTheCurrentOne() throws Exception {
        List<Path> paths = List.of(new Path("V3 (before)", "metrics.refresh_rates_v3", "peerings/bench-v3/connections/c"),
                new Path("current", "metrics.refresh_rates", "peerings/bench-now/connections/c"));
        try (Connection c = jdbc()) {
            try (Statement s = c.createStatement()) {
                s.execute("SET jit = off"); // as the service's connections
                s.execute(v3Function());
            }
            clear(c, paths);
            List<double[][]> slices = new ArrayList<>();
            for (Path path : paths) {
                // each path starts on vacuumed tables: the first run's dead rows would otherwise be the second's autovacuum
                try (Statement s = c.createStatement()) {
                    for (String table : TABLES) {
                        s.execute("VACUUM (ANALYZE) metrics." + table);
                    }
                    s.execute("VACUUM (ANALYZE) metrics.rate_scopes_stale");
                }
                slices.add(run(c, path));
            }
            System.out.printf("%nBENCHMARK one ingest batch (insert + series locks + refresh_rates) of a busy series: %d series,"
                    + " %d samples a batch, %d batches a second of samples (a sample every 3 ms per series), %d s of samples%n",
                    SERIES, PER_BATCH, BATCHES_PER_SECOND, SECONDS);
            System.out.printf("  %-16s %-26s %-26s%n", "seconds of data", paths.get(0).name() + " mean / max ms",
                    paths.get(1).name() + " mean / max ms");
            for (int i = 0; i < slices.get(0).length; i++) {
                System.out.printf("  %3d-%-3d          %8.1f / %-15.1f %8.1f / %-15.1f%n", i * 10, i * 10 + 10,
                        slices.get(0)[i][0], slices.get(0)[i][1], slices.get(1)[i][0], slices.get(1)[i][1]);
            }
            List<String> levels = TABLES.subList(4, TABLES.size()); // V3 made no seconds
            assertThat(rollupRows(c, paths.get(1), levels)).as("the current refresh's rollup rows equal V3's on the same samples")
                    .isEqualTo(rollupRows(c, paths.get(0), levels));
            assertThat(secondsNotOfTheirIntervals(c, paths.get(1))).as("seconds rows unlike their short intervals summed per second")
                    .isZero();
            clear(c, paths);
        } finally {
            try (Connection c = jdbc(); Statement s = c.createStatement()) {
                s.execute("DROP FUNCTION IF EXISTS metrics.refresh_rates_v3(text[], text[], timestamptz[], timestamptz[], float8[], float8)");
            }
        }
    }

    /**
     * A chart of the last 15 minutes at PT1M (the soak's QueryConnectionMetrics) of the three busy series, as
     * MetricQueries answers it: a range ending at a random instant inside the samples (not on a second, so both edges
     * are ragged; the samples span -Dbench.seconds only, so the start edge lies before them and the end edge holds up
     * to a minute of 3 ms intervals per series) beside the same range moved to whole minutes (no edge: rollup rows
     * only). Prints p50/p99 of each and how many interval rows the end edge holds.
     */
    @Test
    void printChartTimesOfTheLastFifteenMinutesOfBusySeriesWithRaggedEdges() throws Exception {
        Path path = new Path("current", "metrics.refresh_rates", "peerings/bench-chart/connections/c");
        List<String> connections = List.of(path.connectionPrefix() + 0, path.connectionPrefix() + 1, path.connectionPrefix() + 2);
        int queries = Integer.getInteger("bench.queries", 200);
        try (Connection c = jdbc()) {
            clear(c, List.of(path));
            try (Statement s = c.createStatement()) {
                s.execute("SET jit = off");
            }
            run(c, path);
            try (Statement s = c.createStatement()) { // what autovacuum does within a minute of such a feed on a live system
                for (String table : TABLES) {
                    s.execute("ANALYZE metrics." + table);
                }
            }
            Random random = new Random(3);
            List<Double> ragged = new ArrayList<>();
            List<Double> aligned = new ArrayList<>();
            long edgeRows = 0;
            for (int q = -20; q < queries; q++) { // the first 20 warm up
                Instant end = START.plusSeconds(60 + random.nextInt(SECONDS - 60)).plusNanos(1 + random.nextInt(999_999_999));
                Instant wholeEnd = end.truncatedTo(ChronoUnit.MINUTES);
                double r = timedRates(connections, end);
                double a = timedRates(connections, wholeEnd);
                if (q >= 0) {
                    ragged.add(r);
                    aligned.add(a);
                    edgeRows += intervalRows(c, connections, wholeEnd, end);
                }
            }
            System.out.printf("%nBENCHMARK a chart of the last 15 minutes at PT1M of %d busy series (a sample every 3 ms each),"
                    + " MetricQueries.rates (the service's SQL and combiner, no gRPC), %d queries:%n", SERIES, queries);
            System.out.printf("  ragged range (end inside a minute):   p50 %7.1f ms  p99 %7.1f ms  (its end edge: %,d interval"
                    + " rows on average)%n", pct(ragged, 50), pct(ragged, 99), edgeRows / queries);
            System.out.printf("  the same range on whole minutes:       p50 %7.1f ms  p99 %7.1f ms%n", pct(aligned, 50), pct(aligned, 99));
            clear(c, List.of(path));
        }
    }

    double timedRates(List<String> connections, Instant end) {
        long t0 = System.nanoTime();
        List<MetricQueries.RateBucket> buckets = queries.rates(new MetricQueries.RatesQuery(null, connections,
                end.minus(Duration.ofMinutes(15)), end, Duration.ofMinutes(1))).await().atMost(Duration.ofSeconds(30));
        double ms = (System.nanoTime() - t0) / 1e6;
        assertThat(buckets).as("buckets of the range ending " + end).isNotEmpty();
        return ms;
    }

    static long intervalRows(Connection c, List<String> connections, Instant from, Instant to) throws Exception {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT (SELECT count(*) FROM metrics.rate_intervals WHERE connection = ANY(?) AND time >= ? AND time < ?)"
                        + " + (SELECT count(*) FROM metrics.rate_short_intervals WHERE connection = ANY(?) AND time >= ? AND time < ?)")) {
            for (int k = 0; k < 2; k++) {
                s.setArray(1 + 3 * k, c.createArrayOf("text", connections.toArray()));
                s.setTimestamp(2 + 3 * k, Timestamp.from(from));
                s.setTimestamp(3 + 3 * k, Timestamp.from(to));
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** Per 10 s of samples: the mean and the greatest time of a batch, in ms. */
    static double[][] run(Connection c, Path path) throws Exception {
        int batches = SECONDS * BATCHES_PER_SECOND;
        double[][] slices = new double[SECONDS / 10][2];
        c.setAutoCommit(false);
        try (PreparedStatement insert = c.prepareStatement(INSERT);
             PreparedStatement lock = c.prepareStatement("SELECT metrics.lock_rate_series(?::text[], ?::text[])");
             PreparedStatement refresh = c.prepareStatement("SELECT " + path.function()
                     + "(?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::float8[], 3600)")) {
            for (int b = 0; b < batches; b++) {
                long first = (long) b * PER_BATCH;
                long t0 = System.nanoTime();
                insert.setTimestamp(1, Timestamp.from(START));
                insert.setString(2, path.connectionPrefix());
                insert.setLong(3, first);
                Object conns;
                Object addrs;
                Object froms;
                Object tos;
                try (ResultSet r = insert.executeQuery()) {
                    r.next();
                    assertThat(r.getLong(5)).as("samples stored by batch %d", b).isEqualTo(PER_BATCH);
                    conns = r.getArray(1);
                    addrs = r.getArray(2);
                    froms = r.getArray(3);
                    tos = r.getArray(4);
                }
                lock.setObject(1, conns);
                lock.setObject(2, addrs);
                lock.executeQuery().close();
                refresh.setObject(1, conns);
                refresh.setObject(2, addrs);
                refresh.setObject(3, froms);
                refresh.setObject(4, tos);
                refresh.setObject(5, c.createArrayOf("float8", new Double[]{1e10, 1e10, 1e10}));
                refresh.executeQuery().close();
                c.commit();
                double ms = (System.nanoTime() - t0) / 1e6;
                double[] slice = slices[b / (10 * BATCHES_PER_SECOND)];
                slice[0] += ms / (10 * BATCHES_PER_SECOND);
                slice[1] = Math.max(slice[1], ms);
            }
        } finally {
            c.setAutoCommit(true);
        }
        return slices;
    }

    /** The path's rows of metrics.rate_seconds that differ from its short intervals summed per series and second, and the reverse. */
    static long secondsNotOfTheirIntervals(Connection c, Path path) throws Exception {
        String ofIntervals = """
                SELECT time_bucket(interval '1 second', time), connection, session_address, sum(in_bits),
                       round((sum(secs) FILTER (WHERE in_bits IS NOT NULL))::numeric, 6),
                       min(in_bits / secs), max(in_bits / secs), count(in_bits), sum(out_bits), count(out_bits), sum(drops), count(drops)
                FROM metrics.rate_short_intervals WHERE connection LIKE ? || '%' GROUP BY 1, 2, 3""";
        String seconds = """
                SELECT bucket, connection, session_address, in_sum, round(in_secs::numeric, 6), in_min, in_max, in_n::bigint,
                       out_sum, out_n::bigint, drop_sum, drop_n::bigint
                FROM metrics.rate_seconds WHERE connection LIKE ? || '%'""";
        try (PreparedStatement s = c.prepareStatement("SELECT (SELECT count(*) FROM (" + ofIntervals + " EXCEPT " + seconds
                + ") a) + (SELECT count(*) FROM (" + seconds + " EXCEPT " + ofIntervals + ") b)")) {
            for (int i = 1; i <= 4; i++) {
                s.setString(i, path.connectionPrefix());
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** Every row of the path's series in the rollup tables, with the series' own name cut off: comparable between the paths. */
    static List<String> rollupRows(Connection c, Path path, List<String> tables) throws Exception {
        List<String> rows = new ArrayList<>();
        for (String table : tables) {
            try (PreparedStatement s = c.prepareStatement("SELECT bucket, substring(connection FROM length(?) + 1), in_sum,"
                    + " round(in_secs::numeric, 6), in_min, in_max, in_n, out_sum, out_n, drop_sum, drop_n FROM metrics." + table
                    + " WHERE connection LIKE ? || '%' ORDER BY 2, 1")) {
                s.setString(1, path.connectionPrefix());
                s.setString(2, path.connectionPrefix());
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        StringBuilder row = new StringBuilder(table);
                        for (int i = 1; i <= 11; i++) {
                            row.append(' ').append(r.getString(i));
                        }
                        rows.add(row.toString());
                    }
                }
            }
        }
        assertThat(rows).as("rollup rows of " + path.name()).isNotEmpty();
        return rows;
    }

    static void clear(Connection c, List<Path> paths) throws Exception {
        for (Path path : paths) {
            for (String table : TABLES) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM metrics." + table + " WHERE connection LIKE ? || '%'")) {
                    s.setString(1, path.connectionPrefix());
                    s.executeUpdate();
                }
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM metrics.rate_scopes_stale WHERE connection LIKE ? || '%'")) {
                s.setString(1, path.connectionPrefix());
                s.executeUpdate();
            }
        }
    }

    /** metrics.refresh_rates as migration V3 created it (with its settings), renamed refresh_rates_v3. */
    static String v3Function() throws IOException {
        try (InputStream in = BusySeriesRefreshBenchmark.class.getResourceAsStream("/db/migration/V3__rate_scopes.sql")) {
            assertThat(in).as("V3__rate_scopes.sql on the class path").isNotNull();
            String sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int start = sql.indexOf("CREATE OR REPLACE FUNCTION metrics.refresh_rates(");
            int end = sql.indexOf("$$;", start) + 3;
            assertThat(start).as("refresh_rates in V3").isPositive();
            String signature = "metrics.refresh_rates_v3(text[], text[], timestamptz[], timestamptz[], float8[], float8)";
            return sql.substring(start, end).replace("FUNCTION metrics.refresh_rates(", "FUNCTION metrics.refresh_rates_v3(")
                    + "\nALTER FUNCTION " + signature + " SET plan_cache_mode = force_custom_plan;"
                    + "\nALTER FUNCTION " + signature + " SET jit = off;";
        }
    }
}
