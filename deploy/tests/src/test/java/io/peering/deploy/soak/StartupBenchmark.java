package io.peering.deploy.soak;

import io.peering.deploy.faults.Bmp.Peer;
import io.peering.deploy.faults.Bmp.Route;
import io.peering.deploy.faults.Local;
import io.peering.deploy.faults.PrivateCluster;
import io.peering.deploy.faults.ServiceProcess;
import io.peering.deploy.faults.SyntheticRouter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The four services' JVM start-up and memory (issue 14): per service, the time from starting the process
 * to /q/health/ready answering 200, and its resident memory (VmRSS) idle and after routes-service stored a
 * full table of 1,000,000 IPv4 + 200,000 IPv6 routes from a synthetic BMP router (metrics and events follow
 * its change log; the table's time is printed too, so a set-up's cost to ingest shows). JVM set-ups, each on
 * a fresh private cluster: Java 17, Java 17 with an AppCDS archive, Temurin 25, Temurin 25 with a JEP 483 AOT
 * cache, and that with C1 only and a 128 MiB heap (-XX:TieredStopAtLevel=1: no C2 compiler thread competing
 * with the start for a small machine's cores). The schema is migrated first, by a migration run per service
 * (PEERING_MIGRATE=true QUARKUS_INIT_AND_EXIT=true, its time printed); the measured starts run with PEERING_MIGRATE=false, as a
 * deployment that migrates once before a rollout does. An archive or cache is written by a training run of
 * the same service (start, ready, SIGTERM); then {@code startup.starts} measured starts (median printed).
 * All JVMs with {@code -XX:+UseSerialGC} and {@code startup.jvmOptions} (default -Xmx512m);
 * {@code startup.setups} picks set-ups by a part of their name (comma-separated).
 *
 * <pre>./mvnw -B -pl deploy/tests test -Dgroups=benchmark -DexcludedGroups=none -Dtest=StartupBenchmark</pre>
 */
@Tag("benchmark")
class StartupBenchmark {

    static final List<String> SERVICES = List.of("routes-service", "metrics-service", "latency-service", "events-service");
    static final int IPV4_ROUTES = Integer.getInteger("startup.ipv4Routes", 1_000_000);
    static final int IPV6_ROUTES = Integer.getInteger("startup.ipv6Routes", 200_000);
    static final int STARTS = Integer.getInteger("startup.starts", 3);
    static final String JAVA_17 = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
    static final String JAVA_25 = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";
    static final Peer PEER = new Peer("127.0.0.11", 64500);
    static final String ROUTER = "127.0.0.240";
    static final List<String> JVM_OPTIONS = List.of(System.getProperty("startup.jvmOptions", "-Xmx512m").trim().split("\\s+"));
    static final List<String> PICKED = List.of(System.getProperty("startup.setups", "").split(","));

    /** A JVM set-up: its name, the command of a measured start and of a training run, per service. */
    record Setup(String name, String java, Function<Path, List<String>> measured, Function<Path, List<String>> training) {
    }

    record Figures(String setup, String service, Duration migration, List<Duration> starts, long idleRss, long loadedRss,
                   Duration tableStored) {
        Duration median() {
            return starts.stream().sorted().toList().get(starts.size() / 2);
        }
    }

    @Test
    void timeToReadyAndResidentMemoryOnJava17And25WithAndWithoutClassArchives() throws Exception {
        List<Setup> setups = List.of(
                new Setup("Java 17", JAVA_17, archive -> List.of(), null),
                new Setup("Java 17 + AppCDS", JAVA_17, archive -> List.of("-XX:SharedArchiveFile=" + archive + ".jsa"),
                        archive -> List.of("-XX:ArchiveClassesAtExit=" + archive + ".jsa")),
                new Setup("Temurin 25", JAVA_25, archive -> List.of(), null),
                new Setup("Temurin 25 + AOT cache", JAVA_25, archive -> List.of("-XX:AOTCache=" + archive + ".aot"),
                        archive -> List.of("-XX:AOTCacheOutput=" + archive + ".aot")),
                // the small set-up: no C2 (a start without compiler threads competing for the cores) and a 128 MiB heap
                // (the last -Xmx wins over startup.jvmOptions')
                new Setup("Temurin 25 + AOT + C1 + 128 MiB heap", JAVA_25,
                        archive -> List.of("-XX:AOTCache=" + archive + "-c1.aot", "-XX:TieredStopAtLevel=1", "-Xmx128m"),
                        archive -> List.of("-XX:AOTCacheOutput=" + archive + "-c1.aot", "-XX:TieredStopAtLevel=1", "-Xmx128m")));
        List<Figures> figures = new ArrayList<>();
        for (Setup setup : setups) {
            if (PICKED.stream().noneMatch(part -> setup.name().contains(part))) {
                continue;
            }
            if (!Files.isExecutable(Path.of(setup.java()))) {
                System.out.printf("%s: %s is missing, not measured%n", setup.name(), setup.java());
                continue;
            }
            figures.addAll(measure(setup));
            print(figures);
        }
        assertThat(figures).as("at least one JVM set-up measured").isNotEmpty();
    }

    private List<Figures> measure(Setup setup) throws Exception {
        Path dir = Local.workDir("startup-" + setup.name().replaceAll("[^A-Za-z0-9]+", "-"));
        Map<String, Duration> migrations = new LinkedHashMap<>();
        Map<String, List<Duration>> starts = new LinkedHashMap<>();
        Map<String, ServiceProcess> running = new LinkedHashMap<>();
        try (PrivateCluster db = PrivateCluster.start(dir)) {
            Map<String, String> environment = new HashMap<>(db.serviceEnvironment());
            for (String service : SERVICES) {
                migrations.put(service, ServiceProcess.migrate(service, dir, environment, jvm(setup, List.of())));
            }
            environment.put("PEERING_MIGRATE", "false");
            int bmpPort = Local.freePort();
            Map<String, String> routesEnvironment = new HashMap<>(environment);
            routesEnvironment.put("PEERING_BMP_HOST", "127.0.0.1");
            routesEnvironment.put("PEERING_BMP_PORT", String.valueOf(bmpPort));
            try {
                // routes-service first, unmeasured (the training run of an archive set-up): the others follow its feed
                ServiceProcess first = ServiceProcess.start("routes-service", dir, routesEnvironment,
                        jvm(setup, setup.training() == null ? List.of() : setup.training().apply(dir.resolve("routes-service"))));
                environment.put("PEERING_ROUTES_HOST", "127.0.0.1");
                environment.put("PEERING_ROUTES_PORT", String.valueOf(first.port()));
                for (String service : SERVICES.subList(1, SERVICES.size())) {
                    Path archive = dir.resolve(service);
                    if (setup.training() != null) {
                        ServiceProcess training = ServiceProcess.start(service, dir, environment, jvm(setup, setup.training().apply(archive)));
                        training.stop();
                        training.close();
                    }
                    starts.put(service, startsOf(service, dir, environment, setup, archive, running));
                }
                // routes-service last: restarting it is what its followers survive anyway
                first.stop();
                first.close();
                starts.put("routes-service", startsOf("routes-service", dir, routesEnvironment, setup, dir.resolve("routes-service"),
                        running));
                Thread.sleep(10_000);
                Map<String, Long> idle = new LinkedHashMap<>();
                running.forEach((service, process) -> idle.put(service, process.residentBytes()));
                Duration tableStored = loadFullTable(db, bmpPort);
                Map<String, Long> loaded = new LinkedHashMap<>();
                running.forEach((service, process) -> loaded.put(service, process.residentBytes()));
                List<Figures> figures = new ArrayList<>();
                for (String service : SERVICES) {
                    figures.add(new Figures(setup.name(), service, migrations.get(service), starts.get(service), idle.get(service),
                            loaded.get(service), service.equals("routes-service") ? tableStored : null));
                }
                return figures;
            } finally {
                running.values().forEach(ServiceProcess::close);
            }
        }
    }

    /** STARTS measured starts; the last one stays running (in {@code running}). */
    private static List<Duration> startsOf(String service, Path dir, Map<String, String> environment, Setup setup, Path archive,
                                           Map<String, ServiceProcess> running) {
        if (setup.training() != null) {
            Path written = Path.of(setup.training().apply(archive).get(0).replaceAll("^-XX:[A-Za-z]+=", ""));
            assertThat(written).as("the class archive the training run of %s wrote", service).isNotEmptyFile();
        }
        List<Duration> times = new ArrayList<>();
        for (int i = 0; i < STARTS; i++) {
            ServiceProcess process = ServiceProcess.start(service, dir, environment, jvm(setup, setup.measured().apply(archive)));
            times.add(process.readyAfter());
            if (i < STARTS - 1) {
                process.stop();
                process.close();
            } else {
                running.put(service, process);
            }
        }
        return times;
    }

    private static List<String> jvm(Setup setup, List<String> options) {
        List<String> command = new ArrayList<>(List.of(setup.java(), "-XX:+UseSerialGC"));
        command.addAll(JVM_OPTIONS);
        command.addAll(options); // after JVM_OPTIONS: a set-up's own -Xmx wins
        return command;
    }

    /**
     * A full table from one peer over BMP, until routes-service has stored every route (that time is returned), then
     * 15 s for the followers.
     */
    private static Duration loadFullTable(PrivateCluster db, int bmpPort) throws InterruptedException {
        List<Route> routes = new ArrayList<>(IPV4_ROUTES + IPV6_ROUTES);
        for (int i = 0; i < IPV4_ROUTES; i++) {
            int a = 0x10000000 + (i << 8);
            routes.add(new Route(((a >>> 24) & 0xFF) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + ".0/24",
                    List.of(64500L, 64512L + i % 400), PEER.address()));
        }
        for (int i = 0; i < IPV6_ROUTES; i++) {
            routes.add(new Route("2a00:" + Integer.toHexString(i >>> 16) + ":" + Integer.toHexString(i & 0xFFFF) + "::/48",
                    List.of(64500L, 64512L + i % 400), "fd00:64:500::11"));
        }
        long total = routes.size();
        try (SyntheticRouter router = new SyntheticRouter(ROUTER, bmpPort)) {
            long started = System.nanoTime();
            router.peer(PEER, routes).start();
            routes = null;
            Local.await(Duration.ofMinutes(15), total + " routes stored",
                    () -> db.count("SELECT count(*) FROM routes.adj_rib_in WHERE router = '" + ROUTER + "'"), n -> n == total);
            Duration stored = Duration.ofNanos(System.nanoTime() - started);
            Thread.sleep(15_000);
            return stored;
        }
    }

    private static void print(List<Figures> figures) {
        StringBuilder out = new StringBuilder(String.format("%n%-28s %-16s %14s %-28s %10s %12s %12s%n", "JVM", "service",
                "migration run", "start to ready (ms), median", "RSS idle", "RSS loaded", "table in"));
        for (Figures f : figures) {
            out.append(String.format("%-28s %-16s %14s %-28s %10s %12s %12s%n", f.setup(), f.service(),
                    f.migration().toMillis() + " ms",
                    f.median().toMillis() + " " + f.starts().stream().map(d -> String.valueOf(d.toMillis())).toList(),
                    SoakStack.mib(f.idleRss()), SoakStack.mib(f.loadedRss()),
                    f.tableStored() == null ? "" : String.format("%.1f s", f.tableStored().toMillis() / 1000.0)));
        }
        out.append(String.format("(%,d IPv4 + %,d IPv6 routes; -XX:+UseSerialGC %s; load average %s)%n", IPV4_ROUTES,
                IPV6_ROUTES, String.join(" ", JVM_OPTIONS), SoakBenchmark.loadAverage()));
        System.out.print(out);
    }
}
