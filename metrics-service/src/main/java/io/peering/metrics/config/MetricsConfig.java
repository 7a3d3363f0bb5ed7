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
