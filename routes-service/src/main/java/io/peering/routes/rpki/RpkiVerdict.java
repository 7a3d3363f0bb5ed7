package io.peering.routes.rpki;

import java.util.Objects;

/**
 * The RFC 6811 origin validation verdict on a route: its state and the trust anchor behind it.
 *
 * @param state VALID, INVALID or NOT_FOUND
 * @param trustAnchor for VALID the trust anchor of the matching ROA (the lowest name if several match); for INVALID
 *     the trust anchor of the most specific covering ROA (lowest name among ROAs of that prefix); "" for NOT_FOUND
 */
public record RpkiVerdict(State state, String trustAnchor) {

    public enum State {
        /** A covering ROA has the route's origin AS and a maxLength at least the route's length. */
        VALID(1),
        /** At least one ROA covers the route, none matches. */
        INVALID(2),
        /** No ROA covers the route. */
        NOT_FOUND(3);

        private final short number;

        State(int number) {
            this.number = (short) number;
        }

        /** The RpkiValidationState number, as the API and {@code routes.adj_rib_in.rpki_state} carry it. */
        public short number() {
            return number;
        }
    }

    public static final RpkiVerdict NOT_FOUND = new RpkiVerdict(State.NOT_FOUND, "");

    public RpkiVerdict {
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
