package io.peering.events.alerts;

import io.peering.events.EventType;
import io.peering.events.PrefixEvent;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One checked rule: an event matches when its type is one of {@code types} (any when empty), its level one
 * of {@code levels} (any when empty), and it is of one of {@code peerings} or {@code peeringServices} (any
 * when both are empty).
 */
public record AlertRule(String name, Set<EventType> types, Set<EventType.Level> levels, Set<String> peerings,
                        Set<String> peeringServices, Duration forDuration, List<String> receivers) {

    public boolean matches(PrefixEvent e) {
        return (types.isEmpty() || types.contains(e.type()))
                && (levels.isEmpty() || levels.contains(e.level()))
                && inScope(e);
    }

    private boolean inScope(PrefixEvent e) {
        if (peerings.isEmpty() && peeringServices.isEmpty()) {
            return true;
        }
        return peerings.contains(e.peering()) || peeringServices.contains(e.peeringService());
    }
}
