-- latency-service schema: raw round-trip samples, keyed by their reporting prefix.

CREATE TABLE latency.samples (
    time           timestamptz      NOT NULL,
    prefix         cidr             NOT NULL,  -- the target at /24 (IPv4) or /48 (IPv6), or the target prefix if shorter
    target         inet             NOT NULL,  -- what the probe measured (an address or a prefix)
    rtt_ms         double precision NOT NULL,
    probe_location text             NOT NULL DEFAULT '',
    origin_asn     bigint                      -- NULL when the probe did not know it
);
SELECT create_hypertable('latency.samples', by_range('time', INTERVAL '1 day'));
CREATE INDEX samples_prefix_time ON latency.samples (prefix, time DESC);
CREATE INDEX samples_prefix_gist ON latency.samples USING gist (prefix inet_ops);
CREATE INDEX samples_origin_asn_time ON latency.samples (origin_asn, time DESC) WHERE origin_asn IS NOT NULL;
