package io.peering.routes.rpki;

import java.util.Objects;

/**
 * The RFC 6811 origin validation state of a route.
 *
 * @param state VALID, INVALID or NOT_FOUND
 * @param trustAnchor for VALID the trust anchor of the matching ROA (the lowest name if several match); for INVALID
 *     the trust anchor of the most specific covering ROA (lowest name among ROAs of that prefix); "" for NOT_FOUND
 */
public record Validation(State state, String trustAnchor) {

    public enum State {
        /** A covering ROA has the route's origin AS and a maxLength at least the route's length. */
        VALID,
        /** At least one ROA covers the route, none matches. */
        INVALID,
        /** No ROA covers the route. */
        NOT_FOUND
    }

    public static final Validation NOT_FOUND = new Validation(State.NOT_FOUND, "");

    public Validation {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(trustAnchor, "trustAnchor");
    }

    public boolean isValid() {
        return state == State.VALID;
    }

    public boolean isInvalid() {
        return state == State.INVALID;
    }
}
