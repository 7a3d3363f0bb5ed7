-- Charts of a whole peering in one row per bucket, and a 5-minute level per series.
--
-- 1. metrics.rate_5minutes: per series, like rate_minutes, made from them; hours are now made from
--    the 5-minute rows. A PT5M chart of one connection reads 12 rows an hour instead of 60.
-- 2. metrics.rate_scopes: per peering, grain (60, 300, 3600, 86400 s) and bucket, the rates of all the
--    peering's connections together, so a chart of a peering of 100 connections reads one row per
--    bucket instead of one per connection and bucket. Kept exact without making ingest of one
--    peering's connections wait on each other: ingest (metrics.refresh_rates) only appends a stale
--    mark per connection and hour it changed (metrics.rate_scopes_stale); the service's job
--    (metrics.refresh_scopes, every second) takes the marks of a peering-hour and remakes that hour's
--    rows and its day's row from the per-series rollups. A query reads a peering's rows only for
--    buckets no mark touches and the per-series rollups for the rest, so its answer never depends on
--    whether the job has run yet.

CREATE TABLE metrics.rate_5minutes (LIKE metrics.rate_minutes INCLUDING ALL);
SELECT create_hypertable('metrics.rate_5minutes', by_range('bucket', INTERVAL '1 day'));
INSERT INTO metrics.rate_5minutes
SELECT time_bucket(interval '5 minutes', m.bucket), m.connection, m.session_address,
       sum(m.in_sum), sum(m.in_secs), min(m.in_min), max(m.in_max), sum(m.in_n),
       sum(m.out_sum), sum(m.out_secs), min(m.out_min), max(m.out_max), sum(m.out_n),
       sum(m.drop_sum), sum(m.drop_secs), min(m.drop_min), max(m.drop_max), sum(m.drop_n)
FROM metrics.rate_minutes m
GROUP BY 1, 2, 3;

-- Per peering, grain and bucket, for ingress (in_), egress (out_) and drops (drop_): the sum over the
-- peering's series of each series' time-weighted average in the bucket, the least and greatest
-- interval rate, and the number of intervals with a value.
CREATE TABLE metrics.rate_scopes (
    bucket  timestamptz NOT NULL,
    scope   text        NOT NULL,   -- peerings/{peering}
    seconds integer     NOT NULL,
    in_avg float8, in_min float8, in_max float8, in_n integer NOT NULL,
    out_avg float8, out_min float8, out_max float8, out_n integer NOT NULL,
    drop_avg float8, drop_min float8, drop_max float8, drop_n integer NOT NULL,
    UNIQUE (scope, seconds, bucket)
);
SELECT create_hypertable('metrics.rate_scopes', by_range('bucket', INTERVAL '1 day'));

-- Hours whose peering rows are stale: appended by ingest (no conflicts, so writers never wait on each
-- other), taken by refresh_scopes a peering and hour at a time, so it holds seconds of marks (a plain
-- table: as a hypertable its emptied chunks would stay for every query to plan over).
CREATE TABLE metrics.rate_scopes_stale (
    hour       timestamptz NOT NULL,
    peering    text        NOT NULL,   -- peerings/{peering}, from the connection's name
    connection text        NOT NULL
);
CREATE INDEX rate_scopes_stale_connection ON metrics.rate_scopes_stale (connection, hour);
CREATE INDEX rate_scopes_stale_hour ON metrics.rate_scopes_stale (hour, peering);

-- Which connections each peering's rows were made of (the inventory when they were made); a change
-- of the inventory marks the changed peerings' hours stale (metrics.sync_scope_members).
CREATE TABLE metrics.rate_scope_members (
    peering    text NOT NULL,
    connection text NOT NULL,
    PRIMARY KEY (peering, connection)
);

-- As V2's, with the 5-minute level, hours made from it, bounds on every statement that let the
-- planner read only the chunks of the changed range, and the stale marks of the changed hours.
CREATE OR REPLACE FUNCTION metrics.refresh_rates(conns text[], addrs text[], froms timestamptz[], tos timestamptz[],
                                                 bandwidths float8[], max_gap float8) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    gap      interval := max_gap * interval '1 second';
    written  bigint;
    r_conn   text[];
    r_addr   text[];
    r_from   timestamptz[];
    r_to     timestamptz[];   -- through the first sample after tos[i] (within the gap), if any
    r_bps    float8[];
    lo       timestamptz;     -- every changed interval and row lies in [lo, hi]: day-aligned bounds
    hi       timestamptz;     -- the planner can exclude chunks with (join conditions alone do not let it)
