package io.peering.console.session;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.NewCookie;

import java.util.Optional;

/**
 * The signed-in person's bearer token, kept in a session cookie the page's JavaScript cannot
 * read (HttpOnly) and the browser sends only to this site's own requests (SameSite=Strict); no
 * expiry, so it ends with the browser session, and sign-out clears it.
 */
public final class SessionCookie {

    public static final String NAME = "peering_console_session";

    private SessionCookie() {
    }

    public static Optional<String> token(HttpHeaders headers) {
        var cookie = headers.getCookies().get(NAME);
        return cookie == null || cookie.getValue().isBlank() ? Optional.empty() : Optional.of(cookie.getValue());
    }

    /** {@code secure}: the person reached the console over TLS (directly or through the gateway). */
    public static NewCookie signIn(String token, boolean secure) {
        return base(token, secure).build();
    }

    public static NewCookie signOut(boolean secure) {
        return base("", secure).maxAge(0).build();
    }

    private static NewCookie.Builder base(String value, boolean secure) {
        return new NewCookie.Builder(NAME).value(value).path("/").httpOnly(true).secure(secure)
                .sameSite(NewCookie.SameSite.STRICT);
    }
}
