package io.peering.routes.grpc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Page tokens made from a real one with one position field replaced: they carry the request's
 * fingerprint, so they pass its check, and only the position can tell them apart from an issued token.
 */
final class ForgedPageTokens {
    private static final String SEPARATOR = "\u001f";

    private ForgedPageTokens() {
    }

    /** The position fields of an issued token (after its version and fingerprint). */
    static List<String> positionOf(String token) {
        List<String> parts = List.of(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(SEPARATOR, -1));
        return parts.subList(2, parts.size());
    }

    /** {@code token} with position field {@code field} (0 = first after the fingerprint) set to {@code value}. */
    static String forge(String token, int field, String value) {
        List<String> parts = new ArrayList<>(List.of(
                new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(SEPARATOR, -1)));
        parts.set(2 + field, value);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(String.join(SEPARATOR, parts).getBytes(StandardCharsets.UTF_8));
    }
}
