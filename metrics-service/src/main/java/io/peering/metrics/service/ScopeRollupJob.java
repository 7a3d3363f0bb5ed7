package io.peering.metrics.service;

import io.peering.metrics.config.MetricsConfig;
import io.peering.metrics.repository.ScopeRollupStore;
import io.peering.metrics.repository.ScopeRollupStore.Members;
import io.peering.support.inventory.Inventory;
import io.peering.support.inventory.InventoryIndex;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * Keeps the scope rows (one row per connection or peering, grain and bucket) up with ingest: every
 * {@code peering.metrics.scope-refresh-every} (1 s) it remakes the hours ingest marked stale, a batch
 * of {@code peering.metrics.scope-refresh-batch} peering-hours per transaction, until none is left.
 * The first run records the inventory's membership of each peering, so a peering whose connections
 * changed is remade whole. Queries are exact either way: a stale hour is read from the per-series rows.
 */
@ApplicationScoped
public class ScopeRollupJob {

    private static final Logger LOG = Logger.getLogger(ScopeRollupJob.class);
    private final ScopeRollupStore store;
    private final Members members;
    private final int batch;
    private final AtomicBoolean membersSynced = new AtomicBoolean();

    public ScopeRollupJob(ScopeRollupStore store, InventoryIndex inventory, MetricsConfig config) {
        this.store = store;
        this.batch = config.scopeRefreshBatch();
        List<String[]> pairs = new ArrayList<>();
        for (Inventory.Peering p : inventory.peerings()) {
            for (InventoryIndex.ConnectionRef c : inventory.connectionsOf(p.name())) {
                pairs.add(new String[]{"peerings/" + p.name(), c.resourceName()});
            }
        }
        this.members = Members.of(pairs);
    }

    @Scheduled(identity = "metrics-scope-rollups", every = "${peering.metrics.scope-refresh-every:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return runUntilDone()
                .onFailure().invoke(e -> LOG.errorf(e, "remaking the scope rollups failed; the next run tries again"))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Remakes every stale peering-hour there is now; answers how many it remade. */
    public Uni<Integer> runUntilDone() {
        Uni<Integer> sync = membersSynced.get() ? Uni.createFrom().item(0) : store.syncMembers(members).invoke(changed -> {
            membersSynced.set(true);
            if (changed > 0) {
                LOG.infof("scope rollups: %d peering(s) whose connections changed are remade whole", changed);
            }
        });
        return sync.flatMap(ignored -> Multi.createBy().repeating().uni(() -> store.refresh(batch, members))
                .whilst(n -> n > 0)
                .collect().with(Collectors.summingInt(Integer::intValue)));
    }
}
