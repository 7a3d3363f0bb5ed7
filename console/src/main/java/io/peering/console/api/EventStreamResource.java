package io.peering.console.api;

import com.google.gson.JsonObject;
import io.grpc.StatusRuntimeException;
import io.peering.common.v1.StartPosition;
import io.peering.console.client.Upstream;
import io.peering.console.session.SessionCookie;
import io.peering.events.v1.PrefixEvent;
import io.peering.events.v1.WatchPrefixEventsRequest;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * New prefix events for a page, as server-sent events: WatchPrefixEvents relayed with the person's
 * token, from the cursor of the newest event the page already shows (so nothing between the list and
 * the stream is missed). Each message is {@code {"event": PrefixEvent}}; a failure is sent as
 * {@code {"error": {"code", "message"}}} and ends the stream; {@code {"heartbeat": true}} every
 * 20 s keeps proxies from closing a quiet stream.
 */
@Path("/api/watch/prefixEvents")
public class EventStreamResource {

    static final Duration HEARTBEAT = Duration.ofSeconds(20);

    private final Upstream upstream;

    public EventStreamResource(Upstream upstream) {
        this.upstream = upstream;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<String> watch(@QueryParam("parent") String parent, @QueryParam("afterCursor") String afterCursor,
                               @Context HttpHeaders headers) {
        var token = SessionCookie.token(headers);
        if (token.isEmpty()) {
            return Multi.createFrom().item(error("UNAUTHENTICATED", "not signed in: sign in with your token"));
        }
        WatchPrefixEventsRequest.Builder request = WatchPrefixEventsRequest.newBuilder()
                .setParent(parent == null ? "" : parent);
        if (afterCursor != null && !afterCursor.isEmpty()) {
            request.setAfterCursor(afterCursor);
        } else {
            request.setStartPosition(StartPosition.START_POSITION_LATEST);
        }
        AtomicBoolean ended = new AtomicBoolean();
        Multi<String> events = upstream.as(token.get()).watchEvents().watchPrefixEvents(request.build())
                .onItem().transformToIterable(batch -> batch.getEventsList().stream().map(EventStreamResource::event).toList())
                .onFailure().recoverWithItem(EventStreamResource::error)
                .onTermination().invoke(() -> ended.set(true));
        // heartbeats while the watch lasts; the page's stream ends at the first tick after the watch ended
        Multi<String> heartbeats = Multi.createFrom().ticks().every(HEARTBEAT)
                .select().first(tick -> !ended.get())
                .map(tick -> "{\"heartbeat\":true}");
        return Multi.createBy().merging().streams(events, heartbeats);
    }

    private static String event(PrefixEvent e) {
        return "{\"event\":" + ApiResource.print(e) + "}";
    }

    private static String error(Throwable failure) {
        if (failure instanceof StatusRuntimeException e) {
            return error(e.getStatus().getCode().name(), e.getStatus().getDescription());
        }
        return error("UNKNOWN", String.valueOf(failure));
    }

    private static String error(String code, String message) {
        JsonObject error = new JsonObject();
        error.addProperty("code", code);
        error.addProperty("message", message);
        JsonObject body = new JsonObject();
        body.add("error", error);
        return body.toString();
    }
}
