package io.peering.latency.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** latency-service settings ({@code peering.latency.*}). */
@ConfigMapping(prefix = "peering.latency")
public interface LatencyConfig {

    /** Largest number of buckets a query may ask for (range divided by grain). */
    @WithDefault("10000")
    long maxBuckets();

    /** Samples written per statement (one INSERT through unnest arrays per batch). */
    @WithDefault("5000")
    int batchSize();
}
