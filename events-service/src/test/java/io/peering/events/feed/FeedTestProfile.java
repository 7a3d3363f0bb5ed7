package io.peering.events.feed;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.List;

/** The service with its feed following a scripted routes server (see {@link ScriptedRoutesResource}). */
public class FeedTestProfile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(ScriptedRoutesResource.class));
    }
}
