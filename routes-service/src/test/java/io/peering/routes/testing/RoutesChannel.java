package io.peering.routes.testing;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.peering.routes.v1.RoutesServiceGrpc;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.concurrent.TimeUnit;

/** A real gRPC channel to the service under test (its {@code quarkus.http.test-port}): open it before each test, close it after. */
public final class RoutesChannel implements AutoCloseable {

    private final ManagedChannel channel;

    private RoutesChannel(ManagedChannel channel) {
        this.channel = channel;
    }

    public static RoutesChannel open() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        return new RoutesChannel(ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
    }

    /**
     * A blocking stub whose calls must end within 30 s of this call (a stub's deadline is a point in time, not a
     * duration per call): take one per test, or one per call where a test runs longer.
     */
    public RoutesServiceGrpc.RoutesServiceBlockingStub blocking() {
        return RoutesServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** An asynchronous stub, without a deadline: its streams run until the test closes the channel. */
    public RoutesServiceGrpc.RoutesServiceStub async() {
        return RoutesServiceGrpc.newStub(channel);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
