-- The open hour of one reporting prefix, answered from rows as its minutes pass (until V8 a chart of a
-- prefix's last 15 minutes, and an ASN's whose samples are attributed through routes-service's routes,
-- read every sample of the current hour: in the soak ~900,000 of a busy prefix at the hour's end).
--
-- latency.prefix_buckets: per reporting prefix, grain (60 or 300 seconds) and bucket of the current hour,
-- the bucket's exact statistics over the samples of every origin (as latency.prefix_minutes holds them for
-- a closed hour). Made exactly as the ASN's open-hour rows of V7: latency.close_hours(before, settled) now
-- remakes, from the samples, the prefix's buckets of every 5 minutes a merged batch row touched (any
-- origin), in the transaction that merges them. So a row counts every sample of the merged rows; what
-- it can lack lies in batch rows not merged yet (their first..last time), which queries read from the
-- samples (LatencyQueries.PREFIX_CLOSED_MINUTES, ASN_ROUTES). When the hour closes, its rows are deleted:
-- latency.prefix_minutes answers it from then on. Rows live an hour, so this is a plain table (no chunks,
-- nothing for retention to drop).
--
-- latency.close_hours(before, settled) is V7's with the statements marked "V8" added: a function is
-- replaced whole.
--
-- The hours open when this migration runs get their buckets here, from the samples: a query takes every
-- sample before a prefix's last made bucket to be in a row or in a batch row not merged yet, and the
-- rows merged before V8 made none.

CREATE TABLE latency.prefix_buckets (
    bucket       timestamptz      NOT NULL,
    prefix       cidr             NOT NULL,
    seconds      integer          NOT NULL,  -- bucket width: 60 or 300
    median_ms    double precision NOT NULL,
    p90_ms       double precision NOT NULL,
    p99_ms       double precision NOT NULL,
    min_ms       double precision NOT NULL,
    max_ms       double precision NOT NULL,
    sample_count bigint           NOT NULL,
    PRIMARY KEY (prefix, seconds, bucket)
);

-- Makes again, from the samples, the 1- and 5-minute buckets of each (prefix, start) in [start, start + span):
-- its rows there deleted, then one per bucket with samples. The pairs must be distinct.
CREATE FUNCTION latency.make_prefix_buckets(prefixes cidr[], starts timestamptz[], span interval) RETURNS void
    LANGUAGE sql AS $$
    DELETE FROM latency.prefix_buckets r USING unnest(prefixes, starts) AS t(p, b)
    WHERE r.prefix = t.p AND r.seconds IN (60, 300) AND r.bucket >= t.b AND r.bucket < t.b + span;

    INSERT INTO latency.prefix_buckets (bucket, prefix, seconds, median_ms, p90_ms, p99_ms, min_ms, max_ms, sample_count)
    SELECT m.bucket, m.prefix, m.seconds, m.p[1], m.p[2], m.p[3], m.lo, m.hi, m.n
    FROM (SELECT g.seconds, time_bucket(make_interval(secs => g.seconds), s.time) AS bucket, t.p AS prefix,
                 percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY s.rtt_ms) AS p,
                 min(s.rtt_ms) AS lo, max(s.rtt_ms) AS hi, count(*) AS n
          FROM unnest(prefixes, starts) AS t(p, b)
          -- an index range scan per pair (OFFSET 0: never a join comparing every sample with every pair)
          CROSS JOIN LATERAL (SELECT x.time, x.rtt_ms FROM latency.samples x
                              WHERE x.prefix = t.p AND x.time >= t.b AND x.time < t.b + span OFFSET 0) s
          CROSS JOIN (VALUES (60), (300)) AS g(seconds)
          GROUP BY 1, 2, 3) m;
$$;

SELECT latency.make_prefix_buckets(array_agg(k.prefix), array_agg(k.hour), INTERVAL '1 hour')
FROM (SELECT DISTINCT prefix, hour FROM latency.hourly WHERE NOT closed) k;

