-- Two changes to the hourly rollup, both about the hour that is still open.
--
-- 1. Ingest no longer rewrites a growing array per prefix-hour. Until V6 each batch appended its
-- values to the one latency.hourly row of every prefix, origin and hour it touched (ON CONFLICT DO
-- UPDATE SET rtts = rtts || ...): the whole array was written again each time, so a batch's cost
-- grew with the hour's samples, and concurrent batches waited on each other's row locks. Measured
-- in psql, 1,000,000 samples over 1,000 prefixes in one hour, batches of 5,000 (one transaction
-- each): samples alone 14.3-15.7 s, samples + appended arrays 24.6-24.9 s, samples + rows of
-- their own (below) 16.3-16.7 s. Now each batch inserts rows of its own ("batch rows"): per prefix,
-- origin and hour, the batch's values, sorted, open, with the first and last time of its samples.
-- Several rows of a prefix, origin and hour mean the concatenation of their values, which every
-- reader already takes (latency.concat, then latency.sorted unless one sorted row). The primary key
-- (prefix, origin_asn, hour) becomes a plain index.
--
-- 2. An ASN's 1- and 5-minute buckets are answered from asn_rollup rows inside an hour too: in the
-- open hour as its minutes pass, and at a range's start or end inside a closed hour (until V6 both
-- were read from every sample: an ASN's chart of the last 15 minutes read 15 minutes of samples).
-- latency.close_hours(before, settled) now:
-- - merges the current hour's batch rows whose samples all lie before `settled` (the current
--   minute's start) into one open row per prefix and origin (first/last time NULL: "merged"), and
--   makes again, from the samples, the asn_rollup rows (60 and 300 seconds, with their prefixes) of
--   every bucket those batch rows touched, all in one transaction. So an asn_rollup bucket of an open
--   hour counts the samples of every merged row; it can lack only samples of batch rows not merged
--   yet, which a query sees (their first..last time) and reads from the samples instead
--   (LatencyQueries.ASN_CLOSED_HOURS);
-- - merges every row of a past hour's prefix and origin that has an open row into one, then closes
--   them and computes their statistics exactly as V6 did (V6's function, renamed, unchanged: it
--   makes the hour's asn_rollup rows again, whole), and adds the prefixes of the hour's 1- and
--   5-minute rows, which a range's count of customer prefixes needs where it starts or ends inside
--   an hour;
-- - runs once at a time (a transaction advisory lock; another replica's run meanwhile returns 0).
-- Below, the 1- and 5-minute rows stored before get their prefixes (one pass over the samples).

ALTER TABLE latency.hourly DROP CONSTRAINT hourly_pkey;
ALTER TABLE latency.hourly ADD COLUMN first_time timestamptz, ADD COLUMN last_time timestamptz; -- a batch row's samples
CREATE INDEX hourly_key ON latency.hourly (prefix, origin_asn, hour);

UPDATE latency.asn_rollup r SET prefix_set = p.prefixes
FROM (SELECT g.seconds, time_bucket(make_interval(secs => g.seconds), s.time) AS bucket, s.origin_asn,
             array_agg(DISTINCT s.prefix ORDER BY s.prefix) AS prefixes
      FROM latency.samples s CROSS JOIN (VALUES (60), (300)) AS g(seconds)
      WHERE s.origin_asn IS NOT NULL
      GROUP BY 1, 2, 3) p
WHERE r.seconds IN (60, 300) AND r.seconds = p.seconds AND r.bucket = p.bucket AND r.origin_asn = p.origin_asn;

ALTER FUNCTION latency.close_hours(timestamptz) RENAME TO close_merged_hours;

CREATE FUNCTION latency.close_hours(before timestamptz, settled timestamptz) RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    ta bigint[];      -- (ASN, 5-minute bucket): what the current hour's merged batch rows touched
    tb timestamptz[];
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
    SELECT array_agg(t.a), array_agg(t.b) INTO ta, tb
    FROM (SELECT DISTINCT g.origin_asn AS a, s.b
          FROM gone g
          CROSS JOIN LATERAL generate_series(time_bucket(INTERVAL '5 minutes', g.first_time),
                                             time_bucket(INTERVAL '5 minutes', g.last_time), INTERVAL '5 minutes') AS s(b)
          WHERE g.first_time IS NOT NULL AND g.origin_asn <> 0) t;

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
