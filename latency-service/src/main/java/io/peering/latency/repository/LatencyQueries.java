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
 * range on hour boundaries) read the hourly rollup, whose rows hold every value sorted; other
 * queries read the raw samples. Both give the same numbers: percentile_cont's definition.
 */
@ApplicationScoped
public class LatencyQueries {

    /** The sorted values of a bucket from the rollup: no sort when the bucket is one rollup row. */
    private static final String SORTED_VALUES =
            "CASE WHEN count(*) = 1 THEN latency.concat(h.rtts) ELSE latency.sorted(latency.concat(h.rtts)) END";

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

    static final String ASN_RAW = """
            WITH per_prefix AS (
                SELECT time_bucket(INTERVAL '%s', s.time) AS bucket, s.prefix,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY s.rtt_ms) AS median
                FROM latency.samples s
                WHERE s.origin_asn = $1 AND s.time >= $2 AND s.time < $3
                GROUP BY 1, 2)
            SELECT bucket, avg(median), (SELECT count(DISTINCT prefix) FROM per_prefix)
            FROM per_prefix GROUP BY bucket ORDER BY bucket
            """;

    static final String ASN_ROLLUP = """
            WITH per_prefix AS (
                SELECT time_bucket(INTERVAL '%s', h.hour) AS bucket, h.prefix,
                       latency.percentile_of_sorted(%s, 0.5) AS median
                FROM latency.hourly h
                WHERE h.origin_asn = $1 AND h.hour >= $2 AND h.hour < $3
                GROUP BY 1, 2)
            SELECT bucket, avg(median), (SELECT count(DISTINCT prefix) FROM per_prefix)
            FROM per_prefix GROUP BY bucket ORDER BY bucket
            """.formatted("%s", SORTED_VALUES);

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

    /** Per bucket, the mean over the ASN's customer prefixes of each prefix's median in that bucket. */
    public Uni<AsnSeries> asnSeries(long asn, Instant from, Instant to, Grain grain) {
        String sql = (rollupAnswers(from, to, grain) ? ASN_ROLLUP : ASN_RAW).formatted(grain.sqlInterval());
        return pool.preparedQuery(sql).execute(Tuple.of(asn, utc(from), utc(to))).map(rows -> {
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
