package io.peering.events;

import java.time.Instant;
import java.util.Objects;

/**
 * One derived event. {@code seq} is its log position (0 until stored); origins are null when
 * there was no route; {@code routeCursor} is the routes-service change that caused it.
 *
 * @param peeringService "peeringServices/{name}"; "" for a route-security event of a peering's own prefix or route
 * @param peering        "peerings/{name}": the peering the event belongs to
 * @param incident       route-security events: the incident the event opens or ends; "" otherwise
 * @param resolved       true on the event that ends its incident
 * @param security       route-security events: the route and why it offends; null otherwise
 * @param level          the event's level: its type's, or for a validation-state change the new state's
 * @param validation     validation-state changes: the registered prefix and its states; null otherwise
 */
public record PrefixEvent(long seq, Instant time, String peeringService, String prefix, EventType type,
                          String connection, String summary, String description, String asPathBefore,
                          String asPathAfter, Long originAsnBefore, Long originAsnAfter, long routeCursor,
                          String peering, String incident, boolean resolved, RouteSecurity security, EventType.Level level,
                          ValidationChange validation) {

    public PrefixEvent {
        Objects.requireNonNull(level, () -> type.azureName + " has no level of its own: give the event's");
    }

    /** An event of a type whose events all have its level. */
    public PrefixEvent(long seq, Instant time, String peeringService, String prefix, EventType type, String connection,
                       String summary, String description, String asPathBefore, String asPathAfter, Long originAsnBefore,
                       Long originAsnAfter, long routeCursor, String peering, String incident, boolean resolved,
                       RouteSecurity security) {
        this(seq, time, peeringService, prefix, type, connection, summary, description, asPathBefore, asPathAfter,
                originAsnBefore, originAsnAfter, routeCursor, peering, incident, resolved, security, type.level, null);
    }

    /** An event of a peering-service prefix's connections (no incident). */
    public PrefixEvent(long seq, Instant time, String peeringService, String prefix, EventType type, String connection,
                       String summary, String description, String asPathBefore, String asPathAfter, Long originAsnBefore,
                       Long originAsnAfter, long routeCursor, String peering) {
        this(seq, time, peeringService, prefix, type, connection, summary, description, asPathBefore, asPathAfter,
                originAsnBefore, originAsnAfter, routeCursor, peering, "", false, null);
    }

    /** The same event at log position {@code seq}. */
    public PrefixEvent at(long seq) {
        return new PrefixEvent(seq, time, peeringService, prefix, type, connection, summary, description, asPathBefore,
                asPathAfter, originAsnBefore, originAsnAfter, routeCursor, peering, incident, resolved, security, level,
                validation);
    }

    /** A route-security event: it opens or ends an incident. */
    public boolean ofIncident() {
        return !incident.isEmpty();
    }
}
