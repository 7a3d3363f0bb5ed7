package io.peering.events;

import java.time.Instant;

/**
 * One derived event. {@code seq} is its log position (0 until stored); origins are null when
 * there was no route; {@code routeCursor} is the routes-service change that caused it.
 *
 * @param peeringService "peeringServices/{name}"; "" for a route-security event of a peering's own prefix or route
 * @param peering        "peerings/{name}": the peering the event belongs to
 * @param incident       route-security events: the incident the event opens or ends; "" otherwise
 * @param resolved       true on the event that ends its incident
 * @param security       route-security events: the route and why it offends; null otherwise
 */
public record PrefixEvent(long seq, Instant time, String peeringService, String prefix, EventType type,
                          String connection, String summary, String description, String asPathBefore,
                          String asPathAfter, Long originAsnBefore, Long originAsnAfter, long routeCursor,
                          String peering, String incident, boolean resolved, RouteSecurity security) {

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
                asPathAfter, originAsnBefore, originAsnAfter, routeCursor, peering, incident, resolved, security);
    }

    /** A route-security event: it opens or ends an incident. */
    public boolean ofIncident() {
        return !incident.isEmpty();
    }
}
