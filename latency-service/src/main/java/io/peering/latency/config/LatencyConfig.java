package io.peering.latency.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** latency-service settings ({@code peering.latency.*}). */
@ConfigMapping(prefix = "peering.latency")
public interface LatencyConfig {

    /** Largest number of buckets a query may ask for (range divided by grain). */
    @WithDefault("10000")
    long maxBuckets();

    /** Samples written per statement (one INSERT through unnest arrays per batch). */
    @WithDefault("5000")
    int batchSize();

    /** Batches of one stream written at the same time (rollup rows are locked in key order, so they cannot deadlock). */
    @WithDefault("2")
    int concurrentBatches();

    /**
     * When the rollup compaction runs ({@code RollupCompaction}): a Quartz cron expression, by default 5 seconds into
     * every minute; "off" disables it.
     */
    @WithDefault("5 * * * * ?")
    String compactionCron();

    /** Deadline of each call to routes-service (received routes for samples without an origin ASN). */
    @WithDefault("PT10S")
    Duration routesTimeout();
}
