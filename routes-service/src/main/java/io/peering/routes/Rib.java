package io.peering.routes;

/** The BMP view a route is reported in; {@link #code} is what the tables store. */
public enum Rib {
    ADJ_RIB_IN_PRE_POLICY(1), ADJ_RIB_IN_POST_POLICY(2), LOC_RIB(3);

    public final short code;

    Rib(int code) {
        this.code = (short) code;
    }

    public static Rib of(int code) {
        for (Rib rib : values()) {
            if (rib.code == code) {
                return rib;
            }
        }
        throw new IllegalArgumentException("unknown rib code " + code);
    }
}
