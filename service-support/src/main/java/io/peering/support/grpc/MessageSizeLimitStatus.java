package io.peering.support.grpc;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/**
 * Says why a call ended with RESOURCE_EXHAUSTED when a request message was over the inbound size
 * limit. The Vert.x gRPC server (one port for gRPC and HTTP) refuses such a message with the right
 * code but no grpc-message, which leaves the caller guessing; this adds the limit and what to do to
 * any RESOURCE_EXHAUSTED answer that has no message of its own (refusals of the services and their
 * interceptors always carry one).
 */
@ApplicationScoped
public class MessageSizeLimitStatus {

    /** Before the gRPC server's route, so the response hook is in place when it answers. */
    static final int ORDER = Integer.MIN_VALUE + 1000;

    private final String message;

    public MessageSizeLimitStatus(@ConfigProperty(name = "quarkus.grpc.server.max-inbound-message-size") Optional<Integer> limit) {
        this.message = "the request message is larger than this service's limit of "
                + limit.map(bytes -> bytes + " bytes").orElse("its inbound message size")
                + " (quarkus.grpc.server.max-inbound-message-size); send smaller messages, e.g. split a batch over"
                + " several messages of the stream";
    }

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(ctx -> {
            String contentType = ctx.request().getHeader("content-type");
            if (contentType != null && contentType.startsWith("application/grpc")) {
                HttpServerResponse response = ctx.response();
                response.headersEndHandler(v -> explain(response.headers()));
            }
            ctx.next();
        });
    }

    /** A trailers-only answer carries grpc-status in the headers: the case of a message refused before any reply. */
    void explain(MultiMap headers) {
        if ("8".equals(headers.get("grpc-status")) && headers.get("grpc-message") == null) {
            headers.set("grpc-message", message);
        }
    }
}
