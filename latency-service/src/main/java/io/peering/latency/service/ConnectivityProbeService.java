package io.peering.latency.service;

import io.peering.latency.config.LatencyConfig;
import io.peering.latency.probe.ProbeEndpoint;
import io.peering.latency.probe.ProbeMetric;
import io.peering.latency.repository.ProbeResults;
import io.peering.support.grpc.ApiErrors;
import io.peering.support.inventory.Inventory;
import io.peering.support.inventory.ResourceNames;
import io.peering.support.time.Grain;
import io.peering.support.time.TimeRanges;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.TreeSet;

/** The connectivity probe query: request checks, the caller's peering, series per probe and metric. */
@ApplicationScoped
public class ConnectivityProbeService {

    private final ProbeResults results;
    private final ProbeScheduler scheduler;
    private final ResourceNames names;
    private final LatencyConfig config;

    public ConnectivityProbeService(ProbeResults results, ProbeScheduler scheduler, ResourceNames names, LatencyConfig config) {
        this.results = results;
        this.scheduler = scheduler;
        this.names = names;
        this.config = config;
    }

    public record Point(Instant bucket, double value) {
    }

    public record Series(String probe, ProbeMetric metric, List<Point> points) {
    }

    /** The series, and the configured endpoints among their probes (by name). */
    public record Answer(List<Series> series, List<ProbeEndpoint> probes) {
    }

    /**
     * Per probe (the one asked, or every probe of the peering configured now or with results in the
     * range, by name) the asked metrics in request order; with the endpoints of those probes configured now.
     */
    public Uni<Answer> query(String parent, String probe, Instant from, Instant to, Grain grain, List<String> metricNames) {
        Inventory.Peering peering = names.peering("parent", parent);
        if (!probe.isEmpty() && !probe.matches("[A-Za-z0-9._-]+")) {
            throw ApiErrors.invalidArgument("probe must be a probe endpoint's name (letters, digits, '.', '_', '-'), like"
                    + " \"contoso-ams-router\", or empty for every probe; got \"" + probe + "\"");
        }
        List<ProbeMetric> metrics = metrics(metricNames);
        TimeRanges.check(from, to, grain, config.maxBuckets(), Instant.now());
        List<String> asked = probe.isEmpty() ? List.of() : List.of(probe);
        return results.buckets(peering.name(), asked, from, to, grain).map(buckets -> {
            TreeSet<String> probes = new TreeSet<>(asked);
            if (probe.isEmpty()) {
                scheduler.endpoints().stream().filter(e -> e.peering().equals(peering.name())).map(ProbeEndpoint::name).forEach(probes::add);
                buckets.forEach(b -> probes.add(b.probe()));
            }
            List<Series> out = new ArrayList<>();
            for (String p : probes) {
                for (ProbeMetric m : metrics) {
                    List<Point> points = new ArrayList<>();
                    buckets.stream().filter(b -> b.probe().equals(p)).forEach(b -> {
                        Double v = switch (m) {
                            case AVAILABILITY -> b.availabilityPercent();
                            case LATENCY -> b.medianMs();
                            case JITTER -> b.jitterMs();
                        };
                        if (v != null) {
                            points.add(new Point(b.bucket(), v));
                        }
                    });
                    out.add(new Series(p, m, points));
                }
            }
            List<ProbeEndpoint> configured = scheduler.endpoints().stream()
                    .filter(e -> e.peering().equals(peering.name()) && probes.contains(e.name()))
                    .sorted(java.util.Comparator.comparing(ProbeEndpoint::name)).toList();
            return new Answer(out, configured);
        });
    }

    private static List<ProbeMetric> metrics(List<String> names) {
        if (names.isEmpty()) {
            throw ApiErrors.invalidArgument("metrics is required: one or more of " + apiNames());
        }
        LinkedHashSet<ProbeMetric> metrics = new LinkedHashSet<>();
        for (String name : names) {
            metrics.add(ProbeMetric.byApiName(name).orElseThrow(() -> ApiErrors.invalidArgument("metrics: \"" + name
                    + "\" is not a connectivity probe metric; use one or more of " + apiNames())));
        }
        return List.copyOf(metrics);
    }

    private static List<String> apiNames() {
        return Arrays.stream(ProbeMetric.values()).map(m -> m.apiName).toList();
    }
}