CREATE OR REPLACE FUNCTION latency.close_hours(before timestamptz, settled timestamptz) RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    ta bigint[];      -- (ASN, 5-minute bucket): what the current hour's merged batch rows touched
    tb timestamptz[];
    tp cidr[];        -- V8: (prefix, 5-minute bucket): the same, per reporting prefix of any origin
    tw timestamptz[];
    pa bigint[];      -- (ASN, hour): the past hours closed now
    ph timestamptz[];
    n  integer;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('latency.close_hours')) THEN
        RETURN 0; -- another run (another replica's) is at it
    END IF;

    -- the current hour: batch rows all before `settled` merged with their key's merged row
    WITH keys AS (
        SELECT DISTINCT prefix, origin_asn, hour FROM latency.hourly
        WHERE hour >= before AND first_time IS NOT NULL AND last_time < settled
    ), gone AS (
        DELETE FROM latency.hourly h USING keys k
        WHERE h.prefix = k.prefix AND h.origin_asn = k.origin_asn AND h.hour = k.hour
          AND (h.first_time IS NULL OR h.last_time < settled)
        RETURNING h.hour, h.prefix, h.origin_asn, h.rtts, h.first_time, h.last_time
    ), merged AS (
        INSERT INTO latency.hourly (hour, prefix, origin_asn, rtts, sorted, closed)
        SELECT hour, prefix, origin_asn, latency.sorted(latency.concat(rtts)), true, false
        FROM gone GROUP BY 1, 2, 3
    )
    SELECT a.ta, a.tb, p.tp, p.tw INTO ta, tb, tp, tw
    FROM (SELECT array_agg(t.a) AS ta, array_agg(t.b) AS tb
          FROM (SELECT DISTINCT g.origin_asn AS a, s.b
                FROM gone g
                CROSS JOIN LATERAL generate_series(time_bucket(INTERVAL '5 minutes', g.first_time),
                                                   time_bucket(INTERVAL '5 minutes', g.last_time), INTERVAL '5 minutes') AS s(b)
                WHERE g.first_time IS NOT NULL AND g.origin_asn <> 0) t) a,
         (SELECT array_agg(t.p) AS tp, array_agg(t.b) AS tw -- V8
          FROM (SELECT DISTINCT g.prefix AS p, s.b
                FROM gone g
                CROSS JOIN LATERAL generate_series(time_bucket(INTERVAL '5 minutes', g.first_time),
                                                   time_bucket(INTERVAL '5 minutes', g.last_time), INTERVAL '5 minutes') AS s(b)
                WHERE g.first_time IS NOT NULL) t) p;

    -- their ASNs' 1- and 5-minute buckets made again from the samples (every sample committed by now)
    IF ta IS NOT NULL THEN
        DELETE FROM latency.asn_rollup r USING unnest(ta, tb) AS t(a, b)
        WHERE r.origin_asn = t.a AND r.seconds IN (60, 300) AND r.bucket >= t.b AND r.bucket < t.b + INTERVAL '5 minutes';

        INSERT INTO latency.asn_rollup (bucket, origin_asn, seconds, prefix_count, median_avg, prefix_set)
        SELECT m.bucket, m.origin_asn, m.seconds, count(*), avg(m.median), array_agg(m.prefix ORDER BY m.prefix)
        FROM (SELECT g.seconds, time_bucket(make_interval(secs => g.seconds), s.time) AS bucket, s.origin_asn, s.prefix,
                     percentile_cont(0.5) WITHIN GROUP (ORDER BY s.rtt_ms) AS median
              FROM unnest(ta, tb) AS t(a, b)
              -- an index range scan per ASN and 5 minutes (OFFSET 0: never a join comparing every sample with every pair)
              CROSS JOIN LATERAL (SELECT x.time, x.prefix, x.rtt_ms, x.origin_asn FROM latency.samples x
                                  WHERE x.origin_asn = t.a AND x.time >= t.b AND x.time < t.b + INTERVAL '5 minutes' OFFSET 0) s
              CROSS JOIN (VALUES (60), (300)) AS g(seconds)
              GROUP BY 1, 2, 3, 4) m
        GROUP BY 1, 2, 3;
    END IF;

    -- V8: their prefixes' 1- and 5-minute buckets made again from the samples, as the ASNs' above
    IF tp IS NOT NULL THEN
        PERFORM latency.make_prefix_buckets(tp, tw, INTERVAL '5 minutes');
    END IF;

    -- past hours: the rows of a prefix, origin and hour with an open row merged into one (unless it is one
    -- merged row already), then closed by V6's function
    SELECT array_agg(x.origin_asn), array_agg(x.hour) INTO pa, ph
    FROM (SELECT DISTINCT origin_asn, hour FROM latency.hourly WHERE NOT closed AND hour < before AND origin_asn <> 0) x;

    WITH keys AS (
        SELECT prefix, origin_asn, hour FROM latency.hourly
        WHERE (prefix, origin_asn, hour) IN (SELECT prefix, origin_asn, hour FROM latency.hourly WHERE NOT closed AND hour < before)
        GROUP BY 1, 2, 3 HAVING count(*) > 1 OR bool_or(first_time IS NOT NULL)
    ), gone AS (
        DELETE FROM latency.hourly h USING keys k
        WHERE h.prefix = k.prefix AND h.origin_asn = k.origin_asn AND h.hour = k.hour
        RETURNING h.hour, h.prefix, h.origin_asn, h.rtts, h.sorted
    )
    INSERT INTO latency.hourly (hour, prefix, origin_asn, rtts, sorted, closed)
    SELECT hour, prefix, origin_asn,
           CASE WHEN count(*) = 1 AND bool_and(sorted) THEN latency.concat(rtts) ELSE latency.sorted(latency.concat(rtts)) END,
           true, false
    FROM gone GROUP BY 1, 2, 3;

    n := latency.close_merged_hours(before);
    DELETE FROM latency.prefix_buckets WHERE bucket < before; -- V8: every past hour is closed now (prefix_minutes)

    -- the prefixes of the closed hours' 1- and 5-minute rows (V6's function makes them without)
    IF pa IS NOT NULL THEN
        UPDATE latency.asn_rollup r SET prefix_set = p.prefixes
        FROM (SELECT g.seconds, time_bucket(make_interval(secs => g.seconds), s.time) AS bucket, s.origin_asn,
                     array_agg(DISTINCT s.prefix ORDER BY s.prefix) AS prefixes
              FROM unnest(pa, ph) AS k(a, t)
              CROSS JOIN LATERAL (SELECT x.time, x.prefix, x.origin_asn FROM latency.samples x
                                  WHERE x.origin_asn = k.a AND x.time >= k.t AND x.time < k.t + INTERVAL '1 hour' OFFSET 0) s
              CROSS JOIN (VALUES (60), (300)) AS g(seconds)
              GROUP BY 1, 2, 3) p
        WHERE r.seconds IN (60, 300) AND r.seconds = p.seconds AND r.bucket = p.bucket AND r.origin_asn = p.origin_asn;
    END IF;
    RETURN n;
END
$$;
