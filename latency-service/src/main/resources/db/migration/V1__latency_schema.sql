-- latency-service schema: raw round-trip samples keyed by their reporting prefix, and an hourly
-- rollup that keeps every sample value (sorted) so exact medians and percentiles stay cheap.

CREATE TABLE latency.samples (
    time           timestamptz      NOT NULL,
    prefix         cidr             NOT NULL,  -- the target at /24 (IPv4) or /48 (IPv6), or the target prefix if shorter
    target         inet             NOT NULL,  -- what the probe measured (an address or a prefix)
    rtt_ms         double precision NOT NULL,
    probe_location text             NOT NULL DEFAULT '',
    origin_asn     bigint                      -- NULL when the probe did not know it
);
SELECT create_hypertable('latency.samples', by_range('time', INTERVAL '1 day'), create_default_indexes => false);
-- "prefix <<= a constant" becomes a range scan of this btree (PostgreSQL's network_subset_support);
-- no GiST index: it would halve the ingest rate for no query that needs it.
CREATE INDEX samples_prefix_time ON latency.samples (prefix, time DESC);
CREATE INDEX samples_origin_asn_time ON latency.samples (origin_asn, time DESC) WHERE origin_asn IS NOT NULL;

-- Per reporting prefix, origin ASN (0 = unknown) and hour: every rtt_ms of the hour. Written in
-- the same statement as the samples, so it always agrees with them. A row is created sorted;
-- later batches of the same hour append (cheap) and clear `sorted`; the compaction job sorts
-- closed hours again. Exact statistics of a bucket made of one sorted row need no sort at all;
-- otherwise one sort of in-memory values instead of a scan of the raw rows.
CREATE TABLE latency.hourly (
    hour       timestamptz        NOT NULL,
    prefix     cidr               NOT NULL,
    origin_asn bigint             NOT NULL,
    rtts       double precision[] NOT NULL,
    sorted     boolean            NOT NULL,  -- rtts is in ascending order
    PRIMARY KEY (prefix, origin_asn, hour)
);
SELECT create_hypertable('latency.hourly', by_range('hour', INTERVAL '1 day'), create_default_indexes => false);
CREATE INDEX hourly_origin_asn_hour ON latency.hourly (origin_asn, hour);
CREATE INDEX hourly_unsorted ON latency.hourly (hour) WHERE NOT sorted;

-- The values of an array, sorted.
CREATE FUNCTION latency.sorted(a double precision[]) RETURNS double precision[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT array_agg(v ORDER BY v) FROM unnest(a) AS x(v) $$;

-- Concatenation of arrays over a group (sort the result with latency.sorted when it has several parts).
CREATE AGGREGATE latency.concat(double precision[]) (SFUNC = array_cat, STYPE = double precision[]);

-- The f-th percentile (0..1) of a sorted array, exactly as percentile_cont(f) computes it over the
-- same values: linear interpolation between the closest ranks; f = 0.5 of an even count is the
-- mean of the two middle values.
CREATE FUNCTION latency.percentile_of_sorted(a double precision[], f double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    SELECT a[floor(f * (cardinality(a) - 1))::int + 1]
         + (a[ceil(f * (cardinality(a) - 1))::int + 1] - a[floor(f * (cardinality(a) - 1))::int + 1])
         * (f * (cardinality(a) - 1) - floor(f * (cardinality(a) - 1)))
    $$;
