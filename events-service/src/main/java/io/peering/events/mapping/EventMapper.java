package io.peering.events.mapping;

import io.peering.support.time.ProtoTimes;
import io.peering.events.PrefixEvent;
import io.peering.events.RouteSecurity;
import io.peering.events.ValidationChange;
import io.peering.routes.v1.Roa;
import io.peering.events.v1.EventLevel;
import io.peering.events.v1.PrefixEventType;
import io.peering.events.v1.RegisteredPrefixValidation;

/** Stored events to v1 messages. */
public final class EventMapper {

    private EventMapper() {
    }

    public static io.peering.events.v1.PrefixEvent event(PrefixEvent e) {
        io.peering.events.v1.PrefixEvent.Builder b = io.peering.events.v1.PrefixEvent.newBuilder()
                .setCursor(Long.toString(e.seq()))
                .setPeeringService(e.peeringService())
                .setPrefix(e.prefix())
                .setType(PrefixEventType.forNumber(e.type().code))
                .setLevel(EventLevel.forNumber(e.level().code))
                .setTime(ProtoTimes.timestamp(e.time()))
                .setSummary(e.summary())
                .setDescription(e.description())
                .setConnection(e.connection())
                .setAsPathBefore(e.asPathBefore())
                .setAsPathAfter(e.asPathAfter())
                .setOriginAsnBefore(e.originAsnBefore() == null ? 0 : e.originAsnBefore().intValue())
                .setOriginAsnAfter(e.originAsnAfter() == null ? 0 : e.originAsnAfter().intValue())
                .setPeering(e.peering())
                .setIncident(e.incident())
                .setResolved(e.resolved());
        if (e.security() != null) {
            b.setSecurity(security(e.security()));
        }
        if (e.validation() != null) {
            b.setValidation(validation(e.validation()));
        }
        return b.build();
    }

    static RegisteredPrefixValidation validation(ValidationChange v) {
        return RegisteredPrefixValidation.newBuilder()
                .setRegisteredPrefix(v.registeredPrefix())
                .setStateBeforeValue(v.before().code)
                .setStateAfterValue(v.after().code)
                .addAllReasons(v.reasons())
                .setCheckedTime(ProtoTimes.timestamp(v.checkedTime()))
                .build();
    }

    static io.peering.events.v1.RouteSecurity security(RouteSecurity s) {
        io.peering.events.v1.RouteSecurity.Builder b = io.peering.events.v1.RouteSecurity.newBuilder()
                .setRoutePrefix(s.routePrefix())
                .setRouter(s.router())
                .setPeerAddress(s.peerAddress())
                .setPeerAsn((int) s.peerAsn())
                .setPathId((int) s.pathId())
                .setAsPath(s.asPath())
                .setOriginAsn((int) s.originAsn())
                .addAllExpectedOriginAsns(s.expectedOriginAsns().stream().map(Long::intValue).toList())
                .setRpkiValidationStateValue(s.rpkiState())
                .setReason(s.reason())
                .setTransitAsn((int) s.transitAsn());
        s.matchedRoas().forEach(r -> b.addMatchedRoas(Roa.newBuilder().setPrefix(r.prefix()).setMaxLength(r.maxLength())
                .setOriginAsn((int) r.originAsn()).setTrustAnchor(r.trustAnchor())));
        if (s.onlyToCustomer() != null) {
            b.setOnlyToCustomer(s.onlyToCustomer().intValue());
        }
        return b.build();
    }
}
