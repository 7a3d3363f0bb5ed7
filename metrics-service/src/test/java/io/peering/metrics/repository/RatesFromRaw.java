package io.peering.metrics.repository;

/**
 * The test oracle: the from-raw rate SQL that QueryConnectionMetrics ran before the rollups (release
 * 0.1), kept word for word. The property test compares the rollup path against it bucket by bucket,
 * and the benchmark times it beside the new path on the same data.
 */
public final class RatesFromRaw {

    private RatesFromRaw() {
    }

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
    public static final String SQL = """
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
}
