package io.peering.routes.bmp;

/**
 * One Statistics Report counter (RFC 7854 section 4.8): 32-bit counters and 64-bit gauges both land
 * in {@code value}. Per-AFI/SAFI gauges (types 9, 10, 16, 17) carry their family, else it is {@code null}.
 */
public record StatCounter(int type, long value, AfiSafi family) {
    public static final int REJECTED_PREFIXES = 0;
    public static final int DUPLICATE_PREFIX_ADVERTISEMENTS = 1;
    public static final int DUPLICATE_WITHDRAWS = 2;
    public static final int INVALIDATED_CLUSTER_LIST_LOOP = 3;
    public static final int INVALIDATED_AS_PATH_LOOP = 4;
    public static final int INVALIDATED_ORIGINATOR_ID = 5;
    public static final int INVALIDATED_AS_CONFED_LOOP = 6;
    public static final int ROUTES_ADJ_RIB_IN = 7;
    public static final int ROUTES_LOC_RIB = 8;
    public static final int ROUTES_PER_AFI_SAFI_ADJ_RIB_IN = 9;
    public static final int ROUTES_PER_AFI_SAFI_LOC_RIB = 10;
}
