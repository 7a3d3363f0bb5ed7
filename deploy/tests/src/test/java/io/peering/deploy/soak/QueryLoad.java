package io.peering.deploy.soak;

import io.grpc.StatusRuntimeException;
import io.peering.common.v1.TimeGrain;
import io.peering.common.v1.TimeRange;
import io.peering.events.v1.EventsServiceGrpc;
import io.peering.events.v1.ListPrefixEventsRequest;
import io.peering.events.v1.ListPrefixEventsResponse;
import io.peering.latency.v1.LatencyServiceGrpc;
import io.peering.latency.v1.QueryPrefixLatencyRequest;
import io.peering.latency.v1.QueryRegisteredAsnLatencyRequest;
import io.peering.metrics.v1.MetricsServiceGrpc;
import io.peering.metrics.v1.QueryConnectionMetricsRequest;
import io.peering.metrics.v1.QueryPeeringServiceAvailabilityRequest;
import io.peering.routes.v1.ListReceivedRoutesRequest;
import io.peering.routes.v1.ListReceivedRoutesResponse;
import io.peering.routes.v1.PrefixMatch;
import io.peering.routes.v1.RoutesServiceGrpc;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Readers querying while everything else runs: {@code threads} threads as contoso-ams's reader
 * (AS64500), each making {@code perThread} queries a second in turn over six kinds (closed loop: a
 * slow answer delays that thread's next query). A "query" of ListReceivedRoutes pages through one
 * /16 of the table (both peers' routes, 100 a page); ListPrefixEvents reads up to two pages. Every
 * call's duration is recorded under its RPC.
 */
final class QueryLoad {

    static final List<String> RPCS = List.of("routes.ListReceivedRoutes", "metrics.QueryConnectionMetrics",
            "metrics.QueryPeeringServiceAvailability", "latency.QueryPrefixLatency", "latency.QueryRegisteredAsnLatency",
            "events.ListPrefixEvents");
    static final List<String> METRICS = List.of("SessionAvailabilityV4", "SessionAvailabilityV6", "IngressTrafficRate",
            "EgressTrafficRate", "FlapCounts", "PacketDropRate");
    static final long DEADLINE_SECONDS = 30;

    final Map<String, Figures.Durations> durations = new LinkedHashMap<>();
    /** The same durations by minute of the window (since {@link #resetDurations}), to show whether they stay flat. */
    final Map<String, Map<Integer, Figures.Durations>> byMinute = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile long windowStartNanos = System.nanoTime();
    final Map<String, AtomicLong> answered = new LinkedHashMap<>();
    final AtomicLong routesListed = new AtomicLong();
    final AtomicLong eventsListed = new AtomicLong();
    private final SoakStack stack;
    private final Figures.Errors errors;
    private final List<String> sixteens;
    private final int threads;
    private final double perThread;
    private final List<Thread> running = new ArrayList<>();
    private volatile boolean stopping;
    volatile Throwable crashed;

    QueryLoad(SoakStack stack, Figures.Errors errors, List<String> sixteens, int threads, double perThread) {
        this.stack = stack;
        this.errors = errors;
        this.sixteens = sixteens;
        this.threads = threads;
        this.perThread = perThread;
        for (String rpc : RPCS) {
            durations.put(rpc, new Figures.Durations());
            answered.put(rpc, new AtomicLong());
        }
    }

    void start() {
        for (int t = 0; t < threads; t++) {
            int first = t;
            Thread thread = new Thread(() -> run(first), "soak-queries-" + t);
            thread.setDaemon(true);
            thread.start();
            running.add(thread);
        }
    }

    void stop() throws InterruptedException {
        stopping = true;
        for (Thread t : running) {
            t.join(DEADLINE_SECONDS * 1000 * 3);
        }
    }

    /** Forgets the durations recorded so far (the warm-up's). */
    void resetDurations() {
        durations.values().forEach(Figures.Durations::reset);
        byMinute.clear();
        windowStartNanos = System.nanoTime();
    }

    /** p99 of each minute of the window, "1: 12.3, 2: 15.0, ... ms". */
    String p99ByMinute(String rpc) {
        Map<Integer, Figures.Durations> minutes = new java.util.TreeMap<>(byMinute.getOrDefault(rpc, Map.of()));
        StringBuilder line = new StringBuilder();
        minutes.forEach((minute, d) -> {
            double[] p = d.percentilesMillis();
            if (p != null) {
                line.append(line.isEmpty() ? "" : ", ").append(minute + 1).append(": ").append(String.format("%.1f", p[2]));
            }
        });
        return line.isEmpty() ? "no samples" : line + " ms";
    }

    long calls() {
        return answered.values().stream().mapToLong(AtomicLong::get).sum();
    }

    private void run(int first) {
        SplittableRandom random = new SplittableRandom(first);
        long interval = (long) (1e9 / perThread);
        long next = System.nanoTime();
        try {
            for (int k = first; !stopping; k++) {
                String kind = RPCS.get(k % RPCS.size());
                try {
                    query(kind, random);
                } catch (StatusRuntimeException e) {
                    errors.add(kind, e);
                }
                next += interval;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } else {
                    next = System.nanoTime(); // behind: do not try to catch up with a burst
                }
            }
        } catch (InterruptedException e) {
            // stopped
        } catch (Throwable t) {
            crashed = t;
        }
    }

    private void query(String kind, SplittableRandom random) {
        String token = stack.readerToken;
        Instant now = Instant.now();
        switch (kind) {
            case "routes.ListReceivedRoutes" -> {
                var stub = SoakStack.withToken(RoutesServiceGrpc.newBlockingStub(stack.channel("routes")), token);
                ListReceivedRoutesRequest request = ListReceivedRoutesRequest.newBuilder().setParent("peerings/contoso-ams")
                        .setPrefix(sixteens.get(random.nextInt(sixteens.size()))).setPrefixMatch(PrefixMatch.PREFIX_MATCH_OR_LONGER)
                        .setPageSize(100).build();
                String pageToken = "";
                do {
                    ListReceivedRoutesRequest page = request.toBuilder().setPageToken(pageToken).build();
                    ListReceivedRoutesResponse r = timed(kind, () -> stub.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                            .listReceivedRoutes(page));
                    routesListed.addAndGet(r.getRoutesCount());
                    pageToken = r.getNextPageToken();
                } while (!pageToken.isEmpty() && !stopping);
            }
            case "metrics.QueryConnectionMetrics" -> {
                var stub = SoakStack.withToken(MetricsServiceGrpc.newBlockingStub(stack.channel("metrics")), token);
                QueryConnectionMetricsRequest request = QueryConnectionMetricsRequest.newBuilder()
                        .setResource(random.nextBoolean() ? "peerings/contoso-ams/connections/ams-1" : "peerings/contoso-ams")
                        .addAllMetrics(METRICS).setTimeRange(range(now, Duration.ofMinutes(15)))
                        .setTimeGrain(TimeGrain.TIME_GRAIN_PT1M).build();
                timed(kind, () -> stub.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).queryConnectionMetrics(request));
            }
            case "metrics.QueryPeeringServiceAvailability" -> {
                var stub = SoakStack.withToken(MetricsServiceGrpc.newBlockingStub(stack.channel("metrics")), token);
                QueryPeeringServiceAvailabilityRequest request = QueryPeeringServiceAvailabilityRequest.newBuilder()
                        .setPeeringService("peeringServices/contoso-web").setTimeRange(range(now, Duration.ofHours(1)))
                        .setTimeGrain(TimeGrain.TIME_GRAIN_PT5M).build();
                timed(kind, () -> stub.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).queryPeeringServiceAvailability(request));
            }
            case "latency.QueryPrefixLatency" -> {
                var stub = SoakStack.withToken(LatencyServiceGrpc.newBlockingStub(stack.channel("latency")), token);
                QueryPrefixLatencyRequest request = QueryPrefixLatencyRequest.newBuilder()
                        .setPrefix(random.nextBoolean() ? "198.51.100.0/24" : "2001:db8:100::/48")
                        .setTimeRange(range(now, Duration.ofMinutes(15))).setTimeGrain(TimeGrain.TIME_GRAIN_PT1M).build();
                timed(kind, () -> stub.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).queryPrefixLatency(request));
            }
            case "latency.QueryRegisteredAsnLatency" -> {
                var stub = SoakStack.withToken(LatencyServiceGrpc.newBlockingStub(stack.channel("latency")), token);
                QueryRegisteredAsnLatencyRequest request = QueryRegisteredAsnLatencyRequest.newBuilder()
                        .setName("peerings/contoso-ams/registeredAsns/contoso-customer")
                        .setTimeRange(range(now, Duration.ofMinutes(15))).setTimeGrain(TimeGrain.TIME_GRAIN_PT1M).build();
                timed(kind, () -> stub.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).queryRegisteredAsnLatency(request));
            }
            case "events.ListPrefixEvents" -> {
                var stub = SoakStack.withToken(EventsServiceGrpc.newBlockingStub(stack.channel("events")), token);
                ListPrefixEventsRequest request = ListPrefixEventsRequest.newBuilder().setParent("peeringServices/contoso-web")
                        .setTimeRange(range(now, Duration.ofHours(1))).setPageSize(100).build();
                ListPrefixEventsResponse r = timed(kind, () -> stub.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                        .listPrefixEvents(request));
                eventsListed.addAndGet(r.getEventsCount());
                if (!r.getNextPageToken().isEmpty()) {
                    ListPrefixEventsRequest second = request.toBuilder().setPageToken(r.getNextPageToken()).build();
                    ListPrefixEventsResponse r2 = timed(kind, () -> stub.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                            .listPrefixEvents(second));
                    eventsListed.addAndGet(r2.getEventsCount());
                }
            }
            default -> throw new IllegalArgumentException(kind);
        }
    }

    private <T> T timed(String kind, java.util.function.Supplier<T> call) {
        long start = System.nanoTime();
        T result = call.get();
        long took = System.nanoTime() - start;
        durations.get(kind).add(took);
        byMinute.computeIfAbsent(kind, k -> new java.util.concurrent.ConcurrentHashMap<>())
                .computeIfAbsent((int) ((start - windowStartNanos) / 60_000_000_000L), m -> new Figures.Durations()).add(took);
        answered.get(kind).incrementAndGet();
        return result;
    }

    private static TimeRange range(Instant now, Duration span) {
        return TimeRange.newBuilder().setStartTime(SampleFeed.timestamp(now.minus(span))).setEndTime(SampleFeed.timestamp(now)).build();
    }
}
