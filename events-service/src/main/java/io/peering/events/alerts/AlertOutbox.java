package io.peering.events.alerts;

import io.micrometer.core.instrument.MeterRegistry;
import io.peering.events.PrefixEvent;
import io.peering.support.sql.Columns;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The outbox of alerts (events.alert_outbox). {@link #enqueue} runs in the feed's transaction, so an
 * alert is written exactly when its event is; the sender claims due rows, sends and records the outcome.
 */
@ApplicationScoped
public class AlertOutbox {

    private static final Logger LOG = Logger.getLogger(AlertOutbox.class);

    private final AlertRules rules;
    private final MeterRegistry registry;

    public AlertOutbox(AlertRules rules, MeterRegistry registry) {
        this.rules = rules;
        this.registry = registry;
    }

    /** How one attempt went, to record on its row. */
    public record Outcome(long id, boolean fired, boolean done, Duration nextAttemptIn, int failures, String error) {
        /** Next attempt: never by itself (a webhook's open incident waits for its resolved event). */
        public static final Duration NEVER = null;
    }

    /**
     * Enqueues the alerts of {@code stored} (events with their log positions) in the caller's transaction:
     * a matching incident-opening or one-shot event adds a row per rule and receiver; an incident's
     * resolved event ends its open rows (an incident resolved before its rule's {@code for} elapsed is
     * done without being sent). Yields the rows added.
     */
    public Uni<Integer> enqueue(SqlConnection conn, List<PrefixEvent> stored) {
        if (rules.rules().isEmpty() || stored.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        List<Object[]> added = new ArrayList<>();
        Columns resolved = new Columns(stored.size(), String.class, OffsetDateTime.class, String.class);
        int resolving = 0;
        for (PrefixEvent e : stored) {
            if (e.ofIncident() && e.resolved()) {
                resolved.add(e.incident(), utc(e.time()), AlertMessages.eventJson(e).encode());
                resolving++;
                continue;
            }
            for (AlertRule rule : rules.matching(e)) {
                String alert = e.ofIncident() ? e.incident() : "event-" + e.seq();
                OffsetDateTime ends = e.ofIncident() ? null : utc(e.time().plus(rules.config().oneShotDuration()));
                Instant fireAt = e.ofIncident() ? e.time().plus(rule.forDuration()) : e.time();
                for (String receiver : rule.receivers()) {
                    added.add(new Object[]{rule.name(), receiver, alert, e.ofIncident(), AlertMessages.eventJson(e).encode(),
                            utc(e.time()), ends, utc(fireAt)});
                }
            }
        }
        Uni<Integer> insert = added.isEmpty() ? Uni.createFrom().item(0) : insert(conn, added);
        if (resolving == 0) {
            return insert;
        }
        return insert.flatMap(n -> conn.preparedQuery("""
                        UPDATE events.alert_outbox o
                        SET ends_at = u.t, resolved_by = u.event::jsonb,
                            done_at = CASE WHEN o.fired_at IS NULL AND u.t < o.fire_at THEN now() END,
                            next_attempt_at = CASE WHEN o.fired_at IS NULL THEN o.next_attempt_at ELSE now() END,
                            failures = CASE WHEN o.fired_at IS NULL THEN o.failures ELSE 0 END
                        FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS u(incident, t, event)
                        WHERE o.incident AND o.ends_at IS NULL AND o.alert = u.incident
                        """)
                .execute(resolved.tuple()).replaceWith(n));
    }

    private Uni<Integer> insert(SqlConnection conn, List<Object[]> rows) {
        Columns added = new Columns(rows.size(), String.class, String.class, String.class, Boolean.class, String.class,
                OffsetDateTime.class, OffsetDateTime.class, OffsetDateTime.class);
        rows.forEach(added::add);
        int adding = rows.size();
        return conn.preparedQuery("""
                        INSERT INTO events.alert_outbox (rule, receiver, alert, incident, fired_by, starts_at, ends_at, fire_at,
                            next_attempt_at)
                        SELECT rule, receiver, alert, incident, fired_by::jsonb, starts_at, ends_at, fire_at, fire_at
                        FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[], $6::timestamptz[],
                                    $7::timestamptz[], $8::timestamptz[])
                             AS u(rule, receiver, alert, incident, fired_by, starts_at, ends_at, fire_at)
                        ON CONFLICT (rule, receiver, alert) WHERE incident AND ends_at IS NULL DO NOTHING
                        RETURNING id
                        """)
                .execute(added.tuple())
                .map(inserted -> {
                    int n = inserted.rowCount();
                    if (n < adding) {
                        LOG.warnf("alerts: %d of %d alerts were not enqueued: their incident is already open for the same"
                                + " rule and receiver (an incident id opened twice without its resolved event)", adding - n, adding);
                        registry.counter("peering.alerts.enqueue.duplicates").increment(adding - n);
                    }
                    registry.counter("peering.alerts.enqueued").increment(n);
                    return n;
                });
    }

    /** Claims up to {@code limit} due rows of these receivers, locked until the caller's transaction ends. */
    public Uni<List<OutboxRow>> claimDue(SqlConnection conn, List<String> receivers, int limit) {
        return conn.preparedQuery("""
                        SELECT id, rule, receiver, alert, incident, fired_by, resolved_by, starts_at, ends_at, fired_at, failures
                        FROM events.alert_outbox
                        WHERE done_at IS NULL AND next_attempt_at <= now() AND receiver = ANY($1)
                        ORDER BY next_attempt_at, id
                        LIMIT $2
                        FOR UPDATE SKIP LOCKED
                        """)
                .execute(Tuple.of(receivers.toArray(String[]::new), limit))
                .map(rows -> {
                    List<OutboxRow> claimed = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        claimed.add(new OutboxRow(r.getLong(0), r.getString(1), r.getString(2), r.getString(3), r.getBoolean(4),
                                r.getJsonObject(5), r.getJsonObject(6), r.getOffsetDateTime(7).toInstant(),
                                instant(r.getOffsetDateTime(8)), instant(r.getOffsetDateTime(9)), r.getInteger(10)));
                    }
                    return claimed;
                });
    }

    /** Records how each attempt went, in the claiming transaction. */
    public Uni<Void> record(SqlConnection conn, List<Outcome> outcomes) {
        if (outcomes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> tuples = new ArrayList<>(outcomes.size());
        for (Outcome o : outcomes) {
            Double seconds = o.nextAttemptIn() == null ? null : o.nextAttemptIn().toMillis() / 1000.0;
            tuples.add(Tuple.tuple(java.util.Arrays.asList(o.id(), o.fired(), o.done(), seconds, o.failures(), o.error())));
        }
        return conn.preparedQuery("""
                        UPDATE events.alert_outbox
                        SET fired_at = CASE WHEN $2 THEN now() ELSE fired_at END,
                            done_at = CASE WHEN $3 THEN now() END,
                            next_attempt_at = CASE WHEN $4::float8 IS NULL THEN 'infinity'::timestamptz
                                                   ELSE now() + make_interval(secs => $4::float8) END,
                            failures = $5,
                            last_error = $6
                        WHERE id = $1
                        """)
                .executeBatch(tuples).replaceWithVoid();
    }

    /** Deletes rows that have had nothing left to send for longer than {@code keep}; yields how many. */
    public Uni<Integer> prune(SqlConnection conn, Duration keep) {
        return conn.preparedQuery("DELETE FROM events.alert_outbox WHERE done_at < now() - make_interval(secs => $1)")
                .execute(Tuple.of((double) keep.toSeconds()))
                .map(rows -> rows.rowCount());
    }

    private static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
