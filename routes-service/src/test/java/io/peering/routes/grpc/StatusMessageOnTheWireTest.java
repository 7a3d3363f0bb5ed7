package io.peering.routes.grpc;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.peering.routes.v1.ListReceivedRoutesRequest;
import io.peering.routes.v1.RoutesServiceGrpc;
import io.peering.support.testing.RawGrpcCall;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A refusal as a client that is not grpc-java (grpc-js, gRPC-Web) reads it: the grpc-message the service
 * sends is readable as is, not URL-form escaped ({@code prefix%3A%20%2710.41.1.1%2F24%27...}).
 */
@QuarkusTest
class StatusMessageOnTheWireTest {

    @Test
    void aRefusalsMessageIsSentAsWrittenWhenItIsPrintableAscii() throws InterruptedException {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        ListReceivedRoutesRequest request = ListReceivedRoutesRequest.newBuilder()
                .setParent("peerings/contoso-ams").setPrefix("10.41.1.1/24").build();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        StatusRuntimeException refusal;
        try {
            refusal = catchThrowableOfType(StatusRuntimeException.class, () -> RoutesServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS).listReceivedRoutes(request));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        assertThat(refusal).as("ListReceivedRoutes refuses a prefix with host bits set").isNotNull();
        assertThat(refusal.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        String decoded = refusal.getStatus().getDescription();
        assertThat(decoded).contains("prefix", "'10.41.1.1/24'", "did you mean 10.41.1.0/24").doesNotContain("%");

        RawGrpcCall.End end = RawGrpcCall.call(port, "peering.routes.v1.RoutesService/ListReceivedRoutes", request.toByteArray());

        assertThat(end).isEqualTo(new RawGrpcCall.End(true, "3", decoded));
    }
}
