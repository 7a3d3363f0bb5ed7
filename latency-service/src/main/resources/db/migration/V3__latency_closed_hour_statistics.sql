-- Statistics of closed hours, so a chart reads a row per bucket instead of every sample.
--
-- latency.hourly (V1) keeps, per reporting prefix, origin ASN and hour, every value of the hour.
-- When an hour is over, the compaction job (latency.close_hours) "closes" its rows: sorts them and
-- computes from them
--   * latency.prefix_hourly: per reporting prefix and hour (all origins together), the exact median,
--     p90, p99, min, max and count;
--   * latency.asn_rollup: per origin ASN and bucket of 1 minute, 5 minutes or 1 hour, the mean of the
--     medians of its prefixes in that bucket (each prefix weighing the same) and how many prefixes;
--     per hour and per day also which prefixes (for the customer prefix count of a range).
-- A sample that arrives later for a closed hour reopens the row it lands in (ingest sets closed =
-- false in the same statement); until the next run closes it again, queries compute that hour
-- from the samples, so the statistics are never stale. The open (current) hour is always computed
-- from the samples.

ALTER TABLE latency.hourly ADD COLUMN closed boolean NOT NULL DEFAULT false;  -- the statistics below include this row as it is
DROP INDEX latency.hourly_unsorted;
CREATE INDEX hourly_open ON latency.hourly (hour) WHERE NOT closed;
CREATE INDEX hourly_open_prefix ON latency.hourly (prefix, hour) WHERE NOT closed;
CREATE INDEX hourly_open_origin_asn ON latency.hourly (origin_asn, hour) WHERE NOT closed;

CREATE TABLE latency.prefix_hourly (
    hour         timestamptz      NOT NULL,
    prefix       cidr             NOT NULL,
    median_ms    double precision NOT NULL,
    p90_ms       double precision NOT NULL,
    p99_ms       double precision NOT NULL,
    min_ms       double precision NOT NULL,
    max_ms       double precision NOT NULL,
    sample_count bigint           NOT NULL,
    PRIMARY KEY (prefix, hour)
);
-- Same chunk interval as the samples: retention's drop_chunks drops a day of each together.
SELECT create_hypertable('latency.prefix_hourly', by_range('hour', INTERVAL '1 day'), create_default_indexes => false);

CREATE TABLE latency.asn_rollup (
    bucket       timestamptz      NOT NULL,
    origin_asn   bigint           NOT NULL,  -- the origin ASN the probes reported (samples without one are not here)
    seconds      integer          NOT NULL,  -- bucket width: 60, 300, 3600; 86400 rows hold only prefix_set
    prefix_count integer          NOT NULL,  -- prefixes with samples in the bucket
    median_avg   double precision,           -- mean over those prefixes of each one's median in the bucket
    prefix_set   cidr[],                     -- which prefixes (3600 and 86400 rows)
    PRIMARY KEY (origin_asn, seconds, bucket)
);
SELECT create_hypertable('latency.asn_rollup', by_range('bucket', INTERVAL '1 day'), create_default_indexes => false);

-- Closes the rows of latency.hourly of hours before `before` that are not closed (new, or reopened
-- by a late sample) and recomputes the statistics of every prefix-hour and ASN-hour they belong to.
-- Rows are locked in the ingest's order (prefix, origin_asn, hour), so the two cannot deadlock.
-- Yields how many rows it closed.
CREATE FUNCTION latency.close_hours(before timestamptz) RETURNS integer
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
          JOIN latency.samples s ON s.origin_asn = k.a AND s.time >= k.t AND s.time < k.t + INTERVAL '1 hour'
          CROSS JOIN (VALUES (60), (300)) AS g(seconds)
          GROUP BY 1, 2, 3, 4) m
    GROUP BY 1, 2, 3;

    -- per origin ASN and day: which prefixes have samples in it
    INSERT INTO latency.asn_rollup AS r (bucket, origin_asn, seconds, prefix_count, prefix_set)
    SELECT k.d, h.origin_asn, 86400, count(DISTINCT h.prefix), array_agg(DISTINCT h.prefix)
    FROM (SELECT DISTINCT k.a, time_bucket(INTERVAL '1 day', k.t) AS d FROM unnest(ka, kh) AS k(a, t) WHERE k.a <> 0) k
    JOIN latency.hourly h ON h.origin_asn = k.a AND h.hour >= k.d AND h.hour < k.d + INTERVAL '1 day'
    GROUP BY 1, 2
    ON CONFLICT (origin_asn, seconds, bucket) DO UPDATE SET prefix_count = EXCLUDED.prefix_count,
        prefix_set = EXCLUDED.prefix_set;

    RETURN n;
END
$$;

-- A database of the previous release: its samples are in latency.hourly already; close every past hour now.
SELECT latency.close_hours(time_bucket(INTERVAL '1 hour', now()));
