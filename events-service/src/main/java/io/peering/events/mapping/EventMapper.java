package io.peering.events.mapping;

import io.peering.support.time.ProtoTimes;
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

    /**
     * A set timestamp as an instant; null when unset; INVALID_ARGUMENT naming {@code field} when it is not a
     * valid Timestamp (0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z).
     */
    public static Instant instant(String field, boolean set, Timestamp t) {
        if (!set) {
            return null;
        }
        return ProtoTimes.instant(field, t.getSeconds(), t.getNanos());
    }
}
