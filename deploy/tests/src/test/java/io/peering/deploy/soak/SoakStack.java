package io.peering.deploy.soak;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.peering.deploy.faults.Local;
import io.peering.deploy.faults.PrivateCluster;
import io.peering.deploy.faults.ServiceProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The four services from their built jars on a private PostgreSQL + TimescaleDB cluster of this run
 * (faults' {@link PrivateCluster}), authentication on with tokens minted by deploy/local/mint-token
 * against a key pair of this run: the operator token is the services' own (PEERING_ROUTES_TOKEN, for
 * the feeds from routes-service), a collector token ingests, a reader of AS64500 (contoso-ams) queries.
 * The per-caller limits (peering.limits.*) are left at their defaults. Logs under
 * deploy/tests/target/faults/soak-*.
 *
 * <p>{@code soak.collectors} (default 1): routes-service replicas, each with a BMP port of its own (the routers
 * are spread over them; "routes" is the first, which the other services follow and the queries ask, then
 * "routes-2", ...). {@code soak.readReplica}: a streaming replica of the cluster that every service's query RPCs
 * read from (PEERING_DB_READ_URL).
 */
final class SoakStack implements AutoCloseable {

    static final List<String> SERVICES = List.of("routes", "metrics", "latency", "events");
    static final int COLLECTORS = Integer.getInteger("soak.collectors", 1);
    static final boolean READ_REPLICA = Boolean.getBoolean("soak.readReplica");

