-- A per-second level under the minutes, so that a query's ragged edges are bounded by the second, not
-- by how often a series is sampled. A range that starts or ends inside a minute (a chart of "the last
-- 15 minutes" always does) read those sub-minute edges from metrics.rate_intervals: for the soak's
-- busy series (a sample every 3 ms) up to 20,000 intervals per series and edge, summed on every
-- query (the 30-minute soak of 2026-12-07: QueryConnectionMetrics p99 83-219 ms by minute once both
-- edges held samples).
--
-- 1. metrics.rate_short_intervals: the intervals shorter than a second, moved out of
--    metrics.rate_intervals, which keeps those of a second or more. Each interval is still stored
--    once, in one of the two; a series sampled every few seconds or minutes writes exactly what it did.
-- 2. metrics.rate_seconds: per series and second (of each interval's later sample, as at every level),
--    like rate_minutes, of the short intervals only. At most one interval of a second or more ends in
--    any second of a series (the one before it ended at least a second earlier), so a query's whole
--    seconds [A, B) are this level's rows plus at most B - A rows of rate_intervals, and its
--    sub-second remainders the intervals of both tables: bounded by the second whatever the sample rate.
--    (A seconds level of every interval was measured first: a row per interval of a sparse series,
--    ingest of one-minute samples 24,555 -> 19,393 and 20,826 samples/s; a partial index on the long
--    intervals instead: 17,915/s. MetricsBenchmark -Dbench.days=10, one run each, 2026-12-07.)
-- 3. refresh_rates writes each new interval to the table of its length, adds the short ones to the
--    seconds rows and every interval to the coarser rows as before; for a series whose intervals a batch
--    replaced it remakes the changed seconds from the short intervals and the minutes from both tables.

CREATE TABLE metrics.rate_short_intervals (LIKE metrics.rate_intervals INCLUDING ALL);
SELECT create_hypertable('metrics.rate_short_intervals', by_range('time', INTERVAL '1 day'));
WITH moved AS (DELETE FROM metrics.rate_intervals WHERE secs < 1 RETURNING *)
INSERT INTO metrics.rate_short_intervals SELECT * FROM moved;

CREATE TABLE metrics.rate_seconds (LIKE metrics.rate_minutes INCLUDING ALL);
SELECT create_hypertable('metrics.rate_seconds', by_range('bucket', INTERVAL '1 day'));
INSERT INTO metrics.rate_seconds
SELECT time_bucket(interval '1 second', i.time), i.connection, i.session_address,
       sum(i.in_bits), sum(i.secs) FILTER (WHERE i.in_bits IS NOT NULL), min(i.in_bits / i.secs), max(i.in_bits / i.secs), count(i.in_bits),
       sum(i.out_bits), sum(i.secs) FILTER (WHERE i.out_bits IS NOT NULL), min(i.out_bits / i.secs), max(i.out_bits / i.secs), count(i.out_bits),
       sum(i.drops), sum(i.secs) FILTER (WHERE i.drops IS NOT NULL), min(i.drops / i.secs), max(i.drops / i.secs), count(i.drops)
FROM metrics.rate_short_intervals i
GROUP BY 1, 2, 3;

-- As V4's, with the short intervals and the seconds level.
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
    r_prev   timestamptz[];   -- the series' latest sample before froms[i] within the gap, else froms[i]
    d_conn   text[];          -- series some of whose intervals the batch replaced: their rollup rows are remade
    d_addr   text[];
    rc_conn  text[];          -- r_* of those series only
    rc_addr  text[];
    rc_from  timestamptz[];
    rc_to    timestamptz[];
    n_time   timestamptz[];   -- the intervals written
    n_conn   text[];
    n_addr   text[];
    n_secs   float8[];
    n_in     float8[];
    n_out    float8[];
    n_drops  float8[];
    level    record;
    lo       timestamptz;     -- every changed interval and row lies in [lo, hi]: day-aligned bounds
    hi       timestamptz;     -- the planner can exclude chunks with (join conditions alone do not let it)
BEGIN
    SELECT array_agg(u.c ORDER BY u.n), array_agg(u.a ORDER BY u.n), array_agg(u.f ORDER BY u.n),
           array_agg(coalesce(nx.time, u.t) ORDER BY u.n), array_agg(u.b ORDER BY u.n),
           array_agg(coalesce(pv.time, u.f) ORDER BY u.n)
    INTO r_conn, r_addr, r_from, r_to, r_bps, r_prev
    FROM unnest(conns, addrs, froms, tos, bandwidths) WITH ORDINALITY AS u(c, a, f, t, b, n)
    LEFT JOIN LATERAL (
        SELECT s.time FROM metrics.connection_samples s
        WHERE s.connection = u.c AND s.session_address = u.a AND s.time > u.t AND s.time <= u.t + gap
        ORDER BY s.connection, s.session_address, s.time LIMIT 1
    ) nx ON true
    LEFT JOIN LATERAL (
        SELECT s.time FROM metrics.connection_samples s
        WHERE s.connection = u.c AND s.session_address = u.a AND s.time < u.f AND s.time >= u.f - gap
        ORDER BY s.connection DESC, s.session_address DESC, s.time DESC LIMIT 1
    ) pv ON true;
    SELECT time_bucket(interval '1 day', min(f)), time_bucket(interval '1 day', max(t)) + interval '1 day'
    INTO lo, hi FROM unnest(r_from, r_to) AS u(f, t);

    WITH gone AS (
        DELETE FROM metrics.rate_intervals i
        USING unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
        WHERE i.connection = u.c AND i.session_address = u.a AND i.time >= u.f AND i.time <= u.t
          AND i.time >= lo AND i.time < hi
        RETURNING i.connection, i.session_address),
    gone_short AS (
        DELETE FROM metrics.rate_short_intervals i
        USING unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
        WHERE i.connection = u.c AND i.session_address = u.a AND i.time >= u.f AND i.time <= u.t
          AND i.time >= lo AND i.time < hi
        RETURNING i.connection, i.session_address)
    SELECT array_agg(g.c), array_agg(g.a) INTO d_conn, d_addr
    FROM (SELECT DISTINCT connection AS c, session_address AS a
          FROM (SELECT * FROM gone UNION ALL SELECT * FROM gone_short) x) g;

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
            FROM unnest(r_conn, r_addr, r_from, r_to, r_bps, r_prev) AS u(c, a, f, t, b, p)
            JOIN metrics.connection_samples s
              ON s.connection = u.c AND s.session_address = u.a AND s.time >= u.p AND s.time <= u.t
            WHERE s.time >= lo - gap AND s.time < hi
            WINDOW w AS (PARTITION BY s.connection, s.session_address ORDER BY s.time)
        ) x
        WHERE time >= f AND secs > 0 AND secs <= extract(epoch FROM gap)
    ), written_long AS (
        INSERT INTO metrics.rate_intervals (time, connection, session_address, secs, in_bits, out_bits, drops)
        SELECT time, connection, session_address, secs, in_bits, out_bits, drops
        FROM deltas
        WHERE num_nonnulls(in_bits, out_bits, drops) > 0 AND secs >= 1
        RETURNING time, connection, session_address, secs, in_bits, out_bits, drops
    ), written_short AS (
        INSERT INTO metrics.rate_short_intervals (time, connection, session_address, secs, in_bits, out_bits, drops)
        SELECT time, connection, session_address, secs, in_bits, out_bits, drops
        FROM deltas
        WHERE num_nonnulls(in_bits, out_bits, drops) > 0 AND secs < 1
        RETURNING time, connection, session_address, secs, in_bits, out_bits, drops)
    SELECT count(*), array_agg(time), array_agg(connection), array_agg(session_address), array_agg(secs),
           array_agg(in_bits), array_agg(out_bits), array_agg(drops)
    INTO written, n_time, n_conn, n_addr, n_secs, n_in, n_out, n_drops
    FROM (SELECT * FROM written_long UNION ALL SELECT * FROM written_short) w;

    -- A series whose batch replaced none of its intervals (samples after every stored one, the usual
    -- case) only gained intervals: each rollup row it touches becomes the row combined with the new
    -- intervals of its bucket (sums and counts add, least and greatest of the extremes), which is what
    -- remaking it from all its intervals gives, without reading them. The others are remade below.
    -- The seconds level takes only the intervals shorter than a second.
    FOR level IN SELECT * FROM (VALUES ('rate_seconds', interval '1 second'), ('rate_minutes', interval '1 minute'),
                                       ('rate_5minutes', interval '5 minutes'),
                                       ('rate_hours', interval '1 hour'), ('rate_days', interval '1 day')) v(tab, width)
    LOOP
        EXECUTE format($merge$
            INSERT INTO metrics.%I AS r
            SELECT time_bucket($8, n.t), n.c, n.a,
                   sum(n.i), sum(n.s) FILTER (WHERE n.i IS NOT NULL), min(n.i / n.s), max(n.i / n.s), count(n.i),
                   sum(n.o), sum(n.s) FILTER (WHERE n.o IS NOT NULL), min(n.o / n.s), max(n.o / n.s), count(n.o),
                   sum(n.d), sum(n.s) FILTER (WHERE n.d IS NOT NULL), min(n.d / n.s), max(n.d / n.s), count(n.d)
            FROM unnest($1, $2, $3, $4, $5, $6, $7) AS n(t, c, a, s, i, o, d)
            WHERE NOT EXISTS (SELECT 1 FROM unnest($9, $10) AS x(c, a) WHERE x.c = n.c AND x.a = n.a)
              AND ($8 > interval '1 second' OR n.s < 1)
            GROUP BY 1, 2, 3
            ON CONFLICT (connection, session_address, bucket) DO UPDATE SET
                in_sum = coalesce(r.in_sum + excluded.in_sum, r.in_sum, excluded.in_sum),
                in_secs = coalesce(r.in_secs + excluded.in_secs, r.in_secs, excluded.in_secs),
                in_min = least(r.in_min, excluded.in_min), in_max = greatest(r.in_max, excluded.in_max),
                in_n = r.in_n + excluded.in_n,
                out_sum = coalesce(r.out_sum + excluded.out_sum, r.out_sum, excluded.out_sum),
                out_secs = coalesce(r.out_secs + excluded.out_secs, r.out_secs, excluded.out_secs),
                out_min = least(r.out_min, excluded.out_min), out_max = greatest(r.out_max, excluded.out_max),
                out_n = r.out_n + excluded.out_n,
                drop_sum = coalesce(r.drop_sum + excluded.drop_sum, r.drop_sum, excluded.drop_sum),
                drop_secs = coalesce(r.drop_secs + excluded.drop_secs, r.drop_secs, excluded.drop_secs),
                drop_min = least(r.drop_min, excluded.drop_min), drop_max = greatest(r.drop_max, excluded.drop_max),
                drop_n = r.drop_n + excluded.drop_n
            $merge$, level.tab)
        USING n_time, n_conn, n_addr, n_secs, n_in, n_out, n_drops, level.width, d_conn, d_addr;
    END LOOP;

    SELECT array_agg(u.c), array_agg(u.a), array_agg(u.f), array_agg(u.t) INTO rc_conn, rc_addr, rc_from, rc_to
    FROM unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
    WHERE EXISTS (SELECT 1 FROM unnest(d_conn, d_addr) AS x(c, a) WHERE x.c = u.c AND x.a = u.a);

    -- The series whose intervals were replaced (a late or out-of-order sample): their rows of the
    -- changed buckets are remade: seconds from the short intervals, minutes from the intervals of both
    -- tables, each coarser level from the one below.
    -- (not planned at all when there are none: each statement is planned at every call)
    IF rc_conn IS NOT NULL THEN
        -- seconds from the short intervals
        DELETE FROM metrics.rate_seconds m
        USING unnest(rc_conn, rc_addr, rc_from, rc_to) AS u(c, a, f, t)
        WHERE m.connection = u.c AND m.session_address = u.a
          AND m.bucket >= time_bucket(interval '1 second', u.f) AND m.bucket <= time_bucket(interval '1 second', u.t)
          AND m.bucket >= lo AND m.bucket < hi;
        INSERT INTO metrics.rate_seconds
        SELECT time_bucket(interval '1 second', i.time) AS bucket, i.connection, i.session_address,
               sum(i.in_bits), sum(i.secs) FILTER (WHERE i.in_bits IS NOT NULL), min(i.in_bits / i.secs), max(i.in_bits / i.secs), count(i.in_bits),
               sum(i.out_bits), sum(i.secs) FILTER (WHERE i.out_bits IS NOT NULL), min(i.out_bits / i.secs), max(i.out_bits / i.secs), count(i.out_bits),
               sum(i.drops), sum(i.secs) FILTER (WHERE i.drops IS NOT NULL), min(i.drops / i.secs), max(i.drops / i.secs), count(i.drops)
        FROM unnest(rc_conn, rc_addr, rc_from, rc_to) AS u(c, a, f, t)
        JOIN metrics.rate_short_intervals i
          ON i.connection = u.c AND i.session_address = u.a
         AND i.time >= time_bucket(interval '1 second', u.f) AND i.time < time_bucket(interval '1 second', u.t) + interval '1 second'
        WHERE i.time >= lo AND i.time < hi
        GROUP BY 1, 2, 3;

        -- minutes from the intervals of both lengths
        DELETE FROM metrics.rate_minutes m
        USING unnest(rc_conn, rc_addr, rc_from, rc_to) AS u(c, a, f, t)
        WHERE m.connection = u.c AND m.session_address = u.a
          AND m.bucket >= time_bucket(interval '1 minute', u.f) AND m.bucket <= time_bucket(interval '1 minute', u.t)
          AND m.bucket >= lo AND m.bucket < hi;
        INSERT INTO metrics.rate_minutes
        SELECT time_bucket(interval '1 minute', i.time) AS bucket, i.connection, i.session_address,
               sum(i.in_bits), sum(i.secs) FILTER (WHERE i.in_bits IS NOT NULL), min(i.in_bits / i.secs), max(i.in_bits / i.secs), count(i.in_bits),
               sum(i.out_bits), sum(i.secs) FILTER (WHERE i.out_bits IS NOT NULL), min(i.out_bits / i.secs), max(i.out_bits / i.secs), count(i.out_bits),
               sum(i.drops), sum(i.secs) FILTER (WHERE i.drops IS NOT NULL), min(i.drops / i.secs), max(i.drops / i.secs), count(i.drops)
        FROM unnest(rc_conn, rc_addr, rc_from, rc_to) AS u(c, a, f, t)
        JOIN (SELECT * FROM metrics.rate_intervals UNION ALL SELECT * FROM metrics.rate_short_intervals) i
          ON i.connection = u.c AND i.session_address = u.a
         AND i.time >= time_bucket(interval '1 minute', u.f) AND i.time < time_bucket(interval '1 minute', u.t) + interval '1 minute'
        WHERE i.time >= lo AND i.time < hi
        GROUP BY 1, 2, 3;

        -- each coarser level from the one below: 5 minutes from minutes, hours, days
        FOR level IN SELECT * FROM (VALUES ('rate_5minutes', 'rate_minutes', interval '5 minutes'),
                                           ('rate_hours', 'rate_5minutes', interval '1 hour'),
                                           ('rate_days', 'rate_hours', interval '1 day')) v(tab, below, width)
        LOOP
            EXECUTE format($remake$
                DELETE FROM metrics.%I r
                USING unnest($1, $2, $3, $4) AS u(c, a, f, t)
                WHERE r.connection = u.c AND r.session_address = u.a
                  AND r.bucket >= time_bucket($5, u.f) AND r.bucket <= time_bucket($5, u.t)
                  AND r.bucket >= $6 AND r.bucket < $7
                $remake$, level.tab)
            USING rc_conn, rc_addr, rc_from, rc_to, level.width, lo, hi;
            EXECUTE format($remake$
                INSERT INTO metrics.%I
                SELECT time_bucket($5, m.bucket), m.connection, m.session_address,
                       sum(m.in_sum), sum(m.in_secs), min(m.in_min), max(m.in_max), sum(m.in_n),
                       sum(m.out_sum), sum(m.out_secs), min(m.out_min), max(m.out_max), sum(m.out_n),
                       sum(m.drop_sum), sum(m.drop_secs), min(m.drop_min), max(m.drop_max), sum(m.drop_n)
                FROM unnest($1, $2, $3, $4) AS u(c, a, f, t)
                JOIN metrics.%I m
                  ON m.connection = u.c AND m.session_address = u.a
                 AND m.bucket >= time_bucket($5, u.f) AND m.bucket < time_bucket($5, u.t) + $5
                WHERE m.bucket >= $6 AND m.bucket < $7
                GROUP BY 1, 2, 3
                $remake$, level.tab, level.below)
            USING rc_conn, rc_addr, rc_from, rc_to, level.width, lo, hi;
        END LOOP;
    END IF;

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
