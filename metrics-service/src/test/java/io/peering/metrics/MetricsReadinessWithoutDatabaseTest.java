package io.peering.metrics;

import io.peering.support.testing.ReadinessWithoutDatabaseTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(ReadinessWithoutDatabaseTest.NoDatabase.class)
class MetricsReadinessWithoutDatabaseTest extends ReadinessWithoutDatabaseTest {
}
