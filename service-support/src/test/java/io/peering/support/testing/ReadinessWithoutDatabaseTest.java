package io.peering.support.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/**
 * Readiness must be DOWN while the database cannot be reached, so Kubernetes takes the pod out
 * of the Service. A service's test extends this with {@code @TestProfile(ReadinessWithoutDatabaseTest.NoDatabase.class)}.
 */
public abstract class ReadinessWithoutDatabaseTest {

    /** Points the datasource at a loopback port where nothing listens, and skips migrations. */
    public static class NoDatabase implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:1/peering",
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:1/peering",
                    "quarkus.flyway.migrate-at-start", "false");
        }
    }

    @Test
    void readinessIsDownWhileTheDatabaseIsUnreachable() {
        given().when().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
    }

    @Test
    void livenessStaysUpWithoutTheDatabase() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }
}
