package io.peering.routes.grpc;

import io.peering.common.v1.StartPosition;
import io.peering.common.v1.TimeRange;
import io.peering.routes.Rib;
import io.peering.routes.RouteChange;
import io.peering.routes.mapping.RouteMapper;
import io.peering.routes.rpki.RpkiVerdict;
import io.peering.routes.repository.RouteQueries;
import io.peering.routes.rpki.RoaSet;
import io.peering.routes.service.LookingGlass;
import io.peering.routes.service.Peerings;
import io.peering.routes.service.RegisteredPrefixes;
import io.peering.routes.service.RpkiValidation;
import io.peering.support.grpc.ApiErrors;
import io.peering.support.inventory.Inventory;
import io.peering.support.net.IpAddresses;
import io.peering.support.net.IpPrefix;
import io.peering.support.time.ProtoTimes;
import io.peering.routes.service.RoutesService;
import io.peering.routes.v1.BgpRouteMatch;
import io.peering.routes.v1.BgpRouteRequest;
import io.peering.routes.v1.BgpRouteResponse;
import io.peering.routes.v1.GetRegisteredPrefixRequest;
import io.peering.routes.v1.GetRegisteredPrefixResponse;
import io.peering.routes.v1.GetRouteHistoryRequest;
import io.peering.routes.v1.GetRouteHistoryResponse;
import io.peering.routes.v1.ListPeeringServicesRequest;
import io.peering.routes.v1.ListPeeringServicesResponse;
import io.peering.routes.v1.ListPeeringsRequest;
import io.peering.routes.v1.ListPeeringsResponse;
import io.peering.routes.v1.ListReceivedRoutesRequest;
import io.peering.routes.v1.ListRegisteredPrefixesRequest;
import io.peering.routes.v1.ListRegisteredPrefixesResponse;
import io.peering.routes.v1.ListReceivedRoutesResponse;
import io.peering.routes.v1.ListSessionsRequest;
import io.peering.routes.v1.ListSessionsResponse;
import io.peering.routes.v1.MutinyRoutesServiceGrpc;
import io.peering.routes.v1.OriginAsValidationState;
import io.peering.routes.v1.PingRequest;
import io.peering.routes.v1.PingResponse;
import io.peering.routes.v1.PrefixMatch;
import io.peering.routes.v1.RibView;
import io.peering.routes.v1.RpkiValidationState;
import io.peering.routes.v1.TracerouteRequest;
import io.peering.routes.v1.TracerouteResponse;
import io.peering.routes.v1.WatchRouteChangesRequest;
import io.peering.routes.v1.WatchRouteChangesResponse;
import io.peering.routes.v1.WatchSessionsRequest;
import io.peering.routes.v1.WatchSessionsResponse;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import java.time.Instant;

/** The gRPC face of routes-service: request fields in, {@link RoutesService}, messages out. */
@GrpcService
public class RoutesGrpcService extends MutinyRoutesServiceGrpc.RoutesServiceImplBase {

    private final RoutesService routes;
    private final Peerings peerings;
    private final RpkiValidation rpki;
    private final LookingGlass lookingGlass;
    private final RegisteredPrefixes registeredPrefixes;

    public RoutesGrpcService(RoutesService routes, Peerings peerings, RpkiValidation rpki, LookingGlass lookingGlass,
                             RegisteredPrefixes registeredPrefixes) {
        this.routes = routes;
        this.peerings = peerings;
        this.rpki = rpki;
        this.lookingGlass = lookingGlass;
        this.registeredPrefixes = registeredPrefixes;
    }

    /** A stored route as a message; {@code roas}: the ROA set in force, taken once for the whole response. */
    private io.peering.routes.v1.ReceivedRoute route(RouteQueries.StoredRoute r, RoaSet roas) {
        return RouteMapper.route(r, peerings.placementOf(r.peer().peerAddress()), roas.covering(IpPrefix.parse(r.prefix())));
    }

    /** A logged change as a message; {@code roas}: the ROA set in force, taken once for the whole response. */
    private io.peering.routes.v1.RouteChange change(RouteQueries.LoggedChange logged, RoaSet roas) {
        IpPrefix prefix = IpPrefix.parse(logged.change().prefix());
        return RouteMapper.change(judged(logged, roas, prefix), peerings.placementOf(logged.change().peer().peerAddress()),
                roas.covering(prefix));
    }

