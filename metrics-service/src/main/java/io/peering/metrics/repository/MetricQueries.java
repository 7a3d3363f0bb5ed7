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
     * Rates per bucket of one connection, or of a whole peering: one statement made for each query
     * ({@link RatesQuery#statement}) of only the branches its range needs, so PostgreSQL plans just those (a statement
     * of every possible branch took 4-6 ms to plan, each time). For a peering, whole buckets come from its own rows
     * (metrics.rate_scopes, one row per bucket, see V3__rate_scopes.sql) unless ingest has marked their piece stale
     * since the rows were made ({@link #STALE_PIECES_SQL}); stale whole buckets are read from the per-series rollups of
     * the grain's level. Everything else (a connection's whole range, a peering's ragged edges) is read from the
     * per-series rollups (V2__rate_rollups.sql, V3, V5): rows of the coarsest level that fits ({@link RollupPieces}),
     * down to seconds, and the intervals summed per series and bucket as a rollup row holds them: for whole seconds
     * those of a second or more (the seconds level has only the shorter ones; at most one long interval ends in a
     * series' second), for the sub-second edges those of both lengths (a busy series has hundreds in a second with
     * the soak's feed). Every branch returns {@link #RATE_COLUMNS}: per series (connection, session address)
     * a start and per rate the sum of increases, the seconds with a value, min, max and count; and per whole bucket of
     * the peering (connection NULL) the average in place of the sum. {@link RateCombiner} makes the buckets of them,
     * the same answer as the from-raw computation (each interval's increase was decided when its samples arrived).
     */
    static final String RATE_COLUMNS = "bucket, connection, session_address, in_sum, in_secs, in_min, in_max, in_n::bigint,"
            + " out_sum, out_secs, out_min, out_max, out_n::bigint, drop_sum, drop_secs, drop_min, drop_max, drop_n::bigint";

    /** The per-series rollup rows of one level (%1$s the table) of the connections %2$s in [%3$s, %4$s). */
    private static final String SERIES_ROWS = """
            SELECT %s FROM metrics.%%1$s WHERE connection = ANY(%%2$s) AND bucket >= %%3$s AND bucket < %%4$s""".formatted(RATE_COLUMNS);

    /** The intervals (table %5$s) in [%2$s, %3$s) of the connections %1$s summed per series and bucket (%4$s seconds). */
    private static final String INTERVAL_SUMS = """
            SELECT min(time), connection, session_address,
                   sum(in_bits), sum(secs) FILTER (WHERE in_bits IS NOT NULL), min(in_bits / secs), max(in_bits / secs), count(in_bits),
                   sum(out_bits), sum(secs) FILTER (WHERE out_bits IS NOT NULL), min(out_bits / secs), max(out_bits / secs), count(out_bits),
                   sum(drops), sum(secs) FILTER (WHERE drops IS NOT NULL), min(drops / secs), max(drops / secs), count(drops)
            FROM metrics.%5$s WHERE connection = ANY(%1$s) AND time >= %2$s AND time < %3$s
            GROUP BY connection, session_address, time_bucket(%4$s * interval '1 second', time)""";

    /** A peering's own rows (scope %1$s, grain %2$s) of its whole buckets [%3$s, %4$s). */
    private static final String SCOPE_ROWS = """
            SELECT r.bucket, NULL::text, NULL::text, r.in_avg, NULL::float8, r.in_min, r.in_max, r.in_n::bigint,
                   r.out_avg, NULL::float8, r.out_min, r.out_max, r.out_n::bigint, r.drop_avg, NULL::float8, r.drop_min, r.drop_max, r.drop_n::bigint
            FROM metrics.rate_scopes r
            WHERE r.scope = %1$s AND r.seconds = %2$s AND r.bucket >= %3$s AND r.bucket < %4$s""";

    /** A rates statement made for one query: its SQL, the types of its parameters in order (for PREPARE in psql), and their values. */
    public record RatesStatement(String sql, List<String> parameterTypes, Tuple parameters) {
    }

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
         * The statement of this query, with the stale pieces ({@link #STALE_PIECES_SQL}); null when no branch is needed.
         * Branches: a peering's own rows of its whole buckets, other than the stale pieces; the per-series rows of the
         * grain's level in the stale pieces; the per-series rows of each piece of the rest, by level, with the long intervals
         * of whole seconds; the intervals of each sub-second edge.
         */
        public RatesStatement statement(List<Instant> stale) {
            long g = grain.toSeconds();
            Instant[] whole = whole();
            Parameters p = new Parameters();
            String connectionArray = p.add(connections.toArray(String[]::new), "text[]");
            List<String> branches = new ArrayList<>();
            if (!whole[0].equals(whole[1])) {
                String from = p.time(whole[0]);
                String to = p.time(whole[1]);
                String scope = SCOPE_ROWS.formatted(p.add(peering, "text"), p.add((int) g, "integer"), from, to);
                if (stale.isEmpty()) {
                    branches.add(scope);
                } else {
                    String piece = p.add((double) pieceSeconds(), "float8");
                    String pieces = p.add(stale.stream().map(MetricQueries::utc).toArray(OffsetDateTime[]::new), "timestamptz[]");
                    branches.add(scope + "\n  AND time_bucket(" + piece + " * interval '1 second', r.bucket) <> ALL(" + pieces + ")");
                    long level = g % RollupPieces.HOUR == 0 ? g : g % RollupPieces.FIVE_MINUTES == 0 ? RollupPieces.FIVE_MINUTES
                            : RollupPieces.MINUTE;
                    Instant staleFrom = stale.stream().min(Instant::compareTo).orElseThrow();
                    Instant staleTo = stale.stream().max(Instant::compareTo).orElseThrow().plusSeconds(pieceSeconds());
                    branches.add(SERIES_ROWS.formatted(table(level), connectionArray, p.time(staleFrom), p.time(staleTo))
                            + "\n  AND bucket >= " + from + " AND bucket < " + to + " AND time_bucket(" + piece
                            + " * interval '1 second', bucket) = ANY(" + pieces + ")");
                }
            }
            List<RollupPieces> rest = whole[0].equals(whole[1]) ? List.of(RollupPieces.of(start, end, grain))
                    : List.of(RollupPieces.of(start, whole[0], grain), RollupPieces.of(whole[1], end, grain));
            for (RollupPieces r : rest) {
                r.days().forEach(d -> branches.add(SERIES_ROWS.formatted(table(RollupPieces.DAY), connectionArray, p.time(d.from()), p.time(d.to()))));
                r.hours().forEach(h -> branches.add(SERIES_ROWS.formatted(table(RollupPieces.HOUR), connectionArray, p.time(h.from()), p.time(h.to()))));
                r.fiveMinutes().forEach(f -> branches.add(SERIES_ROWS.formatted(table(RollupPieces.FIVE_MINUTES), connectionArray,
                        p.time(f.from()), p.time(f.to()))));
                r.minutes().forEach(m -> branches.add(SERIES_ROWS.formatted(table(RollupPieces.MINUTE), connectionArray,
                        p.time(m.from()), p.time(m.to()))));
                for (RollupPieces.Piece s : r.seconds()) {
                    String from = p.time(s.from());
                    String to = p.time(s.to());
                    branches.add(SERIES_ROWS.formatted(table(RollupPieces.SECOND), connectionArray, from, to));
                    branches.add(INTERVAL_SUMS.formatted(connectionArray, from, to, p.add((int) g, "integer"), "rate_intervals"));
                }
                for (RollupPieces.Piece e : r.intervals()) {
                    String from = p.time(e.from());
                    String to = p.time(e.to());
                    String grainSeconds = p.add((int) g, "integer");
                    branches.add(INTERVAL_SUMS.formatted(connectionArray, from, to, grainSeconds, "rate_intervals"));
                    branches.add(INTERVAL_SUMS.formatted(connectionArray, from, to, grainSeconds, "rate_short_intervals"));
                }
            }
            return branches.isEmpty() ? null
                    : new RatesStatement(String.join("\nUNION ALL\n", branches), p.types, Tuple.tuple(p.values));
        }
    }

    /** The rollup table of a level (seconds). */
    private static String table(long level) {
        return switch ((int) level) {
            case (int) RollupPieces.SECOND -> "rate_seconds";
            case (int) RollupPieces.MINUTE -> "rate_minutes";
            case (int) RollupPieces.FIVE_MINUTES -> "rate_5minutes";
            case (int) RollupPieces.HOUR -> "rate_hours";
            case (int) RollupPieces.DAY -> "rate_days";
            default -> throw new IllegalArgumentException("no rollup level of " + level + " s");
        };
    }

    /** The parameters of a statement being made: each added value is given its number, $n::type. */
    private static final class Parameters {
        final List<Object> values = new ArrayList<>();
        final List<String> types = new ArrayList<>();

        String add(Object value, String type) {
            values.add(value);
            types.add(type);
            return "$" + values.size() + "::" + type;
        }

        String time(Instant t) {
            return add(utc(t), "timestamptz");
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
        return stale.flatMap(pieces -> {
            RatesStatement statement = query.statement(pieces);
            return statement == null ? Uni.createFrom().<Iterable<Row>>item(List.of())
                    : db.preparedQuery(statement.sql()).execute(statement.parameters()).map(rows -> (Iterable<Row>) rows);
        }).map(rows -> {
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
