package io.peering.routes.mapping;

import io.peering.common.v1.AddressFamily;
import io.peering.common.v1.SessionState;
import io.peering.routes.PeerPlacement;
import io.peering.routes.PeerRef;
import io.peering.routes.Rib;
import io.peering.routes.RouteChange;
import io.peering.routes.repository.RouteQueries;
import io.peering.routes.rpki.Roa;
import io.peering.routes.probe.PingReport;
import io.peering.routes.probe.TraceReport;
import io.peering.routes.service.RegisteredPrefixes;
import io.peering.routes.validation.ValidationState;
import io.peering.routes.v1.OriginAsValidationState;
import io.peering.routes.v1.PingProbe;
import io.peering.routes.v1.PingResponse;
import io.peering.routes.v1.TracerouteHop;
import io.peering.routes.v1.TracerouteProbe;
import io.peering.routes.v1.TracerouteResponse;
import io.peering.routes.v1.Peering;
import io.peering.routes.v1.PeeringConnection;
import io.peering.routes.v1.PeeringService;
import io.peering.routes.v1.RegisteredAsn;
import io.peering.routes.v1.RegisteredPrefix;
import io.peering.routes.v1.RegisteredPrefixValidationState;
import io.peering.routes.v1.ReceivedRoute;
import io.peering.routes.v1.RibView;
import io.peering.routes.v1.RouteChangeType;
import io.peering.routes.v1.RpkiValidationState;
import io.peering.routes.v1.Session;
import io.peering.routes.v1.SessionTransition;
import io.peering.support.inventory.Inventory;
import io.peering.support.net.IpAddresses;
import io.peering.support.time.ProtoTimes;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Domain records to v1 protobuf messages. Pure: what the inventory says about a peer (its
 * connection, its peering's own ASNs) is looked up by the caller and passed in as a {@link PeerPlacement},
 * and so are the ROAs covering a route's prefix (from the ROA set in force).
 */
public final class RouteMapper {

    private static final String[] ORIGINS = {"IGP", "EGP", "INCOMPLETE"};

    private RouteMapper() {
    }

    /** An inventory peering as the API shows it, with its connections and registrations. */
    public static Peering peering(Inventory.Peering p) {
        String name = "peerings/" + p.name();
        Peering.Builder b = Peering.newBuilder().setName(name).setPeerAsn((int) p.peerAsn());
        for (Inventory.Connection c : p.connections()) {
            b.addConnections(PeeringConnection.newBuilder().setName(name + "/connections/" + c.name())
                    .addAllSessionAddresses(c.sessionAddresses().stream().map(a -> IpAddresses.format(IpAddresses.parse(a))).toList())
                    .setBandwidthMbps(c.bandwidthMbps()));
        }
        p.registeredAsns().orElse(List.of()).forEach(a -> b.addRegisteredAsns(
                RegisteredAsn.newBuilder().setName(name + "/registeredAsns/" + a.name()).setAsn((int) a.asn())));
        p.registeredPrefixes().orElse(List.of()).forEach(rp -> b.addRegisteredPrefixes(
                RegisteredPrefix.newBuilder().setName(name + "/registeredPrefixes/" + rp.name()).setPrefix(rp.prefix())));
        return b.build();
    }

    /** A registered prefix with its validation, as GetRegisteredPrefix and ListRegisteredPrefixes show it. */
    public static RegisteredPrefix registeredPrefix(RegisteredPrefixes.Validated v) {
        return RegisteredPrefix.newBuilder()
                .setName(v.registered().resourceName())
                .setPrefix(v.registered().registeredPrefix().prefix())
                .setValidationState(validationState(v.verdict().state()))
                .addAllReasons(v.verdict().reasons())
                .setCheckedTime(ProtoTimes.timestamp(v.checkedTime()))
                .setRibView(ribView(v.rib()))
                .build();
    }

    static RegisteredPrefixValidationState validationState(ValidationState state) {
        return switch (state) {
            case VERIFIED -> RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED;
            case WARNING -> RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_WARNING;
            case PENDING -> RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_PENDING;
            case FAILED -> RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_FAILED;
            case UNKNOWN -> RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_UNKNOWN;
        };
    }

    /** An inventory peering service as the API shows it. */
    public static PeeringService peeringService(Inventory.PeeringService s) {
        String peering = "peerings/" + s.peering();
        return PeeringService.newBuilder().setName("peeringServices/" + s.name()).setPeering(peering)
                .setPrimaryConnection(peering + "/connections/" + s.primaryConnection())
                .setBackupConnection(s.backupConnection().map(b -> peering + "/connections/" + b).orElse(""))
                .addAllPrefixes(s.prefixes()).build();
    }

    /** @param coveringRoas the ROAs covering the route's prefix ({@link io.peering.routes.rpki.RoaSet#covering}) */
    public static ReceivedRoute route(RouteQueries.StoredRoute r, PeerPlacement placement, List<Roa> coveringRoas) {
        return route(r.peer(), r.rib(), r.prefix(), r.pathId(), r.receivedTime(), r.attributes(), placement, coveringRoas);
    }

    private static ReceivedRoute route(PeerRef peer, Rib rib, String prefix, long pathId, Instant received,
                                       RouteChange.Attributes a, PeerPlacement placement, List<Roa> coveringRoas) {
        ReceivedRoute.Builder b = ReceivedRoute.newBuilder()
                .setPrefix(prefix)
                .setPathId((int) pathId)
                .setReceivedTime(ProtoTimes.timestamp(received))
                .setConnection(placement.connection())
                .setPeerAddress(peer.peerAddress())
                .setPeerAsn((int) peer.peerAsn())
                .setRouter(peer.router())
                .setRibView(ribView(rib));
        coveringRoas.forEach(roa -> b.addCoveringRoas(roa(roa)));
        if (a != null) {
            b.setNextHop(a.nextHop() == null ? "" : a.nextHop())
                    .setAsPath(a.asPath() == null ? "" : a.asPath())
                    .setOriginAsn((int) a.originAsn())
                    .setOriginAsValidationState(originValidation(placement, a.originAsn()))
                    .addAllCommunities(a.communities())
                    .addAllLargeCommunities(a.largeCommunities())
                    .setOrigin(a.origin() == null || a.origin() < 0 || a.origin() > 2 ? "" : ORIGINS[a.origin()]);
            if (a.rpkiState() > 0) {
                b.setRpkiValidationState(RpkiValidationState.forNumber(a.rpkiState())).setTrustAnchor(a.trustAnchor());
            }
            if (a.med() != null) {
                b.setMed(a.med().intValue());
            }
            if (a.localPref() != null) {
                b.setLocalPref(a.localPref().intValue());
            }
            if (a.onlyToCustomer() != null) {
                b.setOnlyToCustomer(a.onlyToCustomer().intValue());
            }
        }
        return b.build();
    }

    /** A ROA as the API shows it (the proto message shares the domain record's name). */
    static io.peering.routes.v1.Roa roa(Roa roa) {
        return io.peering.routes.v1.Roa.newBuilder()
                .setPrefix(roa.prefix().toString())
                .setMaxLength(roa.maxLength())
                .setOriginAsn((int) roa.asn())
                .setTrustAnchor(roa.trustAnchor())
                .build();
    }

    /** VALID when the origin is one of the peering's own ASNs, INVALID when not, UNKNOWN for a peer the inventory does not name. */
    static OriginAsValidationState originValidation(PeerPlacement placement, long originAsn) {
        if (!placement.known()) {
            return OriginAsValidationState.ORIGIN_AS_VALIDATION_STATE_UNKNOWN;
        }
        return placement.ownAsns().contains(originAsn)
                ? OriginAsValidationState.ORIGIN_AS_VALIDATION_STATE_VALID
                : OriginAsValidationState.ORIGIN_AS_VALIDATION_STATE_INVALID;
    }

    /** @param coveringRoas the ROAs covering the route's prefix ({@link io.peering.routes.rpki.RoaSet#covering}) */
    public static io.peering.routes.v1.RouteChange change(RouteQueries.LoggedChange logged, PeerPlacement placement,
                                                          List<Roa> coveringRoas) {
        RouteChange c = logged.change();
        return io.peering.routes.v1.RouteChange.newBuilder()
                .setCursor(Long.toString(logged.seq()))
                .setType(c.withdrawn() ? RouteChangeType.ROUTE_CHANGE_TYPE_WITHDRAW : RouteChangeType.ROUTE_CHANGE_TYPE_ANNOUNCE)
                .setRoute(route(c.peer(), c.rib(), c.prefix(), c.pathId(), c.time(), c.attributes(), placement, coveringRoas))
                .setTime(ProtoTimes.timestamp(c.time()))
                .setReason(c.reason())
                .build();
    }

    public static Session session(RouteQueries.StoredSession s, PeerPlacement placement, Instant now) {
        Session.Builder b = identity(s.peer(), placement)
                .setRouterName(s.routerName())
                .setPeerBgpId(s.peerBgpId() == null ? "" : s.peerBgpId())
                .setLocalAddress(s.localAddress() == null ? "" : s.localAddress())
                .setLocalAsn((int) s.localAsn())
                .setState(state(s.state()))
                .setStateSince(ProtoTimes.timestamp(s.stateSince()))
                .setLastError(s.lastError())
                .setRoutesCount(s.routesCount());
        if (s.state() == SessionState.SESSION_STATE_ESTABLISHED_VALUE && now.isAfter(s.stateSince())) {
            Duration up = Duration.between(s.stateSince(), now);
            b.setUptime(com.google.protobuf.Duration.newBuilder().setSeconds(up.getSeconds()).setNanos(up.getNano()));
        }
        return b.build();
    }

    public static SessionTransition transition(RouteQueries.LoggedTransition t, PeerPlacement placement) {
        return SessionTransition.newBuilder()
                .setCursor(Long.toString(t.seq()))
                .setSession(identity(t.peer(), placement).setState(state(t.state())).setStateSince(ProtoTimes.timestamp(t.time())))
                .setPreviousState(state(t.previousState()))
                .setState(state(t.state()))
                .setTime(ProtoTimes.timestamp(t.time()))
                .setReason(t.reason())
                .setPeerDownReason(t.peerDownReason())
                .setNotificationCode(t.notificationCode())
                .setNotificationSubcode(t.notificationSubcode())
                .build();
    }

    private static Session.Builder identity(PeerRef peer, PeerPlacement placement) {
        return Session.newBuilder()
                .setRouter(peer.router())
                .setPeerAddress(peer.peerAddress())
                .setPeerAsn((int) peer.peerAsn())
                .setConnection(placement.connection())
                .setAddressFamily(peer.peerAddress().contains(":") ? AddressFamily.ADDRESS_FAMILY_IPV6 : AddressFamily.ADDRESS_FAMILY_IPV4);
    }

    static SessionState state(short code) {
        SessionState s = SessionState.forNumber(code);
        return s == null ? SessionState.SESSION_STATE_UNSPECIFIED : s;
    }

    static RibView ribView(Rib rib) {
        return switch (rib) {
            case ADJ_RIB_IN_PRE_POLICY -> RibView.RIB_VIEW_ADJ_RIB_IN_PRE_POLICY;
            case ADJ_RIB_IN_POST_POLICY -> RibView.RIB_VIEW_ADJ_RIB_IN_POST_POLICY;
            case LOC_RIB -> RibView.RIB_VIEW_LOC_RIB;
        };
    }

    /** What ping reported, as the API shows it; {@code target} the address pinged. */
    public static PingResponse ping(String target, PingReport report) {
        PingResponse.Builder b = PingResponse.newBuilder().setTarget(target)
                .setTransmitted(report.transmitted()).setReceived(report.received()).setLossPercent(report.lossPercent());
        for (PingReport.Echo echo : report.echoes()) {
            PingProbe.Builder probe = PingProbe.newBuilder().setSequence(echo.sequence()).setReplied(echo.replied());
            if (echo.replied()) {
                probe.setReplyFrom(echo.from()).setRtt(duration(echo.rttMillis()));
            }
            b.addProbes(probe);
        }
        return b.build();
    }

    /** What traceroute reported, as the API shows it; {@code target} the address traced to. */
    public static TracerouteResponse traceroute(String target, TraceReport report) {
        TracerouteResponse.Builder b = TracerouteResponse.newBuilder().setTarget(target).setReached(report.reached(target));
        for (TraceReport.Hop hop : report.hops()) {
            TracerouteHop.Builder h = TracerouteHop.newBuilder().setHop(hop.ttl()).setLossPercent(hop.lossPercent());
            for (TraceReport.Answer a : hop.answers()) {
                TracerouteProbe.Builder probe = TracerouteProbe.newBuilder();
                if (a.rttMillis() != null) {
                    probe.setAddress(a.address()).setRtt(duration(a.rttMillis()));
                }
                h.addProbes(probe);
            }
            b.addHops(h);
        }
        return b.build();
    }

    /** Milliseconds as printed by ping and traceroute (microsecond precision) as a Duration. */
    static com.google.protobuf.Duration duration(double millis) {
        long nanos = Math.round(millis * 1_000_000);
        return com.google.protobuf.Duration.newBuilder().setSeconds(nanos / 1_000_000_000).setNanos((int) (nanos % 1_000_000_000)).build();
    }

    public static List<String> nonEmpty(List<String> values) {
        return values.stream().filter(v -> !v.isBlank()).toList();
    }
}
