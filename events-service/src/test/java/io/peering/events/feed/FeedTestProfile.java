package io.peering.events.feed;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;
import java.util.Map;

/**
 * The service with its feed following a scripted routes server (see {@link ScriptedRoutesResource}),
 * deriving the events of peering-service prefixes only (route security off: these tests script
 * foreign origins and sessions on purpose); {@link WithRouteSecurity} turns it on.
 */
public class FeedTestProfile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(ScriptedRoutesResource.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("peering.events.security.enabled", "false");
    }

    /** The same, with route security on. */
    public static class WithRouteSecurity extends FeedTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("peering.events.security.enabled", "true");
        }
    }
}