BEGIN
    SELECT array_agg(u.c ORDER BY u.n), array_agg(u.a ORDER BY u.n), array_agg(u.f ORDER BY u.n),
           array_agg(coalesce(nx.time, u.t) ORDER BY u.n), array_agg(u.b ORDER BY u.n)
    INTO r_conn, r_addr, r_from, r_to, r_bps
    FROM unnest(conns, addrs, froms, tos, bandwidths) WITH ORDINALITY AS u(c, a, f, t, b, n)
    LEFT JOIN LATERAL (
        SELECT s.time FROM metrics.connection_samples s
        WHERE s.connection = u.c AND s.session_address = u.a AND s.time > u.t AND s.time <= u.t + gap
        ORDER BY s.time LIMIT 1
    ) nx ON true;
    SELECT time_bucket(interval '1 day', min(f)), time_bucket(interval '1 day', max(t)) + interval '1 day'
    INTO lo, hi FROM unnest(r_from, r_to) AS u(f, t);

    DELETE FROM metrics.rate_intervals i
    USING unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
    WHERE i.connection = u.c AND i.session_address = u.a AND i.time >= u.f AND i.time <= u.t
      AND i.time >= lo AND i.time < hi;

    -- The same expressions as the from-raw SQL (the test oracle RatesFromRaw), so the values are equal;
    -- each computed once (the MATERIALIZED step keeps the planner from repeating them in the filter).
    WITH deltas AS MATERIALIZED (
        SELECT time, connection, session_address, secs,
               (metrics.counter_delta(prev_in, in_octets, (max_bps / 8 * secs)::numeric) * 8)::float8 AS in_bits,
               (metrics.counter_delta(prev_out, out_octets, (max_bps / 8 * secs)::numeric) * 8)::float8 AS out_bits,
               (metrics.counter_delta(prev_in_d, in_discards, (max_bps / 512 * secs)::numeric)
                + metrics.counter_delta(prev_out_d, out_discards, (max_bps / 512 * secs)::numeric))::float8 AS drops
        FROM (
            SELECT s.time, s.connection, s.session_address, u.b AS max_bps, u.f,
                   extract(epoch FROM s.time - lag(s.time) OVER w)::float8 AS secs,
                   s.in_octets, lag(s.in_octets) OVER w AS prev_in,
                   s.out_octets, lag(s.out_octets) OVER w AS prev_out,
                   s.in_discards, lag(s.in_discards) OVER w AS prev_in_d,
                   s.out_discards, lag(s.out_discards) OVER w AS prev_out_d
            FROM unnest(r_conn, r_addr, r_from, r_to, r_bps) AS u(c, a, f, t, b)
            JOIN metrics.connection_samples s
              ON s.connection = u.c AND s.session_address = u.a AND s.time >= u.f - gap AND s.time <= u.t
            WHERE s.time >= lo - gap AND s.time < hi
            WINDOW w AS (PARTITION BY s.connection, s.session_address ORDER BY s.time)
        ) x
        WHERE time >= f AND secs > 0 AND secs <= extract(epoch FROM gap)
    )
    INSERT INTO metrics.rate_intervals (time, connection, session_address, secs, in_bits, out_bits, drops)
    SELECT time, connection, session_address, secs, in_bits, out_bits, drops
    FROM deltas
    WHERE num_nonnulls(in_bits, out_bits, drops) > 0;
    GET DIAGNOSTICS written = ROW_COUNT;

    -- minutes from intervals
    DELETE FROM metrics.rate_minutes m
    USING unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
    WHERE m.connection = u.c AND m.session_address = u.a
      AND m.bucket >= time_bucket(interval '1 minute', u.f) AND m.bucket <= time_bucket(interval '1 minute', u.t)
      AND m.bucket >= lo AND m.bucket < hi;
    INSERT INTO metrics.rate_minutes
    SELECT time_bucket(interval '1 minute', i.time) AS bucket, i.connection, i.session_address,
           sum(i.in_bits), sum(i.secs) FILTER (WHERE i.in_bits IS NOT NULL), min(i.in_bits / i.secs), max(i.in_bits / i.secs), count(i.in_bits),
           sum(i.out_bits), sum(i.secs) FILTER (WHERE i.out_bits IS NOT NULL), min(i.out_bits / i.secs), max(i.out_bits / i.secs), count(i.out_bits),
           sum(i.drops), sum(i.secs) FILTER (WHERE i.drops IS NOT NULL), min(i.drops / i.secs), max(i.drops / i.secs), count(i.drops)
    FROM unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
    JOIN metrics.rate_intervals i
      ON i.connection = u.c AND i.session_address = u.a
     AND i.time >= time_bucket(interval '1 minute', u.f) AND i.time < time_bucket(interval '1 minute', u.t) + interval '1 minute'
    WHERE i.time >= lo AND i.time < hi
    GROUP BY 1, 2, 3;

    -- 5 minutes from minutes
    DELETE FROM metrics.rate_5minutes m
    USING unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
    WHERE m.connection = u.c AND m.session_address = u.a
      AND m.bucket >= time_bucket(interval '5 minutes', u.f) AND m.bucket <= time_bucket(interval '5 minutes', u.t)
      AND m.bucket >= lo AND m.bucket < hi;
    INSERT INTO metrics.rate_5minutes
    SELECT time_bucket(interval '5 minutes', m.bucket), m.connection, m.session_address,
           sum(m.in_sum), sum(m.in_secs), min(m.in_min), max(m.in_max), sum(m.in_n),
           sum(m.out_sum), sum(m.out_secs), min(m.out_min), max(m.out_max), sum(m.out_n),
           sum(m.drop_sum), sum(m.drop_secs), min(m.drop_min), max(m.drop_max), sum(m.drop_n)
    FROM unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
    JOIN metrics.rate_minutes m
      ON m.connection = u.c AND m.session_address = u.a
     AND m.bucket >= time_bucket(interval '5 minutes', u.f) AND m.bucket < time_bucket(interval '5 minutes', u.t) + interval '5 minutes'
    WHERE m.bucket >= lo AND m.bucket < hi
    GROUP BY 1, 2, 3;

    -- hours from 5 minutes
    DELETE FROM metrics.rate_hours h
    USING unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
    WHERE h.connection = u.c AND h.session_address = u.a
      AND h.bucket >= time_bucket(interval '1 hour', u.f) AND h.bucket <= time_bucket(interval '1 hour', u.t)
      AND h.bucket >= lo AND h.bucket < hi;
    INSERT INTO metrics.rate_hours
    SELECT time_bucket(interval '1 hour', m.bucket), m.connection, m.session_address,
           sum(m.in_sum), sum(m.in_secs), min(m.in_min), max(m.in_max), sum(m.in_n),
           sum(m.out_sum), sum(m.out_secs), min(m.out_min), max(m.out_max), sum(m.out_n),
           sum(m.drop_sum), sum(m.drop_secs), min(m.drop_min), max(m.drop_max), sum(m.drop_n)
    FROM unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
    JOIN metrics.rate_5minutes m
      ON m.connection = u.c AND m.session_address = u.a
     AND m.bucket >= time_bucket(interval '1 hour', u.f) AND m.bucket < time_bucket(interval '1 hour', u.t) + interval '1 hour'
    WHERE m.bucket >= lo AND m.bucket < hi
    GROUP BY 1, 2, 3;

    -- days from hours
    DELETE FROM metrics.rate_days d
    USING unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
    WHERE d.connection = u.c AND d.session_address = u.a
      AND d.bucket >= time_bucket(interval '1 day', u.f) AND d.bucket <= time_bucket(interval '1 day', u.t)
      AND d.bucket >= lo AND d.bucket < hi;
    INSERT INTO metrics.rate_days
    SELECT time_bucket(interval '1 day', h.bucket), h.connection, h.session_address,
           sum(h.in_sum), sum(h.in_secs), min(h.in_min), max(h.in_max), sum(h.in_n),
           sum(h.out_sum), sum(h.out_secs), min(h.out_min), max(h.out_max), sum(h.out_n),
           sum(h.drop_sum), sum(h.drop_secs), min(h.drop_min), max(h.drop_max), sum(h.drop_n)
    FROM unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
    JOIN metrics.rate_hours h
      ON h.connection = u.c AND h.session_address = u.a
     AND h.bucket >= time_bucket(interval '1 day', u.f) AND h.bucket < time_bucket(interval '1 day', u.t) + interval '1 day'
    WHERE h.bucket >= lo AND h.bucket < hi
    GROUP BY 1, 2, 3;

    -- the peering rows (metrics.rate_scopes) of these hours are stale until refresh_scopes remakes them
    INSERT INTO metrics.rate_scopes_stale (hour, peering, connection)
    SELECT DISTINCT h, substring(u.c FROM '^peerings/[^/]+'), u.c
    FROM unnest(r_conn, r_from, r_to) AS u(c, f, t)
    CROSS JOIN LATERAL generate_series(time_bucket(interval '1 hour', u.f), u.t, interval '1 hour') AS h;

    RETURN written;
