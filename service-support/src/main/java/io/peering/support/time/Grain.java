package io.peering.support.time;

import java.time.Duration;

/**
 * The time grains of the API (ISO 8601 durations, as in the Azure Peering API). Buckets are
 * aligned to the Unix epoch in UTC, as TimescaleDB's {@code time_bucket} aligns them.
 */
public enum Grain {
    PT1M(Duration.ofMinutes(1)), PT5M(Duration.ofMinutes(5)), PT1H(Duration.ofHours(1)), P1D(Duration.ofDays(1));

    public final Duration length;

    Grain(Duration length) {
        this.length = length;
    }

    /** From the proto enum's name ("TIME_GRAIN_PT5M"); INVALID_ARGUMENT-worthy input gives an IllegalArgumentException. */
    public static Grain fromProtoName(String name) {
        String suffix = name.startsWith("TIME_GRAIN_") ? name.substring("TIME_GRAIN_".length()) : name;
        for (Grain g : values()) {
            if (g.name().equals(suffix)) {
                return g;
            }
        }
        throw new IllegalArgumentException("time_grain must be one of PT1M, PT5M, PT1H, P1D; got " + name);
    }

    /** The SQL interval literal for time_bucket, e.g. "5 minutes". */
    public String sqlInterval() {
        return length.toSeconds() + " seconds";
    }
}
