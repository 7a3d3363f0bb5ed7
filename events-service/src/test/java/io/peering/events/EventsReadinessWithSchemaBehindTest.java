package io.peering.events;

import io.peering.support.testing.ReadinessWithSchemaBehindTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(ReadinessWithSchemaBehindTest.NewerBuild.class)
class EventsReadinessWithSchemaBehindTest extends ReadinessWithSchemaBehindTest {
}
