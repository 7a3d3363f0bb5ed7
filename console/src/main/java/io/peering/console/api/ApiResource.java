package io.peering.console.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.peering.console.client.Upstream;
import io.peering.console.session.SessionCookie;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The pages' JSON API: {@code POST /api/call/{Service}/{Method}} with the request message in the
 * protobuf JSON mapping, answered with the response message the same way. The call goes to the
 * service with the signed-in person's token; only the query RPCs of {@link RelayedRpcs} are relayed.
 */
@Path("/api/call")
public class ApiResource {

    static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private final Upstream upstream;

    public ApiResource(Upstream upstream) {
        this.upstream = upstream;
    }

    @POST
    @Path("/{service}/{method}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> call(@PathParam("service") String service, @PathParam("method") String method, String body,
                              @Context HttpHeaders headers) {
        String name = service + "/" + method;
        var rpc = RelayedRpcs.find(service, method);
        if (rpc.isEmpty()) {
            return Uni.createFrom().item(ApiError.response(404, "NOT_FOUND",
                    "the console does not relay " + name + "; it relays " + RelayedRpcs.names()));
        }
        var token = SessionCookie.token(headers);
        if (token.isEmpty()) {
            return Uni.createFrom().item(ApiError.response(401, "UNAUTHENTICATED", "not signed in: sign in with your token"));
        }
        Message request;
        try {
            Message.Builder builder = rpc.get().request().get();
            PARSER.merge(body == null || body.isBlank() ? "{}" : body, builder);
            request = builder.build();
        } catch (InvalidProtocolBufferException e) {
            return Uni.createFrom().item(ApiError.response(400, "INVALID_ARGUMENT", "the request of " + name
                    + " is not valid JSON for " + rpc.get().request().get().getDescriptorForType().getFullName() + ": "
                    + e.getMessage()));
        }
        return rpc.get().call().apply(upstream.as(token.get()), request)
                .map(response -> Response.ok(print(response), MediaType.APPLICATION_JSON).build())
                .onFailure().recoverWithItem(failure -> ApiError.of(failure, name));
    }

    static String print(Message message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + message.getDescriptorForType().getFullName() + " as JSON", e);
        }
    }
}
