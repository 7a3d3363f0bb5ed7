package io.peering.metrics.service;

import io.peering.metrics.config.MetricsConfig;
import io.peering.metrics.repository.SampleStore;
import io.peering.metrics.repository.SampleStore.PendingSeries;
import io.peering.support.inventory.InventoryIndex;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Makes the rate rollups of samples stored before the rollups existed: migration V2 lists every
 * series that had samples in metrics.rate_backfill; at start-up each is refreshed over its whole
 * stored range with its connection's bandwidth from the inventory, and struck off in the same
 * transaction (so a restart resumes where it stopped). New samples keep their own rollups as they
 * arrive, under the same series lock, so the two never race. A series whose connection is not in
 * the inventory is left listed (it would not be queried anyway) and logged.
 */
@ApplicationScoped
public class RateBackfill {

    private static final Logger LOG = Logger.getLogger(RateBackfill.class);

    private final SampleStore samples;
    private final InventoryIndex inventory;
    private final MetricsConfig config;

    public RateBackfill(SampleStore samples, InventoryIndex inventory, MetricsConfig config) {
        this.samples = samples;
        this.inventory = inventory;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        run().subscribe().with(done -> {
        }, e -> LOG.errorf(e, "rate rollup backfill failed; it resumes at the next start"));
    }

    /** Backfills every pending series of an inventory connection; answers how many were done. */
    public Uni<Integer> run() {
        return samples.pendingBackfill().flatMap(pending -> Multi.createFrom().iterable(pending)
                .onItem().transformToUniAndConcatenate(this::backfill)
                .collect().asList()
                .map(done -> (int) done.stream().filter(Boolean::booleanValue).count()));
    }

    private Uni<Boolean> backfill(PendingSeries series) {
        var connection = inventory.connection(series.connection());
        if (connection.isEmpty()) {
            LOG.warnf("rate rollups of %s %s not made: the connection is not in the inventory", series.connection(),
                    series.sessionAddress());
            return Uni.createFrom().item(false);
        }
        return samples.backfill(series, connection.get().connection().bandwidthMbps() * 1e6, config.maxSampleGap())
                .invoke(() -> LOG.infof("rate rollups made for %s %s from %s to %s", series.connection(),
                        series.sessionAddress(), series.from(), series.to()))
                .replaceWith(true);
    }
}