    /**
     * The change log keeps no RPKI verdicts: an announced route of a change is judged against the ROA
     * set in force now, the set its covering ROAs come from (as ListReceivedRoutes shows the stored
     * routes, which are re-validated whenever the ROA set changes).
     */
    private static RouteQueries.LoggedChange judged(RouteQueries.LoggedChange logged, RoaSet roas, IpPrefix prefix) {
        RouteChange c = logged.change();
        RouteChange.Attributes a = c.attributes();
        if (a == null) {
            return logged;
        }
        RouteChange.Attributes judged = judged(a, roas, prefix);
        return new RouteQueries.LoggedChange(logged.seq(), new RouteChange(c.time(), c.peer(), c.rib(), c.prefix(), c.pathId(),
                c.withdrawn(), c.reason(), judged));
    }

    @Override
    public Uni<ListReceivedRoutesResponse> listReceivedRoutes(ListReceivedRoutesRequest request) {
        return Uni.createFrom().deferred(() -> {
                    if (request.getPrefixMatch() == PrefixMatch.UNRECOGNIZED) {
                        throw ApiErrors.invalidArgument("prefix_match " + request.getPrefixMatchValue() + " is not a known value;"
                                + " use PREFIX_MATCH_EXACT, PREFIX_MATCH_OR_LONGER, or leave it unset (exact)");
                    }
                    return routes.listReceivedRoutes(request.getParent(), request.getConnection(), request.getPrefix(),
                            request.getPrefixMatch() == PrefixMatch.PREFIX_MATCH_OR_LONGER, request.getAsPath(),
                            request.hasOriginAsn() ? Integer.toUnsignedLong(request.getOriginAsn()) : null,
                            originFilter(request.getOriginAsValidationState(), request.getOriginAsValidationStateValue()),
                            rpkiFilter(request.getRpkiValidationState(), request.getRpkiValidationStateValue()),
                            ribFilter(request.getRibView(), request.getRibViewValue()), request.getPageSize(),
                            request.getPageToken());
                })
                .map(page -> {
                    RoaSet roas = rpki.roaSet();
                    return ListReceivedRoutesResponse.newBuilder()
                            .addAllRoutes(page.items().stream().map(r -> route(r, roas)).toList())
                            .setNextPageToken(page.nextPageToken()).build();
                });
    }

    @Override
    public Uni<BgpRouteResponse> bgpRoute(BgpRouteRequest request) {
        boolean historical = request.hasAtTime();
        return Uni.createFrom().deferred(() -> routes.bgpRoute(request.getParent(), request.getTarget(),
                        match(request.getMatch(), request.getMatchValue()),
                        ProtoTimes.instantIfSet("at_time", historical, request.getAtTime()),
                        ribFilter(request.getRibView(), request.getRibViewValue()), request.getPageSize(), request.getPageToken()))
                .map(found -> {
                    RoaSet roas = rpki.roaSet();
                    return BgpRouteResponse.newBuilder()
                            .addAllRoutes(found.routes().stream().map(r -> route(historical ? judged(r, roas) : r, roas)).toList())
                            .setMatchedPrefix(found.matchedPrefix() == null ? "" : found.matchedPrefix())
                            .setNextPageToken(found.nextPageToken()).build();
                });
    }

    /** A route rebuilt from the change log, which keeps no RPKI verdicts: judged as {@link #judged(RouteQueries.LoggedChange, RoaSet, IpPrefix)} does. */
    private static RouteQueries.StoredRoute judged(RouteQueries.StoredRoute r, RoaSet roas) {
        return new RouteQueries.StoredRoute(r.peer(), r.rib(), r.prefix(), r.pathId(), r.receivedTime(),
                judged(r.attributes(), roas, IpPrefix.parse(r.prefix())));
    }

    private static RouteChange.Attributes judged(RouteChange.Attributes a, RoaSet roas, IpPrefix prefix) {
        RpkiVerdict v = roas.validate(prefix, a.originAsn());
        return new RouteChange.Attributes(a.origin(), a.asPath(), a.originAsn(), a.nextHop(), a.med(),
                a.localPref(), a.communities(), a.largeCommunities(), a.onlyToCustomer(), v.state().number(), v.trustAnchor());
    }

    @Override
    public Uni<PingResponse> ping(PingRequest request) {
        return Uni.createFrom().deferred(() -> lookingGlass.ping(request.getTarget(), request.getCount(),
                        duration("timeout", request.hasTimeout(), request.getTimeout())))
                .map(report -> RouteMapper.ping(IpAddresses.format(IpAddresses.parse(request.getTarget())), report));
    }

    @Override
    public Uni<TracerouteResponse> traceroute(TracerouteRequest request) {
        return Uni.createFrom().deferred(() -> lookingGlass.traceroute(request.getTarget(), request.getMaxHops(),
                        request.getProbesPerHop(), duration("timeout", request.hasTimeout(), request.getTimeout())))
                .map(report -> RouteMapper.traceroute(IpAddresses.format(IpAddresses.parse(request.getTarget())), report));
    }

