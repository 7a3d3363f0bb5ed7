package io.peering.routes.collector;

import io.peering.routes.PeerRef;
import io.peering.routes.Rib;
import io.peering.routes.RouteChange;
import io.peering.routes.bmp.BgpUpdate;
import io.peering.routes.bmp.LargeCommunity;
import io.peering.routes.bmp.PathAttributes;
import io.peering.routes.bmp.PerPeerHeader;
import io.peering.routes.bmp.Route;
import io.peering.routes.rpki.RpkiVerdict;
import io.peering.routes.service.RpkiValidation;
import io.peering.support.net.IpAddresses;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/** Turns decoded BMP into what the store keeps: peers, times, and validated route changes. */
final class RouteConverter {

    /** Router clocks beyond this distance from ours are not trusted; the collector's time is used. */
    private static final Duration MAX_CLOCK_SKEW = Duration.ofDays(1);

    private final String router;
    private final RpkiValidation rpki;

    RouteConverter(String router, RpkiValidation rpki) {
        this.router = router;
        this.rpki = rpki;
    }

    PeerRef peer(PerPeerHeader header) {
        InetAddress address = header.address();
        String peerAddress = address == null ? "0.0.0.0" : IpAddresses.format(address); // Loc-RIB: the router itself
        return new PeerRef(router, header.distinguisher(), peerAddress, header.asn());
    }

    static Rib rib(PerPeerHeader header) {
        if (header.type() == PerPeerHeader.PeerType.LOC_RIB) {
            return Rib.LOC_RIB;
        }
        return header.postPolicy() ? Rib.ADJ_RIB_IN_POST_POLICY : Rib.ADJ_RIB_IN_PRE_POLICY;
    }

    /** The router's time of an event, or ours when the router sends none or an implausible one. */
    static Instant time(PerPeerHeader header) {
        Instant now = Instant.now();
        Instant t = header.timestamp();
        if (t == null || t.isBefore(now.minus(MAX_CLOCK_SKEW)) || t.isAfter(now.plus(MAX_CLOCK_SKEW))) {
            return now;
        }
        return t;
    }

    /** Emits the update's withdrawals, then its announcements, in the order BGP applies them. */
    void changes(PerPeerHeader header, BgpUpdate update, Consumer<RouteChange> out) {
        PeerRef peer = peer(header);
        Rib rib = rib(header);
        Instant time = time(header);
        for (Route r : update.withdrawn()) {
            out.accept(RouteChange.withdraw(time, peer, rib, r.prefix().toString(), r.pathId(), "withdrawn by peer"));
        }
        if (update.treatAsWithdraw() != null) {
            String reason = "malformed UPDATE treated as withdraw: " + update.treatAsWithdraw().reason();
            for (Route r : update.treatAsWithdraw().routes()) {
                out.accept(RouteChange.withdraw(time, peer, rib, r.prefix().toString(), r.pathId(), reason));
            }
        }
        if (update.announced().isEmpty()) {
            return;
        }
        PathAttributes a = update.attributes();
        long originAsn = a.originAs();
        String asPath = a.asPath() == null ? "" : a.asPath().toString();
        Short origin = a.origin() == null ? null : (short) a.origin().ordinal();
        List<String> communities = a.communityStrings();
        List<String> large = a.largeCommunities().stream().map(LargeCommunity::toString).toList();
        for (Route r : update.announced()) {
            InetAddress nextHop = update.nextHopFor(r);
            RpkiVerdict v = rpki.validate(r.prefix(), originAsn);
            out.accept(RouteChange.announce(time, peer, rib, r.prefix().toString(), r.pathId(),
                    new RouteChange.Attributes(origin, asPath, originAsn, nextHop == null ? null : IpAddresses.format(nextHop),
                            a.med(), a.localPref(), communities, large, a.onlyToCustomer(), v.state().number(),
                            v.trustAnchor())));
        }
    }
}
