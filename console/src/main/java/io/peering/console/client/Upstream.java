package io.peering.console.client;

import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.peering.events.v1.MutinyEventsServiceGrpc;
import io.peering.latency.v1.MutinyLatencyServiceGrpc;
import io.peering.metrics.v1.MutinyMetricsServiceGrpc;
import io.peering.routes.v1.MutinyRoutesServiceGrpc;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The four services as the console calls them: every stub carries the signed-in person's own
 * bearer token, so the services decide what the person sees, and nothing is widened here.
 */
@ApplicationScoped
public class Upstream {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @GrpcClient("routes")
    MutinyRoutesServiceGrpc.MutinyRoutesServiceStub routes;
    @GrpcClient("metrics")
    MutinyMetricsServiceGrpc.MutinyMetricsServiceStub metrics;
    @GrpcClient("latency")
    MutinyLatencyServiceGrpc.MutinyLatencyServiceStub latency;
    @GrpcClient("events")
    MutinyEventsServiceGrpc.MutinyEventsServiceStub events;

    @ConfigProperty(name = "peering.console.call-deadline", defaultValue = "PT15S")
    Duration deadline;

    /** The stubs for one person's calls, each with their token and the call deadline. */
    public Stubs as(String bearerToken) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + bearerToken);
        return new Stubs(unary(routes, headers), unary(metrics, headers), unary(latency, headers), unary(events, headers),
                events.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)));
    }

    private <S extends AbstractStub<S>> S unary(S stub, Metadata headers) {
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** {@code watchEvents} has no deadline: a page follows its events for as long as it is open. */
    public record Stubs(MutinyRoutesServiceGrpc.MutinyRoutesServiceStub routes,
                        MutinyMetricsServiceGrpc.MutinyMetricsServiceStub metrics,
                        MutinyLatencyServiceGrpc.MutinyLatencyServiceStub latency,
                        MutinyEventsServiceGrpc.MutinyEventsServiceStub events,
                        MutinyEventsServiceGrpc.MutinyEventsServiceStub watchEvents) {
    }
}
