-- Connectivity probes the service runs itself (peering.probes.endpoints.*): one row per probe run.
-- A failed or timed-out probe is a row with success false and no rtt_ms.
CREATE TABLE latency.connectivity_probes (
    time    timestamptz      NOT NULL,  -- when the probe started
    probe   text             NOT NULL,  -- the endpoint's name (peering.probes.endpoints.<name>)
    peering text             NOT NULL,  -- the inventory peering it belongs to
    success boolean          NOT NULL,
    rtt_ms  double precision,           -- round-trip time of a successful probe; NULL when it failed
    CHECK (success = (rtt_ms IS NOT NULL)),
    PRIMARY KEY (peering, probe, time)
);
SELECT create_hypertable('latency.connectivity_probes', by_range('time', INTERVAL '1 day'), create_default_indexes => false);
