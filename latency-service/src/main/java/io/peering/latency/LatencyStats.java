package io.peering.latency;

import java.time.Instant;

/** Exact latency statistics of one bucket, in milliseconds. */
public record LatencyStats(Instant bucket, double medianMs, double p90Ms, double p99Ms, double minMs, double maxMs,
                           long sampleCount) {
}
