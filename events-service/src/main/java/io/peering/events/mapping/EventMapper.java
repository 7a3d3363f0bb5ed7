package io.peering.events.mapping;

import io.peering.support.time.ProtoTimes;
import io.peering.events.PrefixEvent;
import io.peering.events.v1.EventLevel;
import io.peering.events.v1.PrefixEventType;

/** Stored events to v1 messages. */
public final class EventMapper {

    private EventMapper() {
    }

    public static io.peering.events.v1.PrefixEvent event(PrefixEvent e) {
        return io.peering.events.v1.PrefixEvent.newBuilder()
                .setCursor(Long.toString(e.seq()))
                .setPeeringService(e.peeringService())
                .setPrefix(e.prefix())
                .setType(PrefixEventType.forNumber(e.type().code))
                .setLevel(EventLevel.forNumber(e.type().level.code))
                .setTime(ProtoTimes.timestamp(e.time()))
                .setSummary(e.summary())
                .setDescription(e.description())
                .setConnection(e.connection())
                .setAsPathBefore(e.asPathBefore())
                .setAsPathAfter(e.asPathAfter())
                .setOriginAsnBefore(e.originAsnBefore() == null ? 0 : e.originAsnBefore().intValue())
                .setOriginAsnAfter(e.originAsnAfter() == null ? 0 : e.originAsnAfter().intValue())
                .build();
    }
}
