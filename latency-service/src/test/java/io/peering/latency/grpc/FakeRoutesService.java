package io.peering.latency.grpc;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.peering.routes.v1.ListReceivedRoutesRequest;
import io.peering.routes.v1.ListReceivedRoutesResponse;
import io.peering.routes.v1.ReceivedRoute;
import io.peering.routes.v1.RoutesServiceGrpc;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A routes-service on a random loopback port answering ListReceivedRoutes from {@link #routes},
 * two routes per page (so paging is exercised), and recording the requests it got.
 */
public class FakeRoutesService implements QuarkusTestResourceLifecycleManager {

    static volatile List<ReceivedRoute> routes = List.of();
    static final List<ListReceivedRoutesRequest> requests = new CopyOnWriteArrayList<>();

    private Server server;

    @Override
    public Map<String, String> start() {
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(new Routes()).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String port = Integer.toString(server.getPort());
        // in test mode Quarkus gRPC clients dial test-port, which defaults to the application's own port
        return Map.of("quarkus.grpc.clients.routes.host", "127.0.0.1", "quarkus.grpc.clients.routes.port", port,
                "quarkus.grpc.clients.routes.test-port", port);
    }

    @Override
    public void stop() {
        server.shutdownNow();
    }

    static class Routes extends RoutesServiceGrpc.RoutesServiceImplBase {
        @Override
        public void listReceivedRoutes(ListReceivedRoutesRequest request, StreamObserver<ListReceivedRoutesResponse> reply) {
            requests.add(request);
            List<ReceivedRoute> all = routes.stream()
                    .filter(r -> (" " + r.getAsPath() + " ").contains(" " + request.getAsPath() + " ")).toList();
            int from = request.getPageToken().isEmpty() ? 0 : Integer.parseInt(request.getPageToken());
            int to = Math.min(all.size(), from + 2);
            reply.onNext(ListReceivedRoutesResponse.newBuilder().addAllRoutes(all.subList(from, to))
                    .setNextPageToken(to < all.size() ? Integer.toString(to) : "").build());
            reply.onCompleted();
        }
    }
}
