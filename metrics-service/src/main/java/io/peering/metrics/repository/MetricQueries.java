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
     * Rates per bucket of one connection, or of a whole peering. For a peering, whole buckets come from
     * its own rows (metrics.rate_scopes, one row per bucket, see V3__rate_scopes.sql) unless ingest has
     * marked their hour stale since the rows were made; stale whole buckets are read from the per-series
     * rollups of the grain's level. Everything else (a connection's whole range, a peering's ragged
     * edges) is read from the per-series rollups (V2__rate_rollups.sql, V3): rows of the coarsest level
     * that fits ({@link RollupPieces}), and the intervals themselves for the sub-minute edges. Per series
     * and bucket: average = sum of increases / seconds of the intervals with a value (time-weighted), min
     * and max of the interval rates, count of intervals; then the series are combined per bucket:
     * averages summed (the traffic of all series together), extremes and counts over all intervals.
     * Either way the same answer as the from-raw computation (each interval's increase was decided when
     * its samples arrived). Parameters: see {@link RatesQuery#tuple()}.
     */
    public static final String RATES_SQL = """
            WITH stale AS MATERIALIZED (
                SELECT DISTINCT time_bucket($4::float8 * interval '1 second', hour) AS piece
                FROM metrics.rate_scopes_stale
                WHERE connection = ANY($1::text[]) AND hour > $6::timestamptz - interval '1 hour' AND hour < $7::timestamptz
            ), whole AS MATERIALIZED (
                SELECT r.bucket, r.in_avg, r.in_min, r.in_max, r.in_n::bigint AS in_n, r.out_avg, r.out_min, r.out_max,
                       r.out_n::bigint AS out_n, r.drop_avg, r.drop_min, r.drop_max, r.drop_n::bigint AS drop_n
                FROM metrics.rate_scopes r
                WHERE r.scope = $2::text AND r.seconds = $3::integer AND r.bucket >= $6 AND r.bucket < $7
            ), parts AS (
                SELECT r.connection, r.session_address, r.bucket, r.in_sum, r.in_secs, r.in_min, r.in_max, r.in_n,
                       r.out_sum, r.out_secs, r.out_min, r.out_max, r.out_n, r.drop_sum, r.drop_secs, r.drop_min, r.drop_max, r.drop_n
                FROM stale JOIN metrics.rate_minutes r
                  ON r.bucket >= stale.piece AND r.bucket < stale.piece + $4::float8 * interval '1 second'
                WHERE $5::integer = 60 AND r.connection = ANY($1::text[]) AND r.bucket >= $6 AND r.bucket < $7
                UNION ALL
                SELECT r.connection, r.session_address, r.bucket, r.in_sum, r.in_secs, r.in_min, r.in_max, r.in_n,
                       r.out_sum, r.out_secs, r.out_min, r.out_max, r.out_n, r.drop_sum, r.drop_secs, r.drop_min, r.drop_max, r.drop_n
                FROM stale JOIN metrics.rate_5minutes r
                  ON r.bucket >= stale.piece AND r.bucket < stale.piece + $4::float8 * interval '1 second'
                WHERE $5::integer = 300 AND r.connection = ANY($1::text[]) AND r.bucket >= $6 AND r.bucket < $7
                UNION ALL
                SELECT r.connection, r.session_address, r.bucket, r.in_sum, r.in_secs, r.in_min, r.in_max, r.in_n,
                       r.out_sum, r.out_secs, r.out_min, r.out_max, r.out_n, r.drop_sum, r.drop_secs, r.drop_min, r.drop_max, r.drop_n
                FROM stale JOIN metrics.rate_hours r
                  ON r.bucket >= stale.piece AND r.bucket < stale.piece + $4::float8 * interval '1 second'
                WHERE $5::integer = 3600 AND r.connection = ANY($1::text[]) AND r.bucket >= $6 AND r.bucket < $7
                UNION ALL
                SELECT r.connection, r.session_address, r.bucket, r.in_sum, r.in_secs, r.in_min, r.in_max, r.in_n,
                       r.out_sum, r.out_secs, r.out_min, r.out_max, r.out_n, r.drop_sum, r.drop_secs, r.drop_min, r.drop_max, r.drop_n
                FROM stale JOIN metrics.rate_days r
                  ON r.bucket >= stale.piece AND r.bucket < stale.piece + $4::float8 * interval '1 second'
                WHERE $5::integer = 86400 AND r.connection = ANY($1::text[]) AND r.bucket >= $6 AND r.bucket < $7
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_days WHERE connection = ANY($1::text[]) AND bucket >= $8 AND bucket < $9
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_hours WHERE connection = ANY($1::text[]) AND bucket >= $10 AND bucket < $11
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_hours WHERE connection = ANY($1::text[]) AND bucket >= $12 AND bucket < $13
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_5minutes WHERE connection = ANY($1::text[]) AND bucket >= $14 AND bucket < $15
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_5minutes WHERE connection = ANY($1::text[]) AND bucket >= $16 AND bucket < $17
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_minutes WHERE connection = ANY($1::text[]) AND bucket >= $18 AND bucket < $19
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_minutes WHERE connection = ANY($1::text[]) AND bucket >= $20 AND bucket < $21
                UNION ALL
                SELECT connection, session_address, time,
                       in_bits, CASE WHEN in_bits IS NOT NULL THEN secs END, in_bits / secs, in_bits / secs, (in_bits IS NOT NULL)::int,
                       out_bits, CASE WHEN out_bits IS NOT NULL THEN secs END, out_bits / secs, out_bits / secs, (out_bits IS NOT NULL)::int,
                       drops, CASE WHEN drops IS NOT NULL THEN secs END, drops / secs, drops / secs, (drops IS NOT NULL)::int
                FROM metrics.rate_intervals WHERE connection = ANY($1::text[]) AND time >= $22 AND time < $23
                UNION ALL
                SELECT connection, session_address, time,
                       in_bits, CASE WHEN in_bits IS NOT NULL THEN secs END, in_bits / secs, in_bits / secs, (in_bits IS NOT NULL)::int,
                       out_bits, CASE WHEN out_bits IS NOT NULL THEN secs END, out_bits / secs, out_bits / secs, (out_bits IS NOT NULL)::int,
                       drops, CASE WHEN drops IS NOT NULL THEN secs END, drops / secs, drops / secs, (drops IS NOT NULL)::int
                FROM metrics.rate_intervals WHERE connection = ANY($1::text[]) AND time >= $24 AND time < $25
            ), per_series AS (
                SELECT time_bucket(($3::integer * interval '1 second'), bucket) AS bucket,
                       sum(in_sum) / sum(in_secs) AS in_avg, min(in_min) AS in_min, max(in_max) AS in_max, sum(in_n) AS in_n,
                       sum(out_sum) / sum(out_secs) AS out_avg, min(out_min) AS out_min, max(out_max) AS out_max, sum(out_n) AS out_n,
                       sum(drop_sum) / sum(drop_secs) AS drop_avg, min(drop_min) AS drop_min, max(drop_max) AS drop_max,
                       sum(drop_n) AS drop_n
                FROM parts
                GROUP BY connection, session_address, 1
            )
            SELECT bucket,
                   sum(in_avg), min(in_min), max(in_max), sum(in_n)::bigint,
                   sum(out_avg), min(out_min), max(out_max), sum(out_n)::bigint,
                   sum(drop_avg), min(drop_min), max(drop_max), sum(drop_n)::bigint
            FROM per_series
            GROUP BY bucket
            UNION ALL
            SELECT w.* FROM whole w
            WHERE NOT EXISTS (SELECT 1 FROM stale WHERE stale.piece = time_bucket($4::float8 * interval '1 second', w.bucket))
            ORDER BY 1
            """;

    /** The parameter types of {@link #RATES_SQL}, in order (for PREPARE in psql). */
    public static final String RATES_PARAMETER_TYPES = "text[], text, integer, float8, integer" + ", timestamptz".repeat(20);

    /**
     * One rates query: the connections, the range [start, end) and the grain; {@code peering} is the
     * peering's name ("peerings/{peering}") when the connections are all of it and its own rows may
     * answer whole buckets, or null.
     */
    public record RatesQuery(String peering, List<String> connections, Instant start, Instant end, Duration grain) {

        /**
         * $1 connections, $2 the peering (or ''), $3 grain in seconds, $4 the length of a stale mark's
         * piece (the grain, at least an hour), $5 the per-series level stale buckets are read from
         * (seconds), $6/$7 the whole buckets [from, to) the peering's rows answer (empty for a
         * connection), then the per-series pieces of the rest, each a [from, to) and empty when from =
         * to: $8/$9 days, $10-$13 hours, $14-$17 5 minutes, $18-$21 minutes, $22-$25 intervals.
         */
        public Tuple tuple() {
            long g = grain.toSeconds();
            Instant wholeFrom = RollupPieces.ceil(start, g);
            Instant wholeTo = RollupPieces.floor(end, g);
            List<RollupPieces> rest = new ArrayList<>();
            if (peering != null && wholeFrom.isBefore(wholeTo)) {
                rest.add(RollupPieces.of(start, wholeFrom, grain));
                rest.add(RollupPieces.of(wholeTo, end, grain));
            } else {
                rest.add(RollupPieces.of(start, end, grain));
                wholeFrom = start;
                wholeTo = start;
            }
            List<Object> params = new ArrayList<>();
            params.add(connections.toArray(String[]::new));
            params.add(peering == null ? "" : peering);
            params.add((int) g);
            params.add((double) Math.max(g, RollupPieces.HOUR));
            params.add((int) (g % RollupPieces.HOUR == 0 ? g : g % RollupPieces.FIVE_MINUTES == 0 ? RollupPieces.FIVE_MINUTES
                    : RollupPieces.MINUTE));
            params.add(utc(wholeFrom));
            params.add(utc(wholeTo));
            addPieces(params, rest.stream().flatMap(r -> r.days().stream()).toList(), 1);
            addPieces(params, rest.stream().flatMap(r -> r.hours().stream()).toList(), 2);
            addPieces(params, rest.stream().flatMap(r -> r.fiveMinutes().stream()).toList(), 2);
            addPieces(params, rest.stream().flatMap(r -> r.minutes().stream()).toList(), 2);
            addPieces(params, rest.stream().flatMap(r -> r.intervals().stream()).toList(), 2);
            return Tuple.tuple(params);
        }
    }

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

    /** Rates per bucket of a connection or a peering over [start, end) at the grain, from the rollups. */
    public Uni<List<RateBucket>> rates(RatesQuery query) {
        return pool.preparedQuery(RATES_SQL).execute(query.tuple()).map(rows -> {
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
