package io.peering.routes.validation;

/**
 * The validation state of a registered prefix, from best to worst for the states BMP data decides
 * ({@link #VERIFIED} &lt; {@link #WARNING} &lt; {@link #PENDING} &lt; {@link #FAILED}); {@link #UNKNOWN} when there is none.
 */
public enum ValidationState {
    /** Announced on every session of its family; every rule passes. */
    VERIFIED,
    /** Only soft rules broken: RPKI NOT_FOUND, a documentation prefix (when so configured), a session that is down. */
    WARNING,
    /** A session that is up does not announce the prefix (yet), or no session is up. */
    PENDING,
    /** A hard rule is broken. */
    FAILED,
    /** No session data for any session of the prefix's family. */
    UNKNOWN;

    /** The worse of the two, for the states BMP data decides. */
    ValidationState worse(ValidationState other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
