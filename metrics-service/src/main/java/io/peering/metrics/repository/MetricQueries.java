package io.peering.metrics.repository;

import io.peering.support.replica.ReadPool;
import io.peering.metrics.Transition;
import io.smallrye.mutiny.Uni;
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
     * The stale pieces of a peering's whole buckets: the hours (for a grain of a day, the days) in
     * [$3, $4) in which ingest changed a series of the connections $1 since the scope rows were made.
     * $2 is the piece length in seconds. Asked first, so the rates statement reads per-series rows
     * only in the chunks of those pieces.
     */
    static final String STALE_PIECES_SQL = """
            SELECT DISTINCT time_bucket($2::float8 * interval '1 second', hour)
            FROM metrics.rate_scopes_stale
            WHERE connection = ANY($1::text[]) AND hour > $3::timestamptz - interval '1 hour' AND hour < $4::timestamptz
            """;

    /**
     * Rates per bucket of one connection, or of a whole peering. For a peering, whole buckets come from
     * its own rows (metrics.rate_scopes, one row per bucket, see V3__rate_scopes.sql) unless ingest has
     * marked their piece stale since the rows were made ({@link #STALE_PIECES_SQL}); stale whole buckets
     * are read from the per-series rollups of the grain's level. Everything else (a connection's whole
     * range, a peering's ragged edges) is read from the per-series rollups (V2__rate_rollups.sql, V3):
     * rows of the coarsest level that fits ({@link RollupPieces}), and for the sub-minute edges the intervals summed per
     * series and bucket as a rollup row holds them (a busy series has thousands in a minute: with the soak's 1,000
     * samples a second, returning each interval made tens of thousands of rows a query). It returns those rows as they
     * are: per series (connection, session address), a start and per rate the sum of increases, the seconds with a
     * value, min, max and count; and per whole bucket of the peering (connection NULL) the average in place of the sum.
     * {@link RateCombiner} makes the buckets of them, the same answer as the from-raw computation (each interval's
     * increase was decided when its samples arrived). Parameters: see {@link RatesQuery#tuple}.
     */
    public static final String RATES_SQL = """
            WITH parts AS (
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_minutes
                WHERE $5::integer = 60 AND connection = ANY($1::text[]) AND bucket >= $9 AND bucket < $10 AND bucket >= $6 AND bucket < $7
                  AND time_bucket($4::float8 * interval '1 second', bucket) = ANY($8::timestamptz[])
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_5minutes
                WHERE $5::integer = 300 AND connection = ANY($1::text[]) AND bucket >= $9 AND bucket < $10 AND bucket >= $6 AND bucket < $7
                  AND time_bucket($4::float8 * interval '1 second', bucket) = ANY($8::timestamptz[])
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_hours
                WHERE $5::integer = 3600 AND connection = ANY($1::text[]) AND bucket >= $9 AND bucket < $10 AND bucket >= $6 AND bucket < $7
                  AND time_bucket($4::float8 * interval '1 second', bucket) = ANY($8::timestamptz[])
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_days
                WHERE $5::integer = 86400 AND connection = ANY($1::text[]) AND bucket >= $9 AND bucket < $10 AND bucket >= $6 AND bucket < $7
                  AND time_bucket($4::float8 * interval '1 second', bucket) = ANY($8::timestamptz[])
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_days WHERE connection = ANY($1::text[]) AND bucket >= $11 AND bucket < $12
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_hours WHERE connection = ANY($1::text[]) AND bucket >= $13 AND bucket < $14
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_hours WHERE connection = ANY($1::text[]) AND bucket >= $15 AND bucket < $16
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_5minutes WHERE connection = ANY($1::text[]) AND bucket >= $17 AND bucket < $18
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_5minutes WHERE connection = ANY($1::text[]) AND bucket >= $19 AND bucket < $20
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_minutes WHERE connection = ANY($1::text[]) AND bucket >= $21 AND bucket < $22
                UNION ALL
                SELECT connection, session_address, bucket, in_sum, in_secs, in_min, in_max, in_n,
                       out_sum, out_secs, out_min, out_max, out_n, drop_sum, drop_secs, drop_min, drop_max, drop_n
                FROM metrics.rate_minutes WHERE connection = ANY($1::text[]) AND bucket >= $23 AND bucket < $24
                UNION ALL
                SELECT connection, session_address, min(time),
                       sum(in_bits), sum(secs) FILTER (WHERE in_bits IS NOT NULL), min(in_bits / secs), max(in_bits / secs), count(in_bits),
                       sum(out_bits), sum(secs) FILTER (WHERE out_bits IS NOT NULL), min(out_bits / secs), max(out_bits / secs), count(out_bits),
                       sum(drops), sum(secs) FILTER (WHERE drops IS NOT NULL), min(drops / secs), max(drops / secs), count(drops)
                FROM metrics.rate_intervals WHERE connection = ANY($1::text[]) AND time >= $25 AND time < $26
                GROUP BY connection, session_address, time_bucket($3::integer * interval '1 second', time)
                UNION ALL
                SELECT connection, session_address, min(time),
                       sum(in_bits), sum(secs) FILTER (WHERE in_bits IS NOT NULL), min(in_bits / secs), max(in_bits / secs), count(in_bits),
                       sum(out_bits), sum(secs) FILTER (WHERE out_bits IS NOT NULL), min(out_bits / secs), max(out_bits / secs), count(out_bits),
                       sum(drops), sum(secs) FILTER (WHERE drops IS NOT NULL), min(drops / secs), max(drops / secs), count(drops)
                FROM metrics.rate_intervals WHERE connection = ANY($1::text[]) AND time >= $27 AND time < $28
                GROUP BY connection, session_address, time_bucket($3::integer * interval '1 second', time)
            )
            SELECT bucket, connection, session_address, in_sum, in_secs, in_min, in_max, in_n::bigint,
                   out_sum, out_secs, out_min, out_max, out_n::bigint, drop_sum, drop_secs, drop_min, drop_max, drop_n::bigint
            FROM parts
            UNION ALL
            SELECT r.bucket, NULL, NULL, r.in_avg, NULL, r.in_min, r.in_max, r.in_n::bigint,
                   r.out_avg, NULL, r.out_min, r.out_max, r.out_n::bigint, r.drop_avg, NULL, r.drop_min, r.drop_max, r.drop_n::bigint
            FROM metrics.rate_scopes r
            WHERE r.scope = $2::text AND r.seconds = $3::integer AND r.bucket >= $6 AND r.bucket < $7
              AND time_bucket($4::float8 * interval '1 second', r.bucket) <> ALL($8::timestamptz[])
            """;

    /** The parameter types of {@link #RATES_SQL}, in order (for PREPARE in psql). */
    public static final String RATES_PARAMETER_TYPES = "text[], text, integer, float8, integer, timestamptz, timestamptz, "
            + "timestamptz[]" + ", timestamptz".repeat(20);

    /**
     * One rates query: the connections, the range [start, end) and the grain; {@code peering} is the
     * peering's name ("peerings/{peering}") when the connections are all of it and its own rows may
     * answer whole buckets, or null.
     */
    public record RatesQuery(String peering, List<String> connections, Instant start, Instant end, Duration grain) {

        /** The length of a stale piece in seconds: the grain, at least an hour (a stale mark covers an hour). */
        long pieceSeconds() {
            return Math.max(grain.toSeconds(), RollupPieces.HOUR);
        }

        /** The whole buckets [from, to) a peering's own rows answer; empty (start, start) when none or for a connection. */
        Instant[] whole() {
            long g = grain.toSeconds();
            Instant from = RollupPieces.ceil(start, g);
            Instant to = RollupPieces.floor(end, g);
            return peering != null && from.isBefore(to) ? new Instant[]{from, to} : new Instant[]{start, start};
        }

        /** The parameters of {@link #STALE_PIECES_SQL}. */
        public Tuple stalePiecesTuple() {
            Instant[] whole = whole();
            return Tuple.of(connections.toArray(String[]::new), (double) pieceSeconds(), utc(whole[0]), utc(whole[1]));
        }

        /**
         * The parameters of {@link #RATES_SQL}, with the stale pieces ({@link #STALE_PIECES_SQL}): $1
         * connections, $2 the peering (or ''), $3 grain in seconds, $4 the length of a stale piece, $5
         * the per-series level stale buckets are read from (seconds), $6/$7 the whole buckets [from, to)
         * the peering's rows answer (empty for a connection), $8 the stale pieces, $9/$10 their span
         * (empty when none), then the per-series pieces of the rest, each a [from, to) and empty when
         * from = to: $11/$12 days, $13-$16 hours, $17-$20 5 minutes, $21-$24 minutes, $25-$28 intervals.
         */
        public Tuple tuple(List<Instant> stale) {
            long g = grain.toSeconds();
            Instant[] whole = whole();
            List<RollupPieces> rest = whole[0].equals(whole[1]) ? List.of(RollupPieces.of(start, end, grain))
                    : List.of(RollupPieces.of(start, whole[0], grain), RollupPieces.of(whole[1], end, grain));
            List<Object> params = new ArrayList<>();
            params.add(connections.toArray(String[]::new));
            params.add(peering == null ? "" : peering);
            params.add((int) g);
            params.add((double) pieceSeconds());
            params.add((int) (g % RollupPieces.HOUR == 0 ? g : g % RollupPieces.FIVE_MINUTES == 0 ? RollupPieces.FIVE_MINUTES
                    : RollupPieces.MINUTE));
            params.add(utc(whole[0]));
            params.add(utc(whole[1]));
            params.add(stale.stream().map(MetricQueries::utc).toArray(OffsetDateTime[]::new));
            Instant staleFrom = stale.stream().min(Instant::compareTo).orElse(start);
            Instant staleTo = stale.stream().max(Instant::compareTo).map(t -> t.plusSeconds(pieceSeconds())).orElse(start);
            params.add(utc(staleFrom));
            params.add(utc(staleTo));
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

    /** Every read here is a query RPC's: from the read replica when there is one within its lag. */
    private final ReadPool reads;

    public MetricQueries(ReadPool reads) {
        this.reads = reads;
    }

    /** Rates per bucket of a connection or a peering over [start, end) at the grain, from the rollups. */
    public Uni<List<RateBucket>> rates(RatesQuery query) {
        io.vertx.mutiny.sqlclient.Pool db = reads.forQueries(); // both reads from the same database
        Uni<List<Instant>> stale = query.peering() == null ? Uni.createFrom().item(List.of())
                : db.preparedQuery(STALE_PIECES_SQL).execute(query.stalePiecesTuple()).map(rows -> {
                    List<Instant> pieces = new ArrayList<>();
                    for (Row row : rows) {
                        pieces.add(row.getOffsetDateTime(0).toInstant());
                    }
                    return pieces;
                });
        return stale.flatMap(pieces -> db.preparedQuery(RATES_SQL).execute(query.tuple(pieces))).map(rows -> {
            RateCombiner combiner = new RateCombiner(query.start(), query.end(), query.grain().toSeconds());
            Double[] sum = new Double[3], secs = new Double[3], min = new Double[3], max = new Double[3];
            long[] count = new long[3];
            for (Row row : rows) {
                for (int m = 0; m < 3; m++) {
                    sum[m] = row.getDouble(3 + m * 5);
                    secs[m] = row.getDouble(4 + m * 5);
                    min[m] = row.getDouble(5 + m * 5);
                    max[m] = row.getDouble(6 + m * 5);
                    count[m] = row.getLong(7 + m * 5);
                }
                Instant start = row.getOffsetDateTime(0).toInstant();
                String connection = row.getString(1);
                if (connection == null) {
                    combiner.addWholeBucket(start, sum, min, max, count);
                } else {
                    combiner.addSeriesRow(connection, row.getString(2), start, sum, secs, min, max, count);
                }
            }
            return combiner.buckets();
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
        return reads.forQueries().preparedQuery(TRANSITIONS_SQL).execute(params).map(rows -> {
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
