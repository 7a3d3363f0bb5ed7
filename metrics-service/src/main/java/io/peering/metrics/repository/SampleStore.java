package io.peering.metrics.repository;

import io.peering.metrics.Sample;
import io.peering.support.sql.Columns;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Counter samples, written in bulk through unnest arrays (a repeated sample is stored once), and the
 * rate rollups kept with them: in the same transaction, under the series' locks, the intervals and
 * the minute, hour and day rows the new samples change are decided again (metrics.refresh_rates).
 * <p>
 * The samples are inserted before the locks are taken, so a batch's insert overlaps the refresh of
 * an earlier batch of the same series (ingest streams write two batches at once). That is exact:
 * refreshes of a series still run one at a time, each after the one before has committed, and each
 * re-decides every interval its own samples touch (from its first sample through the first stored
 * sample after its last) seeing every sample committed before it; a sample another batch has not
 * committed yet is that batch's to account for when its refresh runs. A transaction waits on another's
 * insert (the same sample sent twice) only before it holds any lock, and every batch inserts in one
 * order (series, then time), so no two transactions wait on each other in a cycle.
 */
@ApplicationScoped
public class SampleStore {

    /**
     * Answers, per series with new samples, the first and last new sample's time and how many are new.
     * Counters travel as text and become numeric(20,0) in SQL: the reactive client has no unsigned 64-bit type.
     */
    private static final String INSERT = """
            WITH inserted AS (
                INSERT INTO metrics.connection_samples (time, connection, session_address, in_octets, out_octets, in_discards, out_discards)
                SELECT t, c, a, i::numeric, o::numeric, di::numeric, dout::numeric
                FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
                     AS u(t, c, a, i, o, di, dout)
                ON CONFLICT DO NOTHING
                RETURNING connection, session_address, time)
            SELECT connection, session_address, min(time), max(time), count(*)::int FROM inserted GROUP BY 1, 2
            """;

    private static final String LOCK = "SELECT metrics.lock_rate_series($1::text[], $2::text[])";

    private static final String REFRESH = """
            SELECT metrics.refresh_rates($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::float8[], $6::float8)
            """;

    private static final String BACKFILL_PENDING = """
            SELECT connection, session_address, from_time, to_time FROM metrics.rate_backfill ORDER BY connection, session_address
            """;

    private static final String BACKFILL_DONE = """
            DELETE FROM metrics.rate_backfill WHERE connection = $1 AND session_address = $2 AND to_time = $3
            """;

    /** A series' samples stored over [from, to] whose rollups are to be made (see metrics.rate_backfill). */
    public record PendingSeries(String connection, String sessionAddress, Instant from, Instant to) {
    }

    private static final Comparator<Sample> IN_KEY_ORDER = Comparator.comparing(Sample::connection)
            .thenComparing(Sample::sessionAddress).thenComparing(Sample::time);

    private final Pool pool;

