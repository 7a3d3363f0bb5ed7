package io.peering.events.service;

import io.peering.events.EventType;
import io.peering.events.PrefixEvent;
import io.peering.events.Role;
import io.peering.events.RouteUpdate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Derives prefix events from route changes, one change after another, on the route state of the
 * peering-service prefixes they touch. Plain Java: the feed loads the state of the prefixes a batch
 * touches, applies the batch here, and stores the events and the final state in one transaction.
 *
 * <p>The route of a connection for a prefix: among the routes of the followed RIB view received
 * over the connection's session addresses (any router, any ADD-PATH id), the one with the lowest
 * path id, then the lowest router address, then the lowest peer address (as text). The route in use:
 * the primary connection's route if it has one, else the backup's, else none.
 *
 * <p>Per change: the connection's route appearing is an announcement, disappearing a withdrawal,
 * and changing its origin AS an origin-AS change (primary or backup flavour by role); a change of
 * AS path with the same origin AS is no event. When the route in use moves to another connection
 * (from the other one, or from none), PrefixActivePath (to the primary) or PrefixBackupPath (to the
 * backup) follows the connection's event.
 */
public final class Derivation {

    /** A peering-service prefix. */
    public record Key(String peeringService, String prefix) {
    }

    /** One route of a connection: which router received it from which peer, with which ADD-PATH id. */
    public record RouteId(String router, String peerAddress, long pathId) {
        static final Comparator<RouteId> ORDER = Comparator.comparingLong(RouteId::pathId)
                .thenComparing(RouteId::router).thenComparing(RouteId::peerAddress);
    }

    /** A route held for a peering-service prefix on one of its connections. */
    public record HeldRoute(Key key, Role role, RouteId id, String asPath, long originAsn, Instant received) {
    }

    private record InUse(Role role, HeldRoute route) {
        static final InUse NONE = new InUse(null, null);
    }

    private static final class PrefixRoutes {
        final EnumMap<Role, TreeMap<RouteId, HeldRoute>> routes = new EnumMap<>(Role.class);

        HeldRoute best(Role role) {
            TreeMap<RouteId, HeldRoute> held = routes.get(role);
            return held == null || held.isEmpty() ? null : held.firstEntry().getValue();
        }

        InUse inUse() {
            HeldRoute primary = best(Role.PRIMARY);
            if (primary != null) {
                return new InUse(Role.PRIMARY, primary);
            }
            HeldRoute backup = best(Role.BACKUP);
            return backup != null ? new InUse(Role.BACKUP, backup) : InUse.NONE;
        }

        void put(HeldRoute r) {
            routes.computeIfAbsent(r.role(), k -> new TreeMap<>(RouteId.ORDER)).put(r.id(), r);
        }

        void remove(Role role, RouteId id) {
            TreeMap<RouteId, HeldRoute> held = routes.get(role);
            if (held != null) {
                held.remove(id);
            }
        }
    }

    private final Map<Key, PrefixRoutes> state = new LinkedHashMap<>();
    private final List<PrefixEvent> events = new ArrayList<>();

    /** Starts from the stored routes of the prefixes the changes will touch. */
    public Derivation(List<HeldRoute> stored) {
        for (HeldRoute r : stored) {
            state.computeIfAbsent(r.key(), k -> new PrefixRoutes()).put(r);
        }
    }

    /** Applies one change to every service prefix and connection it counts for. */
    public void apply(RouteUpdate change, List<ServicePrefixes.Target> targets) {
        for (ServicePrefixes.Target t : targets) {
            Key key = new Key(t.peeringService(), t.prefix());
            PrefixRoutes prefix = state.computeIfAbsent(key, k -> new PrefixRoutes());
            HeldRoute before = prefix.best(t.role());
            InUse inUseBefore = prefix.inUse();
            RouteId id = new RouteId(change.router(), change.peerAddress(), change.pathId());
            if (change.withdrawn()) {
                prefix.remove(t.role(), id);
            } else {
                prefix.put(new HeldRoute(key, t.role(), id, change.asPath(), change.originAsn(), change.time()));
            }
            HeldRoute after = prefix.best(t.role());
            InUse inUseAfter = prefix.inUse();
            boolean primary = t.role() == Role.PRIMARY;
            EventType type = null;
            if (before == null && after != null) {
                type = primary ? EventType.PREFIX_ANNOUNCEMENT_EVENT : EventType.PREFIX_BACKUP_ROUTE_ANNOUNCEMENT_EVENT;
            } else if (before != null && after == null) {
                type = primary ? EventType.PREFIX_WITHDRAWAL_EVENT : EventType.PREFIX_BACKUP_ROUTE_WITHDRAWAL_EVENT;
            } else if (before != null && before.originAsn() != after.originAsn()) {
                type = primary ? EventType.PREFIX_ORIGIN_AS_CHANGE_EVENT : EventType.PREFIX_BACKUP_ROUTE_ORIGIN_AS_CHANGE_EVENT;
            }
            if (type != null) {
                HeldRoute other = t.otherConnection().isPresent() ? prefix.best(primary ? Role.BACKUP : Role.PRIMARY) : null;
                EventTexts.Text text = EventTexts.connectionEvent(type, t, change, before, after, other);
                events.add(event(change, t, type, t.connection(), text, before, after));
            }
            if (inUseAfter.role() != null && inUseAfter.role() != inUseBefore.role()) {
                boolean toPrimary = inUseAfter.role() == Role.PRIMARY;
                EventType pathType = toPrimary ? EventType.PREFIX_ACTIVE_PATH : EventType.PREFIX_BACKUP_PATH;
                String connection = toPrimary ? t.primaryConnection() : t.backupConnection().orElseThrow();
                EventTexts.Text text = EventTexts.pathEvent(pathType, t, connection, inUseBefore.route(), inUseAfter.route());
                events.add(event(change, t, pathType, connection, text, inUseBefore.route(), inUseAfter.route()));
            }
        }
    }

    private static PrefixEvent event(RouteUpdate change, ServicePrefixes.Target t, EventType type, String connection,
                                     EventTexts.Text text, HeldRoute before, HeldRoute after) {
        return new PrefixEvent(0, change.time(), t.peeringService(), t.prefix(), type, connection, text.summary(),
                text.description(), before == null ? "" : before.asPath(), after == null ? "" : after.asPath(),
                before == null ? null : before.originAsn(), after == null ? null : after.originAsn(), change.cursor(), t.peering());
    }

    /** The events derived so far, in order. */
    public List<PrefixEvent> events() {
        return events;
    }

    /** The routes now held for every prefix touched (or loaded). */
    public List<HeldRoute> routes() {
        List<HeldRoute> all = new ArrayList<>();
        for (PrefixRoutes p : state.values()) {
            p.routes.values().forEach(held -> all.addAll(held.values()));
        }
        return all;
    }

    /** The prefixes touched (or loaded): their stored routes are replaced by {@link #routes()}. */
    public List<Key> keys() {
        return List.copyOf(state.keySet());
    }
}
