package io.peering.events.mapping;

import com.google.protobuf.Timestamp;
import io.peering.events.PrefixEvent;
import io.peering.events.v1.EventLevel;
import io.peering.events.v1.PrefixEventType;

import java.time.Instant;

/** Stored events to v1 messages, and v1 timestamps to instants. */
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
                .setTime(Timestamp.newBuilder().setSeconds(e.time().getEpochSecond()).setNanos(e.time().getNano()))
                .setSummary(e.summary())
                .setDescription(e.description())
                .setConnection(e.connection())
                .setAsPathBefore(e.asPathBefore())
                .setAsPathAfter(e.asPathAfter())
                .setOriginAsnBefore(e.originAsnBefore() == null ? 0 : e.originAsnBefore().intValue())
                .setOriginAsnAfter(e.originAsnAfter() == null ? 0 : e.originAsnAfter().intValue())
                .build();
    }

    /** A set timestamp as an instant; null when unset. */
    public static Instant instant(boolean set, Timestamp t) {
        return set ? Instant.ofEpochSecond(t.getSeconds(), t.getNanos()) : null;
    }
}
