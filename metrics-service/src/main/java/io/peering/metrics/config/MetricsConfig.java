package io.peering.metrics.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** metrics-service settings ({@code peering.metrics.*}). */
@ConfigMapping(prefix = "peering.metrics")
public interface MetricsConfig {

    /** Most buckets a query may produce (range length divided by grain). */
    @WithDefault("10000")
    long maxBuckets();

    /**
     * Longest interval between two consecutive counter samples that still gives a rate; a longer gap
     * (a collector outage) gives no value rather than an average over the gap.
     */
    @WithDefault("PT1H")
    Duration maxSampleGap();

    /** Rows per INSERT of the ingest streams. */
    @WithDefault("5000")
    int ingestBatchSize();

    /**
     * Batches of one ingest stream written at the same time, on their own connections (batches of one
     * series wait for each other on the series' lock; locks are taken in one order, so they cannot deadlock).
     */
    @WithDefault("2")
    int concurrentBatches();

    /** How often the scope rollup job runs (a Quarkus scheduler period such as "1s", or "off"). */
    @WithDefault("1s")
    String scopeRefreshEvery();

    /** Peering-hours of stale scope rollups remade per transaction by the scope rollup job (which runs every {@code scope-refresh-every}). */
    @WithDefault("50")
    int scopeRefreshBatch();

    SessionFeed sessionFeed();

    interface SessionFeed {
        /** Follow routes-service WatchSessions (client "routes"). */
        @WithDefault("true")
        boolean enabled();

        /** First delay before reconnecting after the stream failed or ended; doubles up to maxBackoff. */
        @WithDefault("PT1S")
        Duration initialBackoff();

        @WithDefault("PT30S")
        Duration maxBackoff();
    }
}
