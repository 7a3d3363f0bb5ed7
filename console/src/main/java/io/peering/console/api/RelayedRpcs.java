package io.peering.console.api;

import com.google.protobuf.Message;
import io.peering.console.client.Upstream;
import io.peering.events.v1.ListPrefixEventsRequest;
import io.peering.latency.v1.QueryConnectivityProbesRequest;
import io.peering.latency.v1.QueryPrefixLatencyRequest;
import io.peering.latency.v1.QueryRegisteredAsnLatencyRequest;
import io.peering.latency.v1.QueryRegisteredPrefixLatencyRequest;
import io.peering.metrics.v1.ListMetricDefinitionsRequest;
import io.peering.metrics.v1.QueryConnectionMetricsRequest;
import io.peering.metrics.v1.QueryPeeringServiceAvailabilityRequest;
import io.peering.routes.v1.BgpRouteRequest;
import io.peering.routes.v1.GetRegisteredPrefixRequest;
import io.peering.routes.v1.GetRouteHistoryRequest;
import io.peering.routes.v1.ListPeeringServicesRequest;
import io.peering.routes.v1.ListPeeringsRequest;
import io.peering.routes.v1.ListReceivedRoutesRequest;
import io.peering.routes.v1.ListSessionsRequest;
import io.peering.routes.v1.PingRequest;
import io.peering.routes.v1.TracerouteRequest;
import io.smallrye.mutiny.Uni;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The query RPCs the pages call, by their gRPC name ("RoutesService/ListReceivedRoutes"): the
 * request type to read the page's JSON into, and the call. Only these are relayed; ingest RPCs
 * and anything else are not reachable through the console.
 */
final class RelayedRpcs {

    /** One relayed RPC: a builder of its request message, and the call on a person's stubs. */
    record Rpc(Supplier<Message.Builder> request, BiFunction<Upstream.Stubs, Message, Uni<? extends Message>> call) {
    }

    private static final Map<String, Rpc> TABLE = new LinkedHashMap<>();

    static {
        add("RoutesService/ListPeerings", ListPeeringsRequest::newBuilder,
                (s, q) -> s.routes().listPeerings((ListPeeringsRequest) q));
        add("RoutesService/ListPeeringServices", ListPeeringServicesRequest::newBuilder,
                (s, q) -> s.routes().listPeeringServices((ListPeeringServicesRequest) q));
        add("RoutesService/ListSessions", ListSessionsRequest::newBuilder,
                (s, q) -> s.routes().listSessions((ListSessionsRequest) q));
        add("RoutesService/ListReceivedRoutes", ListReceivedRoutesRequest::newBuilder,
                (s, q) -> s.routes().listReceivedRoutes((ListReceivedRoutesRequest) q));
        add("RoutesService/GetRegisteredPrefix", GetRegisteredPrefixRequest::newBuilder,
                (s, q) -> s.routes().getRegisteredPrefix((GetRegisteredPrefixRequest) q));
        add("RoutesService/GetRouteHistory", GetRouteHistoryRequest::newBuilder,
                (s, q) -> s.routes().getRouteHistory((GetRouteHistoryRequest) q));
        add("RoutesService/BgpRoute", BgpRouteRequest::newBuilder,
                (s, q) -> s.routes().bgpRoute((BgpRouteRequest) q));
        add("RoutesService/Ping", PingRequest::newBuilder,
                (s, q) -> s.routes().ping((PingRequest) q));
        add("RoutesService/Traceroute", TracerouteRequest::newBuilder,
                (s, q) -> s.routes().traceroute((TracerouteRequest) q));
        add("MetricsService/ListMetricDefinitions", ListMetricDefinitionsRequest::newBuilder,
                (s, q) -> s.metrics().listMetricDefinitions((ListMetricDefinitionsRequest) q));
        add("MetricsService/QueryConnectionMetrics", QueryConnectionMetricsRequest::newBuilder,
                (s, q) -> s.metrics().queryConnectionMetrics((QueryConnectionMetricsRequest) q));
        add("MetricsService/QueryPeeringServiceAvailability", QueryPeeringServiceAvailabilityRequest::newBuilder,
                (s, q) -> s.metrics().queryPeeringServiceAvailability((QueryPeeringServiceAvailabilityRequest) q));
        add("LatencyService/QueryPrefixLatency", QueryPrefixLatencyRequest::newBuilder,
                (s, q) -> s.latency().queryPrefixLatency((QueryPrefixLatencyRequest) q));
        add("LatencyService/QueryRegisteredPrefixLatency", QueryRegisteredPrefixLatencyRequest::newBuilder,
                (s, q) -> s.latency().queryRegisteredPrefixLatency((QueryRegisteredPrefixLatencyRequest) q));
        add("LatencyService/QueryRegisteredAsnLatency", QueryRegisteredAsnLatencyRequest::newBuilder,
                (s, q) -> s.latency().queryRegisteredAsnLatency((QueryRegisteredAsnLatencyRequest) q));
        add("LatencyService/QueryConnectivityProbes", QueryConnectivityProbesRequest::newBuilder,
                (s, q) -> s.latency().queryConnectivityProbes((QueryConnectivityProbesRequest) q));
        add("EventsService/ListPrefixEvents", ListPrefixEventsRequest::newBuilder,
                (s, q) -> s.events().listPrefixEvents((ListPrefixEventsRequest) q));
    }

    private RelayedRpcs() {
    }

    private static void add(String name, Supplier<Message.Builder> request,
                            BiFunction<Upstream.Stubs, Message, Uni<? extends Message>> call) {
        TABLE.put(name, new Rpc(request, call));
    }

    static Optional<Rpc> find(String service, String method) {
        return Optional.ofNullable(TABLE.get(service + "/" + method));
    }

    static Set<String> names() {
        return TABLE.keySet();
    }
}
