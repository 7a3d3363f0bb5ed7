package io.peering.events.alerts;

import io.peering.events.PrefixEvent;
import io.peering.events.repository.EventStore;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the alert delivery tests share: a clean outbox, and events stored with their alerts as the deriver does. */
final class AlertHarness {

    /** An outbox row as the tests look at it. */
    record Stored(long id, String rule, String alert, boolean fired, boolean done, int failures) {
    }

    private AlertHarness() {
    }

    static void clean(Pool pool) {
        for (String sql : List.of("DELETE FROM events.alert_outbox",
                "DELETE FROM events.prefix_events WHERE peering IN ('peerings/am-test', 'peerings/hook-test', 'peerings/slow-test')")) {
            pool.query(sql).execute().await().atMost(Duration.ofSeconds(10));
        }
    }

    /** Stores {@code events} and enqueues their alerts in one transaction: the deriver's path. Yields them stored. */
    static List<PrefixEvent> store(Pool pool, EventStore store, AlertOutbox outbox, PrefixEvent... events) {
        return pool.withTransaction(conn -> store.appendEvents(conn, List.of(events))
                        .call(stored -> outbox.enqueue(conn, stored)))
                .await().atMost(Duration.ofSeconds(10));
    }

    /** The outbox rows of {@code alert}. */
    static List<Stored> rows(Pool pool, String alert) {
        List<Stored> rows = new ArrayList<>();
        for (Row r : pool.preparedQuery("SELECT id, rule, alert, fired_at IS NOT NULL, done_at IS NOT NULL, failures"
                        + " FROM events.alert_outbox WHERE alert = $1 ORDER BY id")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(alert)).await().atMost(Duration.ofSeconds(10))) {
            rows.add(new Stored(r.getLong(0), r.getString(1), r.getString(2), r.getBoolean(3), r.getBoolean(4), r.getInteger(5)));
        }
        return rows;
    }

    /** The one outbox row of {@code alert}. */
    static Stored row(Pool pool, String alert) {
        List<Stored> rows = rows(pool, alert);
        if (rows.size() != 1) {
            throw new AssertionError("expected one outbox row of " + alert + ", found " + rows);
        }
        return rows.get(0);
    }
}