    /** A request's Duration field: null when unset, INVALID_ARGUMENT when negative or out of protobuf's range. */
    private static java.time.Duration duration(String field, boolean set, com.google.protobuf.Duration d) {
        if (!set) {
            return null;
        }
        if (d.getSeconds() < 0 || d.getNanos() < 0 || d.getNanos() > 999_999_999) {
            throw ApiErrors.invalidArgument(field + " must be a positive duration; got " + d.getSeconds() + "s " + d.getNanos() + "ns");
        }
        return java.time.Duration.ofSeconds(d.getSeconds(), d.getNanos());
    }

    private static RouteQueries.Match match(BgpRouteMatch match, int value) {
        return switch (match) {
            case BGP_ROUTE_MATCH_UNSPECIFIED, BGP_ROUTE_MATCH_LONGEST_PREFIX -> RouteQueries.Match.LONGEST_OF_CANDIDATES;
            case BGP_ROUTE_MATCH_EXACT -> RouteQueries.Match.EXACT;
            case BGP_ROUTE_MATCH_MORE_SPECIFIC -> RouteQueries.Match.OR_LONGER;
            default -> throw ApiErrors.invalidArgument("match " + value + " is not a known value; use"
                    + " BGP_ROUTE_MATCH_LONGEST_PREFIX, BGP_ROUTE_MATCH_EXACT, BGP_ROUTE_MATCH_MORE_SPECIFIC, or leave it"
                    + " unset (longest prefix)");
        };
    }

    @Override
    public Uni<GetRouteHistoryResponse> getRouteHistory(GetRouteHistoryRequest request) {
        return Uni.createFrom().deferred(() -> {
                    if (!request.hasTimeRange()) {
                        throw ApiErrors.invalidArgument("time_range is required: give start_time and end_time");
                    }
                    TimeRange range = request.getTimeRange();
                    return routes.routeHistory(request.getParent(), request.getPrefix(),
                            ProtoTimes.instantIfSet("time_range.start_time", range.hasStartTime(), range.getStartTime()),
                            ProtoTimes.instantIfSet("time_range.end_time", range.hasEndTime(), range.getEndTime()),
                            request.getPageSize(), request.getPageToken());
                })
                .map(page -> {
                    RoaSet roas = rpki.roaSet();
                    return GetRouteHistoryResponse.newBuilder()
                            .addAllChanges(page.items().stream().map(c -> change(c, roas)).toList())
                            .setNextPageToken(page.nextPageToken()).build();
                });
    }

    @Override
    public Uni<ListSessionsResponse> listSessions(ListSessionsRequest request) {
        return Uni.createFrom().deferred(() -> routes.listSessions(request.getParent(), request.getPageSize(), request.getPageToken()))
                .map(page -> {
                    Instant now = Instant.now();
                    return ListSessionsResponse.newBuilder()
                            .addAllSessions(page.items().stream().map(s -> RouteMapper.session(s, peerings.placementOf(s.peer().peerAddress()), now)).toList())
                            .setNextPageToken(page.nextPageToken()).build();
                });
    }

    @Override
    public Uni<ListPeeringsResponse> listPeerings(ListPeeringsRequest request) {
        return Uni.createFrom().item(() -> {
            RoutesService.Page<Inventory.Peering> page = routes.listPeerings(request.getPageSize(), request.getPageToken());
            return ListPeeringsResponse.newBuilder().addAllPeerings(page.items().stream().map(RouteMapper::peering).toList())
                    .setNextPageToken(page.nextPageToken()).build();
        });
    }

    @Override
    public Uni<ListPeeringServicesResponse> listPeeringServices(ListPeeringServicesRequest request) {
        return Uni.createFrom().item(() -> {
            RoutesService.Page<Inventory.PeeringService> page = routes.listPeeringServices(request.getPageSize(), request.getPageToken());
            return ListPeeringServicesResponse.newBuilder()
                    .addAllPeeringServices(page.items().stream().map(RouteMapper::peeringService).toList())
                    .setNextPageToken(page.nextPageToken()).build();
        });
    }

    @Override
    public Uni<GetRegisteredPrefixResponse> getRegisteredPrefix(GetRegisteredPrefixRequest request) {
        return Uni.createFrom().deferred(() -> registeredPrefixes.get(request.getName(),
                        validationView(request.getRibView(), request.getRibViewValue())))
                .map(v -> GetRegisteredPrefixResponse.newBuilder().setRegisteredPrefix(RouteMapper.registeredPrefix(v)).build());
    }