    final Path dir = Local.workDir("soak");
    /** Every process: routes-service (its first replica "routes", then "routes-2", ...), metrics, latency, events. */
    final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
    PrivateCluster db;
    /** The BMP port of each routes-service replica. */
    final List<Integer> bmpPorts = new ArrayList<>();
    String operatorToken;
    String collectorToken;
    String readerToken;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    void start() {
        Path jwtState = dir.resolve("jwt-state");
        operatorToken = mint(jwtState, "--role", "operator", "--subject", "soak-services");
        collectorToken = mint(jwtState, "--role", "collector", "--subject", "soak-collector");
        readerToken = mint(jwtState, "--role", "reader", "--asn", "64500", "--subject", "soak-reader-contoso");
        db = PrivateCluster.start(dir);
        Map<String, String> common = new HashMap<>(db.serviceEnvironment());
        common.put("PEERING_AUTH_ENABLED", "true");
        common.put("PEERING_AUTH_PUBLIC_KEY", jwtState.resolve("jwt/public-key.pem").toString());
        common.put("PEERING_ROUTES_TOKEN", operatorToken);
        if (READ_REPLICA) {
            common.put("PEERING_DB_READ_URL", "postgresql://127.0.0.1:" + db.startReplica() + "/peering");
        }
        for (int i = 1; i <= COLLECTORS; i++) {
            int bmpPort = Local.freePort();
            bmpPorts.add(bmpPort);
            Map<String, String> routesEnv = new HashMap<>(common);
            routesEnv.put("PEERING_BMP_HOST", "127.0.0.1");
            routesEnv.put("PEERING_BMP_PORT", String.valueOf(bmpPort));
            String name = i == 1 ? "routes" : "routes-" + i;
            try { // a replica's own directory: its log and its BMP spool (locked by one process)
                services.put(name, ServiceProcess.start("routes-service", i == 1 ? dir : Files.createDirectories(dir.resolve(name)),
                        routesEnv));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        common.put("PEERING_ROUTES_HOST", "127.0.0.1");
        common.put("PEERING_ROUTES_PORT", String.valueOf(services.get("routes").port()));
        // the other three at once: each takes a while to start on a busy machine
        Map<String, CompletableFuture<ServiceProcess>> starting = new LinkedHashMap<>();
        for (String s : SERVICES.subList(1, SERVICES.size())) {
            starting.put(s, CompletableFuture.supplyAsync(() -> ServiceProcess.start(s + "-service", dir, common)));
        }
        List<Throwable> failures = new ArrayList<>();
        starting.forEach((s, f) -> {
            try {
                services.put(s, f.join());
            } catch (RuntimeException e) {
                failures.add(e.getCause() != null ? e.getCause() : e);
            }
        });
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("services did not start: " + failures);
            failures.forEach(e::addSuppressed);
            throw e;
        }
        for (String s : SERVICES) {
            channels.put(s, NettyChannelBuilder.forAddress("127.0.0.1", services.get(s).port()).usePlaintext()
                    .maxInboundMessageSize(16 << 20).build());
        }
    }

    ManagedChannel channel(String service) {
        return channels.get(service);
    }

    /** The stub with the bearer token on every call. */
    static <S extends AbstractStub<S>> S withToken(S stub, String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        ClientInterceptor bearer = MetadataUtils.newAttachHeadersInterceptor(headers);
        return stub.withInterceptors(bearer);
    }

    /** Resident memory of the service's process (VmRSS of /proc/{pid}/status), in bytes; -1 when unreadable. */
    long residentBytes(String service) {
        return services.get(service).residentBytes();
    }

    /** JVM heap in use, from the service's /q/metrics: the sum of jvm_memory_used_bytes{area="heap"}; -1 when unreadable. */
    long heapUsedBytes(String service) {
        return (long) metricSum(service, "jvm_memory_used_bytes{", "area=\"heap\"");
    }

    /** The sum of a metric's series in the service's /q/metrics whose line contains {@code labels}; -1 when unreadable or absent. */
    double metricSum(String service, String name, String labels) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + services.get(service).port() + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).build();
            String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            boolean found = false;
            for (String line : body.split("\n")) {
                if (line.startsWith(name) && line.contains(labels)) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    found = true;
                }
            }
            return found ? sum : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * The streaming replica's replay lag as the primary reports it (pg_stat_replication.replay_lag: WAL flushed on the
     * primary until replayed on the standby; 0 once caught up and idle), in milliseconds; -1 without a replica.
     */
    long replicaLagMillis() {
        return READ_REPLICA ? db.count("SELECT coalesce(round(extract(epoch FROM max(replay_lag)) * 1000), 0)::bigint FROM pg_stat_replication")
                : -1;
    }

    boolean alive(String service) {
        return services.get(service).alive() && heapUsedBytes(service) >= 0;
    }

    long databaseBytes() {
        return db.count("SELECT pg_database_size(current_database())");
    }

    /** Each hypertable's size with its chunks and indexes, largest first: "routes.route_changes 123 MiB". */
    List<String> hypertableSizes() {
        List<String> sizes = new ArrayList<>();
        for (String row : db.strings("""
                SELECT hypertable_schema || '.' || hypertable_name, hypertable_size(format('%I.%I', hypertable_schema, hypertable_name)::regclass) s
                FROM timescaledb_information.hypertables ORDER BY s DESC""")) {
            String[] f = row.split("\\|");
            sizes.add(f[0] + " " + mib(Long.parseLong(f[1])));
        }
        for (String row : db.strings("""
                SELECT n.nspname || '.' || c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind = 'r' AND n.nspname IN ('routes', 'metrics', 'latency', 'events')
                  AND pg_total_relation_size(c.oid) > 8 * 1024 * 1024 ORDER BY 2 DESC""")) {
            String[] f = row.split("\\|");
            sizes.add(f[0] + " " + mib(Long.parseLong(f[1])));
        }
        return sizes;
    }

    static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format("%.0f MiB", bytes / 1048576.0);
    }

    private String mint(Path state, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", "deploy/local/mint-token"));
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(dir, "mint", ".out");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(Local.repo().toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            pb.environment().put("PEERING_STATE_DIR", state.toString());
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("mint-token " + String.join(" ", args) + " did not finish in 60 s");
            }
            String output = Files.readString(out).strip();
            Files.delete(out);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("mint-token " + String.join(" ", args) + " failed:\n" + output);
            }
            String[] lines = output.split("\n");
            return lines[lines.length - 1].strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (ManagedChannel c : channels.values()) {
            c.shutdownNow();
        }
        for (ManagedChannel c : channels.values()) {
            try {
                c.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<String> reverse = new ArrayList<>(services.keySet());
        java.util.Collections.reverse(reverse);
        for (String s : reverse) {
            try {
                services.get(s).close();
            } catch (RuntimeException e) {
                System.err.println("[soak] stopping " + s + "-service: " + e);
            }
        }
        if (db != null) {
            db.close(); // stops the cluster and deletes its data; the service logs stay in dir
        }
        try {
            deleteTree(dir.resolve("jwt-state")); // the run's key pair
        } catch (IOException e) {
            System.err.println("[soak] deleting the run's key pair: " + e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
