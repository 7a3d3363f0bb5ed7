package io.peering.events.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** events-service settings ({@code peering.events.*}). */
@ConfigMapping(prefix = "peering.events")
public interface EventsConfig {

    /** The feed deriving events from routes-service's WatchRouteChanges. */
    Feed feed();

    /** Route security: hijack, RPKI-invalid and leak events. */
    Security security();

    /** The poller of registered prefixes' validation states (RegisteredPrefixValidationStateChangeEvent). */
    Validation validation();

    interface Validation {
        /** Poll routes-service's ListRegisteredPrefixes. Off: no validation-state change is reported. */
        @WithDefault("true")
        boolean enabled();

        /**
         * How often (read by the scheduler as {@code peering.events.validation.every}; a failed poll is retried at the
         * next one). Each poll pages through every registered prefix.
         */
        @WithDefault("PT15S")
        Duration every();

        /** Longest wait for each ListRegisteredPrefixes page; a poll that waits longer fails and is counted. */
        @WithDefault("PT10S")
        Duration requestTimeout();
    }

    interface Security {
        /**
         * Derive route-security events. On, the feed follows every route change of the edge (not only
         * those of peering-service prefixes): a hijack can come over any session.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * Transit providers: a peer's route whose AS path continues past the peer into one of these
         * is a leak (the peer re-exports its upstreams). Default: the ASNs of networks commonly
         * counted as tier-1 transit (Cogent, Verizon, Arelion, NTT, GTT, DTAG, Lumen, PCCW,
         * Telefonica, Tata, Zayo, Telecom Italia Sparkle, Liberty Global, AT&T, Orange).
         */
        @WithDefault("174,701,1299,2914,3257,3320,3356,3491,5511,6453,6461,6762,6830,7018,12956")
        java.util.List<Long> transitAsns();
    }

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
