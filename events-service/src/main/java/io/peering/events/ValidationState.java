package io.peering.events;

import java.util.Optional;

/**
 * The validation state routes-service computes for a registered prefix (the Azure Peering prefixValidationState),
 * with the level of the event that reports a change to it; {@link #code} is the v1
 * {@code RegisteredPrefixValidationState} number.
 */
public enum ValidationState {
    VERIFIED(1, "Verified", EventType.Level.INFORMATION),
    FAILED(2, "Failed", EventType.Level.ERROR),
    WARNING(3, "Warning", EventType.Level.WARNING),
    PENDING(4, "Pending", EventType.Level.INFORMATION),
    UNKNOWN(5, "Unknown", EventType.Level.WARNING);

    public final short code;
    /** As Azure spells it. */
    public final String azureName;
    /** The level of an event reporting a change to this state. */
    public final EventType.Level level;

    ValidationState(int code, String azureName, EventType.Level level) {
        this.code = (short) code;
        this.azureName = azureName;
        this.level = level;
    }

    /** The state of v1 number {@code code}; empty for UNSPECIFIED and numbers this build does not know. */
    public static Optional<ValidationState> of(int code) {
        for (ValidationState s : values()) {
            if (s.code == code) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
