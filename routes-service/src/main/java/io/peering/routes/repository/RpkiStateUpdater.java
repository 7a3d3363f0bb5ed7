package io.peering.routes.repository;

import io.peering.routes.rpki.RpkiVerdict;
import io.peering.support.sql.Columns;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/**
 * Re-validates the stored Adj-RIB-In after the ROA set changed: walks the table in key order, a
 * page at a time, and rewrites only the routes whose RPKI state or trust anchor changed.
 */
@ApplicationScoped
public class RpkiStateUpdater {

    static final int PAGE = 10_000;

    private final Pool pool;

    public RpkiStateUpdater(Pool pool) {
        this.pool = pool;
    }

    /** Computes a route's verdict from its prefix (CIDR text) and origin AS. */
    public interface Validator {
        RpkiVerdict validate(String prefix, long originAsn);
    }

    private record Stored(String router, long pd, String peer, short rib, String prefix, long pathId, long originAsn,
                          short state, String trustAnchor) {
    }

    /** Yields how many routes changed state. */
    public Uni<Long> revalidateAll(Validator validator) {
        return page(validator, null, 0);
    }

    private Uni<Long> page(Validator validator, Stored after, long changedSoFar) {
        Tuple params = after == null ? Tuple.of(PAGE)
                : Tuple.tuple(java.util.Arrays.asList(after.router(), after.pd(), after.peer(), after.rib(), after.prefix(),
                after.pathId(), PAGE));
        String where = after == null ? "" : " WHERE (router, peer_distinguisher, peer_address, rib, prefix, path_id) >"
                + " ($1::text::inet, $2, $3::text::inet, $4, $5::text::cidr, $6)";
        String limit = after == null ? "$1" : "$7";
        return pool.preparedQuery("SELECT host(router), peer_distinguisher, host(peer_address), rib, prefix::text, path_id,"
                        + " coalesce(origin_asn, 0), rpki_state, trust_anchor FROM routes.adj_rib_in a" + where
                        + " ORDER BY a.router, a.peer_distinguisher, a.peer_address, a.rib, a.prefix, a.path_id LIMIT " + limit)
                .execute(params)
                .flatMap(rows -> {
                    List<Stored> page = new ArrayList<>();
                    for (Row r : rows) {
                        page.add(new Stored(r.getString(0), r.getLong(1), r.getString(2), r.getShort(3), r.getString(4),
                                r.getLong(5), r.getLong(6), r.getShort(7), r.getString(8)));
                    }
                    List<Object[]> changed = new ArrayList<>();
                    for (Stored s : page) {
                        RpkiVerdict v = validator.validate(s.prefix(), s.originAsn());
                        if (v.state().number() != s.state() || !v.trustAnchor().equals(s.trustAnchor())) {
                            changed.add(new Object[]{s.router(), s.pd(), s.peer(), s.rib(), s.prefix(), s.pathId(),
                                    v.state().number(), v.trustAnchor()});
                        }
                    }
                    Uni<Void> update = changed.isEmpty() ? Uni.createFrom().voidItem() : update(changed);
                    long total = changedSoFar + changed.size();
                    return update.flatMap(v -> page.size() < PAGE ? Uni.createFrom().item(total)
                            : page(validator, page.get(page.size() - 1), total));
                });
    }

    private Uni<Void> update(List<Object[]> rows) {
        Columns c = new Columns(rows.size(), String.class, Long.class, String.class, Short.class, String.class, Long.class,
                Short.class, String.class);
        rows.forEach(c::add);
        return pool.preparedQuery("""
                        UPDATE routes.adj_rib_in a SET rpki_state = u.state, trust_anchor = u.ta
                        FROM unnest($1::text[], $2::bigint[], $3::text[], $4::smallint[], $5::text[], $6::bigint[],
                                    $7::smallint[], $8::text[]) AS u(router, pd, peer, rib, prefix, path_id, state, ta)
                        WHERE a.router = u.router::inet AND a.peer_distinguisher = u.pd AND a.peer_address = u.peer::inet
                          AND a.rib = u.rib AND a.prefix = u.prefix::cidr AND a.path_id = u.path_id
                        """)
                .execute(c.tuple()).replaceWithVoid();
    }
}
