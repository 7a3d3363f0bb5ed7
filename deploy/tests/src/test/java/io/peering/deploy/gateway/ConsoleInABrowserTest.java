package io.peering.deploy.gateway;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console in a real browser: the built jars of the four services and the console on a throwaway
 * database, nginx in front (gRPC listener and browser listener), GoBGP routers exporting BMP, and
 * console/src/test/browser/console.test.mjs driving Debian's Chromium through playwright-core. The
 * browser tests compare what the pages show with what the gRPC API answers, check that a reader of
 * another ASN sees nothing of AS64500, that an event made on a router appears live, and that signing
 * out ends access; they write a screenshot of every page to console/target/screenshots.
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

    @Test
    void everyPageShowsWhatTheApiAnswersToItsOwnReaderAndNothingToAnother() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("node", "--test", "--test-concurrency=1", "console/src/test/browser/console.test.mjs")
                .directory(stack.repo.toFile()).redirectErrorStream(true).inheritIO();
        pb.environment().putAll(Map.of("CONSOLE_URL", stack.consoleUrl(), "GATEWAY", stack.gateway(),
                "TOKENS", tokens.toString(), "ROUTERS_STATE", stack.routersState.toString(),
                "SCREENSHOTS", stack.repo.resolve("console/target/screenshots").toString()));
        Process browserTests = pb.start();
        assertThat(browserTests.waitFor()).as("node --test console/src/test/browser/console.test.mjs (its report is above)").isZero();
    }
}
