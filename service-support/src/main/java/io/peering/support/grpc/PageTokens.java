package io.peering.support.grpc;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Opaque page tokens: the keyset position of the last item of a page, plus a fingerprint of the
 * request, so a token is refused when used with different filters.
 */
public final class PageTokens {

    private static final String SEPARATOR = "\u001f";

    private PageTokens() {
    }

    public static String encode(String requestFingerprint, Object... position) {
        StringBuilder raw = new StringBuilder("v1").append(SEPARATOR).append(Integer.toHexString(requestFingerprint.hashCode()));
        for (Object p : position) {
            raw.append(SEPARATOR).append(p);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The position fields of a token, checked against the request; INVALID_ARGUMENT when it does not fit. */
    public static List<String> decode(String token, String requestFingerprint, int fields) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            List<String> parts = List.of(raw.split(SEPARATOR, -1));
            if (parts.size() != fields + 2 || !parts.get(0).equals("v1")) {
                throw new IllegalArgumentException();
            }
            if (!parts.get(1).equals(Integer.toHexString(requestFingerprint.hashCode()))) {
                throw ApiErrors.invalidArgument("page_token belongs to a request with other filters; send the same filters"
                        + " as the request that returned it, or no page_token to start over");
            }
            return parts.subList(2, parts.size());
        } catch (IllegalArgumentException e) {
            throw ApiErrors.invalidArgument("page_token is not one this service issued; use the next_page_token of the"
                    + " previous response unchanged, or none to start over");
        }
    }

    /** page_size: 0 means the default, more than the maximum is refused. */
    public static int pageSize(int requested) {
        if (requested < 0 || requested > 1000) {
            throw ApiErrors.invalidArgument("page_size must be between 0 and 1000 (0 means 100); got " + requested);
        }
        return requested == 0 ? 100 : requested;
    }
}
