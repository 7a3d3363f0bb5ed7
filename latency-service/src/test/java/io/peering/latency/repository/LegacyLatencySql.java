package io.peering.latency.repository;

/**
 * Today's SQL before the closed-hour statistics (commit a5e249d), verbatim: the from-raw
 * statements are the oracle of {@link ClosedHourStatisticsMatchRawSamplesTest}, and the rollup
 * statements are the old path {@link LatencyBenchmark} prints beside the new one. Templates take
 * the bucket interval (%s); $1 the prefix or ASN, $2..$3 the range, $4 the route prefixes.
 */
final class LegacyLatencySql {

    private LegacyLatencySql() {
    }

    static final String SORTED_VALUES =
            "CASE WHEN count(*) = 1 AND bool_and(h.sorted) THEN latency.concat(h.rtts) ELSE latency.sorted(latency.concat(h.rtts)) END";

    /** The last value of the prefix index inside r.p: its broadcast address as a host. */
    static final String LAST_INSIDE = "set_masklen(broadcast(r.p), CASE family(r.p) WHEN 4 THEN 32 ELSE 128 END)";

    static final String PREFIX_RAW = """
            SELECT time_bucket(INTERVAL '%s', s.time) AS bucket,
                   percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY s.rtt_ms) AS p,
                   min(s.rtt_ms), max(s.rtt_ms), count(*)
            FROM latency.samples s
            WHERE s.prefix <<= $1::text::cidr AND s.time >= $2 AND s.time < $3
            GROUP BY 1 ORDER BY 1
            """;

    static final String PREFIX_ROLLUP = """
            SELECT bucket,
                   ARRAY[latency.percentile_of_sorted(v, 0.5), latency.percentile_of_sorted(v, 0.9),
                         latency.percentile_of_sorted(v, 0.99)] AS p,
                   v[1], v[cardinality(v)], cardinality(v)::bigint
            FROM (SELECT time_bucket(INTERVAL '%s', h.hour) AS bucket, %s AS v
                  FROM latency.hourly h
                  WHERE h.prefix <<= $1::text::cidr AND h.hour >= $2 AND h.hour < $3
                  GROUP BY 1) b
            ORDER BY bucket
            """.formatted("%s", SORTED_VALUES);

    /**
     * The samples of an ASN's customer prefixes: those whose origin is the ASN, and those without
     * an origin whose reporting prefix lies inside one of $4 (disjoint prefixes from routes-service;
     * each inside-test is a range scan of the prefix index).
     */
    static final String ASN_RAW = """
            WITH matched AS (
                SELECT s.time, s.prefix, s.rtt_ms FROM latency.samples s
                WHERE s.origin_asn = $1 AND s.time >= $2 AND s.time < $3
                UNION ALL
                SELECT s.time, s.prefix, s.rtt_ms FROM unnest($4::text[]::cidr[]) AS r(p)
                JOIN latency.samples s ON s.prefix >= r.p AND s.prefix <= %2$s AND s.prefix <<= r.p
                WHERE s.origin_asn IS NULL AND s.time >= $2 AND s.time < $3),
            per_prefix AS (
                SELECT time_bucket(INTERVAL '%1$s', s.time) AS bucket, s.prefix,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY s.rtt_ms) AS median
                FROM matched s GROUP BY 1, 2)
            SELECT bucket, avg(median), (SELECT count(*) FROM (SELECT DISTINCT prefix FROM per_prefix) d)
            FROM per_prefix GROUP BY bucket ORDER BY bucket
            """.formatted("%s", LAST_INSIDE);

    static final String ASN_ROLLUP = """
            WITH matched AS (
                SELECT h.hour, h.prefix, h.rtts, h.sorted FROM latency.hourly h
                WHERE h.origin_asn = $1 AND h.hour >= $2 AND h.hour < $3
                UNION ALL
                SELECT h.hour, h.prefix, h.rtts, h.sorted FROM unnest($4::text[]::cidr[]) AS r(p)
                JOIN latency.hourly h ON h.prefix >= r.p AND h.prefix <= %3$s AND h.prefix <<= r.p
                WHERE h.origin_asn = 0 AND h.hour >= $2 AND h.hour < $3),
            per_prefix AS (
                SELECT bucket, prefix, latency.percentile_of_sorted(v, 0.5) AS median
                FROM (SELECT time_bucket(INTERVAL '%1$s', h.hour) AS bucket, h.prefix, %2$s AS v
                      FROM matched h GROUP BY 1, 2) g)
            SELECT bucket, avg(median), (SELECT count(*) FROM (SELECT DISTINCT prefix FROM per_prefix) d)
            FROM per_prefix GROUP BY bucket ORDER BY bucket
            """.formatted("%s", SORTED_VALUES, LAST_INSIDE);

    /**
     * ASN_ROLLUP for PT1H buckets and no route prefixes: each rollup row is one prefix-hour already
     * (the primary key), so no regrouping; a sorted row gives its median without any sort.
     */
    static final String ASN_ROLLUP_HOURLY = """
            WITH per_prefix AS (
                SELECT h.hour AS bucket, h.prefix, latency.percentile_of_sorted(h.rtts, 0.5) AS median
                FROM latency.hourly h
                WHERE h.origin_asn = $1 AND h.hour >= $2 AND h.hour < $3 AND h.sorted
                UNION ALL
                SELECT h.hour, h.prefix, latency.percentile_of_sorted(latency.sorted(h.rtts), 0.5)
                FROM latency.hourly h
                WHERE h.origin_asn = $1 AND h.hour >= $2 AND h.hour < $3 AND NOT h.sorted)
            SELECT bucket, avg(median), (SELECT count(*) FROM (SELECT DISTINCT prefix FROM per_prefix) d)
            FROM per_prefix GROUP BY bucket ORDER BY bucket
            """;
}
