-- A sample is identified by what was measured, from where, when, and the value: a probe that sends
-- a stream again (after the service refused it half-way, e.g. while the database restarted) must
-- not store its samples twice. Includes the time column, as TimescaleDB requires of unique indexes.
CREATE UNIQUE INDEX samples_identity ON latency.samples (target, probe_location, time, rtt_ms);
