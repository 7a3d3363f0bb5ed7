package io.peering.events;

/**
 * The prefix event types, with Azure Peering's names and levels; {@link #code} is the proto enum number. Every event
 * of a type has the type's {@link #level}, but for {@link #REGISTERED_PREFIX_VALIDATION_STATE_CHANGE_EVENT}, whose
 * events each carry their own (the new state's, {@link ValidationState#level}).
 */
public enum EventType {
    PREFIX_ANNOUNCEMENT_EVENT(1, "PrefixAnnouncementEvent", Level.INFORMATION),
    PREFIX_WITHDRAWAL_EVENT(2, "PrefixWithdrawalEvent", Level.WARNING),
    PREFIX_BACKUP_ROUTE_ANNOUNCEMENT_EVENT(3, "PrefixBackupRouteAnnouncementEvent", Level.INFORMATION),
    PREFIX_BACKUP_ROUTE_WITHDRAWAL_EVENT(4, "PrefixBackupRouteWithdrawalEvent", Level.WARNING),
    PREFIX_ACTIVE_PATH(5, "PrefixActivePath", Level.INFORMATION),
    PREFIX_BACKUP_PATH(6, "PrefixBackupPath", Level.INFORMATION),
    PREFIX_ORIGIN_AS_CHANGE_EVENT(7, "PrefixOriginAsChangeEvent", Level.CRITICAL),
    PREFIX_BACKUP_ROUTE_ORIGIN_AS_CHANGE_EVENT(8, "PrefixBackupRouteOriginAsChangeEvent", Level.ERROR),
    // Route security: incidents, opened by one event and ended by a resolved event of the same type.
    PREFIX_COVERING_ROUTE_ORIGIN_AS_CHANGE_EVENT(9, "PrefixCoveringRouteOriginAsChangeEvent", Level.CRITICAL),
    PREFIX_RPKI_INVALID_ROUTE_EVENT(10, "PrefixRpkiInvalidRouteEvent", Level.ERROR),
    PREFIX_LEAK_EVENT(11, "PrefixLeakEvent", Level.CRITICAL),
    PREFIX_BACKUP_ROUTE_LEAK_EVENT(12, "PrefixBackupRouteLeakEvent", Level.ERROR),
    // A registered prefix's validation state (routes-service's) changed; the level follows the new state.
    REGISTERED_PREFIX_VALIDATION_STATE_CHANGE_EVENT(13, "RegisteredPrefixValidationStateChangeEvent", null);

    /** Event levels as in the Azure Peering API; {@link #code} is the proto enum number. */
    public enum Level {
        INFORMATION(1), WARNING(2), ERROR(3), CRITICAL(4);

        public final short code;

        Level(int code) {
            this.code = (short) code;
        }

        public static Level of(int code) {
            for (Level l : values()) {
                if (l.code == code) {
                    return l;
                }
            }
            throw new IllegalArgumentException("no event level " + code);
        }
    }

    public final short code;
    public final String azureName;
    /** The level of every event of the type; null when each event has its own. */
    public final Level level;

    EventType(int code, String azureName, Level level) {
        this.code = (short) code;
        this.azureName = azureName;
        this.level = level;
    }

    /** The type named {@code azureName} ("PrefixLeakEvent"), for configuration. */
    public static EventType ofAzureName(String azureName) {
        for (EventType t : values()) {
            if (t.azureName.equals(azureName)) {
                return t;
            }
        }
        throw new IllegalArgumentException("no event type \"" + azureName + "\"; the types are "
                + java.util.Arrays.stream(values()).map(t -> t.azureName).toList());
    }

    public static EventType of(int code) {
        for (EventType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new IllegalArgumentException("no event type " + code);
    }
}
