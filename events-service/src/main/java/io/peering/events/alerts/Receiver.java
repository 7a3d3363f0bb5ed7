package io.peering.events.alerts;

import java.net.URI;

/**
 * One checked receiver. {@code endpoint} is where alerts are POSTed: an Alertmanager's
 * {url}/api/v2/alerts, or the webhook's URL; {@code secret} signs webhook bodies ("" for Alertmanager).
 */
public record Receiver(String name, Kind kind, URI endpoint, String secret) {

    public enum Kind {
        ALERTMANAGER("alertmanager"), WEBHOOK("webhook");

        public final String configName;

        Kind(String configName) {
            this.configName = configName;
        }
    }
}
