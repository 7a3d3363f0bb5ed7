package io.peering.events.alerts;

import io.peering.events.EventType;
import io.peering.events.feed.FeedHarness;
import io.peering.events.repository.EventStore;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Alerts delivered to a real Alertmanager (Debian's prometheus-alertmanager on a loopback port). */
@QuarkusTest
@TestProfile(AlertsTestProfile.class)
class AlertmanagerDeliveryTest {

    @Inject
    Pool pool;

    @Inject
    EventStore store;

    @Inject
    AlertOutbox outbox;

    @BeforeEach
    void setUp() {
        assumeTrue(AlertReceiversResource.alertmanager != null,
                "skipped: " + Alertmanager.BINARY + " is not installed (Debian package prometheus-alertmanager)");
        AlertHarness.clean(pool);
    }

    /** Alertmanager's alert with label incident={@code incident}, null when it lists none (it lists alerts not yet ended). */
    static JsonObject listed(String incident) {
        return AlertReceiversResource.alertmanager.alert(incident);
    }

    @Test
    void anIncidentFiresAnActiveAlertWithItsLabelsAndItsResolvedEventResolvesIt() throws Exception {
        String incident = "leak-" + UUID.randomUUID();
        Instant opened = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        AlertHarness.store(pool, store, outbox,
                AlertEvents.opened(EventType.PREFIX_LEAK_EVENT, AlertsTestProfile.AM_PEERING, incident, opened));

        FeedHarness.await("Alertmanager to show the leak's alert active", Duration.ofSeconds(30), () -> {
            JsonObject a = listed(incident);
            return a != null && "active".equals(a.getJsonObject("status").getString("state"));
        });
        JsonObject active = listed(incident);
        assertThat(active.getJsonObject("labels").getMap()).containsOnly(
                org.assertj.core.api.Assertions.entry("alertname", "PrefixLeakEvent"),
                org.assertj.core.api.Assertions.entry("severity", "critical"),
                org.assertj.core.api.Assertions.entry("peering", AlertsTestProfile.AM_PEERING),
                org.assertj.core.api.Assertions.entry("prefix", AlertEvents.PREFIX),
                org.assertj.core.api.Assertions.entry("incident", incident),
                org.assertj.core.api.Assertions.entry("rule", "am-leaks"));
        assertThat(active.getJsonObject("annotations").getString("summary")).isEqualTo("PrefixLeakEvent of 203.0.113.0/24 opened");
        assertThat(active.getJsonObject("annotations").getString("security"))
                .contains("route 203.0.113.0/25", "origin AS64666", "expected origin AS64496", "RPKI invalid");
        assertThat(Instant.parse(active.getString("startsAt"))).isEqualTo(opened);

        Instant resolved = Instant.now();
        AlertHarness.store(pool, store, outbox,
                AlertEvents.resolved(EventType.PREFIX_LEAK_EVENT, AlertsTestProfile.AM_PEERING, incident, resolved));

        FeedHarness.await("the resolved alert to be delivered", Duration.ofSeconds(30),
                () -> AlertHarness.row(pool, incident).done());
        // Alertmanager lists only alerts whose endsAt is still ahead: a resolved alert leaves the list.
        FeedHarness.await("Alertmanager to stop listing the resolved alert", Duration.ofSeconds(30), () -> listed(incident) == null);
        assertThat(AlertHarness.row(pool, incident).failures()).isZero();
    }

    @Test
    void anOpenIncidentsFiringIsSentAgainSoAlertmanagerKeepsItActive() throws Exception {
        String incident = "leak-" + UUID.randomUUID();
        AlertHarness.store(pool, store, outbox,
                AlertEvents.opened(EventType.PREFIX_LEAK_EVENT, AlertsTestProfile.AM_PEERING, incident, Instant.now()));
        FeedHarness.await("Alertmanager to show the leak's alert", Duration.ofSeconds(30), () -> listed(incident) != null);
        Instant firstEnd = Instant.parse(listed(incident).getString("endsAt"));

        // resend-every is PT2S in the test profile; each send moves the end Alertmanager gives an open alert
        FeedHarness.await("the firing to be sent again", Duration.ofSeconds(30),
                () -> listed(incident) != null && Instant.parse(listed(incident).getString("endsAt")).isAfter(firstEnd));

        assertThat(listed(incident).getJsonObject("status").getString("state")).isEqualTo("active");
        assertThat(AlertHarness.row(pool, incident).done()).isFalse();
    }
}
