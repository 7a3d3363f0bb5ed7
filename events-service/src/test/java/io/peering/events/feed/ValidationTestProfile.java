package io.peering.events.feed;

import io.peering.support.testing.AuthEnabledProfile;
import io.peering.support.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The service polling the validation states of the scripted routes server ({@link ScriptedRoutesResource}) every
 * second, with tokens checked (the poller shows an operator token), and an alert rule for the validation-state
 * events whose receiver never answers (its retry waits an hour: the rows stay in the outbox to be read).
 */
public class ValidationTestProfile implements QuarkusTestProfile {

    /** The token the poller shows routes-service. */
    static final String SERVICE_TOKEN = TestTokens.operator();

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(ScriptedRoutesResource.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> c = new HashMap<>(new AuthEnabledProfile().getConfigOverrides());
        c.put("peering.auth.service-token", SERVICE_TOKEN);
        c.put("peering.events.security.enabled", "false");
        c.put("peering.events.validation.enabled", "true");
        c.put("peering.events.validation.every", "PT1S");
        c.put("peering.events.validation.request-timeout", "PT2S");
        c.put("peering.alerts.rules.validation.types", "RegisteredPrefixValidationStateChangeEvent");
        c.put("peering.alerts.rules.validation.receivers", "sink");
        c.put("peering.alerts.receivers.sink.type", "webhook");
        c.put("peering.alerts.receivers.sink.url", "http://127.0.0.1:9/hook");
        c.put("peering.alerts.receivers.sink.secret", "test-secret");
        c.put("peering.alerts.retry-initial-delay", "PT1H");
        c.put("peering.alerts.request-timeout", "PT1S");
        return c;
    }
}
