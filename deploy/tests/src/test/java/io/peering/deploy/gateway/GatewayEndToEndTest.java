package io.peering.deploy.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * All four services through the gateway, as a client sees them: the built jars on a throwaway
 * database, nginx from deploy/gateway/gateway.sh in front, real GoBGP routers exporting BMP to
 * routes-service, and deploy/client/smoke.mjs calling every RPC of every service through the
 * gateway's one address, including the three Watch streams receiving what the test makes the
 * routers do while they are open, and the client-streaming ingest RPCs whose samples come back
 * from the query RPCs.
 */
class GatewayEndToEndTest {

    static final ObjectMapper JSON = new ObjectMapper();
    /** A prefix nobody announces before the Watch streams are open. */
    static final String LIVE_PREFIX = "198.18.7.0/24";
    static final String SERVICE_PREFIX = "198.51.100.0/24";
    static GatewayStack stack;

    @BeforeAll
    static void startTheStack() throws Exception {
        stack = new GatewayStack();
        try {
            stack.prerequisites();
            stack.startDatabase();
            stack.startServices();
            stack.startGateway();
            stack.startRouters(Duration.ofMinutes(15));
            // contoso-web's prefix from the primary (P1, ams-1) and the backup (P2, ams-2, prepended),
            // and a customer route of AS 4200000001.
            stack.routers("announce", "p1", SERVICE_PREFIX);
            stack.routers("announce", "p2", SERVICE_PREFIX, "--as-path", "64500 64500");
            stack.routers("announce", "p1", "192.0.2.0/24", "--as-path", "4200000001");
            // Ready when the routes went router -> BMP -> routes-service -> gateway, and events-service
            // derived the announcement from routes-service's change stream.
            stack.awaitCall(Duration.ofMinutes(3), "both routes of " + SERVICE_PREFIX + " through the gateway",
                    "RoutesService/ListReceivedRoutes", "{\"parent\":\"peerings/contoso-ams\",\"prefix\":\"" + SERVICE_PREFIX + "\"}",
                    out -> out.contains("127.0.0.11") && out.contains("127.0.0.12"));
            stack.awaitCall(Duration.ofMinutes(3), "the announcement event of " + SERVICE_PREFIX,
                    "EventsService/ListPrefixEvents", "{\"parent\":\"peeringServices/contoso-web\",\"time_range\":"
                            + "{\"start_time\":\"now-1h\",\"end_time\":\"now\"}}",
                    out -> out.contains("PREFIX_EVENT_TYPE_PREFIX_ANNOUNCEMENT_EVENT"));
        } catch (Throwable t) {
            stack.close();
            throw t;
        }
    }

    @AfterAll
    static void stopTheStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void theGatewayAnswersItsOwnHealthAndEachServicesReadinessOverHttp2() throws Exception {
        GatewayStack.Result own = GatewayStack.run(Duration.ofSeconds(30), null, "curl", "-sS", "--http2-prior-knowledge",
                "-w", " %{http_code} %{http_version}", "http://" + stack.gateway() + "/healthz");
        assertThat(own.output()).isEqualTo("ok\n 200 2");
        for (String s : GatewayStack.SERVICES) {
            GatewayStack.Result ready = GatewayStack.run(Duration.ofSeconds(30), null, "curl", "-sS", "--http2-prior-knowledge",
                    "-w", " %{http_code}", "http://" + stack.gateway() + "/healthz/" + s);
            assertThat(ready.output()).as("/healthz/%s", s).contains("\"status\": \"UP\"").endsWith(" 200");
        }
    }

    @Test
    void throughTheGatewayACallNeedsATokenAndAReaderSeesOnlyItsOwnPeering() throws Exception {
        // every route of contoso-ams (the customer route of P1 stays announced whatever the other tests do)
        String routes = "{\"parent\":\"peerings/contoso-ams\"}";
        GatewayStack.Result anonymous = stack.callAs(null, "RoutesService/ListReceivedRoutes", routes);
        GatewayStack.Result stranger = stack.callAs(stack.mintToken("--role", "reader", "--asn", "4200000002"),
                "RoutesService/ListReceivedRoutes", routes);
        GatewayStack.Result owner = stack.callAs(stack.mintToken("--role", "reader", "--asn", "64500"),
                "RoutesService/ListReceivedRoutes", routes);
        GatewayStack.Result collector = stack.callAs(stack.mintToken("--role", "collector"), "RoutesService/ListReceivedRoutes", routes);

        assertThat(anonymous.output()).contains("UNAUTHENTICATED").contains("authorization: Bearer");
        assertThat(stranger.output()).contains("PERMISSION_DENIED").contains("peerings/contoso-ams belongs to AS64500");
        assertThat(owner.exit()).as(owner.output()).isZero();
        assertThat(owner.output()).contains("127.0.0.11");
        assertThat(collector.output()).contains("PERMISSION_DENIED").contains("needs one of [reader, operator]");
    }

