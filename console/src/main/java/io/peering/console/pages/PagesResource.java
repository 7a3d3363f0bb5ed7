package io.peering.console.pages;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Every page is a URL a person can bookmark: the server answers each with the same small HTML shell,
 * and the bundled script draws the page the path names.
 */
@Path("/")
public class PagesResource {

    private static final String SHELL = load();

    @GET
    public Response root() {
        return Response.seeOther(URI.create("/peerings")).build();
    }

    @GET
    @Path("{page: (signin|peerings|peeringServices)(/.*)?}")
    @Produces(MediaType.TEXT_HTML)
    public Response page() {
        return Response.ok(SHELL).header("Cache-Control", "no-store")
                .header("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
                        + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
                .header("X-Content-Type-Options", "nosniff")
                .build();
    }

    private static String load() {
        try (InputStream in = PagesResource.class.getResourceAsStream("/web/shell.html")) {
            if (in == null) {
                throw new IllegalStateException("web/shell.html is missing from the console's resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
