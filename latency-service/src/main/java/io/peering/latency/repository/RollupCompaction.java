package io.peering.latency.repository;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Closes the hours that are over ({@code peering.latency.compaction-every}, default every minute):
 * the hourly rollup rows that are new or that a late sample reopened are sorted, and the statistics
 * of their prefix-hours ({@code latency.prefix_hourly}) and ASN buckets ({@code latency.asn_rollup})
 * computed again. Queries are exact either way: an hour with an open row is computed from its samples.
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
                        LOG.debugf("rollup compaction: closed %d hourly row(s)", rows);
                    }
                })
                .onFailure().invoke(e -> LOG.errorf(e, "rollup compaction failed; the next run tries again"))
                .onFailure().recoverWithNull().replaceWithVoid();
    }
}
