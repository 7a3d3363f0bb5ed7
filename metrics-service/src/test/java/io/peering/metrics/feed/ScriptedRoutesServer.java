package io.peering.metrics.feed;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.peering.routes.v1.RoutesServiceGrpc;
import io.peering.routes.v1.SessionTransition;
import io.peering.routes.v1.WatchSessionsRequest;
import io.peering.routes.v1.WatchSessionsResponse;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A routes-service stand-in on a random loopback port, started before Quarkus: WatchSessions
 * replays its log after the request's cursor (or from the start for EARLIEST) in batches of two;
 * the first call then fails with UNAVAILABLE (routes-service going away), later calls stay open
 * and receive what {@link #publish} adds.
 */
public class ScriptedRoutesServer extends RoutesServiceGrpc.RoutesServiceImplBase implements QuarkusTestResourceLifecycleManager {

    static ScriptedRoutesServer instance;

    final List<SessionTransition> log = new ArrayList<>();
    final List<WatchSessionsRequest> requests = new ArrayList<>();
    private StreamObserver<WatchSessionsResponse> live;
    private Server server;

    @Override
    public Map<String, String> start() {
        instance = this;
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(this).build().start();
        } catch (IOException e) {
            throw new IllegalStateException("scripted routes server did not start", e);
        }
        String port = String.valueOf(server.getPort());
        // in test mode a Quarkus gRPC client dials its test-port
        return Map.of("quarkus.grpc.clients.routes.host", "127.0.0.1", "quarkus.grpc.clients.routes.port", port,
                "quarkus.grpc.clients.routes.test-port", port);
    }

    @Override
    public void stop() {
        server.shutdownNow();
    }

    synchronized List<WatchSessionsRequest> requests() {
        return List.copyOf(requests);
    }

    synchronized void publish(SessionTransition t) {
        log.add(t);
        if (live != null) {
            live.onNext(WatchSessionsResponse.newBuilder().addTransitions(t).build());
        }
    }

    @Override
    public synchronized void watchSessions(WatchSessionsRequest request, StreamObserver<WatchSessionsResponse> responses) {
        requests.add(request);
        live = null;
        int from = request.getAfterCursor().isEmpty() ? 0 : Integer.parseInt(request.getAfterCursor());
        for (int i = from; i < log.size(); i += 2) {
            responses.onNext(WatchSessionsResponse.newBuilder().addAllTransitions(log.subList(i, Math.min(i + 2, log.size()))).build());
        }
        if (requests.size() == 1) {
            responses.onError(Status.UNAVAILABLE.withDescription("scripted: routes-service restarting").asRuntimeException());
        } else {
            live = responses;
        }
    }
}
