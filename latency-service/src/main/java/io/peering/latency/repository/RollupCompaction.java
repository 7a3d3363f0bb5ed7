package io.peering.latency.repository;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Keeps the hourly rollup cheap to read: rows that later batches appended to are sorted again once
 * their hour is over ({@code peering.latency.compaction-every}, default every minute). Queries are
 * exact either way; an unsorted row only costs them a sort.
 */
@ApplicationScoped
public class RollupCompaction {

    private static final Logger LOG = Logger.getLogger(RollupCompaction.class);

    private final SampleStore store;

    public RollupCompaction(SampleStore store) {
        this.store = store;
    }

    @Scheduled(identity = "latency-rollup-compaction", every = "${peering.latency.compaction-every:1m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return store.compact()
                .invoke(rows -> {
                    if (rows > 0) {
                        LOG.debugf("rollup compaction: sorted %d hourly row(s)", rows);
                    }
                })
                .onFailure().invoke(e -> LOG.errorf(e, "rollup compaction failed; the next run tries again"))
                .onFailure().recoverWithNull().replaceWithVoid();
    }
}
