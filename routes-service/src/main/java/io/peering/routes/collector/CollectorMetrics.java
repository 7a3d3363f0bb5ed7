package io.peering.routes.collector;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

/** Counters of what the collector received, skipped and refused (exposed on /q/metrics). */
@Singleton
public class CollectorMetrics {

    final Counter messages;
    final Counter routesAnnounced;
    final Counter routesWithdrawn;
    final Counter decodeErrors;
    final Counter treatAsWithdraw;
    final Counter framingErrors;
    final Counter writeErrors;
    final Counter unsupportedMessages;
    final Counter skippedFamilies;
    final Counter unknownAttributes;
    final Counter adjRibOutSkipped;
    final Counter backpressurePauses;
    final Counter refusedSource;
    final Counter refusedSessionLimit;
    final Counter leasesLost;
    final Counter writeRetries;
    final Counter routersTakenDown;
    final Counter spoolSyncErrors;

    public CollectorMetrics(MeterRegistry registry) {
        messages = registry.counter("peering.bmp.messages");
        routesAnnounced = registry.counter("peering.bmp.routes", "change", "announce");
        routesWithdrawn = registry.counter("peering.bmp.routes", "change", "withdraw");
        decodeErrors = registry.counter("peering.bmp.errors", "kind", "decode");
        treatAsWithdraw = registry.counter("peering.bmp.errors", "kind", "treat-as-withdraw");
        framingErrors = registry.counter("peering.bmp.errors", "kind", "framing");
        writeErrors = registry.counter("peering.bmp.errors", "kind", "database");
        unsupportedMessages = registry.counter("peering.bmp.skipped", "what", "message-type");
        skippedFamilies = registry.counter("peering.bmp.skipped", "what", "address-family");
        unknownAttributes = registry.counter("peering.bmp.skipped", "what", "path-attribute");
        adjRibOutSkipped = registry.counter("peering.bmp.skipped", "what", "adj-rib-out");
        backpressurePauses = registry.counter("peering.bmp.backpressure.pauses");
        refusedSource = registry.counter("peering.bmp.refused", "reason", "source-address");
        refusedSessionLimit = registry.counter("peering.bmp.refused", "reason", "session-limit");
        leasesLost = registry.counter("peering.bmp.router.leases.lost");
        writeRetries = registry.counter("peering.bmp.write.retries");
        routersTakenDown = registry.counter("peering.bmp.routers.taken.down");
        spoolSyncErrors = registry.counter("peering.bmp.errors", "kind", "spool-sync");
    }
}
