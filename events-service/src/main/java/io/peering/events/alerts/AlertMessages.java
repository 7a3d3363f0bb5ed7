package io.peering.events.alerts;

import io.peering.events.PrefixEvent;
import io.peering.events.RouteSecurity;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/** The bodies sent to receivers, made from the stored rows alone (pure functions). */
public final class AlertMessages {

    /** The RPKI validation states by their v1 number. */
    private static final List<String> RPKI_STATES = List.of("unknown", "valid", "invalid", "not found");

    private AlertMessages() {
    }

    /** An event as the webhook shows it (and the outbox stores it). */
    public static JsonObject eventJson(PrefixEvent e) {
        JsonObject json = new JsonObject()
                .put("type", e.type().azureName)
                .put("level", AlertRules.levelName(e.level()))
                .put("time", e.time().toString())
                .put("peering", e.peering())
                .put("peeringService", e.peeringService())
                .put("prefix", e.prefix())
                .put("connection", e.connection())
                .put("summary", e.summary())
                .put("description", e.description())
                .put("incident", e.incident())
                .put("resolved", e.resolved())
                .put("cursor", Long.toString(e.seq()));
        if (e.security() != null) {
            json.put("security", e.security().toJson());
        }
        if (e.validation() != null) {
            json.put("validation", e.validation().toJson());
        }
        return json;
    }

    /**
     * The Alertmanager v2 body (a one-alert array) of {@code delivery}: the labels always come from the
     * firing event, so the resolved alert is the same alert with endsAt set.
     */
    public static JsonArray alertmanagerBody(OutboxRow row, OutboxRow.Delivery delivery, String generatorUrl) {
        JsonObject fired = row.firedBy();
        JsonObject labels = new JsonObject();
        label(labels, "alertname", fired.getString("type"));
        label(labels, "severity", fired.getString("level", "").toLowerCase(java.util.Locale.ROOT));
        label(labels, "peering", fired.getString("peering"));
        label(labels, "peering_service", fired.getString("peeringService"));
        label(labels, "prefix", fired.getString("prefix"));
        label(labels, "incident", row.alert());
        label(labels, "rule", row.rule());
        JsonObject shown = delivery == OutboxRow.Delivery.RESOLVED ? row.resolvedBy() : fired;
        JsonObject annotations = new JsonObject()
                .put("summary", shown.getString("summary", ""))
                .put("description", shown.getString("description", ""));
        JsonObject security = shown.getJsonObject("security", fired.getJsonObject("security"));
        if (security != null) {
            annotations.put("security", securityText(RouteSecurity.fromJson(security)));
        }
        JsonObject alert = new JsonObject().put("labels", labels).put("annotations", annotations)
                .put("startsAt", row.startsAt().toString());
        // An open incident's alert has no end: Alertmanager ends it resolve_timeout after the last send.
        if (row.endsAt() != null && (delivery == OutboxRow.Delivery.RESOLVED || !row.incident())) {
            alert.put("endsAt", row.endsAt().toString());
        }
        if (generatorUrl != null && !generatorUrl.isEmpty()) {
            alert.put("generatorURL", generatorUrl);
        }
        return new JsonArray().add(alert);
    }

    private static void label(JsonObject labels, String name, String value) {
        if (value != null && !value.isEmpty()) {
            labels.put(name, value);
        }
    }

    /** The webhook body of {@code delivery}: its id, status, rule, times and the event behind it. */
    public static JsonObject webhookBody(OutboxRow row, OutboxRow.Delivery delivery) {
        JsonObject body = new JsonObject()
                .put("id", row.deliveryId(delivery))
                .put("status", delivery == OutboxRow.Delivery.RESOLVED ? "resolved" : "firing")
                .put("rule", row.rule())
                .put("alert", row.alert())
                .put("startsAt", row.startsAt().toString());
        Instant ends = delivery == OutboxRow.Delivery.RESOLVED || !row.incident() ? row.endsAt() : null;
        if (ends != null) {
            body.put("endsAt", ends.toString());
        }
        return body.put("event", delivery == OutboxRow.Delivery.RESOLVED ? row.resolvedBy() : row.firedBy());
    }

    /** "sha256=" and the hex HMAC-SHA256 of {@code body} under {@code secret}: the X-Peering-Signature header. */
    public static String signature(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** The route-security details in one line a person can act on. */
    public static String securityText(RouteSecurity s) {
        StringBuilder text = new StringBuilder("route ").append(s.routePrefix())
                .append(" from BGP peer ").append(s.peerAddress()).append(" (AS").append(s.peerAsn()).append(")")
                .append(" seen by router ").append(s.router());
        if (s.pathId() != 0) {
            text.append(" (ADD-PATH id ").append(s.pathId()).append(")");
        }
        text.append(", AS path ").append(s.asPath().isEmpty() ? "(empty)" : s.asPath())
                .append(", origin AS").append(s.originAsn());
        if (!s.expectedOriginAsns().isEmpty()) {
            text.append("; expected origin ").append(s.expectedOriginAsns().stream().map(a -> "AS" + a)
                    .collect(Collectors.joining(", ")));
        }
        text.append("; RPKI ").append(s.rpkiState() >= 0 && s.rpkiState() < RPKI_STATES.size()
                ? RPKI_STATES.get(s.rpkiState()) : "state " + s.rpkiState());
        if (!s.matchedRoas().isEmpty()) {
            text.append(" (ROAs: ").append(s.matchedRoas().stream()
                    .map(r -> r.prefix() + " max /" + r.maxLength() + " AS" + r.originAsn()
                            + (r.trustAnchor().isEmpty() ? "" : " " + r.trustAnchor()))
                    .collect(Collectors.joining(", "))).append(")");
        }
        if (s.onlyToCustomer() != null) {
            text.append("; Only-To-Customer AS").append(s.onlyToCustomer());
        }
        if (s.transitAsn() != 0) {
            text.append("; through transit AS").append(s.transitAsn());
        }
        if (!s.reason().isEmpty()) {
            text.append("; ").append(s.reason());
        }
        return text.toString();
    }
}
