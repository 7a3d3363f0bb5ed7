package io.peering.routes.bmp;

import java.util.HexFormat;

/** A BGP NOTIFICATION (error code, subcode, data) as carried in a BMP Peer Down. */
public record BgpNotification(int code, int subcode, byte[] data) {

    public BgpNotification {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BgpNotification n && n.code == code && n.subcode == subcode
                && java.util.Arrays.equals(n.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * code + subcode) + java.util.Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "BgpNotification[code=" + code + ", subcode=" + subcode + ", data=" + HexFormat.of().formatHex(data) + "]";
    }
}
