package io.peering.support.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real chain before metrics-service starts: routes-service (its built jar, on the tests'
 * database) with GoBGP routers on loopback exporting BMP to it. metrics-service's WatchSessions
 * client is pointed at that routes-service. Where the jar or GoBGP is missing, nothing starts and
 * {@link #unavailable} says why (the test skips). A service's test profile adds its own settings
 * (e.g. its feed switched off, so the test starts it after clearing earlier state).
 */
public class RoutesServiceWithRouters implements QuarkusTestResourceLifecycleManager {

    /** The chain's routes-service holds one ROA: AS64500, this prefix, max length 24. */
    public static final String CHAIN_ROA_PREFIX = "192.0.2.0/24";

    public static String unavailable;
    public static Path routers;
    private Process routes;
    /** routes-service gets a database of its own: what other tests left in theirs is not this chain's. */
    private final String database = "peering_chain_" + ProcessHandle.current().pid();

    static String psql(String db, String sql) throws IOException, InterruptedException {
        return run("psql", "-X", "-q", "-h", System.getenv().getOrDefault("PEERING_DB_HOST", "127.0.0.1"),
                "-p", System.getenv().getOrDefault("PEERING_DB_PORT", "55432"), "-U", "peering_admin", "-d", db, "-c", sql);
    }

    static Path repo() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("deploy/local/routers/routers.sh"))) {
                return dir;
            }
        }
        return null;
    }

    public static String run(String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", args) + " failed:\n" + out);
        }
        return out;
    }

    /** Also R2 (FRR) with peer P3 (fabrikam-lon's session): init argument {@code frr=true}. */
    private boolean frr;

    @Override
    public void init(Map<String, String> initArgs) {
        frr = Boolean.parseBoolean(initArgs.getOrDefault("frr", "false"));
    }

    @Override
    public Map<String, String> start() {
        Path repo = repo();
        Path jar = repo == null ? null : repo.resolve("routes-service/target/quarkus-app/quarkus-run.jar");
        if (jar == null || !Files.isRegularFile(jar)) {
            unavailable = "routes-service is not built (" + jar + "); build the whole project to run this test";
            return Map.of();
        }
        if (!Files.isExecutable(Path.of("/usr/bin/gobgpd"))) {
            unavailable = "gobgpd is not installed (deploy/local/install.sh installs it)";
            return Map.of();
        }
        try {
            routers = repo.resolve("deploy/local/routers/routers.sh");
            psql("postgres", "DROP DATABASE IF EXISTS " + database);
            psql("postgres", "CREATE DATABASE " + database + " OWNER peering");
            psql(database, "CREATE EXTENSION timescaledb");
            int http = FreePort.pick();
            int bmp = FreePort.pick();
            // One ROA, so the chain has RPKI verdicts to show: AS64500 may announce 192.0.2.0/24 and nothing longer.
            Path roas = Files.createTempFile("chain-roas", ".json");
            Files.writeString(roas, "{\"roas\": [{\"asn\": 64500, \"prefix\": \"" + CHAIN_ROA_PREFIX + "\", \"maxLength\": 24,"
                    + " \"ta\": \"test\"}]}");
            ProcessBuilder pb = new ProcessBuilder("java", "-Xmx512m", "-jar", jar.toString())
                    .redirectErrorStream(true).redirectOutput(Files.createTempFile("routes-service", ".log").toFile());
            pb.environment().putAll(Map.of("QUARKUS_HTTP_PORT", String.valueOf(http), "PEERING_BMP_PORT", String.valueOf(bmp),
                    "PEERING_BMP_HOST", "127.0.0.1", "PEERING_DB_NAME", database,
                    // the services under test follow it without a token, as their test profile has authentication off
                    "PEERING_AUTH_ENABLED", "false",
                    "PEERING_INVENTORY", repo.resolve("deploy/inventory/sample-inventory.yaml").toString(),
                    "PEERING_RPKI_ROA_FILE", roas.toString()));
            routes = pb.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!ready(http)) {
                if (!routes.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("routes-service did not become ready on port " + http);
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
            run("bash", routers.toString(), "stop");
            List<String> start = new ArrayList<>(List.of("bash", routers.toString(), "start", "--bmp", "127.0.0.1:" + bmp,
                    "--state", Files.createTempDirectory("routers").toString()));
            if (frr) {
                start.add("--frr");
            }
            run(start.toArray(String[]::new));
            return Map.of("quarkus.grpc.clients.routes.host", "127.0.0.1",
                    "quarkus.grpc.clients.routes.port", String.valueOf(http),
                    "quarkus.grpc.clients.routes.test-port", String.valueOf(http));
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("could not start routes-service and the routers", e);
        }
    }

    private static boolean ready(int port) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/q/health/ready").toURL().openConnection();
            c.setConnectTimeout(500);
            return c.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void stop() {
        try {
            if (routers != null) {
                run("bash", routers.toString(), "stop");
            }
        } catch (IOException | InterruptedException | IllegalStateException e) {
            System.err.println("stopping the routers: " + e.getMessage());
        }
        if (routes != null) {
            routes.destroy();
            try {
                routes.waitFor(30, TimeUnit.SECONDS);
                psql("postgres", "DROP DATABASE IF EXISTS " + database);
            } catch (IOException | InterruptedException | IllegalStateException e) {
                System.err.println("dropping " + database + ": " + e.getMessage());
            }
        }
    }

}