    public SampleStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * Stores the samples and refreshes the rollups they change, in one transaction; answers how many
     * samples were new (the rest were already stored and change nothing).
     *
     * @param maxBitsPerSecond the bandwidth of a connection (by resource name), which bounds its counters' increases
     * @param maxGap           the longest interval that gives a rate
     */
    public Uni<Integer> insert(List<Sample> samples, ToDoubleFunction<String> maxBitsPerSecond, Duration maxGap) {
        if (samples.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        Columns columns = new Columns(samples.size(), OffsetDateTime.class, String.class, String.class, String.class,
                String.class, String.class, String.class);
        // in one order (series, time), so two batches inserting the same samples wait on each other without a cycle
        for (Sample s : samples.stream().sorted(IN_KEY_ORDER).toList()) {
            columns.add(OffsetDateTime.ofInstant(s.time(), ZoneOffset.UTC), s.connection(), s.sessionAddress(),
                    Long.toUnsignedString(s.inOctets()), Long.toUnsignedString(s.outOctets()),
                    Long.toUnsignedString(s.inDiscards()), Long.toUnsignedString(s.outDiscards()));
        }
        return pool.withTransaction(conn -> conn.preparedQuery(INSERT).execute(columns.tuple())
                .flatMap(inserted -> {
                    List<PendingSeries> changed = new ArrayList<>();
                    int stored = 0;
                    for (Row row : inserted) {
                        changed.add(new PendingSeries(row.getString(0), row.getString(1), row.getOffsetDateTime(2).toInstant(),
                                row.getOffsetDateTime(3).toInstant()));
                        stored += row.getInteger(4);
                    }
                    int newSamples = stored;
                    return lock(conn, changed).flatMap(locked -> refresh(conn, changed, maxBitsPerSecond, maxGap))
                            .replaceWith(newSamples);
                }));
    }

    /** Takes the transaction-scoped locks of the series (metrics.lock_rate_series: one order, no deadlock). */
    private static Uni<Long> lock(SqlClient conn, List<PendingSeries> series) {
        if (series.isEmpty()) {
            return Uni.createFrom().item(0L);
        }
        String[] connections = series.stream().map(PendingSeries::connection).toArray(String[]::new);
        String[] addresses = series.stream().map(PendingSeries::sessionAddress).toArray(String[]::new);
        return conn.preparedQuery(LOCK).execute(Tuple.of(connections, addresses)).map(rows -> rows.iterator().next().getLong(0));
    }

    /** Series whose samples were stored without rollups (by the release before them, or by another writer). */
    public Uni<List<PendingSeries>> pendingBackfill() {
        return pool.query(BACKFILL_PENDING).execute().map(rows -> {
            List<PendingSeries> list = new ArrayList<>();
            for (Row row : rows) {
                list.add(new PendingSeries(row.getString(0), row.getString(1), row.getOffsetDateTime(2).toInstant(),
                        row.getOffsetDateTime(3).toInstant()));
            }
            return list;
        });
    }

    /** Makes the rollups of one pending series and marks it done, in one transaction under its lock. */
    public Uni<Void> backfill(PendingSeries pending, double maxBitsPerSecond, Duration maxGap) {
        return pool.withTransaction(conn -> conn.preparedQuery(LOCK)
                .execute(Tuple.of(new String[]{pending.connection()}, new String[]{pending.sessionAddress()}))
                .flatMap(locked -> refresh(conn, List.of(pending), c -> maxBitsPerSecond, maxGap))
                .flatMap(written -> conn.preparedQuery(BACKFILL_DONE).execute(Tuple.of(pending.connection(),
                        pending.sessionAddress(), OffsetDateTime.ofInstant(pending.to(), ZoneOffset.UTC))))
                .replaceWithVoid());
    }

    private static Uni<Long> refresh(SqlClient conn, List<PendingSeries> series, ToDoubleFunction<String> maxBitsPerSecond,
                                     Duration maxGap) {
        if (series.isEmpty()) {
            return Uni.createFrom().item(0L);
        }
        int n = series.size();
        String[] connections = new String[n];
        String[] addresses = new String[n];
        OffsetDateTime[] from = new OffsetDateTime[n];
        OffsetDateTime[] to = new OffsetDateTime[n];
        Double[] bandwidth = new Double[n];
        for (int i = 0; i < n; i++) {
            PendingSeries s = series.get(i);
            connections[i] = s.connection();
            addresses[i] = s.sessionAddress();
            from[i] = OffsetDateTime.ofInstant(s.from(), ZoneOffset.UTC);
            to[i] = OffsetDateTime.ofInstant(s.to(), ZoneOffset.UTC);
            bandwidth[i] = maxBitsPerSecond.applyAsDouble(s.connection());
        }
        return conn.preparedQuery(REFRESH).execute(Tuple.tuple(List.of(connections, addresses, from, to, bandwidth,
                maxGap.toMillis() / 1000.0))).map(rows -> rows.iterator().next().getLong(0));
    }
}
