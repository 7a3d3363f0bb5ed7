package io.peering.events;

/** The part a connection plays in a peering service. */
public enum Role {
    PRIMARY(1), BACKUP(2);

    public final short code;

    Role(int code) {
        this.code = (short) code;
    }

    public static Role of(int code) {
        return code == 1 ? PRIMARY : BACKUP;
    }

    public String word() {
        return this == PRIMARY ? "primary" : "backup";
    }
}
