package io.peering.deploy.soak;

import io.grpc.Status;
import io.peering.deploy.faults.Local;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A soak run, not a test: the four services from their built jars on a database of their own, with
 * authentication on, under sustained load of every kind at once for {@code soak.minutes} (default 5)
 * after a warm-up, printing what they sustained and what it cost.
 *
 * <ul>
 *   <li>BMP: two synthetic routers send their tables (2 x ({@code soak.tableRoutes} IPv4 + a tenth
 *   IPv6) routes of contoso-ams's ams-1 and ams-2, 256 customer routes, 1,000 of fabrikam-lon's lon-1),
 *   then churn at {@code soak.routeChangesPerSecond} (withdrawals, re-announcements, AS-path changes,
 *   some on contoso-web's prefixes) with a Peer Down/Up of lon-1 every {@code soak.peerFlapSeconds};
 *   see {@link RouteChurn}.</li>
 *   <li>Samples as a collector: IngestConnectionSamples at {@code soak.counterSamplesPerSecond} for the
 *   inventory's three connections, IngestLatencySamples at {@code soak.latencySamplesPerSecond} for its
 *   registered and customer prefixes; 10 messages a second, a stream every 10 s (see {@link SampleFeed}).</li>
 *   <li>Queries as contoso-ams's reader: {@code soak.queryThreads} threads of {@code soak.queriesPerSecond}
 *   each over ListReceivedRoutes (paged), QueryConnectionMetrics, QueryPeeringServiceAvailability,
 *   QueryPrefixLatency, QueryRegisteredAsnLatency and ListPrefixEvents, plus one WatchRouteChanges and
 *   one WatchPrefixEvents open throughout (see {@link QueryLoad}, {@link WatchConsumer}).</li>
 * </ul>
 *
 * Every caller stays under the default per-caller limits (peering.limits.*: 32 streams and 1,000 calls
 * plus stream messages a second per caller and service): the collector sends 10 messages a second per
 * service on one or two streams, the reader at most 4 x 2 calls a second (plus pages) and one Watch per
 * service, the services' own operator token two feeds on routes-service plus latency-service's
 * look-ups. The limits are not raised.
 *
 * <p>Why a private cluster (faults' PrivateCluster) rather than a throwaway database on the shared
 * one on 55432: the run writes without pause for minutes, and on the shared cluster it would slow the
 * other tests using it and be slowed by them in ways its figures could not show; its own cluster also
 * makes the database growth its own and goes away entirely at the end (a shutdown hook stops it even
 * if the run is killed). The cost: that cluster runs with fsync off and 128 MB of shared buffers, so
 * write costs are lower than on deploy/local's cluster (fsync on, 1 GB).
 *
 * <p>Asserted, only what the figures need to mean anything: no INTERNAL or UNKNOWN status anywhere,
 * every ingest kind stored within 10% of its target rate, the routers' BMP sessions never lost, both
 * Watch streams received items, every query kind answered, and the four services alive at the end.
 *
 * <p>Run: {@code ./mvnw -B -ntp -pl deploy/tests test -Dgroups=benchmark -DexcludedGroups=none
 * -Dtest=SoakBenchmark -Dsoak.minutes=5}. Figures and the last run's numbers: deploy/tests/SOAK.md.
 */
@Tag("benchmark")
class SoakBenchmark {

    static final double MINUTES = Double.parseDouble(System.getProperty("soak.minutes", "5"));
    static final int WARMUP_SECONDS = Integer.getInteger("soak.warmupSeconds", 30);
    static final int TABLE_V4 = Integer.getInteger("soak.tableRoutes", 50_000);
    static final double ROUTE_CHANGES = Double.parseDouble(System.getProperty("soak.routeChangesPerSecond", "500"));
    static final double COUNTER_SAMPLES = Double.parseDouble(System.getProperty("soak.counterSamplesPerSecond", "1000"));
    static final double LATENCY_SAMPLES = Double.parseDouble(System.getProperty("soak.latencySamplesPerSecond", "1000"));
    static final int QUERY_THREADS = Integer.getInteger("soak.queryThreads", 4);
    static final double QUERIES_PER_THREAD = Double.parseDouble(System.getProperty("soak.queriesPerSecond", "2"));
    static final int PEER_FLAP_SECONDS = Integer.getInteger("soak.peerFlapSeconds", 60);
    static final int REPORT_SECONDS = 30;
    static final long STREAM_SECONDS = 10;
    static final double TOLERANCE = 0.10;

    @Test
    void soak() throws Exception {
        Figures.Errors errors = new Figures.Errors();
        List<String> lines = new ArrayList<>();
        try (SoakStack stack = new SoakStack()) {
            log("starting the database and the four services in " + stack.dir);
            stack.start();
            String startLoad = loadAverage();
            RouteChurn churn = new RouteChurn(stack.bmpPorts, TABLE_V4, ROUTE_CHANGES, Duration.ofSeconds(PEER_FLAP_SECONDS));
            WatchConsumer routeWatch = new WatchConsumer.RouteChanges(stack, errors);
            WatchConsumer eventWatch = new WatchConsumer.PrefixEvents(stack, errors);
            SampleFeed<?, ?> counters = new SampleFeed.Counters(stack.channel("metrics"), stack.collectorToken, COUNTER_SAMPLES,
                    STREAM_SECONDS, errors);
            SampleFeed<?, ?> probes = new SampleFeed.Probes(stack.channel("latency"), stack.collectorToken, LATENCY_SAMPLES,
                    STREAM_SECONDS, errors);
            QueryLoad queries = new QueryLoad(stack, errors, churn.tableSixteens(), QUERY_THREADS, QUERIES_PER_THREAD);
            try {
                // ---- the routers' tables ------------------------------------------------------------
                log(String.format("routers connecting, tables of %,d routes", churn.tableRoutes()));
                long tableStart = System.nanoTime();
                churn.connect();
                Local.await(Duration.ofMinutes(15), "the routers' tables stored",
                        () -> churn.synced() && stack.db.count("SELECT count(*) FROM routes.adj_rib_in") >= churn.tableRoutes());
                double tableSeconds = (System.nanoTime() - tableStart) / 1e9;
                log(String.format("tables stored in %.1f s (%,.0f routes/s)", tableSeconds, churn.tableRoutes() / tableSeconds));

                // ---- everything at once: warm-up, then the measured window -------------------------------
                routeWatch.start();
                eventWatch.start();
                churn.startChurn();
                counters.start();
                probes.start();
                queries.start();
                log("load running; warm-up " + WARMUP_SECONDS + " s");
                Thread.sleep(WARMUP_SECONDS * 1000L);
                checkThreads(churn, counters, probes, queries);

                queries.resetDurations();
                routeWatch.reset();
                eventWatch.reset();
                Instant windowStart = Instant.now();
                long windowStartNanos = System.nanoTime();
                long churnStart = churn.churnSent();
                long skippedStart = churn.changesSkipped.get();
                long countersStart = counters.sent.get();
                long probesStart = probes.sent.get();
                long flapsStart = churn.flaps.get();
                long[] last = {churnStart, countersStart, probesStart, queries.calls(), errors.total(), windowStartNanos};
                Map<String, long[]> memory = new LinkedHashMap<>(); // service -> rss start, heap start, rss max, heap max, rss end, heap end
                List<String> processes = List.copyOf(stack.services.keySet());
                for (String s : processes) {
                    long rss = stack.residentBytes(s);
                    long heap = stack.heapUsedBytes(s);
                    memory.put(s, new long[] {rss, heap, rss, heap, -1, -1});
                }
                Figures.Durations replicaLag = new Figures.Durations(); // sampled each second, in the durations' nanoseconds
                Map<String, double[]> replicaReads = new LinkedHashMap<>(); // service -> queries read from the replica, from the primary
                for (String s : processes) {
                    replicaReads.put(s, readsByPool(stack, s));
                }
                long dbStart = stack.databaseBytes();
                String windowLoad = loadAverage();
                log(String.format("measuring for %.1f min from %s; memory at start: %s; database %s; load average %s", MINUTES,
                        windowStart, memoryLine(memory, 0, 1), SoakStack.mib(dbStart), windowLoad));

                long windowNanos = (long) (MINUTES * 60e9);
                long nextReport = windowStartNanos + REPORT_SECONDS * 1_000_000_000L;
                while (System.nanoTime() - windowStartNanos < windowNanos) {
                    Thread.sleep(Math.max(1, Math.min(1000, (windowStartNanos + windowNanos - System.nanoTime()) / 1_000_000)));
                    checkThreads(churn, counters, probes, queries);
                    if (SoakStack.READ_REPLICA) {
                        replicaLag.add(stack.replicaLagMillis() * 1_000_000L);
                    }
                    if (System.nanoTime() >= nextReport) {
                        nextReport += REPORT_SECONDS * 1_000_000_000L;
                        for (String s : processes) {
                            long[] m = memory.get(s);
                            m[2] = Math.max(m[2], stack.residentBytes(s));
                            m[3] = Math.max(m[3], stack.heapUsedBytes(s));
                        }
                        long now = System.nanoTime();
                        double secs = (now - last[5]) / 1e9;
                        long[] current = {churn.churnSent(), counters.sent.get(), probes.sent.get(), queries.calls(), errors.total(), now};
                        log(String.format("%s  route changes %,.0f/s (target %,.0f; queued %,d) | counter samples %,.0f/s | latency samples %,.0f/s"
                                        + " | query calls %,.1f/s | errors %,d | watched %,d changes, %,d events | %s | replica lag %d ms | load %s",
                                elapsed(now - windowStartNanos), (current[0] - last[0]) / secs, ROUTE_CHANGES, churn.pending(),
                                (current[1] - last[1]) / secs, (current[2] - last[2]) / secs, (current[3] - last[3]) / secs,
                                current[4], routeWatch.received.get(), eventWatch.received.get(), memoryNow(stack, processes),
                                stack.replicaLagMillis(), loadAverage()));
                        System.arraycopy(current, 0, last, 0, current.length);
                    }
                }
                Instant windowEnd = Instant.now();
                double window = (System.nanoTime() - windowStartNanos) / 1e9;
                long churnSent = churn.churnSent() - churnStart;
                long skipped = churn.changesSkipped.get() - skippedStart;
                long countersSent = counters.sent.get() - countersStart;
                long probesSent = probes.sent.get() - probesStart;
                long flaps = churn.flaps.get() - flapsStart;
                for (String s : processes) {
                    double[] reads = readsByPool(stack, s);
                    double[] before = replicaReads.get(s);
                    replicaReads.put(s, new double[] {reads[0] - before[0], reads[1] - before[1]});
                }
                for (String s : processes) {
                    long[] m = memory.get(s);
                    m[4] = stack.residentBytes(s);
                    m[5] = stack.heapUsedBytes(s);
                    m[2] = Math.max(m[2], m[4]);
                    m[3] = Math.max(m[3], m[5]);
                }
                String endLoad = loadAverage();

                // ---- stop the load, let what was sent arrive -------------------------------------------
                log("window over; stopping the load and letting what was sent be stored");
                queries.stop();
                churn.stopChurn();
                counters.stop();
                probes.stop();
                Local.await(Duration.ofMinutes(5), "the routers' queues written", () -> churn.pending() == 0);
                awaitStable(Duration.ofMinutes(5), () -> stack.db.count("SELECT last_seq FROM routes.log_positions WHERE log = 'route_changes'"));
                awaitStable(Duration.ofMinutes(2), () -> routeWatch.received.get() + eventWatch.received.get());
                routeWatch.close();
                eventWatch.close();
                boolean[] alive = new boolean[processes.size()];
                for (int i = 0; i < alive.length; i++) {
                    alive[i] = stack.alive(processes.get(i));
                }
                long dbEnd = stack.databaseBytes();
                List<String> hypertables = stack.hypertableSizes();

                // ---- what was stored in the window, from the database ------------------------------
                String from = windowStart.toString();
                String to = windowEnd.toString();
                long churnStored = stack.db.count("SELECT count(*) FROM routes.route_changes WHERE time >= ?::timestamptz AND time < ?::timestamptz"
                        + " AND peer_address IN ('127.0.0.11', '127.0.0.12')", from, to);
                long allChanges = stack.db.count("SELECT count(*) FROM routes.route_changes WHERE time >= ?::timestamptz AND time < ?::timestamptz",
                        from, to);
                long countersStored = stack.db.count("SELECT count(*) FROM metrics.connection_samples WHERE time >= ?::timestamptz"
                        + " AND time < ?::timestamptz", from, to);
                long probesStored = stack.db.count("SELECT count(*) FROM latency.samples WHERE time >= ?::timestamptz AND time < ?::timestamptz",
                        from, to);
                long eventsStored = stack.db.count("SELECT count(*) FROM events.prefix_events WHERE time >= ?::timestamptz"
                        + " AND time < ?::timestamptz", from, to);
                long transitions = stack.db.count("SELECT count(*) FROM metrics.session_transitions WHERE time >= ?::timestamptz"
                        + " AND time < ?::timestamptz", from, to);

                // ---- the figures ----------------------------------------------------------------------
                lines.add(String.format("== soak: %.1f min measured after %d s of warm-up (%s .. %s); %d routes-service replica(s)%s ==",
                        window / 60, WARMUP_SECONDS, windowStart.truncatedTo(ChronoUnit.SECONDS), windowEnd.truncatedTo(ChronoUnit.SECONDS),
                        SoakStack.COLLECTORS, SoakStack.READ_REPLICA ? ", queries read from a streaming replica" : ""));
                lines.add(String.format("machine: %d cores; load average (1/5/15 min) at the services' start %s, at the window's start %s,"
                        + " at its end %s", Runtime.getRuntime().availableProcessors(), startLoad, windowLoad, endLoad));
                lines.add(String.format("tables: %,d routes stored in %.1f s (%,.0f routes/s)", churn.tableRoutes(), tableSeconds,
                        churn.tableRoutes() / tableSeconds));
                lines.add("ingest (stored in the window / target):");
                lines.add(String.format("  BMP route changes (ams-1, ams-2): %,.1f/s of %,.0f/s target (%.1f%%); router sent %,.1f/s,"
                                + " %,d not made because the router's queue was full; all peers incl. %d Peer Down/Up of lon-1: %,.1f/s",
                        churnStored / window, ROUTE_CHANGES, 100 * churnStored / window / ROUTE_CHANGES, churnSent / window, skipped, flaps,
                        allChanges / window));
                lines.add(String.format("  IngestConnectionSamples: %,.1f samples/s of %,.0f/s target (%.1f%%); sent %,.1f/s; rejected %,d%s",
                        countersStored / window, COUNTER_SAMPLES, 100 * countersStored / window / COUNTER_SAMPLES, countersSent / window,
                        counters.rejected.get(), counters.firstRejection.isEmpty() ? "" : " (first: " + counters.firstRejection + ")"));
                lines.add(String.format("  IngestLatencySamples: %,.1f samples/s of %,.0f/s target (%.1f%%); sent %,.1f/s; rejected %,d%s",
                        probesStored / window, LATENCY_SAMPLES, 100 * probesStored / window / LATENCY_SAMPLES, probesSent / window,
                        probes.rejected.get(), probes.firstRejection.isEmpty() ? "" : " (first: " + probes.firstRejection + ")"));
                lines.add(String.format("  derived in the window: %,d prefix events (events-service), %,d session transitions (metrics-service)",
                        eventsStored, transitions));
                lines.add(String.format("queries (%d threads x %.1f/s as contoso's reader), per call:", QUERY_THREADS, QUERIES_PER_THREAD));
                for (String rpc : QueryLoad.RPCS) {
                    lines.add(String.format("  %-42s %s", rpc, queries.durations.get(rpc).summary()));
                }
                lines.add(String.format("  (%,d routes and %,d events listed)", queries.routesListed.get(), queries.eventsListed.get()));
                lines.add("  p99 by minute of the window:");
                for (String rpc : QueryLoad.RPCS) {
                    lines.add(String.format("    %-40s %s", rpc, queries.p99ByMinute(rpc)));
                }
                lines.add(String.format("watch: WatchRouteChanges %,d changes in %,d messages, lag router time -> here %s",
                        routeWatch.received.get(), routeWatch.messages.get(), routeWatch.lag.summary()));
                lines.add(String.format("       WatchPrefixEvents %,d events in %,d messages, lag router time -> here %s",
                        eventWatch.received.get(), eventWatch.messages.get(), eventWatch.lag.summary()));
                lines.add("errors by RPC and status (whole run, warm-up included):");
                lines.add(errors.describe());
                if (SoakStack.READ_REPLICA) {
                    lines.add(String.format("read replica: replay lag (pg_stat_replication on the primary, sampled each second) %s",
                            replicaLag.summary()));
                    StringBuilder reads = new StringBuilder("  query reads in the window from the replica / the primary (peering_db_read_queries_total):");
                    replicaReads.forEach((s, r) -> reads.append(String.format(" %s %,.0f / %,.0f;", s, r[0], r[1])));
                    lines.add(reads.toString());
                }
                lines.add("memory (VmRSS; JVM heap used from /q/metrics), window start -> end (max seen):");
                for (String s : processes) {
                    long[] m = memory.get(s);
                    lines.add(String.format("  %-8s RSS %s -> %s (max %s); heap %s -> %s (max %s)", s, SoakStack.mib(m[0]), SoakStack.mib(m[4]),
                            SoakStack.mib(m[2]), SoakStack.mib(m[1]), SoakStack.mib(m[5]), SoakStack.mib(m[3])));
                }
                lines.add(String.format("database: %s -> %s (+%s, %s/min); largest: %s", SoakStack.mib(dbStart), SoakStack.mib(dbEnd),
                        SoakStack.mib(dbEnd - dbStart), SoakStack.mib((long) ((dbEnd - dbStart) / (window / 60))),
                        String.join(", ", hypertables.subList(0, Math.min(6, hypertables.size())))));
                lines.add(String.format("BMP sessions: %d opened, %d lost%s", churn.sessionsOpened(), churn.sessionsLost(),
                        churn.sessionsLost() > 0 ? " (" + churn.lastLoss() + ")" : ""));
                StringBuilder services = new StringBuilder("services alive at the end:");
                for (int i = 0; i < alive.length; i++) {
                    services.append(' ').append(processes.get(i)).append(alive[i] ? " yes" : " NO");
                }
                lines.add(services.toString());
                System.out.println();
                lines.forEach(System.out::println);
                writeFigures(lines);

                // ---- what must hold for the figures to mean anything ----------------------------------
                assertThat(errors.count(Status.Code.INTERNAL) + errors.count(Status.Code.UNKNOWN))
                        .as("calls ending in INTERNAL or UNKNOWN:\n" + errors.describe()).isZero();
                assertThat(churnStored / window).as("route changes stored per second").isCloseTo(ROUTE_CHANGES,
                        org.assertj.core.data.Percentage.withPercentage(TOLERANCE * 100));
                assertThat(countersStored / window).as("counter samples stored per second").isCloseTo(COUNTER_SAMPLES,
                        org.assertj.core.data.Percentage.withPercentage(TOLERANCE * 100));
                assertThat(probesStored / window).as("latency samples stored per second").isCloseTo(LATENCY_SAMPLES,
                        org.assertj.core.data.Percentage.withPercentage(TOLERANCE * 100));
                assertThat(churn.sessionsLost()).as("BMP sessions lost (" + churn.lastLoss() + ")").isZero();
                assertThat(routeWatch.received.get()).as("route changes received over WatchRouteChanges").isPositive();
                assertThat(eventWatch.received.get()).as("events received over WatchPrefixEvents").isPositive();
                for (String rpc : QueryLoad.RPCS) {
                    assertThat(queries.durations.get(rpc).count()).as(rpc + " calls answered in the window").isPositive();
                }
                for (int i = 0; i < alive.length; i++) {
                    assertThat(alive[i]).as(processes.get(i) + " alive at the end").isTrue();
                }
            } finally {
                queries.stop();
                churn.close();
                routeWatch.close();
                eventWatch.close();
                counters.stop();
                probes.stop();
            }
        }
    }

    /** Fails at once when a load thread died: the figures would be of less load than they say. */
    private static void checkThreads(RouteChurn churn, SampleFeed<?, ?> counters, SampleFeed<?, ?> probes, QueryLoad queries) {
        for (Throwable t : new Throwable[] {churn.crashed, counters.crashed, probes.crashed, queries.crashed}) {
            if (t != null) {
                throw new AssertionError("a load thread failed: " + t, t);
            }
        }
    }

    /** Waits until the value stops changing for 2 s. */
    private static void awaitStable(Duration timeout, java.util.function.LongSupplier value) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long previous = value.getAsLong();
        while (System.nanoTime() < deadline) {
            Thread.sleep(2000);
            long current = value.getAsLong();
            if (current == previous) {
                return;
            }
            previous = current;
        }
    }

    private static String memoryLine(Map<String, long[]> memory, int rss, int heap) {
        List<String> parts = new ArrayList<>();
        memory.forEach((s, m) -> parts.add(s + " RSS " + SoakStack.mib(m[rss]) + " heap " + SoakStack.mib(m[heap])));
        return String.join(", ", parts);
    }

    /** "RSS/heap MiB r 325/120 m 300/90 ..." of every process now. */
    private static String memoryNow(SoakStack stack, List<String> processes) {
        List<String> parts = new ArrayList<>();
        for (String s : processes) {
            String label = s.startsWith("routes-") ? "r" + s.substring("routes-".length()) : s.substring(0, 1);
            parts.add(label + " " + SoakStack.mib(stack.residentBytes(s)).replace(" MiB", "") + "/" + SoakStack.mib(stack.heapUsedBytes(s)).replace(" MiB", ""));
        }
        return "RSS/heap MiB " + String.join(" ", parts);
    }

    /** The service's query reads so far: {from the replica, from the primary} (0 where the counter is absent). */
    private static double[] readsByPool(SoakStack stack, String service) {
        return new double[] {Math.max(0, stack.metricSum(service, "peering_db_read_queries_total{", "pool=\"replica\"")),
                Math.max(0, stack.metricSum(service, "peering_db_read_queries_total{", "pool=\"primary\""))};
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "n/a";
        }
    }

    private static String elapsed(long nanos) {
        long s = nanos / 1_000_000_000L;
        return String.format("%d:%02d", s / 60, s % 60);
    }

    private static void log(String line) {
        System.out.println("[soak " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "] " + line);
    }

    /** The figures also go to target/soak-figures.txt, for copying into SOAK.md. */
    private static void writeFigures(List<String> lines) {
        try {
            Files.write(Local.repo().resolve("deploy/tests/target/soak-figures.txt"), lines);
        } catch (IOException e) {
            System.err.println("[soak] writing target/soak-figures.txt: " + e);
        }
    }
}
