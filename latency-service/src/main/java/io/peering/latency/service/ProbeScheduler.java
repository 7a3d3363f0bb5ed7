package io.peering.latency.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.peering.latency.config.ProbesConfig;
import io.peering.latency.probe.ProbeEndpoint;
import io.peering.latency.probe.ProbeEndpoints;
import io.peering.latency.probe.ProbeResult;
import io.peering.latency.probe.Prober;
import io.peering.latency.repository.ProbeResults;
import io.peering.support.inventory.Inventory;
import io.peering.support.inventory.InventoryIndex;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs the configured connectivity probes, each on its own interval, and stores every result
 * (a failure as a row without RTT). The endpoints are checked at start-up ({@link ProbeEndpoints}):
 * a target outside the allowed ranges or an unknown peering stops the service from starting.
 * Probes block (connect, ping), so they run on their own threads, never on an event loop.
 */
@ApplicationScoped
public class ProbeScheduler {

    private static final Logger LOG = Logger.getLogger(ProbeScheduler.class);
    private static final int MAX_THREADS = 16;

    private final ProbesConfig config;
    private final InventoryIndex inventory;
    private final ProbeResults results;
    private final MeterRegistry registry;
    /** Per probe: whether its last run failed, to log the change rather than every run. */
    private final Map<String, Boolean> failing = new ConcurrentHashMap<>();
    private volatile List<ProbeEndpoint> endpoints = List.of();
    private ScheduledExecutorService executor;

    public ProbeScheduler(ProbesConfig config, InventoryIndex inventory, ProbeResults results, MeterRegistry registry) {
        this.config = config;
        this.inventory = inventory;
        this.results = results;
        this.registry = registry;
    }

    void start(@Observes StartupEvent event) {
        Set<String> peerings = inventory.peerings().stream().map(Inventory.Peering::name).collect(Collectors.toSet());
        endpoints = ProbeEndpoints.check(config, peerings);
        if (endpoints.isEmpty()) {
            return;
        }
        executor = Executors.newScheduledThreadPool(Math.min(endpoints.size(), MAX_THREADS), r -> {
            Thread t = new Thread(r, "connectivity-probe");
            t.setDaemon(true);
            return t;
        });
        for (ProbeEndpoint e : endpoints) {
            LOG.infof("probing %s (peering %s): %s %s%s every %s", e.name(), e.peering(), e.protocol(), e.address().getHostAddress(),
                    e.port() > 0 ? " port " + e.port() : "", e.interval());
            executor.scheduleAtFixedRate(() -> runOnce(e), 0, e.interval().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    /** The checked endpoints, by name. */
    public List<ProbeEndpoint> endpoints() {
        return endpoints;
    }

    /** One probe of one endpoint, stored; nothing escapes (an exception would end the endpoint's schedule). */
    void runOnce(ProbeEndpoint e) {
        try {
            ProbeResult r = Prober.probe(e);
            registry.counter("peering.probes.runs", "probe", e.name(), "outcome", r.succeeded() ? "success" : "failure").increment();
            Boolean wasFailing = failing.put(e.name(), !r.succeeded());
            if (!r.succeeded() && !Boolean.TRUE.equals(wasFailing)) {
                LOG.warnf("probe %s (%s %s) failed: %s; counted in peering.probes.runs{outcome=failure} until it answers",
                        e.name(), e.protocol(), e.address().getHostAddress(), r.failure());
            } else if (r.succeeded() && Boolean.TRUE.equals(wasFailing)) {
                LOG.infof("probe %s answers again (%.3f ms)", e.name(), r.rttMs());
            }
            results.insert(e.name(), e.peering(), r).subscribe().with(ok -> { }, failure -> storeFailed(e, failure));
        } catch (RuntimeException ex) {
            storeFailed(e, ex);
        }
    }

    private void storeFailed(ProbeEndpoint e, Throwable failure) {
        LOG.errorf(failure, "probe %s: its result could not be stored", e.name());
        registry.counter("peering.probes.store.failures", "probe", e.name()).increment();
    }
}
