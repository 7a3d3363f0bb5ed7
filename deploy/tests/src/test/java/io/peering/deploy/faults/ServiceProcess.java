package io.peering.deploy.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of the four services, run from its built jar ({@code <module>/target/quarkus-app/quarkus-run.jar})
 * as a child process on its own free HTTP/gRPC port, with its log appended to {@code <dir>/<module>.log}
 * (restarts append to the same log). Authentication is off (PEERING_AUTH_ENABLED=false) and the
 * inventory is the sample one. {@link #close()} kills it; a shutdown hook does too.
 */
public final class ServiceProcess implements AutoCloseable {

    private final String module;
    private final Path jar;
    private final Path log;
    private final int port;
    private final Map<String, String> environment = new HashMap<>();
    private final Thread cleanup = new Thread(this::destroy, "service-process-cleanup");
    /** The JVM and its options (the running test's java, a 512 MiB heap and the serial collector, unless given). */
    private final List<String> jvm;
    private Process process;
    private Duration readyAfter;

    private ServiceProcess(String module, Path dir, Map<String, String> environment, List<String> jvm) {
        this.module = module;
        this.jvm = jvm;
        // -Dservices.root: run the jars of a copy of the built tree (a benchmark that must not see a rebuild)
        this.jar = Path.of(System.getProperty("services.root", Local.repo().toString())).resolve(module)
                .resolve("target/quarkus-app/quarkus-run.jar");
        this.log = dir.resolve(module + ".log");
        this.port = Local.freePort();
        this.environment.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        this.environment.put("PEERING_AUTH_ENABLED", "false");
        this.environment.put("PEERING_INVENTORY", Local.repo().resolve("deploy/inventory/sample-inventory.yaml").toString());
        if (module.equals("routes-service")) { // its own BMP spool, kept across restarts of this process (not shared)
            this.environment.put("PEERING_BMP_SPOOL_DIRECTORY", dir.resolve("bmp-spool").toString());
        }
        this.environment.putAll(environment);
    }

    /** Starts the service and waits until it is ready (/q/health/ready answers 200). */
    public static ServiceProcess start(String module, Path dir, Map<String, String> environment) {
        return start(module, dir, environment, List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m",
                "-XX:+UseSerialGC"));
    }

    /** Starts the service with a JVM of the caller's choosing ({@code jvm}: the java command and its options). */
    public static ServiceProcess start(String module, Path dir, Map<String, String> environment, List<String> jvm) {
        ServiceProcess service = new ServiceProcess(module, dir, environment, jvm);
        if (!Files.isRegularFile(service.jar)) {
            throw new IllegalStateException(service.jar + " is missing: build the service first (./mvnw install -DskipTests -pl "
                    + module + " -am, or the whole reactor)");
        }
        Runtime.getRuntime().addShutdownHook(service.cleanup);
        service.launch();
        return service;
    }

    /**
     * Runs the service's migrations and nothing else ({@code PEERING_MIGRATE=true QUARKUS_INIT_AND_EXIT=true}, as a
     * deployment runs them once before starting services with PEERING_MIGRATE=false); yields how long the process ran.
     */
    public static Duration migrate(String module, Path dir, Map<String, String> environment, List<String> jvm) {
        Map<String, String> migrating = new HashMap<>(environment);
        migrating.put("PEERING_MIGRATE", "true");
        migrating.put("QUARKUS_INIT_AND_EXIT", "true");
        ServiceProcess run = new ServiceProcess(module, dir, migrating, jvm);
        long started = System.nanoTime();
        try {
            Process process = run.builder().start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(module + "'s migration run did not exit within 120 s:\n" + run.tail());
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(module + "'s migration run exited with " + process.exitValue() + ":\n" + run.tail());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** The port of its gRPC, health and metrics endpoints. */
    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    /** Resident memory of the running process (VmRSS of /proc/{pid}/status), in bytes; -1 when unreadable (gone). */
    public long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /** The operating-system process id of the running service (for /proc/{pid}/status). */
    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** How long its last start took, from starting the process to /q/health/ready answering 200 (polled every 10 ms). */
    public Duration readyAfter() {
        return readyAfter;
    }

    /** SIGTERM, and waits for it to exit: a clean shutdown (a JVM writes the class archives it was asked for then). */
    public void stop() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(module + " did not stop within 60 s of SIGTERM:\n" + tail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private ProcessBuilder builder() {
        List<String> command = new ArrayList<>(jvm);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(jar.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        return builder;
    }

    private void launch() {
        long started = System.nanoTime();
        try {
            process = builder().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            while (!ready()) {
                if (!process.isAlive()) {
                    throw new AssertionError(module + " exited with " + process.exitValue() + " before it was ready:\n" + tail());
                }
                if (System.nanoTime() - started > Duration.ofSeconds(120).toNanos()) {
                    throw new AssertionError(module + " was not ready on port " + port + " within 120 s");
                }
                Thread.sleep(10);
            }
            readyAfter = Duration.ofNanos(System.nanoTime() - started);
        } catch (InterruptedException e) {
            destroy();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (AssertionError e) {
            destroy();
            throw new AssertionError(e.getMessage() + "\n--- last lines of " + log + " ---\n" + tail(), e);
        }
    }

    private boolean ready() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/q/health/ready").toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setUseCaches(false);
            c.setReadTimeout(5000);
            return c.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL: the process gets no chance to finish anything. */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(module + " did not die within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts it again with the same settings (same port, same database) and waits until it is ready. */
    void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException(module + " is still running");
        }
        launch();
    }

    /** The last lines of its log (for failure messages). */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** How many lines of its log contain {@code text}. */
    long logLines(String text) {
        try (var lines = Files.lines(log)) {
            return lines.filter(l -> l.contains(text)).count();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    private synchronized void destroy() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        destroy();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // the JVM is shutting down already
        }
    }
}
