package io.peering.deploy.gateway;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console in a real browser: the built jars of the four services and the console on a throwaway
 * database, nginx in front (gRPC listener and browser listener), GoBGP routers exporting BMP, and
 * console/src/test/browser/console.test.mjs driving Debian's Chromium through playwright-core. The
 * browser tests compare what the pages show with what the gRPC API answers, check that a reader of
 * another ASN sees nothing of AS64500, that an event made on a router appears live, and that signing
 * out ends access; they write a screenshot of every page to console/target/screenshots. The console's
 * JSON API is also called directly here, to show that the looking glass and connectivity probe RPCs it
 * relays keep the services' refusals (status and words) for the pages.
 */
class ConsoleInABrowserTest {

    static GatewayStack stack;
    static Path tokens;

    @BeforeAll
    static void startTheStack() throws Exception {
        stack = new GatewayStack();
        try {
            stack.prerequisites();
            if (GatewayStack.run(Duration.ofSeconds(10), null, "bash", "-c", "command -v chromium").exit() != 0) {
                throw new IllegalStateException("chromium is missing (deploy/local/install.sh installs Debian's chromium)");
            }
            tokens = stack.logs.resolve("console-tokens");
            Files.createDirectories(tokens);
            for (var t : Map.of("reader-as64500", new String[]{"--role", "reader", "--asn", "64500", "--subject", "contoso-noc"},
                    "reader-as4200000002", new String[]{"--role", "reader", "--asn", "4200000002", "--subject", "fabrikam-noc"}).entrySet()) {
                Files.writeString(tokens.resolve(t.getKey() + ".token"), stack.mintToken(t.getValue()) + "\n");
            }
            stack.startDatabase();
            stack.startServices();
            stack.startGateway();
            stack.startConsole();
            stack.startRouters(Duration.ofMinutes(15));
            // contoso-web's prefix on the primary (P1) and the backup (P2), and more than a page of customer routes
            stack.routers("announce", "p1", "198.51.100.0/24");
            stack.routers("announce", "p2", "198.51.100.0/24", "--as-path", "64500 64500");
            stack.routers("bulk", "p1", "150", "10", "--as-path", "4200000001");
            stack.awaitCall(Duration.ofMinutes(3), "the routes of contoso-ams through the gateway",
                    "RoutesService/ListSessions", "{\"parent\":\"peerings/contoso-ams\"}",
                    out -> out.contains("\"routes_count\":\"151\"") && out.contains("127.0.0.12"));
            stack.awaitCall(Duration.ofMinutes(3), "the announcement event of 198.51.100.0/24",
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

    /**
     * Runs the browser tests once (node --test, TAP output) and reports each of them as a test of its
     * own, named as in console.test.mjs, failing with node's report of it (the assertion, the
     * expected and actual values); node's whole output goes to this test's standard output.
     */
    @TestFactory
    Stream<DynamicTest> theBrowserTestsOfConsoleTestMjs() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("node", "--test", "--test-concurrency=1", "--test-reporter=tap",
                "console/src/test/browser/console.test.mjs")
                .directory(stack.repo.toFile()).redirectErrorStream(true);
        pb.environment().putAll(Map.of("CONSOLE_URL", stack.consoleUrl(), "GATEWAY", stack.gateway(),
                "TOKENS", tokens.toString(), "ROUTERS_STATE", stack.routersState.toString(),
                "SCREENSHOTS", stack.repo.resolve("console/target/screenshots").toString()));
        Process node = pb.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                System.out.println("[browser] " + line);
                lines.add(line);
            }
        }
        int exit = node.waitFor();
        List<TapResult> results = TapResult.parse(lines);
        List<DynamicTest> tests = new ArrayList<>();
        for (TapResult r : results) {
            tests.add(DynamicTest.dynamicTest(r.name(), () -> assertThat(r.ok()).as("%s%n%s", r.name(), r.report()).isTrue()));
        }
        String whole = String.join("\n", lines);
        tests.add(DynamicTest.dynamicTest("node --test ran every browser test and ended with exit code 0", () -> {
            assertThat(results).as("browser tests reported by node --test:%n%s", whole).isNotEmpty();
            assertThat(exit).as("node --test console/src/test/browser/console.test.mjs exit code; its output:%n%s", whole).isZero();
        }));
        return tests.stream();
    }

