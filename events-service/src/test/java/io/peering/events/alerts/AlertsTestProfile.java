package io.peering.events.alerts;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;

/**
 * Alert rules for the delivery tests, each scoped to its own peering so tests do not see each other's
 * alerts, with short retry delays; receivers from {@link AlertReceiversResource}.
 */
public class AlertsTestProfile implements QuarkusTestProfile {

    static final String AM_PEERING = "peerings/am-test";
    static final String HOOK_PEERING = "peerings/hook-test";
    static final String SLOW_PEERING = "peerings/slow-test";
    static final int SLOW_FOR_SECONDS = 3;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("peering.alerts.rules.am-leaks.types", "PrefixLeakEvent"),
                Map.entry("peering.alerts.rules.am-leaks.peerings", AM_PEERING),
                Map.entry("peering.alerts.rules.am-leaks.receivers", "am"),
                Map.entry("peering.alerts.rules.hook.types", "PrefixRpkiInvalidRouteEvent,PrefixWithdrawalEvent"),
                Map.entry("peering.alerts.rules.hook.peerings", HOOK_PEERING),
                Map.entry("peering.alerts.rules.hook.receivers", "hook"),
                Map.entry("peering.alerts.rules.hook-slow.levels", "Critical"),
                Map.entry("peering.alerts.rules.hook-slow.peerings", SLOW_PEERING),
                Map.entry("peering.alerts.rules.hook-slow.for", "PT" + SLOW_FOR_SECONDS + "S"),
                Map.entry("peering.alerts.rules.hook-slow.receivers", "hook"),
                Map.entry("peering.alerts.send-every", "PT1S"),
                Map.entry("peering.alerts.resend-every", "PT2S"),
                Map.entry("peering.alerts.retry-initial-delay", "PT0.2S"),
                Map.entry("peering.alerts.retry-max-delay", "PT2S"),
                Map.entry("peering.alerts.request-timeout", "PT2S"));
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(AlertReceiversResource.class));
    }
}
