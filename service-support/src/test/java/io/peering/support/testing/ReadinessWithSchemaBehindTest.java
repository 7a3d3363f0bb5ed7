package io.peering.support.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * A build started without migrating (PEERING_MIGRATE=false) against a schema older than its newest migration is not
 * ready, and says what to run. A service's test extends this with
 * {@code @TestProfile(ReadinessWithSchemaBehindTest.NewerBuild.class)}.
 */
public abstract class ReadinessWithSchemaBehindTest {

    /** This build "needs" a migration the test database never had, and does not migrate at start. */
    public static class NewerBuild implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("peering.migrate", "false", "peering.db.schema-version", "9999");
        }
    }

    @Test
    void readinessIsDownAndNamesTheMigrationRunWhileTheSchemaIsBehindTheBuild() {
        given().when().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'schema' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'schema' }.data.why", containsString("this build needs version 9999"))
                .body("checks.find { it.name == 'schema' }.data.why", containsString("PEERING_MIGRATE=true"));
    }
}
