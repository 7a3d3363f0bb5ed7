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
     * Rates per bucket, from consecutive samples of each series (connection, session address),
     * ordered by time whatever order they arrived in. The samples of the range are read together
     * with those up to max-sample-gap before it, so the first interval of the range has its
     * earlier sample. Each interval's rate goes to the bucket of its later sample. Per series and
     * bucket: average = increase / seconds (time-weighted), min and max of the interval rates,
     * count of intervals; then the series of the scope are combined per bucket: averages summed
     * (the traffic of all series together), extremes and counts over all intervals.
     * Limits: an octet counter grows at most bandwidth/8 octets per second, a discard counter at
     * most bandwidth/512 packets per second (64-octet frames); see metrics.counter_delta.
     * Parameters: $1 connections, $2 their bandwidth in bits/s, $3 start, $4 end, $5 grain and $6 max gap in seconds.
     */
    public static final String RATES_SQL = """
            WITH bw AS (
                SELECT * FROM unnest($1::text[], $2::float8[]) AS b(connection, max_bps)
            ), s AS (
                SELECT c.connection, c.session_address, c.time, b.max_bps,
                       extract(epoch FROM c.time - lag(c.time) OVER w)::float8 AS secs,
                       c.in_octets, lag(c.in_octets) OVER w AS prev_in,
                       c.out_octets, lag(c.out_octets) OVER w AS prev_out,
                       c.in_discards, lag(c.in_discards) OVER w AS prev_in_d,
                       c.out_discards, lag(c.out_discards) OVER w AS prev_out_d
                FROM metrics.connection_samples c JOIN bw b ON b.connection = c.connection
                WHERE c.connection = ANY($1::text[])
                  AND c.time >= $3::timestamptz - ($6::float8 * interval '1 second') AND c.time < $4::timestamptz
                WINDOW w AS (PARTITION BY c.connection, c.session_address ORDER BY c.time)
            ), d AS MATERIALIZED ( -- computed once, not once per aggregate that reads it
                SELECT connection, session_address, time_bucket(($5::float8 * interval '1 second'), time) AS bucket, secs,
                       (metrics.counter_delta(prev_in, in_octets, (max_bps / 8 * secs)::numeric) * 8)::float8 AS in_bits,
                       (metrics.counter_delta(prev_out, out_octets, (max_bps / 8 * secs)::numeric) * 8)::float8 AS out_bits,
                       (metrics.counter_delta(prev_in_d, in_discards, (max_bps / 512 * secs)::numeric)
                        + metrics.counter_delta(prev_out_d, out_discards, (max_bps / 512 * secs)::numeric))::float8 AS drops
                FROM s
                WHERE time >= $3::timestamptz AND secs > 0 AND secs <= extract(epoch FROM ($6::float8 * interval '1 second'))
            ), per_series AS (
                SELECT bucket,
                       sum(in_bits) / sum(secs) FILTER (WHERE in_bits IS NOT NULL) AS in_avg,
                       min(in_bits / secs) AS in_min, max(in_bits / secs) AS in_max, count(in_bits) AS in_n,
                       sum(out_bits) / sum(secs) FILTER (WHERE out_bits IS NOT NULL) AS out_avg,
                       min(out_bits / secs) AS out_min, max(out_bits / secs) AS out_max, count(out_bits) AS out_n,
                       sum(drops) / sum(secs) FILTER (WHERE drops IS NOT NULL) AS drop_avg,
                       min(drops / secs) AS drop_min, max(drops / secs) AS drop_max, count(drops) AS drop_n
                FROM d
                GROUP BY connection, session_address, bucket
            )
            SELECT bucket,
                   sum(in_avg), min(in_min), max(in_max), sum(in_n)::bigint,
                   sum(out_avg), min(out_min), max(out_max), sum(out_n)::bigint,
                   sum(drop_avg), min(drop_min), max(drop_max), sum(drop_n)::bigint
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

    public Uni<List<RateBucket>> rates(List<String> connections, List<Double> maxBitsPerSecond, Instant start, Instant end,
                                       Duration grain, Duration maxGap) {
        Tuple params = Tuple.tuple(Arrays.asList(connections.toArray(String[]::new), maxBitsPerSecond.toArray(Double[]::new),
                utc(start), utc(end), (double) grain.toSeconds(), maxGap.toMillis() / 1000.0));
        return pool.preparedQuery(RATES_SQL).execute(params).map(rows -> {
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
