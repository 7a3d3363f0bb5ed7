package io.peering.metrics.repository;

import io.peering.metrics.Transition;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The SQL behind QueryConnectionMetrics. */
@ApplicationScoped
public class MetricQueries {

    /**
     * Rates per bucket from the rollups (see V2__rate_rollups.sql): rows of the coarsest level that
     * fits the grain for the whole buckets, finer levels and the intervals themselves only for the
     * range's ragged edges ({@link RollupPieces}). Per series and bucket: average = sum of increases /
     * seconds of the intervals with a value (time-weighted), min and max of the interval rates, count
     * of intervals; then the series of the scope are combined per bucket: averages summed (the
     * traffic of all series together), extremes and counts over all intervals. The same answer as
     * the from-raw computation (each interval's increase was decided when its samples arrived).
     * Parameters: $1 connections; $2/$3 days; $4/$5, $6/$7 hours; $8/$9, $10/$11 minutes; $12/$13,
     * $14/$15 intervals (each a [from, to) piece, empty when from = to); $16 grain in seconds.
     */
    public static final String RATES_SQL = """
            WITH parts AS (
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_days WHERE connection = ANY($1::text[]) AND bucket >= $2 AND bucket < $3
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_hours WHERE connection = ANY($1::text[]) AND bucket >= $4 AND bucket < $5
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_hours WHERE connection = ANY($1::text[]) AND bucket >= $6 AND bucket < $7
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_minutes WHERE connection = ANY($1::text[]) AND bucket >= $8 AND bucket < $9
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_minutes WHERE connection = ANY($1::text[]) AND bucket >= $10 AND bucket < $11
                UNION ALL
                SELECT connection, session_address, time,
                       in_bits, CASE WHEN in_bits IS NOT NULL THEN secs END, in_bits / secs, in_bits / secs, (in_bits IS NOT NULL)::int,
                       out_bits, CASE WHEN out_bits IS NOT NULL THEN secs END, out_bits / secs, out_bits / secs, (out_bits IS NOT NULL)::int,
                       drops, CASE WHEN drops IS NOT NULL THEN secs END, drops / secs, drops / secs, (drops IS NOT NULL)::int
                FROM metrics.rate_intervals WHERE connection = ANY($1::text[]) AND time >= $12 AND time < $13
                UNION ALL
                SELECT connection, session_address, time,
                       in_bits, CASE WHEN in_bits IS NOT NULL THEN secs END, in_bits / secs, in_bits / secs, (in_bits IS NOT NULL)::int,
                       out_bits, CASE WHEN out_bits IS NOT NULL THEN secs END, out_bits / secs, out_bits / secs, (out_bits IS NOT NULL)::int,
                       drops, CASE WHEN drops IS NOT NULL THEN secs END, drops / secs, drops / secs, (drops IS NOT NULL)::int
                FROM metrics.rate_intervals WHERE connection = ANY($1::text[]) AND time >= $14 AND time < $15
            ), per_series AS (
                SELECT time_bucket(($16::float8 * interval '1 second'), bucket) AS bucket,
                       sum(in_sum) / sum(in_secs) AS in_avg, min(in_min) AS in_min, max(in_max) AS in_max, sum(in_n)::int AS in_n,
                       sum(out_sum) / sum(out_secs) AS out_avg, min(out_min) AS out_min, max(out_max) AS out_max, sum(out_n)::int AS out_n,
                       sum(drop_sum) / sum(drop_secs) AS drop_avg, min(drop_min) AS drop_min, max(drop_max) AS drop_max,
                       sum(drop_n)::int AS drop_n
                FROM parts
                GROUP BY connection, session_address, 1
            )
            SELECT bucket,
                   sum(in_avg), min(in_min), max(in_max), sum(in_n),
                   sum(out_avg), min(out_min), max(out_max), sum(out_n),
                   sum(drop_avg), min(drop_min), max(drop_max), sum(drop_n)
            FROM per_series
            GROUP BY bucket
            ORDER BY bucket
            """;


