package io.peering.latency.repository;

import io.peering.support.replica.ReadPool;
import io.peering.latency.LatencyStats;
import io.peering.latency.Sample;
import io.peering.support.net.IpPrefix;
import io.peering.support.time.Grain;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Exact latency statistics per bucket, percentile_cont's definition whichever path answers:
 * <ul>
 * <li>one reporting prefix (/24, /48) at PT1H: a row of {@code prefix_hourly} per closed hour, the
 * samples for the open hours and the partial hours at the range's edges ({@link #PREFIX_CLOSED_HOURS});
 * at PT1M or PT5M the same with a row of {@code prefix_minutes} per closed hour, and in an open hour the
 * {@code prefix_buckets} rows the compaction made ({@link #PREFIX_CLOSED_MINUTES});</li>
 * <li>an ASN whose samples carry their origin, at PT1M, PT5M or PT1H: a row of {@code asn_rollup} per
 * whole bucket (in an open hour only the buckets the compaction made and no batch row not merged yet touches),
 * the samples for the rest ({@link #ASN_CLOSED_HOURS});</li>
 * <li>an ASN with samples attributed through routes-service's routes, at PT1M, PT5M or PT1H: per customer
 * prefix and hour whose every sample counts, the prefix's statistics as above; the samples for the rest
 * ({@link #ASN_ROUTES});</li>
 * <li>otherwise (shorter prefixes, P1D), buckets of whole hours merge the hourly rollup's values and the others
 * read the samples, as before.</li>
 * </ul>
 */
@ApplicationScoped
public class LatencyQueries {

    /** The sorted values of a bucket from the rollup: no sort when the bucket is one sorted rollup row. */
    private static final String SORTED_VALUES =
            "CASE WHEN count(*) = 1 AND bool_and(h.sorted) THEN latency.concat(h.rtts) ELSE latency.sorted(latency.concat(h.rtts)) END";

    /** The last value of the prefix index inside r.p: its broadcast address as a host. */
    private static final String LAST_INSIDE = "set_masklen(broadcast(r.p), CASE family(r.p) WHEN 4 THEN 32 ELSE 128 END)";

    static final String PREFIX_RAW = """
            SELECT time_bucket($4::text::interval, s.time) AS bucket,
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
            FROM (SELECT time_bucket($4::text::interval, h.hour) AS bucket, %s AS v
                  FROM latency.hourly h
                  WHERE h.prefix <<= $1::text::cidr AND h.hour >= $2 AND h.hour < $3
                  GROUP BY 1) b
            ORDER BY bucket
            """.formatted(SORTED_VALUES);

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
                CROSS JOIN LATERAL ( -- an index range scan per route prefix (OFFSET 0: never flattened into a join
                                     -- that compares every sample with every prefix, 1-10 s under the soak)
                    SELECT x.time, x.prefix, x.rtt_ms FROM latency.samples x
                    WHERE x.prefix >= r.p AND x.prefix <= %s AND x.prefix <<= r.p
                      AND x.origin_asn IS NULL AND x.time >= $2 AND x.time < $3 OFFSET 0) s),
            per_prefix AS (
                SELECT time_bucket($5::text::interval, s.time) AS bucket, s.prefix,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY s.rtt_ms) AS median
                FROM matched s GROUP BY 1, 2)
            SELECT bucket, avg(median), (SELECT count(*) FROM (SELECT DISTINCT prefix FROM per_prefix) d)
            FROM per_prefix GROUP BY bucket ORDER BY bucket
            """.formatted(LAST_INSIDE);

    static final String ASN_ROLLUP = """
            WITH matched AS (
                SELECT h.hour, h.prefix, h.rtts, h.sorted FROM latency.hourly h
                WHERE h.origin_asn = $1 AND h.hour >= $2 AND h.hour < $3
                UNION ALL
                SELECT h.hour, h.prefix, h.rtts, h.sorted FROM unnest($4::text[]::cidr[]) AS r(p)
                JOIN latency.hourly h ON h.prefix >= r.p AND h.prefix <= %2$s AND h.prefix <<= r.p
                WHERE h.origin_asn = 0 AND h.hour >= $2 AND h.hour < $3),
            per_prefix AS (
                SELECT bucket, prefix, latency.percentile_of_sorted(v, 0.5) AS median
                FROM (SELECT time_bucket($5::text::interval, h.hour) AS bucket, h.prefix, %1$s AS v
                      FROM matched h GROUP BY 1, 2) g)
            SELECT bucket, avg(median), (SELECT count(*) FROM (SELECT DISTINCT prefix FROM per_prefix) d)
            FROM per_prefix GROUP BY bucket ORDER BY bucket
            """.formatted(SORTED_VALUES, LAST_INSIDE);

    /**
     * ASN_ROLLUP for PT1H buckets and no route prefixes: each rollup row is one prefix-hour already
     * (the primary key), so no regrouping; a sorted row gives its median without any sort.
     */
    /**
     * The closed-hour path of one reporting prefix (a /24 or /48) at PT1H: a row of prefix_hourly per
     * closed hour of the inner range $4..$5 (whole hours); from the samples: the partial hours at the
     * edges ($2..$4 and $5..$3) and every hour that has an open row (the current hour, or a closed
     * one a late sample reopened).
     */
    static final String PREFIX_CLOSED_HOURS = """
            WITH open AS (
                SELECT DISTINCT h.hour FROM latency.hourly h
                WHERE h.prefix = $1::text::cidr AND NOT h.closed AND h.hour >= $4 AND h.hour < $5),
            ranges AS (
                SELECT $2::timestamptz AS s, $4::timestamptz AS e
                UNION ALL SELECT $5::timestamptz, $3::timestamptz
                UNION ALL SELECT hour, hour + INTERVAL '1 hour' FROM open)
            SELECT p.hour, ARRAY[p.median_ms, p.p90_ms, p.p99_ms], p.min_ms, p.max_ms, p.sample_count
            FROM latency.prefix_hourly p
            WHERE p.prefix = $1::text::cidr AND p.hour >= $4 AND p.hour < $5 AND p.hour NOT IN (SELECT hour FROM open)
            UNION ALL
            SELECT time_bucket(INTERVAL '1 hour', s.time),
                   percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY s.rtt_ms),
                   min(s.rtt_ms), max(s.rtt_ms), count(*)
            FROM ranges r
            CROSS JOIN LATERAL ( -- an index range scan per range (OFFSET 0: not flattened into a join that
                                 -- reads all the prefix's samples)
                SELECT x.time, x.rtt_ms FROM latency.samples x
                WHERE x.prefix = $1::text::cidr AND x.time >= r.s AND x.time < r.e OFFSET 0) s
            WHERE r.s < r.e
            GROUP BY 1
            ORDER BY 1
            """;

    /**
     * The rollup path of one reporting prefix at PT1M or PT5M ($6 seconds), whole buckets $4..$5 inside the range;
     * per hour of those buckets:
     * <ul>
     * <li>a closed hour: the buckets of its prefix_minutes row (read from the samples when it has none: closed before
     * migration V6 made them);</li>
     * <li>an open hour (the current one, or one a late sample reopened): the prefix_buckets rows the compaction made
     * (V8), up to the end of the last one, except the buckets a batch row not merged yet has samples in (its
     * first..last time); those buckets, and the rest of the hour, from the samples (the whole hour when it has no
     * such row, as a reopened hour);</li>
     * </ul>
     * and the partial buckets at the range's edges from the samples.
     */
    static final String PREFIX_CLOSED_MINUTES = """
            WITH open AS ( -- per open hour, the end of its last bucket the compaction made (its start when none)
                SELECT o.hour, coalesce(
                    (SELECT max(b.bucket) + make_interval(secs => $6) FROM latency.prefix_buckets b
                     WHERE b.prefix = $1::text::cidr AND b.seconds = $6 AND b.bucket >= o.hour
                       AND b.bucket < o.hour + INTERVAL '1 hour'), o.hour) AS made_to
                FROM (SELECT DISTINCT h.hour FROM latency.hourly h
                      WHERE h.prefix = $1::text::cidr AND NOT h.closed
                        AND h.hour >= time_bucket(INTERVAL '1 hour', $4::timestamptz) AND h.hour < $5) o),
            unminuted AS ( -- closed hours without a minute row
                SELECT p.hour FROM latency.prefix_hourly p
                WHERE p.prefix = $1::text::cidr AND p.hour >= time_bucket(INTERVAL '1 hour', $4::timestamptz) AND p.hour < $5
                  AND p.hour NOT IN (SELECT hour FROM open)
                  AND NOT EXISTS (SELECT 1 FROM latency.prefix_minutes m
                                  WHERE m.prefix = $1::text::cidr AND m.seconds = $6 AND m.hour = p.hour)),
            unmerged AS ( -- made buckets with samples of a batch row not merged yet
                SELECT DISTINCT b.bucket FROM latency.hourly f JOIN open o ON o.hour = f.hour
                CROSS JOIN LATERAL generate_series(time_bucket(make_interval(secs => $6), f.first_time),
                                                   time_bucket(make_interval(secs => $6), f.last_time),
                                                   make_interval(secs => $6)) AS b(bucket)
                WHERE f.prefix = $1::text::cidr AND NOT f.closed AND f.first_time IS NOT NULL
                  AND f.hour >= time_bucket(INTERVAL '1 hour', $4::timestamptz) AND f.hour < $5
                  AND b.bucket < o.made_to AND b.bucket >= $4 AND b.bucket < $5),
            ranges AS (
                SELECT $2::timestamptz AS s, $4::timestamptz AS e
                UNION ALL SELECT $5::timestamptz, $3::timestamptz
                UNION ALL SELECT greatest(made_to, $4::timestamptz), least(hour + INTERVAL '1 hour', $5::timestamptz) FROM open
                UNION ALL SELECT greatest(hour, $4::timestamptz), least(hour + INTERVAL '1 hour', $5::timestamptz) FROM unminuted
                UNION ALL SELECT bucket, bucket + make_interval(secs => $6) FROM unmerged)
            SELECT b.bucket, ARRAY[b.median, b.p90, b.p99], b.lo, b.hi, b.n
            FROM latency.prefix_minutes m
            CROSS JOIN LATERAL unnest(m.buckets, m.medians, m.p90s, m.p99s, m.mins, m.maxs, m.counts)
                AS b(bucket, median, p90, p99, lo, hi, n)
            WHERE m.prefix = $1::text::cidr AND m.seconds = $6 AND m.hour >= time_bucket(INTERVAL '1 hour', $4::timestamptz)
              AND m.hour < $5 AND m.hour NOT IN (SELECT hour FROM open) AND b.bucket >= $4 AND b.bucket < $5
            UNION ALL
            SELECT b.bucket, ARRAY[b.median_ms, b.p90_ms, b.p99_ms], b.min_ms, b.max_ms, b.sample_count
            FROM open o JOIN latency.prefix_buckets b
              ON b.prefix = $1::text::cidr AND b.seconds = $6 AND b.bucket >= o.hour AND b.bucket < o.made_to
            WHERE b.bucket >= $4 AND b.bucket < $5 AND b.bucket NOT IN (SELECT bucket FROM unmerged)
            UNION ALL
            SELECT time_bucket(make_interval(secs => $6), s.time),
                   percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY s.rtt_ms),
                   min(s.rtt_ms), max(s.rtt_ms), count(*)
            FROM ranges r
            CROSS JOIN LATERAL ( -- an index range scan per range, as in PREFIX_CLOSED_HOURS
                SELECT x.time, x.rtt_ms FROM latency.samples x
                WHERE x.prefix = $1::text::cidr AND x.time >= r.s AND x.time < r.e OFFSET 0) s
            WHERE r.s < r.e
            GROUP BY 1
            ORDER BY 1
            """;

    /**
     * The rollup path of an ASN whose samples all carry their origin, at PT1M, PT5M or PT1H ($6 seconds): each whole
     * bucket of the range ($4..$5) from its asn_rollup row, the partial buckets at the edges from the samples. A
     * bucket's row answers it when its hour is closed; in an open hour (the current one, or one a late sample
     * reopened) only a row the compaction made (each counts the samples of every merged row), and only if no batch
     * row not merged yet has samples in the bucket (its first..last time): those buckets, and the rest of the hour
     * after its last made bucket, are read from the samples; at PT1H an open hour is read from the samples. The
     * customer prefix count is the union of asn_rollup's prefix sets: per day for the whole days $7..$8, per hour for
     * the other whole closed hours $10..$11, per bucket for the rows used elsewhere, plus the prefixes of the samples
     * read.
     */
    static final String ASN_CLOSED_HOURS = """
            WITH open AS (
                SELECT h.hour, h.first_time, h.last_time FROM latency.hourly h
                WHERE h.origin_asn = $1 AND NOT h.closed AND h.hour >= time_bucket(INTERVAL '1 hour', $4::timestamptz)
                  AND h.hour < $5),
            made AS ( -- per open hour, the end of its last bucket the compaction made (its start when none)
                SELECT o.hour, coalesce(
                    (SELECT max(a.bucket) + make_interval(secs => $6::integer) FROM latency.asn_rollup a
                     WHERE $6::integer < 3600 AND a.origin_asn = $1 AND a.seconds = $6::integer
                       AND a.bucket >= o.hour AND a.bucket < o.hour + INTERVAL '1 hour'), o.hour) AS made_to
                FROM (SELECT DISTINCT hour FROM open) o),
            unmerged AS ( -- whole buckets before made_to with samples of a batch row not merged yet
                SELECT DISTINCT b.bucket FROM open f JOIN made m ON m.hour = f.hour
                CROSS JOIN LATERAL generate_series(time_bucket(make_interval(secs => $6::integer), f.first_time),
                                                   time_bucket(make_interval(secs => $6::integer), f.last_time),
                                                   make_interval(secs => $6::integer)) AS b(bucket)
                WHERE f.first_time IS NOT NULL AND b.bucket < m.made_to AND b.bucket >= $4 AND b.bucket < $5),
            kept AS ( -- the rows answering whole buckets
                SELECT a.bucket, a.median_avg, a.prefix_set FROM latency.asn_rollup a
                WHERE a.origin_asn = $1 AND a.seconds = $6::integer AND a.bucket >= $4 AND a.bucket < $5
                  AND NOT EXISTS (SELECT 1 FROM made m WHERE a.bucket >= m.made_to AND a.bucket < m.hour + INTERVAL '1 hour')
                  AND a.bucket NOT IN (SELECT bucket FROM unmerged)),
            ranges AS (
                SELECT $2::timestamptz AS s, $4::timestamptz AS e
                UNION ALL SELECT $5::timestamptz, $3::timestamptz
                UNION ALL SELECT greatest(made_to, $4::timestamptz), least(hour + INTERVAL '1 hour', $5::timestamptz) FROM made
                UNION ALL SELECT bucket, bucket + make_interval(secs => $6::integer) FROM unmerged),
            raw AS (
                SELECT s.time, s.prefix, s.rtt_ms FROM ranges r
                CROSS JOIN LATERAL ( -- an index range scan per range (OFFSET 0: not flattened into a join)
                    SELECT x.time, x.prefix, x.rtt_ms FROM latency.samples x
                    WHERE x.origin_asn = $1 AND x.time >= r.s AND x.time < r.e OFFSET 0) s
                WHERE r.s < r.e),
            points AS (
                SELECT bucket, median_avg AS v FROM kept
                UNION ALL
                SELECT bucket, avg(median) FROM (
                    SELECT time_bucket($9::text::interval, time) AS bucket, prefix,
                           percentile_cont(0.5) WITHIN GROUP (ORDER BY rtt_ms) AS median
                    FROM raw GROUP BY 1, 2) m
                GROUP BY bucket),
            prefixes AS (
                SELECT unnest(d.prefix_set) AS prefix FROM latency.asn_rollup d
                WHERE d.origin_asn = $1 AND d.seconds = 86400 AND d.bucket >= $7 AND d.bucket < $8
                UNION ALL
                SELECT unnest(a.prefix_set) FROM latency.asn_rollup a
                WHERE a.origin_asn = $1 AND a.seconds = 3600 AND a.bucket >= $10 AND a.bucket < $11
                  AND NOT (a.bucket >= $7 AND a.bucket < $8) AND a.bucket NOT IN (SELECT hour FROM made)
                UNION ALL
                SELECT unnest(k.prefix_set) FROM kept k
                WHERE NOT (k.bucket >= $10 AND k.bucket < $11)
                   OR time_bucket(INTERVAL '1 hour', k.bucket) IN (SELECT hour FROM made)
                UNION ALL SELECT prefix FROM raw)
            SELECT bucket, v, (SELECT count(*) FROM (SELECT DISTINCT prefix FROM prefixes) d)
            FROM points ORDER BY bucket
            """;

    /**
     * The rollup path of an ASN with route prefixes $4 (samples without an origin are attributed through
     * routes-service), at PT1M, PT5M or PT1H ($7 seconds, $8 the same as an interval), whole buckets $5..$6. A
     * customer prefix's median in a bucket is over its samples the ASN counts: those of the ASN's origin, and those
     * without an origin when the prefix lies inside a route. Per customer prefix and hour of the range:
     * <ul>
     * <li>when each of its samples counts ("clean": no other origin, and none without one unless inside a route),
     * the statistics of every origin made for the prefix answer its whole buckets: prefix_minutes or prefix_hourly
     * for a closed hour; prefix_buckets for an open one, up to the end of its last made bucket, except the buckets of
     * batch rows not merged yet (as PREFIX_CLOSED_MINUTES);</li>
     * <li>the rest (partial buckets at the edges, hours not clean, what no row answers) is read from the samples that
     * count, an index range scan per prefix and range.</li>
     * </ul>
     */
    static final String ASN_ROUTES = """
            WITH candidates AS ( -- prefixes with a sample that counts in the range's hours; inside: a route holds it
                SELECT prefix, bool_or(inside) AS inside FROM (
                    SELECT h.prefix, false AS inside FROM latency.hourly h
                    WHERE h.origin_asn = $1 AND h.hour >= time_bucket(INTERVAL '1 hour', $2::timestamptz) AND h.hour < $3
                    UNION ALL
                    SELECT h.prefix, true FROM unnest($4::text[]::cidr[]) AS r(p)
                    CROSS JOIN LATERAL ( -- an index range scan per route (OFFSET 0: a join here is planned, in the generic
                                         -- plan of the prepared statement, as every route against every row: 2x the time)
                        SELECT x.prefix FROM latency.hourly x
                        WHERE x.prefix >= r.p AND x.prefix <= %1$s AND x.prefix <<= r.p AND x.origin_asn = 0
                          AND x.hour >= time_bucket(INTERVAL '1 hour', $2::timestamptz) AND x.hour < $3 OFFSET 0) h) c
                GROUP BY prefix),
            hours AS ( -- per prefix and hour with a sample that counts: whether every sample counts, whether open
                SELECT h.prefix, h.hour, c.inside, bool_and(h.origin_asn = $1 OR (h.origin_asn = 0 AND c.inside)) AS clean,
                       bool_or(NOT h.closed) AS open
                FROM candidates c JOIN latency.hourly h ON h.prefix = c.prefix
                WHERE h.hour >= time_bucket(INTERVAL '1 hour', $2::timestamptz) AND h.hour < $3
                GROUP BY 1, 2, 3
                HAVING bool_or(h.origin_asn = $1 OR (h.origin_asn = 0 AND c.inside))),
            spans AS ( -- per prefix-hour, the whole buckets made statistics answer: ks..ke (none when ks >= ke)
                SELECT h.prefix, h.hour, h.inside, h.open, greatest(h.hour, $5::timestamptz) AS ks,
                       least(CASE WHEN NOT h.clean THEN h.hour
                                  WHEN NOT h.open THEN CASE WHEN EXISTS ( -- the closed hour has statistics at this grain
                                           SELECT 1 FROM latency.prefix_minutes m WHERE $7::integer < 3600 AND m.prefix = h.prefix
                                             AND m.seconds = $7::integer AND m.hour = h.hour
                                           UNION ALL
                                           SELECT 1 FROM latency.prefix_hourly p WHERE $7::integer = 3600 AND p.prefix = h.prefix
                                             AND p.hour = h.hour) THEN h.hour + INTERVAL '1 hour' ELSE h.hour END
                                  ELSE coalesce(( -- the end of the open hour's last made bucket
                                           SELECT max(b.bucket) + make_interval(secs => $7::integer) FROM latency.prefix_buckets b
                                           WHERE b.prefix = h.prefix AND b.seconds = $7::integer AND b.bucket >= h.hour
                                             AND b.bucket < h.hour + INTERVAL '1 hour'), h.hour) END, $6::timestamptz) AS ke
                FROM hours h),
            unmerged AS ( -- buckets of an open hour's span with samples of a batch row not merged yet
                SELECT DISTINCT m.prefix, m.inside, b.bucket FROM spans m
                CROSS JOIN LATERAL ( -- an index scan per prefix-hour (OFFSET 0: a join here was planned under the soak as
                                     -- a merge join on the hour alone, 2 million rows compared for 9,000)
                    SELECT f.first_time, f.last_time FROM latency.hourly f
                    WHERE f.prefix = m.prefix AND f.hour = m.hour AND NOT f.closed AND f.first_time < m.ke AND f.last_time >= m.ks
                      AND f.hour >= time_bucket(INTERVAL '1 hour', $2::timestamptz) AND f.hour < $3 OFFSET 0) f
                CROSS JOIN LATERAL generate_series(greatest(time_bucket(make_interval(secs => $7::integer), f.first_time), m.ks),
                                                   least(time_bucket(make_interval(secs => $7::integer), f.last_time),
                                                         m.ke - make_interval(secs => $7::integer)),
                                                   make_interval(secs => $7::integer)) AS b(bucket)
                WHERE m.open AND m.ks < m.ke),
            kept AS ( -- whole buckets answered by made statistics
                SELECT x.bucket, x.prefix, x.median FROM (
                    SELECT u.bucket, m.prefix, u.median FROM spans m
                    JOIN latency.prefix_minutes pm ON pm.prefix = m.prefix AND pm.hour = m.hour
                    CROSS JOIN LATERAL unnest(pm.buckets, pm.medians) AS u(bucket, median)
                    WHERE NOT m.open AND m.ks < m.ke AND $7::integer < 3600 AND pm.seconds = $7::integer
                      AND pm.hour >= time_bucket(INTERVAL '1 hour', $2::timestamptz) AND pm.hour < $3
                      AND u.bucket >= m.ks AND u.bucket < m.ke
                    UNION ALL
                    SELECT p.hour, m.prefix, p.median_ms FROM spans m
                    JOIN latency.prefix_hourly p ON p.prefix = m.prefix AND p.hour = m.hour
                    WHERE NOT m.open AND m.ks < m.ke AND $7::integer = 3600
                      AND p.hour >= time_bucket(INTERVAL '1 hour', $2::timestamptz) AND p.hour < $3
                    UNION ALL
                    SELECT b.bucket, m.prefix, b.median_ms FROM spans m
                    JOIN latency.prefix_buckets b ON b.prefix = m.prefix AND b.bucket >= m.ks AND b.bucket < m.ke
                    WHERE m.open AND m.ks < m.ke AND b.seconds = $7::integer) x
                WHERE NOT EXISTS (SELECT 1 FROM unmerged u WHERE u.prefix = x.prefix AND u.bucket = x.bucket)),
            ranges AS ( -- the rest of each prefix-hour inside the range, read from the samples
                SELECT m.prefix, m.inside, r.s, r.e FROM (
                    SELECT prefix, inside, ks, ke, greatest(hour, $2::timestamptz) AS hs,
                           least(hour + INTERVAL '1 hour', $3::timestamptz) AS he FROM spans) m
                CROSS JOIN LATERAL (VALUES (m.hs, CASE WHEN m.ks < m.ke THEN m.ks ELSE m.he END),
                                           (CASE WHEN m.ks < m.ke THEN m.ke ELSE m.he END, m.he)) AS r(s, e)
                UNION ALL
                SELECT prefix, inside, bucket, bucket + make_interval(secs => $7::integer) FROM unmerged),
            raw AS (
                SELECT s.time, s.prefix, s.rtt_ms FROM ranges r
                CROSS JOIN LATERAL ( -- an index range scan per range (OFFSET 0: never flattened into a join)
                    SELECT x.time, x.prefix, x.rtt_ms FROM latency.samples x
                    WHERE x.prefix = r.prefix AND x.time >= r.s AND x.time < r.e
                      AND (x.origin_asn = $1 OR (x.origin_asn IS NULL AND r.inside)) OFFSET 0) s
                WHERE r.s < r.e),
            medians AS (
                SELECT bucket, prefix, median FROM kept
                UNION ALL
                SELECT time_bucket($8::text::interval, time), prefix, percentile_cont(0.5) WITHIN GROUP (ORDER BY rtt_ms)
                FROM raw GROUP BY 1, 2)
            SELECT bucket, avg(median), (SELECT count(*) FROM (SELECT DISTINCT prefix FROM medians) d)
            FROM medians GROUP BY bucket ORDER BY bucket
            """.formatted(LAST_INSIDE);

    static final String HAS_SAMPLES_WITHOUT_ORIGIN = """
            SELECT EXISTS (SELECT 1 FROM latency.hourly h
                           WHERE h.origin_asn = 0 AND h.hour >= time_bucket(INTERVAL '1 hour', $1::timestamptz) AND h.hour < $2)
            """;

    /** One bucket of an ASN's average customer-prefix latency. */
    public record AsnPoint(Instant bucket, double averageMedianMs) {
    }

    /** An ASN's series and how many customer prefixes contributed in the range. */
    public record AsnSeries(List<AsnPoint> points, int customerPrefixCount) {
    }

    /** Every read here is a query RPC's: from the read replica when there is one within its lag. */
    private final ReadPool reads;

    public LatencyQueries(ReadPool reads) {
        this.reads = reads;
    }

    /** True when every bucket is made of whole hours of the rollup. */
    public static boolean rollupAnswers(Instant from, Instant to, Grain grain) {
        return grain.length.toSeconds() % 3600 == 0 && from.getEpochSecond() % 3600 == 0 && from.getNano() == 0
                && to.getEpochSecond() % 3600 == 0 && to.getNano() == 0;
    }

    /** Statistics per bucket of the samples whose reporting prefix lies inside {@code prefix} (canonical CIDR text). */
    public Uni<List<LatencyStats>> prefixSeries(String prefix, Instant from, Instant to, Grain grain) {
        IpPrefix asked = IpPrefix.parse(prefix);
        String sql;
        Tuple params = Tuple.of(prefix, utc(from), utc(to));
        boolean reporting = asked.length() == (asked.isIpv4() ? Sample.IPV4_REPORTING_LENGTH : Sample.IPV6_REPORTING_LENGTH);
        if (reporting && grain == Grain.PT1H) {
            Instant[] inner = wholeHours(from, to);
            sql = PREFIX_CLOSED_HOURS;
            params.addValue(utc(inner[0])).addValue(utc(inner[1]));
        } else if (reporting && (grain == Grain.PT1M || grain == Grain.PT5M)) {
            Instant[] inner = wholeBuckets(from, to, grain.length);
            sql = PREFIX_CLOSED_MINUTES;
            params.addValue(utc(inner[0])).addValue(utc(inner[1])).addInteger((int) grain.length.toSeconds());
        } else {
            sql = rollupAnswers(from, to, grain) ? PREFIX_ROLLUP : PREFIX_RAW;
            params.addString(grain.sqlInterval());
        }
        return reads.forQueries().preparedQuery(sql).execute(params).map(rows -> {
            List<LatencyStats> points = new ArrayList<>();
            for (Row r : rows) {
                Double[] p = r.getArrayOfDoubles(1);
                points.add(new LatencyStats(r.getOffsetDateTime(0).toInstant(), p[0], p[1], p[2], r.getDouble(2),
                        r.getDouble(3), r.getLong(4)));
            }
            return points;
        });
    }

    /** Whether any sample without an origin ASN lies in the range (at hour granularity). */
    public Uni<Boolean> hasSamplesWithoutOrigin(Instant from, Instant to) {
        return reads.forQueries().preparedQuery(HAS_SAMPLES_WITHOUT_ORIGIN).execute(Tuple.of(utc(from), utc(to)))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /**
     * Per bucket, the mean over the ASN's customer prefixes of each prefix's median in that bucket.
     * Customer prefixes: reporting prefixes of samples whose origin is the ASN, and of samples
     * without an origin that lie inside {@code routePrefixes} (disjoint CIDRs).
     */
    public Uni<AsnSeries> asnSeries(long asn, List<String> routePrefixes, Instant from, Instant to, Grain grain) {
        String sql;
        Tuple params = Tuple.of(asn, utc(from), utc(to));
        if (routePrefixes.isEmpty() && grain != Grain.P1D) {
            Instant[] buckets = wholeBuckets(from, to, grain.length);
            Instant[] hours = wholeHours(from, to);
            Instant[] days = wholeDays(hours[0], hours[1]);
            sql = ASN_CLOSED_HOURS;
            params.addValue(utc(buckets[0])).addValue(utc(buckets[1])).addInteger((int) grain.length.toSeconds())
                    .addValue(utc(days[0])).addValue(utc(days[1])).addString(grain.sqlInterval())
                    .addValue(utc(hours[0])).addValue(utc(hours[1]));
        } else if (grain != Grain.P1D && !rollupAnswers(from, to, grain)) {
            // whole hours at PT1H stay on ASN_ROLLUP: its one pass over the hourly rows beats a join per prefix-hour
            // (3 days of 1,000 prefixes in psql: 162 ms against 370 ms)
            Instant[] buckets = wholeBuckets(from, to, grain.length);
            sql = ASN_ROUTES;
            params.addArrayOfString(routePrefixes.toArray(String[]::new)).addValue(utc(buckets[0])).addValue(utc(buckets[1]))
                    .addInteger((int) grain.length.toSeconds()).addString(grain.sqlInterval());
        } else {
            sql = rollupAnswers(from, to, grain) ? ASN_ROLLUP : ASN_RAW;
            params.addArrayOfString(routePrefixes.toArray(String[]::new)).addString(grain.sqlInterval());
        }
        return reads.forQueries().preparedQuery(sql).execute(params).map(rows -> {
            List<AsnPoint> points = new ArrayList<>();
            int prefixes = 0;
            for (Row r : rows) {
                points.add(new AsnPoint(r.getOffsetDateTime(0).toInstant(), r.getDouble(1)));
                prefixes = r.getLong(2).intValue();
            }
            return new AsnSeries(points, prefixes);
        });
    }

    /**
     * The whole hours inside [from, to) as [first, end); both {@code to} when there are none, so
     * the edges [from, first) and [end, to) cover the range.
     */
    static Instant[] wholeHours(Instant from, Instant to) {
        return wholeBuckets(from, to, Duration.ofHours(1));
    }

    /**
     * The whole buckets of {@code length} (a divisor of a day: aligned as time_bucket aligns them) inside [from, to)
     * as [first, end); both {@code to} when there are none, so the edges [from, first) and [end, to) cover the range.
     */
    static Instant[] wholeBuckets(Instant from, Instant to, Duration length) {
        long nanos = length.toNanos();
        long fromNanos = from.getEpochSecond() * 1_000_000_000L + from.getNano();
        long toNanos = to.getEpochSecond() * 1_000_000_000L + to.getNano();
        long first = Math.floorDiv(fromNanos + nanos - 1, nanos) * nanos;
        long end = Math.floorDiv(toNanos, nanos) * nanos;
        return first < end ? new Instant[]{Instant.ofEpochSecond(0, first), Instant.ofEpochSecond(0, end)}
                : new Instant[]{to, to};
    }

    /** The whole UTC days inside [from, to) (both hour-aligned) as [first, end); both {@code to} when none. */
    static Instant[] wholeDays(Instant from, Instant to) {
        return wholeBuckets(from, to, Duration.ofDays(1));
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
