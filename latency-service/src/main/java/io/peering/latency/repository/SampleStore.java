package io.peering.latency.repository;

import io.peering.latency.Sample;
import io.peering.support.net.IpAddresses;
import io.peering.support.net.IpPrefix;
import io.peering.support.sql.Columns;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Writes accepted samples: one statement per batch, through {@code unnest} arrays, that inserts
 * the raw samples and, into the hourly rollup, a row of the batch's own per prefix, origin and hour
 * with its values (sorted, open), so both always agree. A sample identical to one stored (same
 * target, probe location, time and value: a stream sent again) is not stored again, and only the
 * samples inserted reach the rollup. No existing row is touched (migration V7): a batch costs the
 * same however many samples its hours already hold, and concurrent batches never wait on each other.
 * Each batch row carries the first and last time of its samples: until {@link RollupCompaction} merges
 * it, the buckets it touches are read from the samples.
 */
@ApplicationScoped
public class SampleStore {

    static final String INSERT = """
            WITH u AS (
                SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::float8[], $5::text[], $6::bigint[])
                    AS u(t, target, prefix, rtt, location, asn)
            ), raw AS (
                INSERT INTO latency.samples (time, prefix, target, rtt_ms, probe_location, origin_asn)
                SELECT t, prefix::cidr, target::inet, rtt, location, asn FROM u
                ON CONFLICT DO NOTHING
                RETURNING time, prefix, rtt_ms, origin_asn
            ), hourly AS (
                INSERT INTO latency.hourly (hour, prefix, origin_asn, rtts, sorted, first_time, last_time)
                SELECT time_bucket(INTERVAL '1 hour', time), prefix, coalesce(origin_asn, 0), array_agg(rtt_ms ORDER BY rtt_ms), true,
                       min(time), max(time)
                FROM raw GROUP BY 1, 2, 3
            )
            SELECT count(*)::int FROM raw
            """;

    /** The compaction as of now: the current hour's batch rows from before this minute, and every past hour (V7). */
    static final String COMPACT = "SELECT latency.close_hours(time_bucket(INTERVAL '1 hour', now()), time_bucket(INTERVAL '1 minute', now()))";

    private final Pool pool;

    public SampleStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * Stores one batch in one statement (its own transaction); yields how many samples of the batch
     * were new (the others are identical to one stored before).
     */
    public Uni<Integer> insert(List<Sample> batch) {
        if (batch.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        Columns columns = new Columns(batch.size(), OffsetDateTime.class, String.class, String.class, Double.class,
                String.class, Long.class);
        for (Sample s : batch) {
            columns.add(OffsetDateTime.ofInstant(s.time(), ZoneOffset.UTC), text(s.target()), s.prefix().toString(),
                    s.rttMs(), s.probeLocation(), s.originAsn());
        }
        return pool.preparedQuery(INSERT).execute(columns.tuple()).map(rows -> rows.iterator().next().getInteger(0));
    }

    /**
     * Merges the current hour's batch rows whose samples all lie before this minute into one open row per prefix
     * and origin, making their ASNs' 1- and 5-minute buckets again; and closes the past hours that have an open
     * row (new, or a late sample's): their rows merged into one sorted closed row, and the per-prefix-hour
     * statistics and per-ASN rows they belong to computed again; yields how many prefix-hours it closed (0 when
     * another run holds the job).
     */
    public Uni<Integer> compact() {
        return pool.query(COMPACT).execute().map(rows -> rows.iterator().next().getInteger(0));
    }

    /**
     * {@link #compact} as a run would do it with {@code before} the current hour's start and {@code settled} the current
     * minute's (so a test can take any hour as the current one).
     */
    public Uni<Integer> compactAsOf(Instant before, Instant settled) {
        return pool.preparedQuery("SELECT latency.close_hours($1, $2)")
                .execute(Tuple.of(OffsetDateTime.ofInstant(before, ZoneOffset.UTC), OffsetDateTime.ofInstant(settled, ZoneOffset.UTC)))
                .map(rows -> rows.iterator().next().getInteger(0));
    }

    private static String text(IpPrefix target) {
        return target.length() == target.addressBits() ? IpAddresses.format(target.address()) : target.toString();
    }
}
