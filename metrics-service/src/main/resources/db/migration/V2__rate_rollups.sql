-- Rate rollups: the counter increase of each interval between consecutive samples of a series
-- (connection, session address) is decided once, when a sample arrives, and rolled up per minute,
-- hour and day, so a query reads a row per series and bucket instead of every sample.
-- metrics.refresh_rates keeps them exact under late, out-of-order and duplicate samples.
-- Every table is a hypertable with the raw samples' one-day chunks, so the retention job's
-- drop_chunks drops a day of rollups together with the day of samples they were made from.

-- The interval ending at each sample: (previous sample of the series, this sample]. Only intervals
-- of at most max-sample-gap with a rate for at least one counter are kept. A value is NULL where its
-- counter gives no rate (reset, above the bandwidth). Values as today's from-raw SQL computes them:
-- bits (octets * 8) and discarded packets are whole numbers held in float8 (exact below 2^53).
CREATE TABLE metrics.rate_intervals (
    time            timestamptz NOT NULL,   -- the later sample's time; the interval goes to its bucket
    connection      text        NOT NULL,
    session_address text        NOT NULL,
    secs            float8      NOT NULL,   -- seconds since the previous sample of the series
    in_bits         float8,
    out_bits        float8,
    drops           float8,                 -- in + out discards
    UNIQUE (connection, session_address, time)
);
SELECT create_hypertable('metrics.rate_intervals', by_range('time', INTERVAL '1 day'));

-- Per series and bucket, for each of ingress (in_), egress (out_) and drops (drop_): the sum of
-- the values, the seconds of the intervals that have a value, the least and greatest interval rate
-- (value / secs) and the number of intervals with a value. Same shape at every level; an hour row is
-- made from the hour's minute rows, a day row from the day's hour rows.
CREATE TABLE metrics.rate_minutes (
    bucket          timestamptz NOT NULL,
    connection      text        NOT NULL,
    session_address text        NOT NULL,
    in_sum float8, in_secs float8, in_min float8, in_max float8, in_n integer NOT NULL,
    out_sum float8, out_secs float8, out_min float8, out_max float8, out_n integer NOT NULL,
    drop_sum float8, drop_secs float8, drop_min float8, drop_max float8, drop_n integer NOT NULL,
    UNIQUE (connection, session_address, bucket)
);
SELECT create_hypertable('metrics.rate_minutes', by_range('bucket', INTERVAL '1 day'));

CREATE TABLE metrics.rate_hours (LIKE metrics.rate_minutes INCLUDING ALL);
SELECT create_hypertable('metrics.rate_hours', by_range('bucket', INTERVAL '1 day'));

CREATE TABLE metrics.rate_days (LIKE metrics.rate_minutes INCLUDING ALL);
SELECT create_hypertable('metrics.rate_days', by_range('bucket', INTERVAL '1 day'));

-- Series whose rollups are still to be made from samples stored before this migration (or by any
-- other writer than the service): the service's start-up backfill reads this table, refreshes each
-- series over [from_time, to_time] with its connection's bandwidth from the inventory, and deletes
-- the row in the same transaction.
CREATE TABLE metrics.rate_backfill (
    connection      text        NOT NULL,
    session_address text        NOT NULL,
    from_time       timestamptz NOT NULL,
    to_time         timestamptz NOT NULL,
    PRIMARY KEY (connection, session_address)
);
INSERT INTO metrics.rate_backfill (connection, session_address, from_time, to_time)
SELECT connection, session_address, min(time), max(time)
FROM metrics.connection_samples
GROUP BY connection, session_address;