    @Test
    void everyRpcOfTheFourServicesAnswersThroughTheGatewayAndTheWatchStreamsFollowTheRouters() throws Exception {
        ProcessBuilder smokeCommand = new ProcessBuilder("node", "deploy/client/smoke.mjs", stack.gateway(),
                "--live-prefix", LIVE_PREFIX, "--live-session", "127.0.0.12",
                "--live-event", "PREFIX_EVENT_TYPE_PREFIX_WITHDRAWAL_EVENT", "--timeout", "420")
                .directory(stack.repo.toFile());
        smokeCommand.environment().put("PEERING_TOKEN", stack.operatorToken);
        Process smoke = smokeCommand
                .redirectError(stack.logs.resolve("smoke.stderr.log").toFile())
                .start();
        List<String> lines = new CopyOnWriteArrayList<>();
        CountDownLatch watching = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(smoke.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                    if (line.contains("\"call\":\"watching\"")) {
                        watching.countDown();
                    }
                }
            } catch (IOException e) {
                lines.add("{\"call\":\"reader\",\"ok\":false,\"details\":\"" + e.getMessage() + "\"}");
            }
        });
        reader.start();
        try {
            assertThat(watching.await(7, TimeUnit.MINUTES))
                    .as("the three Watch streams open through the gateway; smoke.mjs printed:\n%s", String.join("\n", lines))
                    .isTrue();
            // While the streams are open: a new route, the primary route of the peering service
            // withdrawn, and the backup's sessions taken down.
            stack.routers("announce", "p1", LIVE_PREFIX, "--as-path", "64510");
            stack.routers("withdraw", "p1", SERVICE_PREFIX);
            stack.routers("session-down", "p2");
            assertThat(smoke.waitFor(8, TimeUnit.MINUTES)).as("smoke.mjs ends").isTrue();
            reader.join(10_000);
        } finally {
            smoke.destroyForcibly();
        }
        Files.writeString(stack.logs.resolve("smoke.jsonl"), String.join("\n", lines) + "\n");

        Map<String, JsonNode> calls = new LinkedHashMap<>();
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            String key = n.path("call").asText() + (n.path("live").asBoolean() ? "#live" : n.has("replayed") ? "#replayed" : "");
            calls.put(key, n);
        }
        String all = String.join("\n", lines);
        SoftAssertions soft = new SoftAssertions();

        // ---- routes-service ----
        JsonNode sessions = ok(soft, calls, "RoutesService/ListSessions").path("sessions");
        JsonNode p1 = find(sessions, "peer_address", "127.0.0.11");
        soft.assertThat(p1.path("state").asText()).as("P1's session, from R1 over BMP: " + sessions).isEqualTo("SESSION_STATE_ESTABLISHED");
        soft.assertThat(p1.path("connection").asText()).isEqualTo("peerings/contoso-ams/connections/ams-1");
        soft.assertThat(p1.path("router_name").asText()).isEqualTo("r1");
        soft.assertThat(p1.path("peer_asn").asLong()).isEqualTo(64500);
        JsonNode routes = ok(soft, calls, "RoutesService/ListReceivedRoutes").path("routes");
        JsonNode r1 = find(routes, "peer_address", "127.0.0.11");
        soft.assertThat(r1.path("prefix").asText()).as("P1's route: " + routes).isEqualTo(SERVICE_PREFIX);
        soft.assertThat(r1.path("as_path").asText()).isEqualTo("64500");
        soft.assertThat(r1.path("origin_asn").asLong()).isEqualTo(64500);
        soft.assertThat(r1.path("origin_as_validation_state").asText()).isEqualTo("ORIGIN_AS_VALIDATION_STATE_VALID");
        soft.assertThat(r1.path("next_hop").asText()).isEqualTo("192.0.2.1");
        soft.assertThat(r1.path("connection").asText()).isEqualTo("peerings/contoso-ams/connections/ams-1");
        soft.assertThat(find(routes, "peer_address", "127.0.0.12").path("as_path").asText()).as("P2's prepended route")
                .isEqualTo("64500 64500 64500");
        JsonNode history = ok(soft, calls, "RoutesService/GetRouteHistory").path("changes");
        soft.assertThat(texts(history, "type")).as("history of " + SERVICE_PREFIX).contains("ROUTE_CHANGE_TYPE_ANNOUNCE");
        JsonNode invalid = calls.getOrDefault("RoutesService/ListReceivedRoutes#invalid", JSON.missingNode());
        soft.assertThat(invalid.path("code").asText()).as("a bad request's status through the gateway").isEqualTo("INVALID_ARGUMENT");
        soft.assertThat(invalid.path("details").asText()).contains("host bits");

        // ---- metrics-service ----
        soft.assertThat(texts(ok(soft, calls, "MetricsService/ListMetricDefinitions").path("metric_definitions"), "name"))
                .contains("SessionAvailabilityV4", "SessionAvailabilityV6", "IngressTrafficRate", "EgressTrafficRate",
                        "FlapCounts", "PacketDropRate");
        JsonNode ingested = ok(soft, calls, "MetricsService/IngestConnectionSamples");
        soft.assertThat(ingested.path("accepted").asLong()).as("counter samples stored").isEqualTo(11);
        soft.assertThat(ingested.path("rejected").asLong()).isZero();
        Map<String, JsonNode> series = series(ok(soft, calls, "MetricsService/QueryConnectionMetrics"));
        for (var expected : Map.of("IngressTrafficRate", 8_000_000.0, "EgressTrafficRate", 4_000_000.0, "PacketDropRate", 10.0).entrySet()) {
            List<Double> values = values(series.get(expected.getKey()), "value");
            soft.assertThat(values).as(expected.getKey() + " of the ingested counters").hasSize(2);
            values.forEach(v -> soft.assertThat(v).as(expected.getKey()).isCloseTo(expected.getValue(), within(1e-6 * expected.getValue())));
        }
        JsonNode reported = ok(soft, calls, "MetricsService/ReportSessionTransitions");
        soft.assertThat(reported.path("accepted").asLong()).as("transitions stored").isEqualTo(2);
        Map<String, JsonNode> lon = series(ok(soft, calls, "MetricsService/QueryConnectionMetrics#lon-1"));
        soft.assertThat(values(lon.get("SessionAvailabilityV4"), "value")).as("lon-1: Established 5 min, then Idle")
                .containsExactly(100.0, 0.0);
        soft.assertThat(values(lon.get("FlapCounts"), "value").stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(1.0);
        JsonNode availability = ok(soft, calls, "MetricsService/QueryPeeringServiceAvailability");
        soft.assertThat(availability.path("primary_connection").asText()).isEqualTo("peerings/contoso-ams/connections/ams-1");
        soft.assertThat(availability.path("backup_connection").asText()).isEqualTo("peerings/contoso-ams/connections/ams-2");
        soft.assertThat(values(availability.path("primary"), "value")).as("ams-1's real BGP session, over BMP")
                .isNotEmpty().allSatisfy(v -> assertThat(v).isGreaterThan(0.0));

        // ---- latency-service ----
        JsonNode latencyIngest = ok(soft, calls, "LatencyService/IngestLatencySamples");
        soft.assertThat(latencyIngest.path("accepted").asLong()).isEqualTo(5);
        soft.assertThat(latencyIngest.path("rejected").asLong()).isEqualTo(1);
        soft.assertThat(latencyIngest.path("rejections").path(0).path("index").asLong()).as("the negative sample's position").isEqualTo(5);
        JsonNode prefixLatency = ok(soft, calls, "LatencyService/QueryPrefixLatency");
        soft.assertThat(prefixLatency.path("prefix").asText()).isEqualTo(SERVICE_PREFIX);
        JsonNode point = prefixLatency.path("points").path(0);
        soft.assertThat(point.path("median_ms").asDouble()).isEqualTo(20.0);
        soft.assertThat(point.path("min_ms").asDouble()).isEqualTo(10.0);
        soft.assertThat(point.path("max_ms").asDouble()).isEqualTo(30.0);
        soft.assertThat(point.path("sample_count").asLong()).isEqualTo(3);
        JsonNode registered = find(ok(soft, calls, "LatencyService/QueryRegisteredPrefixLatency").path("prefixes"),
                "name", "peerings/contoso-ams/registeredPrefixes/contoso-web");
        soft.assertThat(registered.path("points").path(0).path("median_ms").asDouble()).as("contoso-web's registered prefix latency")
                .isEqualTo(20.0);
        JsonNode asn = ok(soft, calls, "LatencyService/QueryRegisteredAsnLatency");
        soft.assertThat(asn.path("asn").asLong()).isEqualTo(4200000001L);
        soft.assertThat(values(asn, "value")).as("average customer-prefix latency of AS 4200000001").containsExactly(6.0);
        soft.assertThat(asn.path("customer_prefix_count").asInt()).isEqualTo(1);

        // ---- events-service ----
        JsonNode events = ok(soft, calls, "EventsService/ListPrefixEvents").path("events");
        JsonNode announcement = find(events, "type", "PREFIX_EVENT_TYPE_PREFIX_ANNOUNCEMENT_EVENT");
        soft.assertThat(announcement.path("prefix").asText()).as("P1's announcement: " + events).isEqualTo(SERVICE_PREFIX);
        soft.assertThat(announcement.path("connection").asText()).isEqualTo("peerings/contoso-ams/connections/ams-1");

        // ---- the gateway's own answers ----
        for (String unknown : List.of("gateway/unknown-service", "gateway/unknown-method")) {
            soft.assertThat(calls.getOrDefault(unknown, JSON.missingNode()).path("code").asText()).as(unknown).isEqualTo("UNIMPLEMENTED");
        }
        soft.assertThat(calls.getOrDefault("gateway/unknown-service", JSON.missingNode()).path("details").asText()).contains("unknown service or method /no.such.v1.Service/Method");
        soft.assertThat(ok(soft, calls, "grpc.health.v1.Health/Check").path("serving").asBoolean()).as("gRPC health through the gateway").isTrue();
        JsonNode reflection = calls.getOrDefault("grpc.reflection.v1.ServerReflection/ServerReflectionInfo", JSON.missingNode());
        soft.assertThat(reflection.path("code").asText()).as("reflection through the gateway").isEqualTo("UNIMPLEMENTED");
        soft.assertThat(reflection.path("details").asText()).contains("reflection is not served by the gateway");
        soft.assertThat(ok(soft, calls, "http/healthz").path("body").asText()).isEqualTo("ok");
        for (String s : GatewayStack.SERVICES) {
            soft.assertThat(ok(soft, calls, "http/healthz/" + s).path("status").asInt()).as("/healthz/" + s).isEqualTo(200);
        }

        // ---- live, through the open Watch streams ----
        JsonNode change = ok(soft, calls, "RoutesService/WatchRouteChanges#live");
        soft.assertThat(change.path("route").path("prefix").asText()).isEqualTo(LIVE_PREFIX);
        soft.assertThat(change.path("route").path("as_path").asText()).as("P1's AS, then the announced path").isEqualTo("64500 64510");
        soft.assertThat(change.path("route").path("connection").asText()).isEqualTo("peerings/contoso-ams/connections/ams-1");
        JsonNode transition = ok(soft, calls, "RoutesService/WatchSessions#live");
        soft.assertThat(transition.path("session").path("peer_address").asText()).isEqualTo("127.0.0.12");
        soft.assertThat(transition.path("state").asText()).isNotEqualTo("SESSION_STATE_ESTABLISHED");
        JsonNode event = ok(soft, calls, "EventsService/WatchPrefixEvents#live");
        soft.assertThat(event.path("prefix").asText()).isEqualTo(SERVICE_PREFIX);
        soft.assertThat(event.path("level").asText()).isEqualTo("EVENT_LEVEL_WARNING");
        soft.assertThat(smoke.exitValue()).as("smoke.mjs exit code; its lines:\n" + all).isZero();
        soft.assertAll();

        // The flap reached metrics-service through routes-service's WatchSessions: counted for ams-2.
        stack.awaitCall(Duration.ofMinutes(2), "a flap of ams-2 in FlapCounts", "MetricsService/QueryConnectionMetrics",
                "{\"resource\":\"peerings/contoso-ams/connections/ams-2\",\"metrics\":[\"FlapCounts\"],"
                        + "\"time_grain\":\"TIME_GRAIN_PT1H\",\"time_range\":{\"start_time\":\"now-2h\",\"end_time\":\"now\"}}",
                out -> out.matches("(?s).*\"value\":[1-9].*"));
    }

    // ---------- JSON helpers ----------

    private static JsonNode ok(SoftAssertions soft, Map<String, JsonNode> calls, String call) {
        JsonNode n = calls.get(call);
        soft.assertThat(n).as("a line for " + call).isNotNull();
        if (n == null) {
            return JSON.missingNode();
        }
        soft.assertThat(n.path("ok").asBoolean()).as(call + " answered: " + n).isTrue();
        return n.path("response");
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        return StreamSupport.stream(array.spliterator(), false).filter(n -> n.path(field).asText().equals(value)).findFirst()
                .orElse(JSON.missingNode());
    }

    private static List<String> texts(JsonNode array, String field) {
        return StreamSupport.stream(array.spliterator(), false).map(n -> n.path(field).asText()).toList();
    }

    private static Map<String, JsonNode> series(JsonNode response) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        response.path("series").forEach(s -> m.put(s.path("metric").asText(), s));
        return m;
    }

    private static List<Double> values(JsonNode withPoints, String field) {
        List<Double> out = new ArrayList<>();
        if (withPoints != null) {
            withPoints.path("points").forEach(p -> out.add(p.path(field).asDouble()));
        }
        return out;
    }
}
