package io.peering.events.alerts;

import io.peering.events.EventType;
import io.peering.events.PrefixEvent;
import io.peering.events.RouteSecurity;

import java.time.Instant;
import java.util.List;

/** Events for alert tests: incidents opened and resolved, and one-shot events. */
final class AlertEvents {

    static final String PREFIX = "203.0.113.0/24";

    private AlertEvents() {
    }

    static RouteSecurity security() {
        return new RouteSecurity("203.0.113.0/25", "10.0.0.1", "127.0.0.11", 64500, 0, "64500 64666", 64666,
                List.of(64496L), 2, List.of(new RouteSecurity.MatchedRoa("203.0.113.0/24", 24, 64496, "ripe")),
                "origin AS64666 is not an origin of 203.0.113.0/24", null, 0);
    }

    /** The event opening {@code incident}. */
    static PrefixEvent opened(EventType type, String peering, String incident, Instant time) {
        return new PrefixEvent(0, time, "", PREFIX, type, peering + "/connections/c1", type.azureName + " of " + PREFIX + " opened",
                "route 203.0.113.0/25 offends " + PREFIX, "", "64500 64666", null, 64666L, 0, peering, incident, false, security());
    }

    /** The event ending {@code incident}. */
    static PrefixEvent resolved(EventType type, String peering, String incident, Instant time) {
        return new PrefixEvent(0, time, "", PREFIX, type, peering + "/connections/c1", type.azureName + " of " + PREFIX + " ended",
                "route 203.0.113.0/25 withdrawn", "64500 64666", "", 64666L, null, 0, peering, incident, true, security());
    }

    /** A one-shot event (no incident). */
    static PrefixEvent oneShot(EventType type, String peering, Instant time) {
        return new PrefixEvent(0, time, "peeringServices/test-web", PREFIX, type, peering + "/connections/c1",
                type.azureName + " of " + PREFIX, "a one-shot event", "64500", "", 64500L, null, 0, peering);
    }
}
