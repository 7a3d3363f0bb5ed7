package io.peering.console.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * The console's side of the looking glass and connectivity probe pages, with no service behind it (the
 * upstream is a closed port): the four RPCs are relayed, a request the console cannot read is a 400
 * naming the message and the field, no session is a 401, and a service that does not answer is a 503
 * naming the service. What the services refuse (another ASN's peering: 403) is tested against the
 * real services in deploy/tests' ConsoleInABrowserTest.
 */
@QuarkusTest
@TestProfile(LookingGlassAndProbesRelayTest.NoServices.class)
class LookingGlassAndProbesRelayTest {

    public static class NoServices implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("peering.console.upstream.host", "127.0.0.1", "peering.console.upstream.port", "1",
                    "peering.console.call-deadline", "PT5S");
        }
    }

    static ValidatableResponse post(String rpc, String body, boolean signedIn) {
        var request = given().contentType(ContentType.JSON).body(body);
        if (signedIn) {
            request = request.cookie("peering_console_session", "any-token");
        }
        return request.when().post("/api/call/" + rpc).then();
    }

    @Test
    void aBgpRouteRequestWithAMatchThatDoesNotExistIsA400NamingTheRequestMessage() {
        post("RoutesService/BgpRoute", "{\"parent\":\"peerings/contoso-ams\",\"target\":\"198.51.100.7\",\"match\":\"BGP_ROUTE_MATCH_NEAREST\"}", true)
                .statusCode(400).body("code", equalTo("INVALID_ARGUMENT"))
                .body("message", containsString("peering.routes.v1.BgpRouteRequest"))
                .body("message", containsString("BGP_ROUTE_MATCH_NEAREST"));
    }

    @Test
    void pingAndTracerouteRequestsWithWordsForNumbersAre400s() {
        post("RoutesService/Ping", "{\"target\":\"127.0.0.1\",\"count\":\"four\"}", true)
                .statusCode(400).body("code", equalTo("INVALID_ARGUMENT")).body("message", containsString("peering.routes.v1.PingRequest"));
        post("RoutesService/Traceroute", "{\"target\":\"127.0.0.1\",\"maxHops\":\"many\"}", true)
                .statusCode(400).body("code", equalTo("INVALID_ARGUMENT")).body("message", containsString("peering.routes.v1.TracerouteRequest"));
    }

    @Test
    void aConnectivityProbesRequestWithAnUnknownGrainIsA400() {
        post("LatencyService/QueryConnectivityProbes", "{\"parent\":\"peerings/contoso-ams\",\"timeGrain\":\"TIME_GRAIN_PT7M\"}", true)
                .statusCode(400).body("code", equalTo("INVALID_ARGUMENT"))
                .body("message", containsString("peering.latency.v1.QueryConnectivityProbesRequest"));
    }

    @Test
    void withoutASessionTheLookingGlassIsA401SayingToSignIn() {
        post("RoutesService/Ping", "{\"target\":\"127.0.0.1\"}", false)
                .statusCode(401).body("code", equalTo("UNAUTHENTICATED")).body("message", containsString("sign in"));
    }

    @Test
    void aServiceThatDoesNotAnswerIsA503NamingIt() {
        post("RoutesService/BgpRoute", "{\"parent\":\"peerings/contoso-ams\",\"target\":\"198.51.100.7\"}", true)
                .statusCode(503).body("code", equalTo("UNAVAILABLE")).body("message", containsString("routes-service is unavailable"));
        post("LatencyService/QueryConnectivityProbes", "{\"parent\":\"peerings/contoso-ams\"}", true)
                .statusCode(503).body("code", equalTo("UNAVAILABLE")).body("message", containsString("latency-service is unavailable"));
    }

    @Test
    void theRpcsThePagesDoNotUseAreNotRelayed() {
        post("LatencyService/IngestLatencySamples", "{}", true)
                .statusCode(404).body("code", equalTo("NOT_FOUND"))
                .body("message", containsString("RoutesService/BgpRoute"))
                .body("message", containsString("LatencyService/QueryConnectivityProbes"));
    }
}
