package io.peering.routes.bmp;

/**
 * An information TLV of Initiation, Termination or Peer Up (type 0 string, 1 sysDescr, 2 sysName,
 * 3 VRF/table name, ...), value decoded as UTF-8 (invalid bytes replaced).
 */
public record InfoTlv(int type, String value) {
    public static final int STRING = 0;
    public static final int SYS_DESCR = 1;
    public static final int SYS_NAME = 2;
    public static final int VRF_TABLE_NAME = 3;
    public static final int ADMIN_LABEL = 4;
}
