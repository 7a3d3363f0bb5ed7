package io.peering.support.limits;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code peering.limits.*}: what one caller (one token subject) may use of a service. */
@ConfigMapping(prefix = "peering.limits")
public interface LimitsConfig {

    /** Streams (Watch and client-streaming ingest) one caller may have open at once on this service. */
    @WithDefault("32")
    int streamsPerCaller();

    /** Calls plus streamed request messages one caller may send per second, on average. */
    @WithDefault("1000")
    int messagesPerSecond();

    /** How far above the average a caller may burst (token-bucket size). */
    @WithDefault("2000")
    int messagesBurst();
}
