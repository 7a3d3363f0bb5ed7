package io.peering.events.alerts;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A webhook receiver on a loopback port (the JDK's HTTP server): records every request and answers 200. */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as received. */
    public record Received(String id, String signature, byte[] body, Instant at) {
        public JsonObject json() {
            return new JsonObject(new String(body, StandardCharsets.UTF_8));
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    public WebhookReceiver(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(exchange.getRequestHeaders().getFirst("X-Peering-Alert-Id"),
                    exchange.getRequestHeaders().getFirst("X-Peering-Signature"), body, Instant.now()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    /** The requests about alert (incident or event-{seq}) {@code alert}, in arrival order. */
    public List<Received> about(String alert) {
        return received.stream().filter(r -> alert.equals(r.json().getString("alert"))).toList();
    }

    public List<Received> all() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
