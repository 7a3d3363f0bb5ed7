package io.peering.deploy.gateway;

import io.peering.deploy.faults.Local;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The whole platform on this machine, as a user runs it, each part a real process: a throwaway
 * database on the running TimescaleDB cluster (deploy/local/db-start.sh), the four built service
 * jars on free ports, the gateway (deploy/gateway/gateway.sh, nginx) on a free port in front of
 * them, and the GoBGP lab routers (deploy/local/routers/routers.sh) exporting BMP to the
 * routes-service it started. Logs go to deploy/tests/target/gateway-e2e/.
 */
final class GatewayStack implements AutoCloseable {

    static final String[] SERVICES = {"routes", "metrics", "latency", "events"};
    private static final String DB_HOST = System.getenv().getOrDefault("PEERING_DB_HOST", "127.0.0.1");
    private static final String DB_PORT = System.getenv().getOrDefault("PEERING_DB_PORT", "55432");

    final Path repo = repo();
    final Path logs = Path.of("target/gateway-e2e").toAbsolutePath();
    final String database = "peering_gateway_" + ProcessHandle.current().pid();
    final Map<String, Integer> ports = new LinkedHashMap<>();
    final Map<String, Process> processes = new LinkedHashMap<>();
    int bmpPort;
    int gatewayPort;
    /** The gateway's browser listener, in front of the console. */
    int webPort;
    int consolePort;
    /** The key pair and tokens of this run, from deploy/local/mint-token with a state folder of its own. */
    Path jwtState;
    String operatorToken;
    Path gatewayState;
    Path routersState;
    private boolean databaseCreated;
    private boolean gatewayStarted;
    private boolean routersStarted;

    String gateway() {
        return "127.0.0.1:" + gatewayPort;
    }

