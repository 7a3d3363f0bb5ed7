package io.peering.latency.probe;

import java.time.Instant;

/**
 * One probe: when it started, and its round-trip time in milliseconds when it succeeded ({@code null}
 * when it failed or timed out; {@code failure} then says why).
 */
public record ProbeResult(Instant time, Double rttMs, String failure) {

    public static ProbeResult success(Instant time, double rttMs) {
        return new ProbeResult(time, rttMs, null);
    }

    public static ProbeResult failed(Instant time, String why) {
        return new ProbeResult(time, null, why);
    }

    public boolean succeeded() {
        return rttMs != null;
    }
}