END
$$;
-- planned with the values of lo and hi each time, so only their chunks are read
ALTER FUNCTION metrics.refresh_rates(text[], text[], timestamptz[], timestamptz[], float8[], float8) SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION metrics.refresh_rates(text[], text[], timestamptz[], timestamptz[], float8[], float8) SET jit = off;

-- Remakes the peering rows of up to max_units (peering, hour) units that have stale marks: the
-- hour's minute, 5-minute and hour rows and the row of the day holding it, from the per-series
-- rollups of the peering's connections. The marks are taken first, so a sample committed after that
-- leaves its mark for the next run. The members of each peering are given by the caller (the
-- inventory): member_peering[i] holds member_conn[i]. One caller at a time (an advisory lock; another
-- caller gets 0 at once). Returns the units remade.
CREATE FUNCTION metrics.refresh_scopes(max_units integer, member_peering text[], member_conn text[]) RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    u_peering text[];
    u_hour    timestamptz[];
    conns     text[];        -- the members of the units' peerings
    lo        timestamptz;   -- the units' hours lie in [lo, hi), their days in [day_lo, day_hi)
    hi        timestamptz;
    day_lo    timestamptz;
    day_hi    timestamptz;
    n         integer;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtextextended('metrics.refresh_scopes', 20261206)) THEN
        RETURN 0;
    END IF;
    WITH units AS (
        -- the oldest, within a day of each other, so the per-series rows read for them are few
        SELECT DISTINCT hour, peering FROM metrics.rate_scopes_stale
        WHERE hour < (SELECT min(hour) FROM metrics.rate_scopes_stale) + interval '1 day'
        ORDER BY hour, peering LIMIT max_units
    ), taken AS (
        DELETE FROM metrics.rate_scopes_stale s USING units u
        WHERE s.peering = u.peering AND s.hour = u.hour
        RETURNING s.peering, s.hour
    )
    SELECT array_agg(t.peering), array_agg(t.hour) INTO u_peering, u_hour FROM (SELECT DISTINCT peering, hour FROM taken) t;
    n := coalesce(cardinality(u_peering), 0);
    IF n = 0 THEN
        RETURN 0;
    END IF;
    SELECT min(h), max(h) + interval '1 hour', time_bucket(interval '1 day', min(h)), time_bucket(interval '1 day', max(h)) + interval '1 day'
    INTO lo, hi, day_lo, day_hi FROM unnest(u_hour) AS h;
    conns := ARRAY(SELECT m.c FROM unnest(member_peering, member_conn) AS m(p, c) WHERE m.p = ANY(u_peering));

    -- minutes, 5 minutes and the hour: each series' value in the bucket, summed over the peering
    DELETE FROM metrics.rate_scopes r
    WHERE r.scope = ANY(u_peering) AND r.seconds IN (60, 300, 3600) AND r.bucket >= lo AND r.bucket < hi
      AND (r.scope, time_bucket(interval '1 hour', r.bucket)) IN (SELECT p, h FROM unnest(u_peering, u_hour) AS u(p, h));

    INSERT INTO metrics.rate_scopes
    WITH per_series AS (
        SELECT connection, 60 AS seconds, bucket, in_sum, in_secs, in_min, in_max, in_n, out_sum, out_secs, out_min, out_max, out_n,
               drop_sum, drop_secs, drop_min, drop_max, drop_n
        FROM metrics.rate_minutes WHERE connection = ANY(conns) AND bucket >= lo AND bucket < hi
        UNION ALL
        SELECT connection, 300, bucket, in_sum, in_secs, in_min, in_max, in_n, out_sum, out_secs, out_min, out_max, out_n,
               drop_sum, drop_secs, drop_min, drop_max, drop_n
        FROM metrics.rate_5minutes WHERE connection = ANY(conns) AND bucket >= lo AND bucket < hi
        UNION ALL
        SELECT connection, 3600, bucket, in_sum, in_secs, in_min, in_max, in_n, out_sum, out_secs, out_min, out_max, out_n,
               drop_sum, drop_secs, drop_min, drop_max, drop_n
        FROM metrics.rate_hours WHERE connection = ANY(conns) AND bucket >= lo AND bucket < hi
    )
    SELECT p.bucket, m.p, p.seconds,
           sum(p.in_sum / p.in_secs), min(p.in_min), max(p.in_max), sum(p.in_n),
           sum(p.out_sum / p.out_secs), min(p.out_min), max(p.out_max), sum(p.out_n),
           sum(p.drop_sum / p.drop_secs), min(p.drop_min), max(p.drop_max), sum(p.drop_n)
    FROM per_series p
    JOIN unnest(member_peering, member_conn) AS m(p, c) ON m.c = p.connection
    WHERE (m.p, time_bucket(interval '1 hour', p.bucket)) IN (SELECT p, h FROM unnest(u_peering, u_hour) AS u(p, h))
    GROUP BY p.bucket, m.p, p.seconds;

    -- the days
    DELETE FROM metrics.rate_scopes r
    WHERE r.scope = ANY(u_peering) AND r.seconds = 86400 AND r.bucket >= day_lo AND r.bucket < day_hi
      AND (r.scope, r.bucket) IN (SELECT p, time_bucket(interval '1 day', h) FROM unnest(u_peering, u_hour) AS u(p, h));

    INSERT INTO metrics.rate_scopes
    SELECT d.bucket, m.p, 86400,
           sum(d.in_sum / d.in_secs), min(d.in_min), max(d.in_max), sum(d.in_n),
           sum(d.out_sum / d.out_secs), min(d.out_min), max(d.out_max), sum(d.out_n),
           sum(d.drop_sum / d.drop_secs), min(d.drop_min), max(d.drop_max), sum(d.drop_n)
    FROM metrics.rate_days d
    JOIN unnest(member_peering, member_conn) AS m(p, c) ON m.c = d.connection
    WHERE d.connection = ANY(conns) AND d.bucket >= day_lo AND d.bucket < day_hi
      AND (m.p, d.bucket) IN (SELECT p, time_bucket(interval '1 day', h) FROM unnest(u_peering, u_hour) AS u(p, h))
    GROUP BY d.bucket, m.p;

    RETURN n;
