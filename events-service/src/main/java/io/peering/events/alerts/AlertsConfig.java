package io.peering.events.alerts;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Alert rules and receivers ({@code peering.alerts.*}). No rules: no alert is enqueued. Checked at
 * start-up by {@link AlertRules}, which names the setting that is wrong.
 */
@ConfigMapping(prefix = "peering.alerts")
public interface AlertsConfig {

    /** Named rules: which events alert, and whom. */
    Map<String, Rule> rules();

    /** Named receivers the rules send to. */
    Map<String, Receiver> receivers();

    /** How long an alert of a one-shot (non-incident) event lasts: its endsAt is its startsAt plus this. */
    @WithDefault("PT5M")
    Duration oneShotDuration();

    /**
     * How often the firing alert of an open incident is sent again to an Alertmanager, which resolves an
     * alert it has not heard of within its resolve_timeout (5 minutes by default).
     */
    @WithDefault("PT1M")
    Duration resendEvery();

    /** Wait before the first retry of a failed delivery; doubles on each failure in a row. */
    @WithDefault("PT1S")
    Duration retryInitialDelay();

    /** Longest wait between retries of a delivery. */
    @WithDefault("PT5M")
    Duration retryMaxDelay();

    /** Limit of each request to a receiver: connecting, and the whole exchange. */
    @WithDefault("PT10S")
    Duration requestTimeout();

    /** How often the sender looks for due deliveries (read by its schedule). */
    @WithDefault("PT1S")
    Duration sendEvery();

    /** Deliveries claimed and sent per transaction. */
    @WithDefault("100")
    int batchSize();

    /** How long rows with nothing left to send are kept before they are pruned. */
    @WithDefault("P7D")
    Duration keepDelivered();

    /** The generatorURL of Alertmanager alerts (e.g. the console's events page); none when unset. */
    Optional<String> generatorUrl();

    interface Rule {
        /** Event types by their Azure names (PrefixLeakEvent); none: any type. */
        Optional<List<String>> types();

        /** Event levels (Information, Warning, Error, Critical); none: any level. */
        Optional<List<String>> levels();

        /** Only events of these peerings ("peerings/{name}"); none: every peering. */
        Optional<List<String>> peerings();

        /** Only events of these peering services ("peeringServices/{name}"); none: every peering service. */
        Optional<List<String>> peeringServices();

        /** An incident fires only when it is still open this long after it opened (ISO-8601 duration). */
        @WithName("for")
        @WithDefault("PT0S")
        Duration forDuration();

        /** The receivers (names under peering.alerts.receivers) alerted. */
        Optional<List<String>> receivers();
    }

    interface Receiver {
        /** alertmanager or webhook. */
        String type();

        /** Alertmanager: its base URL (alerts are POSTed to {url}/api/v2/alerts); webhook: the URL POSTed to. */
        String url();

        /** Webhook: the HMAC-SHA256 key of the X-Peering-Signature header. */
        Optional<String> secret();
    }
}
