package io.peering.events.alerts;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Alertmanager (Debian's prometheus-alertmanager) on a loopback port, with its own storage
 * directory, clustering off, and one route to a receiver that notifies nobody.
 */
public final class Alertmanager {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");

    private final Process process;
    private final Path dir;
    final int port;

    private Alertmanager(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    static Alertmanager start(int port) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("alertmanager-test");
        Path config = dir.resolve("alertmanager.yml");
        Files.writeString(config, """
                route:
                  receiver: nobody
                  group_wait: 1s
                receivers:
                  - name: nobody
                """);
        Path log = Path.of("target", "alertmanager-" + port + ".log");
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(BINARY.toString(), "--config.file=" + config, "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Alertmanager am = new Alertmanager(process, dir, port);
        am.awaitReady(log);
        return am;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** GET {url}{path}: the body of a 200 answer. */
    public String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(url() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** Its alert with label incident={@code incident}, null when it lists none (it lists alerts not yet ended). */
    public io.vertx.core.json.JsonObject alert(String incident) {
        try {
            io.vertx.core.json.JsonArray alerts = new io.vertx.core.json.JsonArray(get("/api/v2/alerts"));
            for (int i = 0; i < alerts.size(); i++) {
                io.vertx.core.json.JsonObject a = alerts.getJsonObject(i);
                if (incident.equals(a.getJsonObject("labels").getString("incident"))) {
                    return a;
                }
            }
            return null;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitReady(Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("alertmanager exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try {
                get("/-/ready");
                return;
            } catch (IOException notYet) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
        throw new IOException("alertmanager not ready within 30 s: " + Files.readString(log));
    }

    void stop() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
