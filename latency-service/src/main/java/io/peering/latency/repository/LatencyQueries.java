package io.peering.latency.repository;

import io.peering.latency.LatencyStats;
import io.peering.support.time.Grain;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Exact latency statistics per bucket. Queries whose buckets are whole hours (grain PT1H or P1D,
 * range on hour boundaries) read the hourly rollup, whose rows hold every value of their hour;
 * other queries read the raw samples. Both give the same numbers: percentile_cont's definition.
 */
@ApplicationScoped
public class LatencyQueries {

    /** The sorted values of a bucket from the rollup: no sort when the bucket is one sorted rollup row. */
    private static final String SORTED_VALUES =
            "CASE WHEN count(*) = 1 AND bool_and(h.sorted) THEN latency.concat(h.rtts) ELSE latency.sorted(latency.concat(h.rtts)) END";

    /** The last value of the prefix index inside r.p: its broadcast address as a host. */
    private static final String LAST_INSIDE = "set_masklen(broadcast(r.p), CASE family(r.p) WHEN 4 THEN 32 ELSE 128 END)";

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

    private final Pool pool;

    public LatencyQueries(Pool pool) {
        this.pool = pool;
    }

    /** True when every bucket is made of whole hours of the rollup. */
    public static boolean rollupAnswers(Instant from, Instant to, Grain grain) {
        return grain.length.toSeconds() % 3600 == 0 && from.getEpochSecond() % 3600 == 0 && from.getNano() == 0
                && to.getEpochSecond() % 3600 == 0 && to.getNano() == 0;
    }

    /** Statistics per bucket of the samples whose reporting prefix lies inside {@code prefix} (canonical CIDR text). */
    public Uni<List<LatencyStats>> prefixSeries(String prefix, Instant from, Instant to, Grain grain) {
        String sql = (rollupAnswers(from, to, grain) ? PREFIX_ROLLUP : PREFIX_RAW).formatted(grain.sqlInterval());
        return pool.preparedQuery(sql).execute(Tuple.of(prefix, utc(from), utc(to))).map(rows -> {
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
        return pool.preparedQuery(HAS_SAMPLES_WITHOUT_ORIGIN).execute(Tuple.of(utc(from), utc(to)))
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
        if (rollupAnswers(from, to, grain) && grain == Grain.PT1H && routePrefixes.isEmpty()) {
            sql = ASN_ROLLUP_HOURLY;
        } else {
            sql = (rollupAnswers(from, to, grain) ? ASN_ROLLUP : ASN_RAW).formatted(grain.sqlInterval());
            params.addArrayOfString(routePrefixes.toArray(String[]::new));
        }
        return pool.preparedQuery(sql).execute(params).map(rows -> {
            List<AsnPoint> points = new ArrayList<>();
            int prefixes = 0;
            for (Row r : rows) {
                points.add(new AsnPoint(r.getOffsetDateTime(0).toInstant(), r.getDouble(1)));
                prefixes = r.getLong(2).intValue();
            }
            return new AsnSeries(points, prefixes);
        });
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
