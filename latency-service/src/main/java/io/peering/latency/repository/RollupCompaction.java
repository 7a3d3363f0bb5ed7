package io.peering.latency.repository;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The rollup compaction ({@code peering.latency.compaction-cron}, default 5 seconds into every minute; {@link SampleStore#compact}):
 * the current hour's batch rows from before this minute merged and their ASNs' 1- and 5-minute buckets made; the
 * hours that are over (or that a late sample reopened) merged into one sorted row per prefix and origin, and the
 * statistics of their prefix-hours ({@code latency.prefix_hourly}) and ASN buckets ({@code latency.asn_rollup})
 * computed again. Queries are exact either way: what no run has taken in yet is read from the samples. At the start of
 * the minute rather than at any second of it ({@code every = 1m} from the service's start): a run takes in the batch
 * rows from before the current minute, so until it runs a chart of the last minutes reads the whole previous minute
 * from the samples too (on average 30 seconds more of them with a run at a random second).
 */
@ApplicationScoped
public class RollupCompaction {

    private static final Logger LOG = Logger.getLogger(RollupCompaction.class);

    private final SampleStore store;

    public RollupCompaction(SampleStore store) {
        this.store = store;
    }

    @Scheduled(identity = "latency-rollup-compaction", cron = "${peering.latency.compaction-cron:5 * * * * ?}",
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
