package io.peering.events.alerts;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * A claimed row of events.alert_outbox: one alert for one receiver, and what it has sent so far.
 *
 * @param alert    the incident, or event-{seq} for a one-shot event
 * @param endsAt   one-shots: when the alert ends; incidents: when resolved, null while open
 * @param firedAt  when the receiver accepted the firing, null before
 * @param failures failed attempts in a row of the next delivery
 */
public record OutboxRow(long id, String rule, String receiver, String alert, boolean incident, JsonObject firedBy,
                        JsonObject resolvedBy, Instant startsAt, Instant endsAt, Instant firedAt, int failures) {

    /** What a row sends next. */
    public enum Delivery {
        /** The alert starts (sent once; to a webhook its only firing). */
        FIRING,
        /** An open incident's firing sent again, so that Alertmanager keeps it active. */
        FIRING_AGAIN,
        /** The incident ended. */
        RESOLVED
    }

    public Delivery next() {
        if (firedAt == null) {
            return Delivery.FIRING;
        }
        return incident && endsAt != null ? Delivery.RESOLVED : Delivery.FIRING_AGAIN;
    }

    /** The delivery's stable id: the same on every attempt and every re-send, so receivers can de-duplicate. */
    public String deliveryId(Delivery delivery) {
        return "alert-" + id + (delivery == Delivery.RESOLVED ? "-resolved" : "-firing");
    }
}