    /** POST /api/call/{rpc} on the console with the session cookie of a token file: status and body. */
    static HttpResponse<String> consoleCall(String tokenName, String rpc, String json) throws Exception {
        String token = Files.readString(tokens.resolve(tokenName + ".token")).strip();
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.consoleUrl() + "/api/call/" + rpc))
                .header("content-type", "application/json").header("cookie", "peering_console_session=" + token)
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void badLookingGlassAndProbeRequestsAre4xxWithTheServicesWordsOfWhatToFix() throws Exception {
        var badTarget = consoleCall("reader-as64500", "RoutesService/BgpRoute",
                "{\"parent\":\"peerings/contoso-ams\",\"target\":\"198.51.100.300\"}");
        assertThat(badTarget.statusCode()).as(badTarget.body()).isEqualTo(400);
        assertThat(badTarget.body()).contains("\"code\":\"INVALID_ARGUMENT\"").contains("target");
        var tooMany = consoleCall("reader-as64500", "RoutesService/Ping", "{\"target\":\"127.0.0.1\",\"count\":11}");
        assertThat(tooMany.statusCode()).as(tooMany.body()).isEqualTo(400);
        assertThat(tooMany.body()).contains("count must be 1..10");
        var notAllowed = consoleCall("reader-as64500", "RoutesService/Traceroute", "{\"target\":\"192.0.2.1\"}");
        assertThat(notAllowed.statusCode()).as(notAllowed.body()).isEqualTo(403);
        assertThat(notAllowed.body()).contains("\"code\":\"PERMISSION_DENIED\"").contains("peering.looking-glass.allowed-targets");
        var noMetrics = consoleCall("reader-as64500", "LatencyService/QueryConnectivityProbes",
                "{\"parent\":\"peerings/contoso-ams\",\"timeRange\":{\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2026-01-01T01:00:00Z\"},"
                        + "\"timeGrain\":\"TIME_GRAIN_PT1M\"}");
        assertThat(noMetrics.statusCode()).as(noMetrics.body()).isEqualTo(400);
        assertThat(noMetrics.body()).contains("metrics is required");
    }

    @Test
    void aReaderOfAnotherAsnGets403ForTheLookingGlassAndProbesOfContosoAmsAndAnswersForItsOwn() throws Exception {
        String range = "\"timeRange\":{\"startTime\":\"2026-01-01T00:00:00Z\",\"endTime\":\"2026-01-01T01:00:00Z\"},"
                + "\"timeGrain\":\"TIME_GRAIN_PT1M\",\"metrics\":[\"ConnectivityProbeAvailability\"]";
        for (var call : List.of(
                new String[]{"RoutesService/BgpRoute", "{\"parent\":\"peerings/contoso-ams\",\"target\":\"198.51.100.7\"}"},
                new String[]{"LatencyService/QueryConnectivityProbes", "{\"parent\":\"peerings/contoso-ams\"," + range + "}"})) {
            var denied = consoleCall("reader-as4200000002", call[0], call[1]);
            assertThat(denied.statusCode()).as(call[0] + ": " + denied.body()).isEqualTo(403);
            assertThat(denied.body()).contains("\"code\":\"PERMISSION_DENIED\"").contains("AS64500")
                    .doesNotContain("127.0.0.11").doesNotContain("198.51.100.0/24");
            var own = consoleCall("reader-as4200000002", call[0], call[1].replace("contoso-ams", "fabrikam-lon"));
            assertThat(own.statusCode()).as(call[0] + " of fabrikam-lon: " + own.body()).isEqualTo(200);
        }
    }

    /** One top-level test of a TAP report: "ok N - name" or "not ok N - name" and the indented lines under it. */
    record TapResult(String name, boolean ok, String report) {
        private static final Pattern TOP = Pattern.compile("^(not ok|ok) \\d+ - (.*)$");

        static List<TapResult> parse(List<String> lines) {
            List<TapResult> results = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = TOP.matcher(lines.get(i));
                if (!m.matches()) {
                    continue;
                }
                StringBuilder report = new StringBuilder();
                // node prints a test's own subtests and diagnostics indented above its line, and its YAML block below
                for (int j = i + 1; j < lines.size() && (lines.get(j).startsWith(" ") || lines.get(j).isEmpty()); j++) {
                    report.append(lines.get(j)).append('\n');
                }
                results.add(new TapResult(m.group(2), m.group(1).equals("ok"), report.toString()));
            }
            return results;
        }
    }
}