    @Override
    public Uni<ListRegisteredPrefixesResponse> listRegisteredPrefixes(ListRegisteredPrefixesRequest request) {
        return Uni.createFrom().deferred(() -> registeredPrefixes.list(request.getParent(),
                        validationView(request.getRibView(), request.getRibViewValue()), request.getPageSize(), request.getPageToken()))
                .map(page -> ListRegisteredPrefixesResponse.newBuilder()
                        .addAllRegisteredPrefixes(page.items().stream().map(RouteMapper::registeredPrefix).toList())
                        .setNextPageToken(page.nextPageToken()).build());
    }

    /** The view a validation reads: Adj-RIB-In pre-policy unless the request names another. */
    private static Rib validationView(RibView view, int value) {
        Short code = ribFilter(view, value);
        return code == null ? Rib.ADJ_RIB_IN_PRE_POLICY : Rib.of(code);
    }

    @Override
    public Multi<WatchRouteChangesResponse> watchRouteChanges(WatchRouteChangesRequest request) {
        return Multi.createFrom().deferred(() -> routes.watchRouteChanges(request.getAfterCursor(),
                        fromEarliest(request.getStartPosition(), request.getStartPositionValue()), request.getParent(),
                        RouteMapper.nonEmpty(request.getPrefixesList())))
                .map(batch -> {
                    RoaSet roas = rpki.roaSet();
                    return WatchRouteChangesResponse.newBuilder()
                            .addAllChanges(batch.stream().map(c -> change(c, roas)).toList()).build();
                });
    }

    @Override
    public Multi<WatchSessionsResponse> watchSessions(WatchSessionsRequest request) {
        return Multi.createFrom().deferred(() -> routes.watchSessions(request.getAfterCursor(),
                        fromEarliest(request.getStartPosition(), request.getStartPositionValue()), request.getParent()))
                .map(batch -> WatchSessionsResponse.newBuilder()
                        .addAllTransitions(batch.stream().map(t -> RouteMapper.transition(t, peerings.placementOf(t.peer().peerAddress()))).toList()).build());
    }

    private static boolean fromEarliest(StartPosition position, int value) {
        if (position == StartPosition.UNRECOGNIZED) {
            throw ApiErrors.invalidArgument("start_position " + value + " is not a known value; use START_POSITION_LATEST,"
                    + " START_POSITION_EARLIEST, or leave it unset (latest)");
        }
        return position == StartPosition.START_POSITION_EARLIEST;
    }

    private static Boolean originFilter(OriginAsValidationState state, int value) {
        return switch (state) {
            case ORIGIN_AS_VALIDATION_STATE_UNSPECIFIED -> null;
            case ORIGIN_AS_VALIDATION_STATE_VALID -> true;
            case ORIGIN_AS_VALIDATION_STATE_INVALID -> false;
            case ORIGIN_AS_VALIDATION_STATE_UNKNOWN -> throw ApiErrors.invalidArgument(
                    "origin_as_validation_state UNKNOWN never matches: every route of a peering comes from a peer the"
                            + " inventory knows; use VALID, INVALID or leave it unset");
            default -> throw ApiErrors.invalidArgument("origin_as_validation_state " + value + " is not a known value; use"
                    + " ORIGIN_AS_VALIDATION_STATE_VALID, ORIGIN_AS_VALIDATION_STATE_INVALID, or leave it unset");
        };
    }

    private static Short rpkiFilter(RpkiValidationState state, int value) {
        return switch (state) {
            case RPKI_VALIDATION_STATE_UNSPECIFIED -> null;
            case RPKI_VALIDATION_STATE_VALID, RPKI_VALIDATION_STATE_INVALID, RPKI_VALIDATION_STATE_NOT_FOUND ->
                    (short) state.getNumber();
            default -> throw ApiErrors.invalidArgument("rpki_validation_state " + value + " is not a known value; use"
                    + " RPKI_VALIDATION_STATE_VALID, RPKI_VALIDATION_STATE_INVALID, RPKI_VALIDATION_STATE_NOT_FOUND, or leave"
                    + " it unset");
        };
    }

    private static Short ribFilter(RibView view, int value) {
        return switch (view) {
            case RIB_VIEW_UNSPECIFIED -> null;
            case RIB_VIEW_ADJ_RIB_IN_PRE_POLICY, RIB_VIEW_ADJ_RIB_IN_POST_POLICY, RIB_VIEW_LOC_RIB -> (short) view.getNumber();
            default -> throw ApiErrors.invalidArgument("rib_view " + value + " is not a known value; use"
                    + " RIB_VIEW_ADJ_RIB_IN_PRE_POLICY, RIB_VIEW_ADJ_RIB_IN_POST_POLICY, RIB_VIEW_LOC_RIB, or leave it unset"
                    + " (every view)");
        };
    }
}
