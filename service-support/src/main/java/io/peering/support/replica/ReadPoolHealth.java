package io.peering.support.replica;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness detail "reads": where the query RPCs read and why. Always UP: when the replica is behind or down the
 * queries read from the primary, so the service still answers.
 */
@Readiness
@ApplicationScoped
public class ReadPoolHealth implements HealthCheck {

    private final ReadPool reads;

    public ReadPoolHealth(ReadPool reads) {
        this.reads = reads;
    }

    @Override
    public HealthCheckResponse call() {
        ReadPool.Status s = reads.status();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("reads").up()
                .withData("reading", s.readingReplica() ? "replica " + s.replica() : "primary");
        if (s.replicaConfigured()) {
            b.withData("replica", s.replica());
            b.withData("replicaLagMillis", s.lag() == null ? -1 : s.lag().toMillis());
            if (s.problem() != null) {
                b.withData("why", s.problem());
            }
        }
        return b.build();
    }
}
