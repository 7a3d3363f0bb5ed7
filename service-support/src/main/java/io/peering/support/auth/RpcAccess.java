package io.peering.support.auth;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Which roles may call which RPC: one table for the whole platform, so a reader finds every rule
 * in one place. An RPC missing from the table is refused to every role but operator, and the
 * role-matrix tests check that every RPC of the protos is listed.
 */
public final class RpcAccess {

    private static final Set<Role> QUERY = EnumSet.of(Role.READER, Role.OPERATOR);
    private static final Set<Role> INGEST = EnumSet.of(Role.COLLECTOR, Role.OPERATOR);
    private static final Set<Role> OPERATOR_ONLY = EnumSet.of(Role.OPERATOR);

    /** Services anyone may call without a token: probes and tooling must work unauthenticated. */
    private static final Set<String> PUBLIC_SERVICES = Set.of(
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection");

    private static final Map<String, Set<Role>> TABLE = Map.ofEntries(
            Map.entry("peering.routes.v1.RoutesService/ListReceivedRoutes", QUERY),
            Map.entry("peering.routes.v1.RoutesService/GetRouteHistory", QUERY),
            Map.entry("peering.routes.v1.RoutesService/ListSessions", QUERY),
            Map.entry("peering.routes.v1.RoutesService/WatchRouteChanges", QUERY),
            Map.entry("peering.routes.v1.RoutesService/WatchSessions", QUERY),
            Map.entry("peering.routes.v1.RoutesService/ListPeerings", QUERY),
            Map.entry("peering.routes.v1.RoutesService/ListPeeringServices", QUERY),
            Map.entry("peering.routes.v1.RoutesService/BgpRoute", QUERY),
            Map.entry("peering.routes.v1.RoutesService/Ping", QUERY),
            Map.entry("peering.routes.v1.RoutesService/Traceroute", QUERY),
            Map.entry("peering.routes.v1.RoutesService/GetRegisteredPrefix", QUERY),
            Map.entry("peering.routes.v1.RoutesService/ListRegisteredPrefixes", QUERY),
            Map.entry("peering.metrics.v1.MetricsService/ListMetricDefinitions", QUERY),
            Map.entry("peering.metrics.v1.MetricsService/QueryConnectionMetrics", QUERY),
            Map.entry("peering.metrics.v1.MetricsService/QueryPeeringServiceAvailability", QUERY),
            Map.entry("peering.metrics.v1.MetricsService/IngestConnectionSamples", INGEST),
            Map.entry("peering.metrics.v1.MetricsService/ReportSessionTransitions", INGEST),
            Map.entry("peering.latency.v1.LatencyService/IngestLatencySamples", INGEST),
            Map.entry("peering.latency.v1.LatencyService/QueryPrefixLatency", QUERY),
            Map.entry("peering.latency.v1.LatencyService/QueryRegisteredPrefixLatency", QUERY),
            Map.entry("peering.latency.v1.LatencyService/QueryRegisteredAsnLatency", QUERY),
            Map.entry("peering.latency.v1.LatencyService/QueryConnectivityProbes", QUERY),
            Map.entry("peering.events.v1.EventsService/ListPrefixEvents", QUERY),
            Map.entry("peering.events.v1.EventsService/WatchPrefixEvents", QUERY));

    private RpcAccess() {
    }

    /** True for the health and reflection services, which need no token. */
    public static boolean isPublic(String fullMethodName) {
        int slash = fullMethodName.indexOf('/');
        return slash > 0 && PUBLIC_SERVICES.contains(fullMethodName.substring(0, slash));
    }

    /** The roles that may call the method ({@code package.Service/Method}). */
    public static Set<Role> rolesFor(String fullMethodName) {
        return TABLE.getOrDefault(fullMethodName, OPERATOR_ONLY);
    }

    /** Every RPC the table knows, for the tests that compare it with the protos. */
    public static Set<String> listedMethods() {
        return TABLE.keySet();
    }
}
