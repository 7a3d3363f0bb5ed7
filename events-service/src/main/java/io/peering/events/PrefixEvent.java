package io.peering.events;

import java.time.Instant;

/**
 * One derived event. {@code seq} is its log position (0 until stored); origins are null when
 * there was no route; {@code routeCursor} is the routes-service change that caused it.
 */
public record PrefixEvent(long seq, Instant time, String peeringService, String prefix, EventType type,
                          String connection, String summary, String description, String asPathBefore,
                          String asPathAfter, Long originAsnBefore, Long originAsnAfter, long routeCursor) {
}
