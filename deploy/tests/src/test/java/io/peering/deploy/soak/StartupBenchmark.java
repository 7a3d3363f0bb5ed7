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
 * its change log). Four JVM set-ups, each on a fresh private cluster: Java 17, Java 17 with an AppCDS
 * archive, Temurin 25, Temurin 25 with a JEP 483 AOT cache. An archive or cache is written by a training
 * run of the same service (start, ready, SIGTERM); every set-up has one unmeasured start first (it runs
 * the Flyway migrations), then {@code startup.starts} measured starts (median printed). All JVMs with the
 * options the other deploy tests use: -Xmx512m -XX:+UseSerialGC.
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

    /** A JVM set-up: its name, the command of a measured start and of a training run, per service. */
    record Setup(String name, String java, Function<Path, List<String>> measured, Function<Path, List<String>> training) {
    }

    record Figures(String setup, String service, List<Duration> starts, long idleRss, long loadedRss) {
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
                        archive -> List.of("-XX:AOTCacheOutput=" + archive + ".aot")));
        List<Figures> figures = new ArrayList<>();
        for (Setup setup : setups) {
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
        Map<String, List<Duration>> starts = new LinkedHashMap<>();
        Map<String, ServiceProcess> running = new LinkedHashMap<>();
        try (PrivateCluster db = PrivateCluster.start(dir)) {
            Map<String, String> environment = new HashMap<>(db.serviceEnvironment());
            int bmpPort = Local.freePort();
            environment.put("PEERING_BMP_HOST", "127.0.0.1");
            environment.put("PEERING_BMP_PORT", String.valueOf(bmpPort));
            try {
                for (String service : SERVICES) {
                    Path archive = dir.resolve(service);
                    // unmeasured: the first start migrates the schema; with an archive set-up it is the training run
                    ServiceProcess first = ServiceProcess.start(service, dir, environment,
                            jvm(setup, setup.training() == null ? List.of() : setup.training().apply(archive)));
                    if (service.equals("routes-service")) {
                        environment.put("PEERING_ROUTES_HOST", "127.0.0.1");
                        environment.put("PEERING_ROUTES_PORT", String.valueOf(first.port()));
                        environment.remove("PEERING_BMP_HOST");
                        environment.remove("PEERING_BMP_PORT");
                        running.put(service, first);
                        continue; // the others follow it: it stays up, measured below once they are measured
                    }
                    first.stop();
                    first.close();
                    starts.put(service, startsOf(service, dir, environment, setup, archive, running));
                }
                // routes-service last: the others follow its feed; restarting it is what they survive anyway
                ServiceProcess routes = running.remove("routes-service");
                routes.stop();
                routes.close();
                Map<String, String> routesEnvironment = new HashMap<>(environment);
                routesEnvironment.remove("PEERING_ROUTES_HOST");
                routesEnvironment.remove("PEERING_ROUTES_PORT");
                routesEnvironment.put("PEERING_BMP_HOST", "127.0.0.1");
                routesEnvironment.put("PEERING_BMP_PORT", String.valueOf(bmpPort));
                starts.put("routes-service", startsOf("routes-service", dir, routesEnvironment, setup, dir.resolve("routes-service"),
                        running));
                Thread.sleep(10_000);
                Map<String, Long> idle = new LinkedHashMap<>();
                running.forEach((service, process) -> idle.put(service, process.residentBytes()));
                loadFullTable(db, bmpPort);
                Map<String, Long> loaded = new LinkedHashMap<>();
                running.forEach((service, process) -> loaded.put(service, process.residentBytes()));
                List<Figures> figures = new ArrayList<>();
                for (String service : SERVICES) {
                    figures.add(new Figures(setup.name(), service, starts.get(service), idle.get(service), loaded.get(service)));
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
        List<String> command = new ArrayList<>(List.of(setup.java(), "-Xmx512m", "-XX:+UseSerialGC"));
        command.addAll(options);
        return command;
    }

    /** A full table from one peer over BMP, until routes-service has stored every route, then 15 s for the followers. */
    private static void loadFullTable(PrivateCluster db, int bmpPort) throws InterruptedException {
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
            router.peer(PEER, routes).start();
            routes = null;
            Local.await(Duration.ofMinutes(15), total + " routes stored",
                    () -> db.count("SELECT count(*) FROM routes.adj_rib_in WHERE router = '" + ROUTER + "'"), n -> n == total);
            Thread.sleep(15_000);
        }
    }

    private static void print(List<Figures> figures) {
        StringBuilder out = new StringBuilder(String.format("%n%-24s %-16s %-28s %10s %12s%n", "JVM", "service",
                "start to ready (ms), median", "RSS idle", "RSS loaded"));
        for (Figures f : figures) {
            out.append(String.format("%-24s %-16s %-28s %10s %12s%n", f.setup(), f.service(),
                    f.median().toMillis() + " " + f.starts().stream().map(d -> String.valueOf(d.toMillis())).toList(),
                    SoakStack.mib(f.idleRss()), SoakStack.mib(f.loadedRss())));
        }
        out.append(String.format("(%,d IPv4 + %,d IPv6 routes; -Xmx512m -XX:+UseSerialGC; load average %s)%n", IPV4_ROUTES,
                IPV6_ROUTES, SoakBenchmark.loadAverage()));
        System.out.print(out);
    }
}
