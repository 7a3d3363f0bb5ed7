package io.peering.routes.collector;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * How much of what routers sent waits in the BMP spools for the database: the readiness detail "bmp-spool" and the
 * gauges {@code peering.bmp.spool.bytes} and {@code peering.bmp.spool.oldest.seconds}. Always UP: while the database
 * is away the collector keeps reading the routers into the spools, which is what it is for.
 */
@Readiness
@Startup // the gauges exist from the start, not from the first health call
@ApplicationScoped
public class SpoolHealth implements HealthCheck {

    private final BmpListener listener;

    public SpoolHealth(BmpListener listener, MeterRegistry registry) {
        this.listener = listener;
        Gauge.builder("peering.bmp.spool.bytes", listener, BmpListener::spooledBytes)
                .description("bytes received from routers and not yet stored").baseUnit("bytes").register(registry);
        Gauge.builder("peering.bmp.spool.oldest.seconds", listener, BmpListener::spooledSeconds)
                .description("age of the oldest bytes received from a router and not yet stored").register(registry);
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("bmp-spool").up()
                .withData("bytes", listener.spooledBytes())
                .withData("oldestSeconds", String.format(java.util.Locale.ROOT, "%.1f", listener.spooledSeconds()))
                .build();
    }
}
