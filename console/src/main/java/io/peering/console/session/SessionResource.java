package io.peering.console.session;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.peering.console.client.Upstream;
import io.peering.routes.v1.ListPeeringsRequest;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Sign-in and sign-out. A person signs in with a bearer token (pasted, or read from a file minted by
 * deploy/local/mint-token); the console checks it by making one call with it, and keeps it in the
 * session cookie. The token is never handed back to the page.
 */
@Path("/")
public class SessionResource {

    private final Upstream upstream;

    public SessionResource(Upstream upstream) {
        this.upstream = upstream;
    }

    @POST
    @Path("session/signin")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> signIn(@FormParam("token") String token, @FormParam("next") String next,
                                @Context HttpHeaders headers, @Context UriInfo uri) {
        String target = safeNext(next);
        String bearer = token == null ? "" : token.strip();
        if (bearer.startsWith("Bearer ")) {
            bearer = bearer.substring(7).strip();
        }
        if (bearer.isEmpty()) {
            return Uni.createFrom().item(backToSignIn("Paste a token, or choose a token file.", target));
        }
        String checked = bearer;
        return upstream.as(bearer).routes().listPeerings(ListPeeringsRequest.newBuilder().setPageSize(1).build())
                .map(ok -> Response.seeOther(URI.create(target)).cookie(SessionCookie.signIn(checked, overTls(headers, uri))).build())
                .onFailure().recoverWithItem(failure -> backToSignIn(refusal(failure), target));
    }

    @POST
    @Path("session/signout")
    public Response signOut(@Context HttpHeaders headers, @Context UriInfo uri) {
        return Response.seeOther(URI.create("/signin?signedOut=1")).cookie(SessionCookie.signOut(overTls(headers, uri))).build();
    }

    /**
     * Who is signed in, for the page header: the token's claims, read for display only (the services verify
     * it); {@code {"signedIn": false}} without a session.
     */
    @GET
    @Path("api/session")
    @Produces(MediaType.APPLICATION_JSON)
    public Response who(@Context HttpHeaders headers) {
        var token = SessionCookie.token(headers);
        JsonObject who = new JsonObject();
        who.addProperty("signedIn", token.isPresent());
        if (token.isEmpty()) {
            return Response.ok(who.toString(), MediaType.APPLICATION_JSON).build();
        }
        JsonObject claims = claims(token.get());
        who.addProperty("subject", text(claims.get("sub")));
        who.add("roles", claims.has("groups") ? claims.get("groups") : new JsonObject());
        who.add("peerAsns", claims.has("peer_asn") ? claims.get("peer_asn") : new JsonObject());
        if (claims.has("exp")) {
            who.addProperty("expiresAt", claims.get("exp").getAsLong());
        }
        return Response.ok(who.toString(), MediaType.APPLICATION_JSON).build();
    }

    private static JsonObject claims(String jwt) {
        try {
            String[] parts = jwt.split("\\.");
            return JsonParser.parseString(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8))
                    .getAsJsonObject();
        } catch (RuntimeException e) {
            return new JsonObject();
        }
    }

    private static String text(JsonElement e) {
        return e == null || e.isJsonNull() ? "" : e.getAsString();
    }

    private static String refusal(Throwable failure) {
        if (failure instanceof StatusRuntimeException e) {
            Status s = e.getStatus();
            return switch (s.getCode()) {
                case UNAUTHENTICATED -> "That token was refused: " + s.getDescription();
                case PERMISSION_DENIED -> "That token may not read peerings (" + s.getDescription()
                        + "). Sign in with a reader or operator token.";
                case UNAVAILABLE -> "The token could not be checked: routes-service is unavailable (" + s.getDescription()
                        + "). Try again in a moment.";
                default -> "The token could not be checked: " + s.getCode() + " " + s.getDescription();
            };
        }
        return "The token could not be checked: " + failure;
    }

    private static Response backToSignIn(String error, String next) {
        return Response.seeOther(URI.create("/signin?error=" + URLEncoder.encode(error, StandardCharsets.UTF_8)
                + "&next=" + URLEncoder.encode(next, StandardCharsets.UTF_8))).build();
    }

    /** Only a path of this site: never an absolute or scheme-relative address (no open redirect). */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\") || next.startsWith("/signin")) {
            return "/peerings";
        }
        return next;
    }

    private static boolean overTls(HttpHeaders headers, UriInfo uri) {
        return "https".equalsIgnoreCase(uri.getRequestUri().getScheme())
                || "https".equalsIgnoreCase(headers.getHeaderString("X-Forwarded-Proto"));
    }
}
