package io.peering.support.retention;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Retention for the Apache edition of TimescaleDB, which has no background policies: on a
 * schedule ({@code peering.retention.every}, default hourly) each configured hypertable loses
 * the chunks that hold only data older than {@code peering.retention.period}.
 */
@ApplicationScoped
public class RetentionJob {

    private static final Logger LOG = Logger.getLogger(RetentionJob.class);

    private final Pool pool;
    private final RetentionConfig config;
    private final MeterRegistry registry;

    public RetentionJob(Pool pool, RetentionConfig config, MeterRegistry registry) {
        this.pool = pool;
        this.config = config;
        this.registry = registry;
    }

    @Scheduled(identity = "retention", every = "${peering.retention.every:1h}", delayed = "${peering.retention.delay:5m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return dropExpiredChunks().replaceWithVoid()
                .onFailure().invoke(e -> LOG.errorf(e, "retention run failed; the next run tries again"))
                .onFailure().recoverWithNull();
    }

    /** Drops expired chunks of every configured hypertable; yields how many chunks were dropped. */
    public Uni<Integer> dropExpiredChunks() {
        long seconds = config.period().toSeconds();
        return Multi.createFrom().iterable(config.hypertables())
                .onItem().transformToUniAndConcatenate(table -> pool
                        .preparedQuery("SELECT drop_chunks($1::regclass, older_than => now() - make_interval(secs => $2))")
                        .execute(Tuple.of(table, (double) seconds))
                        .map(rows -> {
                            int dropped = rows.size();
                            if (dropped > 0) {
                                LOG.infof("retention: dropped %d chunk(s) of %s older than %s", dropped, table, config.period());
                                registry.counter("peering.retention.chunks.dropped", "hypertable", table).increment(dropped);
                            }
                            return dropped;
                        }))
                .collect().asList()
                .map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
    }

}