    /** Checks what the stack needs, installs the Node client's dependencies when missing. */
    void prerequisites() throws IOException, InterruptedException {
        List<String> missing = new ArrayList<>();
        for (String s : SERVICES) {
            Path jar = jar(s);
            if (!Files.isRegularFile(jar)) {
                missing.add(jar + " (build the services first: ./mvnw install -DskipTests -pl " + s + "-service -am)");
            }
        }
        for (String tool : List.of("nginx", "gobgpd", "node", "npm", "psql", "curl")) {
            if (run(Duration.ofSeconds(10), null, "bash", "-c", "command -v " + tool).exit != 0) {
                missing.add(tool + " (deploy/local/install.sh installs nginx, gobgpd and psql; Node from Debian's nodejs/npm)");
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("cannot run the stack, missing: " + String.join("; ", missing));
        }
        Path client = repo.resolve("deploy/client");
        Path installed = client.resolve("node_modules/.package-lock.json");
        if (!Files.exists(installed)
                || Files.getLastModifiedTime(client.resolve("package-lock.json")).compareTo(Files.getLastModifiedTime(installed)) > 0) {
            check(run(Duration.ofMinutes(5), client, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), "npm ci in deploy/client");
        }
        Files.createDirectories(logs);
        jwtState = logs.resolve("jwt-state");
        operatorToken = mintToken("--role", "operator", "--subject", "gateway-e2e-operator");
    }

    /** A token signed with this run's dev key (deploy/local/mint-token, which makes the key on first use). */
    String mintToken(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", "deploy/local/mint-token"));
        cmd.addAll(List.of(args));
        Result r = run(Duration.ofSeconds(30), repo, Map.of("PEERING_STATE_DIR", jwtState.toString()), cmd.toArray(String[]::new));
        check(r, "mint-token " + String.join(" ", args));
        String[] lines = r.output().strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    void startDatabase() throws IOException, InterruptedException {
        psql("postgres", "DROP DATABASE IF EXISTS " + database);
        psql("postgres", "CREATE DATABASE " + database + " OWNER peering");
        databaseCreated = true;
        psql(database, "CREATE EXTENSION IF NOT EXISTS timescaledb");
    }

    /** Starts the four jars at once (metrics and events retry their feed until routes-service answers). */
    void startServices() throws IOException, InterruptedException {
        for (String s : SERVICES) {
            ports.put(s, Local.freePort());
        }
        bmpPort = Local.freePort();
        for (String s : SERVICES) {
            Map<String, String> env = new HashMap<>(Map.of(
                    "QUARKUS_HTTP_PORT", String.valueOf(ports.get(s)),
                    "PEERING_DB_HOST", DB_HOST, "PEERING_DB_PORT", DB_PORT, "PEERING_DB_NAME", database,
                    "PEERING_INVENTORY", repo.resolve("deploy/inventory/sample-inventory.yaml").toString(),
                    "PEERING_AUTH_ENABLED", "true",
                    "PEERING_AUTH_PUBLIC_KEY", jwtState.resolve("jwt/public-key.pem").toString(),
                    "PEERING_ROUTES_TOKEN", operatorToken,
                    "PEERING_ROUTES_HOST", "127.0.0.1", "PEERING_ROUTES_PORT", String.valueOf(ports.get("routes"))));
            if (s.equals("routes")) {
                env.put("PEERING_BMP_HOST", "127.0.0.1");
                env.put("PEERING_BMP_PORT", String.valueOf(bmpPort));
                env.put("PEERING_BMP_SPOOL_DIRECTORY", logs.resolve("bmp-spool").toString()); // this stack's own
            }
            List<String> cmd = new ArrayList<>(List.of("java", "-Xmx512m"));
            if (s.equals("latency")) {
                // the inventory and the local stack's connectivity probe (ICMP echo to 127.0.0.11), as deploy/local/start.sh
                cmd.add("-Dquarkus.config.locations=" + env.get("PEERING_INVENTORY") + "," + repo.resolve("deploy/local/latency-probes.properties"));
            }
            cmd.addAll(List.of("-jar", jar(s).toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(repo.resolve(s + "-service").toFile())
                    .redirectErrorStream(true).redirectOutput(logs.resolve(s + "-service.log").toFile());
            pb.environment().putAll(env);
            processes.put(s, pb.start());
        }
        for (String s : SERVICES) {
            waitFor(Duration.ofMinutes(3), s + "-service ready on port " + ports.get(s), () -> {
                if (!processes.get(s).isAlive()) {
                    throw new IllegalStateException(s + "-service exited; see " + logs.resolve(s + "-service.log"));
                }
                return httpStatus("http://127.0.0.1:" + ports.get(s) + "/q/health/ready") == 200;
            });
        }
    }

    void startGateway() throws IOException, InterruptedException {
        gatewayPort = Local.freePort();
        webPort = Local.freePort();
        consolePort = Local.freePort();
        gatewayState = logs.resolve("gateway");
        run(Duration.ofMinutes(1), repo, Map.of("PEERING_GATEWAY_STATE", gatewayState.toString()),
                "bash", "deploy/gateway/gateway.sh", "stop");  // one a killed run may have left
        run(Duration.ofSeconds(30), null, "rm", "-rf", gatewayState.toString());
        Map<String, String> env = new HashMap<>(Map.of("PEERING_GATEWAY_STATE", gatewayState.toString(),
                "PEERING_GATEWAY_PORT", String.valueOf(gatewayPort), "PEERING_GATEWAY_WEB_PORT", String.valueOf(webPort),
                "PEERING_GATEWAY_CONSOLE", "127.0.0.1:" + consolePort));
        for (String s : SERVICES) {
            env.put("PEERING_GATEWAY_" + s.toUpperCase(), "127.0.0.1:" + ports.get(s));
        }
        gatewayStarted = true;
        check(run(Duration.ofMinutes(1), repo, env, "bash", "deploy/gateway/gateway.sh", "start"), "gateway.sh start");
    }

    /** Starts the console behind the gateway's browser listener (after {@link #startGateway}); its pages call the gateway. */
    void startConsole() throws IOException, InterruptedException {
        Path jar = repo.resolve("console/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("cannot run the console: " + jar + " is missing (./mvnw install -DskipTests -pl console -am)");
        }
        ProcessBuilder pb = new ProcessBuilder("java", "-Xmx256m", "-jar", jar.toString())
                .directory(repo.resolve("console").toFile())
                .redirectErrorStream(true).redirectOutput(logs.resolve("console.log").toFile());
        pb.environment().putAll(Map.of("QUARKUS_HTTP_PORT", String.valueOf(consolePort),
                "PEERING_CONSOLE_UPSTREAM_HOST", "127.0.0.1", "PEERING_CONSOLE_UPSTREAM_PORT", String.valueOf(gatewayPort)));
        processes.put("console", pb.start());
        waitFor(Duration.ofMinutes(2), "the console ready on port " + consolePort, () -> {
            if (!processes.get("console").isAlive()) {
                throw new IllegalStateException("the console exited; see " + logs.resolve("console.log"));
            }
            return httpStatus("http://127.0.0.1:" + consolePort + "/q/health/ready") == 200;
        });
    }

    /** The console through the gateway's browser listener. */
    String consoleUrl() {
        return "http://127.0.0.1:" + webPort;
    }

    /**
     * Starts R1 with P1 and P2, exporting BMP to this stack's routes-service. One instance runs per
     * machine: while another test (or the local stack) runs one, this waits and tries again.
     */
    void startRouters(Duration patience) throws IOException, InterruptedException {
        routersState = Files.createTempDirectory("gateway-e2e-routers");
        long deadline = System.nanoTime() + patience.toNanos();
        for (;;) {
            Result r = run(Duration.ofMinutes(3), repo, "bash", "deploy/local/routers/routers.sh", "start",
                    "--bmp", "127.0.0.1:" + bmpPort, "--state", routersState.toString());
            if (r.exit == 0) {
                routersStarted = true;
                return;
            }
            if (!r.output.contains("another instance is running") || System.nanoTime() > deadline) {
                routers("stop");
                throw new IllegalStateException("routers.sh start failed:\n" + r.output);
            }
            System.err.println("[gateway-e2e] the lab routers are in use by someone else; waiting: " + r.output.strip());
            TimeUnit.SECONDS.sleep(10);
        }
    }

    /** routers.sh COMMAND ... on this stack's routers (never on another instance). */
    String routers(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", "deploy/local/routers/routers.sh"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--state", routersState.toString()));
        Result r = run(Duration.ofMinutes(3), repo, cmd.toArray(String[]::new));
        return check(r, String.join(" ", cmd));
    }

    /** node deploy/client/call.mjs GATEWAY Service/Method JSON as the operator: its output, or null when the call failed. */
    String call(String method, String json) throws IOException, InterruptedException {
        Result r = callAs(operatorToken, method, json);
        return r.exit == 0 ? r.output : null;
    }

    /** The same call with another bearer token (none when null): exit code and output, errors included. */
    Result callAs(String token, String method, String json) throws IOException, InterruptedException {
        return run(Duration.ofMinutes(1), repo, token == null ? Map.of() : Map.of("PEERING_TOKEN", token),
                "node", "deploy/client/call.mjs", gateway(), method, json);
    }

    /** Polls a call through the gateway until its output satisfies the condition. */
    String awaitCall(Duration timeout, String what, String method, String json, Predicate<String> condition)
            throws InterruptedException {
        String[] last = {null};
        try {
            waitFor(timeout, what, () -> {
                last[0] = call(method, json);
                return last[0] != null && condition.test(last[0]);
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last answer of " + method + " " + json + ": " + last[0], e);
        }
        return last[0];
    }

    @Override
    public void close() {
        if (routersStarted || routersState != null) {
            try {
                routers("stop");
            } catch (Exception e) {
                System.err.println("[gateway-e2e] stopping the routers: " + e.getMessage());
            }
        }
        if (gatewayStarted) {
            try {
                run(Duration.ofMinutes(1), repo, Map.of("PEERING_GATEWAY_STATE", gatewayState.toString()),
                        "bash", "deploy/gateway/gateway.sh", "stop");
            } catch (Exception e) {
                System.err.println("[gateway-e2e] stopping the gateway: " + e.getMessage());
            }
        }
        processes.values().forEach(Process::destroy);
        for (Process p : processes.values()) {
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (databaseCreated) {
            try {
                psql("postgres", "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            } catch (Exception e) {
                System.err.println("[gateway-e2e] dropping " + database + ": " + e.getMessage());
            }
        }
    }

    // ---------- helpers ----------

    record Result(int exit, String output) {
    }

    interface Condition {
        boolean met() throws Exception;
    }

    static void waitFor(Duration timeout, String what, Condition condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            try {
                if (condition.met()) {
                    return;
                }
            } catch (IllegalStateException e) {
                throw e;
            } catch (Exception e) {
                // not yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }

    Path jar(String service) {
        return repo.resolve(service + "-service/target/quarkus-app/quarkus-run.jar");
    }

    static Result run(Duration timeout, Path dir, String... cmd) throws IOException, InterruptedException {
        return run(timeout, dir, Map.of(), cmd);
    }

    static Result run(Duration timeout, Path dir, Map<String, String> env, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.environment().putAll(env);
        Path out = Files.createTempFile("gateway-e2e", ".out");
        try {
            Process p = pb.redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                return new Result(-1, "timed out after " + timeout.toSeconds() + " s: " + String.join(" ", cmd) + "\n"
                        + Files.readString(out));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static String check(Result r, String what) {
        if (r.exit != 0) {
            throw new IllegalStateException(what + " failed (exit " + r.exit + "):\n" + r.output);
        }
        return r.output;
    }

    static void psql(String db, String sql) throws IOException, InterruptedException {
        check(run(Duration.ofMinutes(2), null, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", DB_HOST, "-p", DB_PORT,
                "-U", "peering_admin", "-d", db, "-c", sql), "psql " + sql);
    }

    static int httpStatus(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(5000);
            return c.getResponseCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static Path repo() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("deploy/gateway/gateway.sh"))) {
                return dir;
            }
        }
        throw new IllegalStateException("not inside the repository (no deploy/gateway/gateway.sh above " + Path.of("").toAbsolutePath() + ")");
    }
}
