package io.peering.metrics.service;

import io.peering.common.v1.Aggregation;
import io.peering.metrics.Metric;
import io.peering.metrics.config.MetricsConfig;
import io.peering.metrics.repository.MetricQueries;
import io.peering.metrics.repository.MetricQueries.RateBucket;
import io.peering.metrics.repository.MetricQueries.RatesQuery;
import io.peering.support.auth.Caller;
import io.peering.support.grpc.ApiErrors;
import io.peering.support.inventory.Inventory;
import io.peering.support.inventory.InventoryIndex;
import io.peering.support.inventory.InventoryIndex.ConnectionRef;
import io.peering.support.inventory.ResourceNames;
import io.peering.support.net.IpAddresses;
import io.peering.support.time.Grain;
import io.peering.support.time.TimeRanges;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The query side: request checks against the metric catalogue ({@link Metric}) and the inventory,
 * then availability and flaps from transitions ({@link SessionBuckets}) and rates from samples
 * ({@link MetricQueries#RATES_SQL}, the rollups kept at ingest). Scope is one connection or a whole peering: availability is
 * the Established time of all the scope's sessions over their known time, rates and flaps are summed.
 */
@ApplicationScoped
public class MetricsService {

    public record Point(Instant time, double value) {
    }

    public record Series(String metric, String resource, Aggregation aggregation, Grain grain, List<Point> points) {
    }

    /** A peering service's primary and backup availability; backup is null when the service has none. */
    public record ServiceAvailability(String primaryConnection, Series primary, String backupConnection, Series backup) {
    }

    private final InventoryIndex inventory;
    private final ResourceNames names;
    private final MetricQueries queries;
    private final MetricsConfig config;

    public MetricsService(InventoryIndex inventory, ResourceNames names, MetricQueries queries, MetricsConfig config) {
        this.inventory = inventory;
        this.names = names;
        this.queries = queries;
        this.config = config;
    }

    public Uni<List<Series>> queryConnectionMetrics(String resource, List<String> metricNames, Instant start, Instant end,
                                                    Grain grain, Aggregation aggregation) {
        List<ConnectionRef> scope = scope(resource);
        boolean peeringScope = !resource.contains("/connections/");
        if (metricNames.isEmpty()) {
            throw ApiErrors.invalidArgument("metrics is empty; name at least one of " + Metric.names());
        }
        List<Metric> metrics = new ArrayList<>();
        for (String name : new LinkedHashSet<>(metricNames)) {
            Metric metric = Metric.byName(name).orElseThrow(() -> ApiErrors.invalidArgument(
                    "unknown metric \"" + name + "\"; the metrics are " + Metric.names()));
            Aggregation used = aggregation == Aggregation.AGGREGATION_UNSPECIFIED ? metric.primaryAggregation() : aggregation;
            if (!metric.aggregations.contains(used)) {
                throw ApiErrors.invalidArgument("aggregation " + used + " is not offered for " + name + "; it offers "
                        + metric.aggregations + " (see ListMetricDefinitions)");
            }
            if (peeringScope && !metric.allowsAtPeeringScope(used)) {
                throw ApiErrors.invalidArgument("aggregation " + used + " of " + name + " picks one interval's rate and is"
                        + " offered for a single connection only; ask for \"" + resource + "/connections/{connection}\""
                        + " or use AGGREGATION_AVERAGE");
            }
            metrics.add(metric);
        }
        checkRange(start, end, grain);
        Instant now = Instant.now();

        boolean needSessions = metrics.stream().anyMatch(m -> !m.isRate());
        boolean needRates = metrics.stream().anyMatch(Metric::isRate);
        Uni<Map<Instant, SessionBuckets.Bucket>> sessions = needSessions ? sessionBuckets(scope, start, end, now, grain)
                : Uni.createFrom().item(Map.of());
        Uni<List<RateBucket>> rates = needRates ? queries.rates(new RatesQuery(peeringScope ? resource : null,
                scope.stream().map(ConnectionRef::resourceName).toList(), start, end, grain.length))
                : Uni.createFrom().item(List.of());
        return Uni.combine().all().unis(sessions, rates).asTuple().map(both -> {
            List<Series> result = new ArrayList<>();
            for (String name : metricNames.stream().distinct().toList()) {
                Metric metric = Metric.byName(name).orElseThrow();
                Aggregation used = aggregation == Aggregation.AGGREGATION_UNSPECIFIED ? metric.primaryAggregation() : aggregation;
                List<Point> points = metric.isRate() ? ratePoints(both.getItem2(), metric, used)
                        : sessionPoints(both.getItem1(), metric);
                result.add(new Series(metric.apiName, resource, used, grain, points));
            }
            return result;
        });
    }

    /** {@code family}: 0 IPv4 and IPv6 sessions together (time-weighted), 1 IPv4 only, 2 IPv6 only. */
    public Uni<ServiceAvailability> queryPeeringServiceAvailability(String name, Instant start, Instant end, Grain grain,
                                                                   int family) {
        Inventory.PeeringService service = names.peeringService("peering_service", name);
        checkRange(start, end, grain);
        Instant now = Instant.now();
        String primary = "peerings/" + service.peering() + "/connections/" + service.primaryConnection();
        String backup = service.backupConnection().map(b -> "peerings/" + service.peering() + "/connections/" + b).orElse("");
        String metric = switch (family) {
            case 1 -> Metric.SESSION_AVAILABILITY_V4.apiName;
            case 2 -> Metric.SESSION_AVAILABILITY_V6.apiName;
            default -> "SessionAvailability"; // IPv4 and IPv6 sessions together, time-weighted
        };
        Function<String, Uni<Series>> series = connection -> sessionBuckets(List.of(inventory.connection(connection).orElseThrow()),
                start, end, now, grain).map(buckets -> {
                    List<Point> points = new ArrayList<>();
                    buckets.forEach((time, b) -> {
                        long established = (family != 2 ? b.establishedV4 : 0) + (family != 1 ? b.establishedV6 : 0);
                        long covered = (family != 2 ? b.coveredV4 : 0) + (family != 1 ? b.coveredV6 : 0);
                        if (covered > 0) {
                            points.add(new Point(time, 100.0 * established / covered));
                        }
                    });
                    return new Series(metric, connection, Aggregation.AGGREGATION_AVERAGE, grain, points);
                });
        Uni<Series> backupSeries = backup.isEmpty() ? Uni.createFrom().nullItem() : series.apply(backup);
        return Uni.combine().all().unis(series.apply(primary), backupSeries).asTuple()
                .map(t -> new ServiceAvailability(primary, t.getItem1(), backup, t.getItem2()));
    }

    /** The connections a resource name stands for; NOT_FOUND for names the inventory does not have. */
    List<ConnectionRef> scope(String resource) {
        String[] ids = ResourceNames.peeringOrConnectionIds("resource", resource);
        if (ids.length == 1) {
            return inventory.connectionsOf(names.peering("resource", resource).name());
        }
        return List.of(names.connection("resource", resource));
    }

    private void checkRange(Instant start, Instant end, Grain grain) {
        if (grain == null) {
            throw ApiErrors.invalidArgument("time_grain is required: PT1M, PT5M, PT1H or P1D");
        }
        TimeRanges.check(start, end, grain, config.maxBuckets(), Instant.now());
    }

    private Uni<Map<Instant, SessionBuckets.Bucket>> sessionBuckets(List<ConnectionRef> scope, Instant start, Instant end,
                                                                     Instant now, Grain grain) {
        List<String> connections = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (ConnectionRef c : scope) {
            for (String address : c.connection().sessionAddresses()) {
                connections.add(c.resourceName());
                addresses.add(IpAddresses.format(IpAddresses.parse(address)));
            }
        }
        if (connections.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        Instant until = end.isBefore(now) ? end : now;
        return queries.transitions(connections, addresses, start, until)
                .map(transitions -> SessionBuckets.compute(transitions, start, end, now, grain.length));
    }

    private static List<Point> sessionPoints(Map<Instant, SessionBuckets.Bucket> buckets, Metric metric) {
        List<Point> points = new ArrayList<>();
        buckets.forEach((time, b) -> {
            switch (metric) {
                case SESSION_AVAILABILITY_V4 -> {
                    if (b.coveredV4 > 0) {
                        points.add(new Point(time, 100.0 * b.establishedV4 / b.coveredV4));
                    }
                }
                case SESSION_AVAILABILITY_V6 -> {
                    if (b.coveredV6 > 0) {
                        points.add(new Point(time, 100.0 * b.establishedV6 / b.coveredV6));
                    }
                }
                case FLAP_COUNTS -> {
                    if (b.known()) {
                        points.add(new Point(time, b.flaps));
                    }
                }
                default -> throw new IllegalStateException(metric + " is not a session metric");
            }
        });
        return points;
    }

    private static List<Point> ratePoints(List<RateBucket> buckets, Metric metric, Aggregation aggregation) {
        int m = switch (metric) {
            case INGRESS_TRAFFIC_RATE -> RateBucket.INGRESS;
            case EGRESS_TRAFFIC_RATE -> RateBucket.EGRESS;
            case PACKET_DROP_RATE -> RateBucket.DROPS;
            default -> throw new IllegalStateException(metric + " is not a rate");
        };
        List<Point> points = new ArrayList<>();
        for (RateBucket b : buckets) {
            if (b.counts()[m] == 0) {
                continue;
            }
            double value = switch (aggregation) {
                case AGGREGATION_AVERAGE -> b.values()[m * 3];
                case AGGREGATION_MINIMUM -> b.values()[m * 3 + 1];
                case AGGREGATION_MAXIMUM -> b.values()[m * 3 + 2];
                case AGGREGATION_COUNT -> b.counts()[m];
                default -> throw new IllegalStateException(aggregation + " is not offered for " + metric.apiName);
            };
            points.add(new Point(b.bucket(), value));
        }
        return points;
    }
}
