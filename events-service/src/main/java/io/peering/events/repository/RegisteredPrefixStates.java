package io.peering.events.repository;

import io.peering.events.PrefixValidation;
import io.peering.events.ValidationState;
import io.peering.support.sql.Columns;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validation state last seen of each registered prefix (events.registered_prefix_states). The methods run
 * inside the caller's transaction.
 */
@ApplicationScoped
public class RegisteredPrefixStates {

    /**
     * Every stored state by registered prefix, each row locked until the transaction ends (in name order, so two
     * pollers wait for each other rather than deadlock): the second poller sees what the first committed.
     */
    public Uni<Map<String, PrefixValidation>> lockAll(SqlConnection conn) {
        return conn.query("""
                        SELECT registered_prefix, peering, prefix::text, state, reasons, checked_time
                        FROM events.registered_prefix_states ORDER BY registered_prefix FOR UPDATE""")
                .execute()
                .map(rows -> {
                    Map<String, PrefixValidation> stored = new LinkedHashMap<>();
                    for (Row r : rows) {
                        ValidationState state = ValidationState.of(r.getShort(3)).orElseThrow(() -> new IllegalStateException(
                                "events.registered_prefix_states holds state " + r.getShort(3) + " for " + r.getString(0)));
                        stored.put(r.getString(0), new PrefixValidation(r.getString(0), r.getString(1), r.getString(2), state,
                                strings(r.getJsonArray(4)), r.getOffsetDateTime(5).toInstant()));
                    }
                    return stored;
                });
    }

    /**
     * Stores these states: a registered prefix seen for the first time is inserted, one already stored is
     * overwritten unless what is stored was computed later (a first sighting another poller stored meanwhile).
     */
    public Uni<Void> write(SqlConnection conn, List<PrefixValidation> states) {
        if (states.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Columns c = new Columns(states.size(), String.class, String.class, String.class, Short.class, String.class,
                OffsetDateTime.class);
        states.forEach(s -> c.add(s.registeredPrefix(), s.peering(), s.prefix(), s.state().code,
                new JsonArray(new ArrayList<>(s.reasons())).encode(), s.checkedTime().atOffset(ZoneOffset.UTC)));
        return conn.preparedQuery("""
                        INSERT INTO events.registered_prefix_states (registered_prefix, peering, prefix, state, reasons,
                            checked_time)
                        SELECT name, peering, prefix::cidr, state, reasons::jsonb, checked
                        FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[], $5::text[], $6::timestamptz[])
                             AS u(name, peering, prefix, state, reasons, checked)
                        ON CONFLICT (registered_prefix) DO UPDATE
                        SET peering = excluded.peering, prefix = excluded.prefix, state = excluded.state,
                            reasons = excluded.reasons, checked_time = excluded.checked_time, updated_at = now()
                        WHERE events.registered_prefix_states.checked_time < excluded.checked_time""")
                .execute(c.tuple()).replaceWithVoid();
    }

    private static List<String> strings(JsonArray array) {
        List<String> out = new ArrayList<>(array.size());
        array.forEach(o -> out.add((String) o));
        return out;
    }
}
