package io.peering.events.service;

import io.peering.events.EventType;
import io.peering.events.PrefixEvent;
import io.peering.events.PrefixValidation;
import io.peering.events.ValidationChange;
import io.peering.events.alerts.AlertOutbox;
import io.peering.events.repository.EventStore;
import io.peering.events.repository.RegisteredPrefixStates;
import io.peering.support.log.LogSignal;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one observation of every registered prefix's validation state into
 * {@code RegisteredPrefixValidationStateChangeEvent}s, in ONE transaction: lock the stored states, compare, write
 * the changed states, append their events and enqueue their alerts ({@link AlertOutbox}). So a change is emitted
 * exactly once across restarts and replicas: a second poller waits for the first's commit and then finds the new
 * state stored.
 * <ul>
 * <li>A registered prefix seen for the first time is stored without an event: there is no earlier state to
 * change from (and a new deployment does not report every prefix at once).</li>
 * <li>An observation computed no later than the stored state (a poller whose answer from routes-service is older
 * than another's already stored) is ignored, so states never go back in time.</li>
 * <li>A registered prefix stored but not listed (gone from the inventory, or from the listing of a routes-service
 * replica with another inventory) keeps its row: nothing stored is lost to an odd listing, and a prefix that comes
 * back is compared with its last state.</li>
 * </ul>
 */
@ApplicationScoped
public class ValidationChanges {

    /** What one observation did: registered prefixes observed, seen for the first time, and events emitted. */
    public record Applied(int observed, int firstSeen, int events) {
    }

    /** What the comparison decided: states to write, events to append. */
    record Decision(List<PrefixValidation> writes, List<PrefixEvent> events, int firstSeen) {
    }

    private final Pool pool;
    private final RegisteredPrefixStates states;
    private final EventStore store;
    private final AlertOutbox alerts;
    private final LogSignal signal;

    public ValidationChanges(Pool pool, RegisteredPrefixStates states, EventStore store, AlertOutbox alerts, LogSignal signal) {
        this.pool = pool;
        this.states = states;
        this.store = store;
        this.alerts = alerts;
        this.signal = signal;
    }

    /** Applies {@code observed}, every registered prefix routes-service lists now. */
    public Uni<Applied> apply(List<PrefixValidation> observed) {
        return pool.withTransaction(conn -> states.lockAll(conn).flatMap(stored -> {
                    Decision d = decide(stored, observed);
                    return states.write(conn, d.writes())
                            .flatMap(v -> store.appendEvents(conn, d.events()))
                            .flatMap(appended -> alerts.enqueue(conn, appended))
                            .map(v -> new Applied(observed.size(), d.firstSeen(), d.events().size()));
                }))
                .invoke(applied -> {
                    if (applied.events() > 0) {
                        signal.signal();
                    }
                });
    }

    /** Compares the observation with what is stored (pure). */
    static Decision decide(Map<String, PrefixValidation> stored, List<PrefixValidation> observed) {
        List<PrefixValidation> writes = new ArrayList<>();
        List<PrefixEvent> events = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int firstSeen = 0;
        for (PrefixValidation now : observed) {
            if (!seen.add(now.registeredPrefix())) {
                continue; // listed twice (the inventory changed between two pages): the first answer counts
            }
            PrefixValidation before = stored.get(now.registeredPrefix());
            if (before == null) {
                writes.add(now);
                firstSeen++;
            } else if (now.checkedTime().isAfter(before.checkedTime()) && now.state() != before.state()) {
                writes.add(now);
                events.add(event(before, now));
            }
        }
        return new Decision(writes, events, firstSeen);
    }

    private static PrefixEvent event(PrefixValidation before, PrefixValidation now) {
        EventTexts.Text text = EventTexts.validationEvent(before, now);
        return new PrefixEvent(0, now.checkedTime(), "", now.prefix(), EventType.REGISTERED_PREFIX_VALIDATION_STATE_CHANGE_EVENT,
                "", text.summary(), text.description(), "", "", null, null, 0, now.peering(), "", false, null,
                now.state().level, new ValidationChange(now.registeredPrefix(), before.state(), now.state(), now.reasons(),
                now.checkedTime()));
    }
}