-- Re-decides the intervals and rollups that samples stored in [froms[i], tos[i]] of series
-- (conns[i], addrs[i]) can have changed, from the stored samples: the intervals ending in
-- [froms[i], next sample after tos[i]] (a sample landing between two stored ones changes the
-- interval ending at it and the one ending at the next sample), then the minutes, hours and days
-- that hold them. bandwidths[i] is the series' connection bandwidth in bits/s, max_gap the longest
-- interval in seconds that gives a rate. The caller holds the series' lock (lock_rate_series) for
-- the transaction, so refreshes of one series do not interleave. Returns the intervals written.
CREATE FUNCTION metrics.refresh_rates(conns text[], addrs text[], froms timestamptz[], tos timestamptz[],
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

    DELETE FROM metrics.rate_intervals i
    USING unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
    WHERE i.connection = u.c AND i.session_address = u.a AND i.time >= u.f AND i.time <= u.t;

    -- The same expressions as the from-raw SQL (the test oracle RatesFromRaw), so the values are equal.
    INSERT INTO metrics.rate_intervals (time, connection, session_address, secs, in_bits, out_bits, drops)
    SELECT time, connection, session_address, secs,
           (metrics.counter_delta(prev_in, in_octets, (max_bps / 8 * secs)::numeric) * 8)::float8,
           (metrics.counter_delta(prev_out, out_octets, (max_bps / 8 * secs)::numeric) * 8)::float8,
           (metrics.counter_delta(prev_in_d, in_discards, (max_bps / 512 * secs)::numeric)
            + metrics.counter_delta(prev_out_d, out_discards, (max_bps / 512 * secs)::numeric))::float8
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
        WINDOW w AS (PARTITION BY s.connection, s.session_address ORDER BY s.time)
    ) x
    WHERE time >= f AND secs > 0 AND secs <= extract(epoch FROM gap)
      AND num_nonnulls(metrics.counter_delta(prev_in, in_octets, (max_bps / 8 * secs)::numeric),
                       metrics.counter_delta(prev_out, out_octets, (max_bps / 8 * secs)::numeric),
                       metrics.counter_delta(prev_in_d, in_discards, (max_bps / 512 * secs)::numeric)
                       + metrics.counter_delta(prev_out_d, out_discards, (max_bps / 512 * secs)::numeric)) > 0;
    GET DIAGNOSTICS written = ROW_COUNT;

    -- minutes from intervals
    DELETE FROM metrics.rate_minutes m
    USING unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
    WHERE m.connection = u.c AND m.session_address = u.a
      AND m.bucket >= time_bucket(interval '1 minute', u.f) AND m.bucket <= time_bucket(interval '1 minute', u.t);
    INSERT INTO metrics.rate_minutes
    SELECT time_bucket(interval '1 minute', i.time) AS bucket, i.connection, i.session_address,
           sum(i.in_bits), sum(i.secs) FILTER (WHERE i.in_bits IS NOT NULL), min(i.in_bits / i.secs), max(i.in_bits / i.secs), count(i.in_bits),
           sum(i.out_bits), sum(i.secs) FILTER (WHERE i.out_bits IS NOT NULL), min(i.out_bits / i.secs), max(i.out_bits / i.secs), count(i.out_bits),
           sum(i.drops), sum(i.secs) FILTER (WHERE i.drops IS NOT NULL), min(i.drops / i.secs), max(i.drops / i.secs), count(i.drops)
    FROM unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
    JOIN metrics.rate_intervals i
      ON i.connection = u.c AND i.session_address = u.a
     AND i.time >= time_bucket(interval '1 minute', u.f) AND i.time < time_bucket(interval '1 minute', u.t) + interval '1 minute'
    GROUP BY 1, 2, 3;

    -- hours from minutes
    DELETE FROM metrics.rate_hours h
    USING unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
    WHERE h.connection = u.c AND h.session_address = u.a
      AND h.bucket >= time_bucket(interval '1 hour', u.f) AND h.bucket <= time_bucket(interval '1 hour', u.t);
    INSERT INTO metrics.rate_hours
    SELECT time_bucket(interval '1 hour', m.bucket), m.connection, m.session_address,
           sum(m.in_sum), sum(m.in_secs), min(m.in_min), max(m.in_max), sum(m.in_n),
           sum(m.out_sum), sum(m.out_secs), min(m.out_min), max(m.out_max), sum(m.out_n),
           sum(m.drop_sum), sum(m.drop_secs), min(m.drop_min), max(m.drop_max), sum(m.drop_n)
    FROM unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
    JOIN metrics.rate_minutes m
      ON m.connection = u.c AND m.session_address = u.a
     AND m.bucket >= time_bucket(interval '1 hour', u.f) AND m.bucket < time_bucket(interval '1 hour', u.t) + interval '1 hour'
    GROUP BY 1, 2, 3;

    -- days from hours
    DELETE FROM metrics.rate_days d
    USING unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
    WHERE d.connection = u.c AND d.session_address = u.a
      AND d.bucket >= time_bucket(interval '1 day', u.f) AND d.bucket <= time_bucket(interval '1 day', u.t);
    INSERT INTO metrics.rate_days
    SELECT time_bucket(interval '1 day', h.bucket), h.connection, h.session_address,
           sum(h.in_sum), sum(h.in_secs), min(h.in_min), max(h.in_max), sum(h.in_n),
           sum(h.out_sum), sum(h.out_secs), min(h.out_min), max(h.out_max), sum(h.out_n),
           sum(h.drop_sum), sum(h.drop_secs), min(h.drop_min), max(h.drop_max), sum(h.drop_n)
    FROM unnest(r_conn, r_addr, r_from, r_to) AS u(c, a, f, t)
    JOIN metrics.rate_hours h
      ON h.connection = u.c AND h.session_address = u.a
     AND h.bucket >= time_bucket(interval '1 day', u.f) AND h.bucket < time_bucket(interval '1 day', u.t) + interval '1 day'
    GROUP BY 1, 2, 3;

    RETURN written;
END
$$;

-- Takes the transaction-scoped locks of the series, in one order (so two writers never deadlock):
-- whoever inserts samples of a series and refreshes its rollups holds it until commit.
CREATE FUNCTION metrics.lock_rate_series(conns text[], addrs text[]) RETURNS bigint
    LANGUAGE sql AS $$
    SELECT count(pg_advisory_xact_lock(k)) FROM (
        SELECT DISTINCT hashtextextended(c || '|' || a, 20261204) AS k FROM unnest(conns, addrs) AS u(c, a) ORDER BY 1
    ) s
$$;
