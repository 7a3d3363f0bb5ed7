-- Minute statistics of closed hours, so a PT1M or PT5M chart of a prefix reads a row per hour
-- instead of every sample (24 h of a prefix probed every 2.6 s: 33,000 samples, 76 ms in psql).
--
-- latency.prefix_minutes: per reporting prefix, closed hour and grain (60 or 300 seconds), the
-- buckets of the hour that have samples and, for each, the exact median, p90, p99 (percentile_cont
-- over the bucket's samples of every origin), min, max and count, as parallel arrays. Made and
-- remade by latency.close_hours together with latency.prefix_hourly, so a reopened hour (a late
-- sample) is read from the samples until it is closed again, as for the hourly statistics.
-- Hours closed before this migration have no row here: queries read those from the samples.

CREATE TABLE latency.prefix_minutes (
    hour     timestamptz        NOT NULL,
    prefix   cidr               NOT NULL,
    seconds  integer            NOT NULL,  -- bucket width: 60 or 300
    buckets  timestamptz[]      NOT NULL,  -- the buckets with samples, in order
    medians  double precision[] NOT NULL,
    p90s     double precision[] NOT NULL,
    p99s     double precision[] NOT NULL,
    mins     double precision[] NOT NULL,
    maxs     double precision[] NOT NULL,
    counts   bigint[]           NOT NULL,
    PRIMARY KEY (prefix, seconds, hour)
);
-- Same chunk interval as the samples: retention's drop_chunks drops a day of each together.
SELECT create_hypertable('latency.prefix_minutes', by_range('hour', INTERVAL '1 day'), create_default_indexes => false);

-- latency.close_hours as V4 wrote it, plus the statement that makes latency.prefix_minutes.
CREATE OR REPLACE FUNCTION latency.close_hours(before timestamptz) RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    kp cidr[];
    ka bigint[];
    kh timestamptz[];
    n  integer;
BEGIN
    WITH locked AS (
        SELECT prefix, origin_asn, hour FROM latency.hourly
        WHERE NOT closed AND hour < before
        ORDER BY prefix, origin_asn, hour
        FOR UPDATE
    ), done AS (
        UPDATE latency.hourly h
        SET rtts = CASE WHEN h.sorted THEN h.rtts ELSE latency.sorted(h.rtts) END, sorted = true, closed = true
        FROM locked l
        WHERE h.prefix = l.prefix AND h.origin_asn = l.origin_asn AND h.hour = l.hour
        RETURNING h.prefix, h.origin_asn, h.hour
    )
    SELECT array_agg(prefix), array_agg(origin_asn), array_agg(hour), count(*) INTO kp, ka, kh, n FROM done;
    IF n = 0 THEN
        RETURN 0;
    END IF;

    -- per reporting prefix and hour, over every origin
    INSERT INTO latency.prefix_hourly AS p (hour, prefix, median_ms, p90_ms, p99_ms, min_ms, max_ms, sample_count)
    SELECT hour, prefix, latency.percentile_of_sorted(v, 0.5), latency.percentile_of_sorted(v, 0.9),
           latency.percentile_of_sorted(v, 0.99), v[1], v[cardinality(v)], cardinality(v)
    FROM (SELECT h.hour, h.prefix,
                 CASE WHEN count(*) = 1 AND bool_and(h.sorted) THEN latency.concat(h.rtts)
                      ELSE latency.sorted(latency.concat(h.rtts)) END AS v
          FROM (SELECT DISTINCT k.p, k.t FROM unnest(kp, kh) AS k(p, t)) k
          JOIN latency.hourly h ON h.prefix = k.p AND h.hour = k.t
          GROUP BY 1, 2) s
    ON CONFLICT (prefix, hour) DO UPDATE SET median_ms = EXCLUDED.median_ms, p90_ms = EXCLUDED.p90_ms,
        p99_ms = EXCLUDED.p99_ms, min_ms = EXCLUDED.min_ms, max_ms = EXCLUDED.max_ms, sample_count = EXCLUDED.sample_count;

    -- per reporting prefix, closed hour and grain (1 and 5 minutes): each bucket's statistics, from the
    -- hour's samples of every origin (an index range scan per prefix-hour)
    INSERT INTO latency.prefix_minutes AS m (hour, prefix, seconds, buckets, medians, p90s, p99s, mins, maxs, counts)
    SELECT k.t, k.p, g.seconds, array_agg(s.bucket ORDER BY s.bucket), array_agg(s.p[1] ORDER BY s.bucket),
           array_agg(s.p[2] ORDER BY s.bucket), array_agg(s.p[3] ORDER BY s.bucket), array_agg(s.lo ORDER BY s.bucket),
           array_agg(s.hi ORDER BY s.bucket), array_agg(s.n ORDER BY s.bucket)
    FROM (SELECT DISTINCT k.p, k.t FROM unnest(kp, kh) AS k(p, t)) k
    CROSS JOIN (VALUES (60), (300)) AS g(seconds)
    CROSS JOIN LATERAL (SELECT time_bucket(make_interval(secs => g.seconds), x.time) AS bucket,
                               percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY x.rtt_ms) AS p,
                               min(x.rtt_ms) AS lo, max(x.rtt_ms) AS hi, count(*) AS n
                        FROM latency.samples x
                        WHERE x.prefix = k.p AND x.time >= k.t AND x.time < k.t + INTERVAL '1 hour'
                        GROUP BY 1) s
    GROUP BY k.t, k.p, g.seconds
    ON CONFLICT (prefix, seconds, hour) DO UPDATE SET buckets = EXCLUDED.buckets, medians = EXCLUDED.medians,
        p90s = EXCLUDED.p90s, p99s = EXCLUDED.p99s, mins = EXCLUDED.mins, maxs = EXCLUDED.maxs, counts = EXCLUDED.counts;

    -- per origin ASN and hour: the hour's row, then its minutes and 5-minute buckets from the samples
    DELETE FROM latency.asn_rollup r
    USING (SELECT DISTINCT k.a, k.t FROM unnest(ka, kh) AS k(a, t) WHERE k.a <> 0) k
    WHERE r.origin_asn = k.a AND r.seconds IN (60, 300, 3600) AND r.bucket >= k.t AND r.bucket < k.t + INTERVAL '1 hour';

    INSERT INTO latency.asn_rollup (bucket, origin_asn, seconds, prefix_count, median_avg, prefix_set)
    SELECT h.hour, h.origin_asn, 3600, count(*),
           avg(latency.percentile_of_sorted(CASE WHEN h.sorted THEN h.rtts ELSE latency.sorted(h.rtts) END, 0.5)),
           array_agg(h.prefix ORDER BY h.prefix)
    FROM (SELECT DISTINCT k.a, k.t FROM unnest(ka, kh) AS k(a, t) WHERE k.a <> 0) k
    JOIN latency.hourly h ON h.origin_asn = k.a AND h.hour = k.t
    GROUP BY 1, 2;

    INSERT INTO latency.asn_rollup (bucket, origin_asn, seconds, prefix_count, median_avg)
    SELECT m.bucket, m.origin_asn, m.seconds, count(*), avg(m.median)
    FROM (SELECT g.seconds, time_bucket(make_interval(secs => g.seconds), s.time) AS bucket, s.origin_asn, s.prefix,
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY s.rtt_ms) AS median
          FROM (SELECT DISTINCT k.a, k.t FROM unnest(ka, kh) AS k(a, t) WHERE k.a <> 0) k
          -- an index range scan per ASN-hour (OFFSET 0 keeps it one: as a join on the ASN with the
          -- time as a filter it compared every sample of the ASN with every hour, 26 min for 30 days)
          CROSS JOIN LATERAL (SELECT x.time, x.prefix, x.rtt_ms, x.origin_asn FROM latency.samples x
                              WHERE x.origin_asn = k.a AND x.time >= k.t AND x.time < k.t + INTERVAL '1 hour' OFFSET 0) s
          CROSS JOIN (VALUES (60), (300)) AS g(seconds)
          GROUP BY 1, 2, 3, 4) m
    GROUP BY 1, 2, 3;

    -- per origin ASN and day: which prefixes have samples in it
    INSERT INTO latency.asn_rollup AS r (bucket, origin_asn, seconds, prefix_count, prefix_set)
    SELECT k.d, h.origin_asn, 86400, count(DISTINCT h.prefix), array_agg(DISTINCT h.prefix)
    FROM (SELECT DISTINCT k.a, time_bucket(INTERVAL '1 day', k.t) AS d FROM unnest(ka, kh) AS k(a, t) WHERE k.a <> 0) k
    CROSS JOIN LATERAL (SELECT x.origin_asn, x.prefix FROM latency.hourly x
                        WHERE x.origin_asn = k.a AND x.hour >= k.d AND x.hour < k.d + INTERVAL '1 day' OFFSET 0) h
    GROUP BY 1, 2
    ON CONFLICT (origin_asn, seconds, bucket) DO UPDATE SET prefix_count = EXCLUDED.prefix_count,
        prefix_set = EXCLUDED.prefix_set;

    RETURN n;
END
$$;
