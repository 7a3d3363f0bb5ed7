package io.peering.latency.repository;

import io.peering.support.replica.ReadPool;
import io.peering.latency.probe.ProbeResult;
import io.peering.support.time.Grain;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Connectivity probe results ({@code latency.connectivity_probes}, migration V5) and their statistics per bucket. */
@ApplicationScoped
public class ProbeResults {

    static final String INSERT = """
            INSERT INTO latency.connectivity_probes (time, probe, peering, success, rtt_ms)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING
            """;

    /**
     * Per probe and bucket: the percent of probes that succeeded; the exact median RTT of the
     * successful ones (percentile_cont, NULL RTTs of failures ignored); the jitter: the mean absolute
     * difference between consecutive successful RTTs in time order inside the bucket (the window is
     * partitioned by success, so a failure between two successes does not break their pair; fewer
     * than two successes: NULL).
     */
    static final String SERIES = """
            WITH p AS (
                SELECT c.probe, time_bucket($5::text::interval, c.time) AS bucket, c.success, c.rtt_ms,
                       abs(c.rtt_ms - lag(c.rtt_ms) OVER (PARTITION BY c.probe, time_bucket($5::text::interval, c.time), c.success
                                                         ORDER BY c.time)) AS delta
                FROM latency.connectivity_probes c
                WHERE c.peering = $1 AND (cardinality($2::text[]) = 0 OR c.probe = ANY($2::text[]))
                  AND c.time >= $3 AND c.time < $4)
            SELECT probe, bucket, 100.0 * count(*) FILTER (WHERE success) / count(*),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY rtt_ms), avg(delta)
            FROM p GROUP BY probe, bucket ORDER BY probe, bucket
            """;

    /** One bucket of one probe; latency and jitter are null when the bucket has none. */
    public record Bucket(String probe, Instant bucket, double availabilityPercent, Double medianMs, Double jitterMs) {
    }

    private final Pool pool;
    private final ReadPool reads;

    public ProbeResults(Pool pool, ReadPool reads) {
        this.pool = pool;
        this.reads = reads;
    }

    public Uni<Void> insert(String probe, String peering, ProbeResult r) {
        return pool.preparedQuery(INSERT).execute(Tuple.of(OffsetDateTime.ofInstant(r.time(), ZoneOffset.UTC), probe, peering,
                r.succeeded(), r.rttMs())).replaceWithVoid();
    }

    /** Buckets of the peering's probes (all of them when {@code probes} is empty), by probe then time. */
    public Uni<List<Bucket>> buckets(String peering, List<String> probes, Instant from, Instant to, Grain grain) {
        return reads.forQueries().preparedQuery(SERIES).execute(Tuple.of(peering, probes.toArray(String[]::new),
                        OffsetDateTime.ofInstant(from, ZoneOffset.UTC), OffsetDateTime.ofInstant(to, ZoneOffset.UTC), grain.sqlInterval()))
                .map(rows -> {
                    List<Bucket> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Bucket(r.getString(0), r.getOffsetDateTime(1).toInstant(), r.getDouble(2), r.getDouble(3),
                                r.getDouble(4)));
                    }
                    return out;
                });
    }
}
