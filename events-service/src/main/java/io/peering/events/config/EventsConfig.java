package io.peering.events.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** events-service settings ({@code peering.events.*}). */
@ConfigMapping(prefix = "peering.events")
public interface EventsConfig {

    /** The feed deriving events from routes-service's WatchRouteChanges. */
    Feed feed();

    interface Feed {
        /** Follow routes-service at start-up. Off: the API serves what is stored, nothing new is derived. */
        @WithDefault("true")
        boolean enabled();

        /**
         * The BMP view whose routes count as "the prefix is announced on a connection":
         * ADJ_RIB_IN_PRE_POLICY (what the peer sent, the default) or ADJ_RIB_IN_POST_POLICY
         * (what the router accepted). Loc-RIB routes carry no peer address, so they name no connection.
         */
        @WithDefault("ADJ_RIB_IN_PRE_POLICY")
        String ribView();

        /** Wait before the first reconnection after the stream fails; doubles on each failure in a row. */
        @WithDefault("PT0.5S")
        Duration retryInitialDelay();

        /** Longest wait between reconnections. */
        @WithDefault("PT30S")
        Duration retryMaxDelay();
    }
}
