-- metrics-service schema: raw counter samples and session transitions; rates, availability and
-- flaps are computed from them at query time.

-- Interface counter samples from collectors. Counters are unsigned 64-bit: numeric(20,0).
CREATE TABLE metrics.connection_samples (
    time            timestamptz    NOT NULL,   -- device time of the reading
    connection      text           NOT NULL,   -- peerings/{peering}/connections/{connection}
    session_address text           NOT NULL DEFAULT '',  -- '' when the collector does not split by it
    in_octets       numeric(20, 0) NOT NULL,
    out_octets      numeric(20, 0) NOT NULL,
    in_discards     numeric(20, 0) NOT NULL,
    out_discards    numeric(20, 0) NOT NULL,
    received_at     timestamptz    NOT NULL DEFAULT now(),
    UNIQUE (connection, session_address, time)  -- a repeated sample is stored once
);
SELECT create_hypertable('metrics.connection_samples', by_range('time', INTERVAL '1 day'));

-- BGP session transitions per connection and session address: from routes-service's
-- WatchSessions (source 'bmp') or ReportSessionTransitions (source 'report').
CREATE TABLE metrics.session_transitions (
    time            timestamptz NOT NULL,
    connection      text        NOT NULL,
    session_address inet        NOT NULL,
    address_family  smallint    NOT NULL,   -- 1 IPv4, 2 IPv6
    state           smallint    NOT NULL,   -- SessionState; 7 Established
    reason          text        NOT NULL DEFAULT '',
    source          text        NOT NULL,
    UNIQUE (connection, session_address, time, state)
);
SELECT create_hypertable('metrics.session_transitions', by_range('time', INTERVAL '7 days'));

-- Where each followed feed stands, written in the same transaction as what was derived from it.
CREATE TABLE metrics.feed_cursors (
    feed       text PRIMARY KEY,   -- e.g. 'routes.WatchSessions'
    cursor     text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The increase of an unsigned 64-bit counter between two readings, or NULL when there is no
-- plausible one. max_delta is the most the counter can grow in the interval (the connection's
-- bandwidth times the interval). A counter that went down wrapped if the increase through 2^64 is
-- at most max_delta (so the previous reading was near 2^64); otherwise it was reset (a device
-- reboot) and the interval has no value. An increase above max_delta is absurd and has no value.
CREATE FUNCTION metrics.counter_delta(prev numeric, cur numeric, max_delta numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
               WHEN prev IS NULL OR cur IS NULL THEN NULL
               WHEN cur >= prev THEN CASE WHEN cur - prev <= max_delta THEN cur - prev END
               WHEN 18446744073709551616 - prev + cur <= max_delta THEN 18446744073709551616 - prev + cur
           END
$$;
