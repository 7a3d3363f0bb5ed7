package io.peering.events.service;

import io.peering.events.PrefixEvent;
import io.peering.events.RouteUpdate;
import io.peering.events.alerts.AlertOutbox;
import io.peering.events.config.EventsConfig;
import io.peering.events.repository.EventStore;
import io.peering.support.log.LogSignal;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Derives and stores the events of one batch of route changes: the routes held for the prefixes
 * the batch touches, the open route-security incidents of the routes it touches, the events (of
 * peering-service prefixes, {@link Derivation}, and of route security, {@link SecurityDerivation},
 * in the order of the changes), and the feed's cursor change in ONE transaction, which first locks
 * the cursor row and skips changes at or before the stored cursor. So a batch is derived exactly
 * once, even when a restarted feed receives again a batch whose first delivery was still committing.
 * The alerts of the stored events go to the outbox in the same transaction ({@link AlertOutbox}).
 */
@ApplicationScoped
public class EventDeriver {

    /** What one batch did. */
    public record Applied(int changes, int events) {
    }

    private final Pool pool;
    private final EventStore store;
    private final ServicePrefixes servicePrefixes;
    private final LogSignal signal;
    private final SecurityScope securityScope;
    private final boolean security;
    private final AlertOutbox alerts;

    public EventDeriver(Pool pool, EventStore store, ServicePrefixes servicePrefixes, LogSignal signal,
                        SecurityScope securityScope, EventsConfig config, AlertOutbox alerts) {
        this.pool = pool;
        this.store = store;
        this.servicePrefixes = servicePrefixes;
        this.signal = signal;
        this.securityScope = securityScope;
        this.security = config.security().enabled();
        this.alerts = alerts;
    }

    /**
     * Applies {@code updates} (the batch's changes of the followed RIB view, in log order) and moves
     * the cursor to {@code lastCursor}, the batch's last change (followed view or not).
     */
    public Uni<Applied> apply(List<RouteUpdate> updates, long lastCursor) {
        return pool.withTransaction(conn -> store.lockCursor(conn, EventStore.ROUTES_FEED).flatMap(stored -> {
                    if (stored != null && lastCursor <= stored) {
                        return Uni.createFrom().item(new Applied(0, 0));
                    }
                    List<RouteUpdate> fresh = new ArrayList<>();
                    List<List<ServicePrefixes.Target>> targets = new ArrayList<>();
                    Set<Derivation.Key> keys = new LinkedHashSet<>();
                    Set<SecurityDerivation.RouteKey> routes = new LinkedHashSet<>();
                    for (RouteUpdate u : updates) {
                        if (stored != null && u.cursor() <= stored) {
                            continue;
                        }
                        List<ServicePrefixes.Target> where = servicePrefixes.targets(u.prefix(), u.peerAddress());
                        if (!where.isEmpty() || security) {
                            fresh.add(u);
                            targets.add(where);
                            where.forEach(t -> keys.add(new Derivation.Key(t.peeringService(), t.prefix())));
                            if (security) {
                                routes.add(SecurityDerivation.keyOf(u));
                            }
                        }
                    }
                    List<Derivation.Key> touched = List.copyOf(keys);
                    List<SecurityDerivation.RouteKey> touchedRoutes = List.copyOf(routes);
                    return store.routes(conn, touched).flatMap(held -> store.openIncidents(conn, touchedRoutes).flatMap(open -> {
                        Derivation derivation = new Derivation(held);
                        SecurityDerivation securityDerivation = new SecurityDerivation(securityScope, open);
                        List<PrefixEvent> events = new ArrayList<>();
                        for (int i = 0; i < fresh.size(); i++) {
                            int before = derivation.events().size();
                            derivation.apply(fresh.get(i), targets.get(i));
                            events.addAll(derivation.events().subList(before, derivation.events().size()));
                            if (security) {
                                int sBefore = securityDerivation.events().size();
                                securityDerivation.apply(fresh.get(i), targets.get(i));
                                events.addAll(securityDerivation.events().subList(sBefore, securityDerivation.events().size()));
                            }
                        }
                        return store.replaceRoutes(conn, touched, derivation.routes())
                                .flatMap(v -> store.replaceOpenIncidents(conn, touchedRoutes, securityDerivation.openIncidents()))
                                .flatMap(v -> store.appendEvents(conn, events))
                                .flatMap(appended -> alerts.enqueue(conn, appended))
                                .flatMap(v -> store.saveCursor(conn, EventStore.ROUTES_FEED, lastCursor))
                                .map(v -> new Applied(fresh.size(), events.size()));
                    }));
                }))
                .invoke(applied -> {
                    if (applied.events() > 0) {
                        signal.signal();
                    }
                });
    }
}