END
$$;
-- planned with the values of lo, hi, day_lo and day_hi each time, so only their chunks are read;
-- without JIT (its compile time would be most of a batch's); with memory to aggregate by hashing
ALTER FUNCTION metrics.refresh_scopes(integer, text[], text[]) SET plan_cache_mode = force_custom_plan;
ALTER FUNCTION metrics.refresh_scopes(integer, text[], text[]) SET jit = off;
ALTER FUNCTION metrics.refresh_scopes(integer, text[], text[]) SET work_mem = '64MB';

-- Brings metrics.rate_scope_members to the inventory's membership (member_peering[i] holds
-- member_conn[i]) and marks every hour with data of each peering whose members changed, old
-- members and new, so its rows are remade. Returns the peerings that changed.
CREATE FUNCTION metrics.sync_scope_members(member_peering text[], member_conn text[]) RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    changed text[];
BEGIN
    SELECT array_agg(DISTINCT p) INTO changed FROM (
        (SELECT p, c FROM unnest(member_peering, member_conn) AS m(p, c)
         EXCEPT SELECT peering, connection FROM metrics.rate_scope_members)
        UNION ALL
        (SELECT peering, connection FROM metrics.rate_scope_members
         EXCEPT SELECT p, c FROM unnest(member_peering, member_conn) AS m(p, c))
    ) d(p, c);
    IF changed IS NULL THEN
        RETURN 0;
    END IF;
    INSERT INTO metrics.rate_scopes_stale (hour, peering, connection)
    SELECT DISTINCT h.bucket, substring(h.connection FROM '^peerings/[^/]+'), h.connection
    FROM metrics.rate_hours h
    WHERE substring(h.connection FROM '^peerings/[^/]+') = ANY(changed);
    DELETE FROM metrics.rate_scope_members WHERE peering = ANY(changed);
    INSERT INTO metrics.rate_scope_members
    SELECT p, c FROM unnest(member_peering, member_conn) AS m(p, c) WHERE p = ANY(changed)
    ON CONFLICT DO NOTHING;
    RETURN cardinality(changed);
END
$$;
