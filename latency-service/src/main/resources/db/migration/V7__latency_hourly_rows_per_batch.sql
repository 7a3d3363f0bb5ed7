-- Ingest no longer rewrites a growing array per prefix-hour. Until V6 each batch appended its
-- values to the one latency.hourly row of every prefix, origin and hour it touched (ON CONFLICT DO
-- UPDATE SET rtts = rtts || ...): the whole array was written again each time, so a batch's cost
-- grew with the hour's samples, and concurrent batches waited on each other's row locks. Measured
-- in psql, 1,000,000 samples over 1,000 prefixes in one hour, batches of 5,000 (one transaction
-- each): samples alone 14.3-15.7 s, samples + appended arrays 24.6-24.9 s, samples + rows of
-- their own (below) 16.3-16.7 s.
--
-- Now each batch inserts rows of its own: per prefix, origin and hour, the batch's values, sorted
-- (open). Several rows of a prefix, origin and hour mean the concatenation of their values, which
-- every reader already takes (latency.concat, then latency.sorted unless one sorted row). So:
-- - the primary key (prefix, origin_asn, hour) becomes a plain index;
-- - latency.close_hours first merges the rows of every prefix, origin and hour that has an open row
--   and more than one row (a batch's rows of the current hour; a past hour's closed row and a late
--   sample's) into one open sorted row, then closes the past hours' open rows and computes their
--   statistics exactly as V6 did: V6's function, renamed, unchanged;
-- - it runs once at a time (a transaction advisory lock; another replica's run meanwhile returns 0).

ALTER TABLE latency.hourly DROP CONSTRAINT hourly_pkey;
CREATE INDEX hourly_key ON latency.hourly (prefix, origin_asn, hour);

ALTER FUNCTION latency.close_hours(timestamptz) RENAME TO close_merged_hours;

CREATE FUNCTION latency.close_hours(before timestamptz) RETURNS integer
    LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('latency.close_hours')) THEN
        RETURN 0; -- another run (another replica's) is at it
    END IF;
    WITH keys AS (
        SELECT h.prefix, h.origin_asn, h.hour FROM latency.hourly h
        WHERE (h.prefix, h.origin_asn, h.hour) IN (SELECT prefix, origin_asn, hour FROM latency.hourly WHERE NOT closed)
        GROUP BY 1, 2, 3 HAVING count(*) > 1
    ), gone AS (
        DELETE FROM latency.hourly h USING keys k
        WHERE h.prefix = k.prefix AND h.origin_asn = k.origin_asn AND h.hour = k.hour
        RETURNING h.hour, h.prefix, h.origin_asn, h.rtts
    )
    INSERT INTO latency.hourly (hour, prefix, origin_asn, rtts, sorted, closed)
    SELECT hour, prefix, origin_asn, latency.sorted(latency.concat(rtts)), true, false
    FROM gone GROUP BY 1, 2, 3;
    RETURN latency.close_merged_hours(before);
END
$$;
