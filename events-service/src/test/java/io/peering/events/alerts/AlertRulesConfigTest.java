package io.peering.events.alerts;

import io.peering.events.EventType;
import io.peering.events.PrefixEvent;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The alert settings as start-up checks them: through the real config mapping, without the service. */
class AlertRulesConfigTest {

    static Map<String, String> valid() {
        Map<String, String> p = new HashMap<>();
        p.put("peering.alerts.receivers.noc.type", "alertmanager");
        p.put("peering.alerts.receivers.noc.url", "http://127.0.0.1:9093");
        p.put("peering.alerts.receivers.tickets.type", "webhook");
        p.put("peering.alerts.receivers.tickets.url", "https://tickets.example.net/hooks/peering");
        p.put("peering.alerts.receivers.tickets.secret", "s3cret");
        p.put("peering.alerts.rules.leaks.types", "PrefixLeakEvent,PrefixBackupRouteLeakEvent");
        p.put("peering.alerts.rules.leaks.peerings", "peerings/contoso-ams");
        p.put("peering.alerts.rules.leaks.for", "PT2M");
        p.put("peering.alerts.rules.leaks.receivers", "noc,tickets");
        return p;
    }

    static AlertRules rules(Map<String, String> properties) {
        AlertsConfig config = new SmallRyeConfigBuilder().withMapping(AlertsConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 100)).build()
                .getConfigMapping(AlertsConfig.class);
        return new AlertRules(config);
    }

    @Test
    void aValidConfigurationGivesItsRulesAndReceiverEndpoints() {
        AlertRules rules = rules(valid());

        assertThat(rules.rules()).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("leaks");
            assertThat(r.types()).containsExactlyInAnyOrder(EventType.PREFIX_LEAK_EVENT, EventType.PREFIX_BACKUP_ROUTE_LEAK_EVENT);
            assertThat(r.forDuration()).isEqualTo(Duration.ofMinutes(2));
            assertThat(r.receivers()).containsExactly("noc", "tickets");
        });
        assertThat(rules.receivers().get("noc").endpoint()).hasToString("http://127.0.0.1:9093/api/v2/alerts");
        assertThat(rules.receivers().get("tickets").endpoint()).hasToString("https://tickets.example.net/hooks/peering");
    }

    @Test
    void noRulesConfiguredMeansNoRulesAndNoReceivers() {
        AlertRules rules = rules(new HashMap<>());

        assertThat(rules.rules()).isEmpty();
        assertThat(rules.receivers()).isEmpty();
    }

    @Test
    void anUnknownReceiverTypeFailsNamingTheSetting() {
        Map<String, String> p = valid();
        p.put("peering.alerts.receivers.noc.type", "pagerduty");

        assertThatThrownBy(() -> rules(p)).hasMessageStartingWith("peering.alerts.receivers.noc.type:")
                .hasMessageContaining("\"pagerduty\"");
    }

    @Test
    void aRuleNamingAnUnknownReceiverFailsNamingTheSetting() {
        Map<String, String> p = valid();
        p.put("peering.alerts.rules.leaks.receivers", "noc,pager");

        assertThatThrownBy(() -> rules(p)).hasMessageStartingWith("peering.alerts.rules.leaks.receivers:")
                .hasMessageContaining("\"pager\"");
    }

    @Test
    void aReceiverUrlThatIsNotAnHttpUrlFailsNamingTheSetting() {
        Map<String, String> p = valid();
        p.put("peering.alerts.receivers.tickets.url", "tickets.example.net:443");

        assertThatThrownBy(() -> rules(p)).hasMessageStartingWith("peering.alerts.receivers.tickets.url:");
    }

    @Test
    void anUnknownEventTypeFailsNamingTheSetting() {
        Map<String, String> p = valid();
        p.put("peering.alerts.rules.leaks.types", "PrefixLeak");

        assertThatThrownBy(() -> rules(p)).hasMessageStartingWith("peering.alerts.rules.leaks.types:")
                .hasMessageContaining("\"PrefixLeak\"");
    }

    @Test
    void aWebhookWithoutASecretFailsNamingTheSetting() {
        Map<String, String> p = valid();
        p.remove("peering.alerts.receivers.tickets.secret");

        assertThatThrownBy(() -> rules(p)).hasMessageStartingWith("peering.alerts.receivers.tickets.secret:");
    }

    @Test
    void aWebhookSecretFromTheEnvironmentOverridesTheProperties() {
        AlertsConfig config = new SmallRyeConfigBuilder().withMapping(AlertsConfig.class)
                .withSources(new PropertiesConfigSource(valid(), "test", 100),
                        new EnvConfigSource(Map.of("PEERING_ALERTS_RECEIVERS_TICKETS_SECRET", "from-env"), 300))
                .build().getConfigMapping(AlertsConfig.class);

        assertThat(new AlertRules(config).receivers().get("tickets").secret()).isEqualTo("from-env");
    }

    @Test
    void aRuleScopedToAPeeringMatchesItsTypesOfThatPeeringOnly() {
        AlertRules rules = rules(valid());
        PrefixEvent leak = AlertEvents.opened(EventType.PREFIX_LEAK_EVENT, "peerings/contoso-ams", "leak-1", Instant.now());
        PrefixEvent otherPeering = AlertEvents.opened(EventType.PREFIX_LEAK_EVENT, "peerings/fabrikam", "leak-2", Instant.now());
        PrefixEvent otherType = AlertEvents.opened(EventType.PREFIX_RPKI_INVALID_ROUTE_EVENT, "peerings/contoso-ams", "rpki-1",
                Instant.now());

        assertThat(rules.matching(leak)).extracting(AlertRule::name).containsExactly("leaks");
        assertThat(rules.matching(otherPeering)).isEmpty();
        assertThat(rules.matching(otherType)).isEmpty();
    }
}
