package io.peering.events.feed;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Starts the {@link ScriptedRoutesServer} and points the feed's gRPC client at it, with the feed on. */
public class ScriptedRoutesResource implements QuarkusTestResourceLifecycleManager {

    static volatile ScriptedRoutesServer server;

    public static ScriptedRoutesServer server() {
        return server;
    }

    @Override
    public Map<String, String> start() {
        try {
            server = new ScriptedRoutesServer();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot start the scripted routes server", e);
        }
        return Map.of("quarkus.grpc.clients.routes.host", "127.0.0.1",
                "quarkus.grpc.clients.routes.port", Integer.toString(server.port()),
                // in tests the client dials test-port, which otherwise follows quarkus.http.test-port
                "quarkus.grpc.clients.routes.test-port", Integer.toString(server.port()),
                "peering.events.feed.enabled", "true");
    }

    @Override
    public void stop() {
        try {
            server.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
