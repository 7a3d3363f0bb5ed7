package io.peering.metrics.service;

import io.peering.common.v1.Aggregation;
import io.peering.metrics.Metric;
import io.peering.metrics.Transition;
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

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The query side: request checks against the metric catalogue ({@link Metric}) and the inventory,
 * then availability and flaps from transitions ({@link SessionBuckets}) and rates from samples
 * ({@link MetricQueries#rates}, the rollups kept at ingest). Scope is one connection or a whole peering: availability is
 * the Established time of all the scope's sessions (of the metric's family) over their known time, rates and flaps are
 * summed; availability and flaps can instead be split into one series per session address.
 */
@ApplicationScoped
public class MetricsService {

    public record Point(Instant time, double value) {
    }

    /** {@code sessionIp} is the session address of a series split by it (resource is then its connection), or "". */
    public record Series(String metric, String resource, String sessionIp, Aggregation aggregation, Grain grain,
                         List<Point> points) {
    }

    /** One session of the inventory: its connection, its address as {@link IpAddresses#format} writes it, its family (1 IPv4, 2 IPv6). */
    record Session(String connection, String address, int family) {
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
                                                    Grain grain, Aggregation aggregation, boolean splitBySessionIp) {
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
            if (splitBySessionIp && metric.isRate()) {
                throw ApiErrors.invalidArgument("split_by_session_ip applies to the metrics from session transitions"
                        + " (SessionAvailability, SessionAvailabilityV4, SessionAvailabilityV6, FlapCounts); " + name
                        + " comes from the connection's counters: ask for it in a query without split_by_session_ip");
            }
            metrics.add(metric);
        }
        checkRange(start, end, grain);
        Instant now = Instant.now();

        boolean needSessions = metrics.stream().anyMatch(m -> !m.isRate());
        boolean needRates = metrics.stream().anyMatch(Metric::isRate);
        List<Session> sessions = sessions(scope);
        Uni<List<Transition>> transitions = needSessions ? transitions(sessions, start, end, now)
                : Uni.createFrom().item(List.of());
        Uni<List<RateBucket>> rates = needRates ? queries.rates(new RatesQuery(peeringScope ? resource : null,
                scope.stream().map(ConnectionRef::resourceName).toList(), start, end, grain.length))
                : Uni.createFrom().item(List.of());
        return Uni.combine().all().unis(transitions, rates).asTuple().map(both -> {
            Map<Instant, SessionBuckets.Bucket> combined = SessionBuckets.compute(both.getItem1(), start, end, now, grain.length);
            Map<Session, Map<Instant, SessionBuckets.Bucket>> perSession = splitBySessionIp
                    ? bucketsPerSession(sessions, both.getItem1(), start, end, now, grain) : Map.of();
            List<Series> result = new ArrayList<>();
            for (Metric metric : metrics) {
                Aggregation used = aggregation == Aggregation.AGGREGATION_UNSPECIFIED ? metric.primaryAggregation() : aggregation;
                if (metric.isRate()) {
                    result.add(new Series(metric.apiName, resource, "", used, grain, ratePoints(both.getItem2(), metric, used)));
                } else if (!splitBySessionIp) {
                    result.add(new Series(metric.apiName, resource, "", used, grain, sessionPoints(combined, metric)));
                } else {
                    for (Session session : sessions) {
                        if (metric.family() == 0 || metric.family() == session.family()) {
                            result.add(new Series(metric.apiName, session.connection(), session.address(), used, grain,
                                    sessionPoints(perSession.get(session), metric)));
                        }
                    }
                }
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
        Metric metric = switch (family) {
            case 1 -> Metric.SESSION_AVAILABILITY_V4;
            case 2 -> Metric.SESSION_AVAILABILITY_V6;
            default -> Metric.SESSION_AVAILABILITY; // IPv4 and IPv6 sessions together, time-weighted
        };
        Function<String, Uni<Series>> series = connection -> transitions(sessions(List.of(inventory.connection(connection).orElseThrow())),
                start, end, now).map(transitions -> new Series(metric.apiName, connection, "", Aggregation.AGGREGATION_AVERAGE, grain,
                sessionPoints(SessionBuckets.compute(transitions, start, end, now, grain.length), metric)));
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

    /** The session addresses of the connections, in inventory order. */
    private static List<Session> sessions(List<ConnectionRef> scope) {
        List<Session> sessions = new ArrayList<>();
        for (ConnectionRef c : scope) {
            for (String address : c.connection().sessionAddresses()) {
                InetAddress parsed = IpAddresses.parse(address);
                sessions.add(new Session(c.resourceName(), IpAddresses.format(parsed), parsed instanceof Inet4Address ? 1 : 2));
            }
        }
        return sessions;
    }

    /** The sessions' transitions in the range (each one's last before it included), up to now. */
    private Uni<List<Transition>> transitions(List<Session> sessions, Instant start, Instant end, Instant now) {
        if (sessions.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Instant until = end.isBefore(now) ? end : now;
        return queries.transitions(sessions.stream().map(Session::connection).toList(),
                sessions.stream().map(Session::address).toList(), start, until);
    }

    /** Each session's buckets, from its own transitions only. */
    private static Map<Session, Map<Instant, SessionBuckets.Bucket>> bucketsPerSession(List<Session> sessions,
            List<Transition> transitions, Instant start, Instant end, Instant now, Grain grain) {
        Map<Session, Map<Instant, SessionBuckets.Bucket>> buckets = new HashMap<>();
        for (Session s : sessions) {
            List<Transition> own = transitions.stream()
                    .filter(t -> t.connection().equals(s.connection()) && t.sessionAddress().equals(s.address())).toList();
            buckets.put(s, SessionBuckets.compute(own, start, end, now, grain.length));
        }
        return buckets;
    }

    /** Availability of the metric's family (Established time over known time), or flaps where a state is known. */
    private static List<Point> sessionPoints(Map<Instant, SessionBuckets.Bucket> buckets, Metric metric) {
        List<Point> points = new ArrayList<>(buckets.size());
        buckets.forEach((time, b) -> {
            if (metric == Metric.FLAP_COUNTS) {
                if (b.known()) {
                    points.add(new Point(time, b.flaps));
                }
            } else if (b.covered(metric.family()) > 0) {
                points.add(new Point(time, 100.0 * b.established(metric.family()) / b.covered(metric.family())));
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
        List<Point> points = new ArrayList<>(buckets.size());
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