    /**
     * The transitions of the given session addresses in [$3, $4), with, for each address, the last
     * transition before $3 (the state the range starts in); ordered per series by time.
     * Parameters: $1 connections and $2 session addresses (parallel arrays), $3 start, $4 end.
     */
    static final String TRANSITIONS_SQL = """
            SELECT x.connection, host(x.session_address), x.address_family, x.state, x.time
            FROM (
                SELECT t.connection, t.session_address, t.address_family, t.state, t.time
                FROM metrics.session_transitions t
                JOIN unnest($1::text[], $2::text[]) AS u(connection, address)
                  ON t.connection = u.connection AND t.session_address = u.address::inet
                WHERE t.time >= $3 AND t.time < $4
                UNION ALL
                SELECT p.connection, p.session_address, p.address_family, p.state, p.time
                FROM unnest($1::text[], $2::text[]) AS u(connection, address)
                CROSS JOIN LATERAL (
                    SELECT t.connection, t.session_address, t.address_family, t.state, t.time
                    FROM metrics.session_transitions t
                    WHERE t.connection = u.connection AND t.session_address = u.address::inet AND t.time < $3
                    ORDER BY t.time DESC, t.state DESC
                    LIMIT 1
                ) p
            ) x
            ORDER BY x.connection, x.session_address, x.time, x.state
            """;

    /** One bucket of the three rates: average, minimum, maximum and count of intervals for each. */
    public record RateBucket(Instant bucket, Double[] values, long[] counts) {
        /** Index of a rate in values (times 3, plus 0 average, 1 minimum, 2 maximum) and counts. */
        public static final int INGRESS = 0, EGRESS = 1, DROPS = 2;
    }

    private final Pool pool;

    public MetricQueries(Pool pool) {
        this.pool = pool;
    }

    /** Rates per bucket of the connections over [start, end) at the grain, from the rollups. */
    public Uni<List<RateBucket>> rates(List<String> connections, Instant start, Instant end, Duration grain) {
        return pool.preparedQuery(RATES_SQL).execute(ratesParameters(connections, start, end, grain)).map(rows -> {
            List<RateBucket> buckets = new ArrayList<>();
            for (Row row : rows) {
                Double[] values = new Double[9];
                long[] counts = new long[3];
                for (int m = 0; m < 3; m++) {
                    for (int a = 0; a < 3; a++) {
                        values[m * 3 + a] = row.getDouble(1 + m * 4 + a);
                    }
                    counts[m] = row.getLong(4 + m * 4);
                }
                buckets.add(new RateBucket(row.getOffsetDateTime(0).toInstant(), values, counts));
            }
            return buckets;
        });
    }

    /** The bound parameters of {@link #RATES_SQL}: the connections, the pieces of the range per level, the grain. */
    public static Tuple ratesParameters(List<String> connections, Instant start, Instant end, Duration grain) {
        RollupPieces pieces = RollupPieces.of(start, end, grain);
        List<Object> params = new ArrayList<>();
        params.add(connections.toArray(String[]::new));
        addPieces(params, pieces.days(), 1);
        addPieces(params, pieces.hours(), 2);
        addPieces(params, pieces.minutes(), 2);
        addPieces(params, pieces.intervals(), 2);
        params.add((double) grain.toSeconds());
        return Tuple.tuple(params);
    }

    private static void addPieces(List<Object> params, List<RollupPieces.Piece> pieces, int slots) {
        if (pieces.size() > slots) {
            throw new IllegalStateException(pieces.size() + " pieces for " + slots + " slots: " + pieces);
        }
        for (int i = 0; i < slots; i++) {
            RollupPieces.Piece p = i < pieces.size() ? pieces.get(i) : RollupPieces.Piece.EMPTY;
            params.add(utc(p.from()));
            params.add(utc(p.to()));
        }
    }

    /** Transitions of the session addresses (parallel lists) in [start, end), each address's last one before start included. */
    public Uni<List<Transition>> transitions(List<String> connections, List<String> addresses, Instant start, Instant end) {
        Tuple params = Tuple.tuple(Arrays.asList(connections.toArray(String[]::new), addresses.toArray(String[]::new),
                utc(start), utc(end)));
        return pool.preparedQuery(TRANSITIONS_SQL).execute(params).map(rows -> {
            List<Transition> list = new ArrayList<>();
            for (Row row : rows) {
                list.add(new Transition(row.getString(0), row.getString(1), row.getShort(2), row.getShort(3),
                        row.getOffsetDateTime(4).toInstant(), "", ""));
            }
            return list;
        });
    }

    static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
