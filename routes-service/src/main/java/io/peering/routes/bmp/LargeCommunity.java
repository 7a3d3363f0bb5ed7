package io.peering.routes.bmp;

/** An RFC 8092 large community; {@link #toString()} is {@code global:local1:local2}. */
public record LargeCommunity(long globalAdmin, long localData1, long localData2) {
    @Override
    public String toString() {
        return globalAdmin + ":" + localData1 + ":" + localData2;
    }
}
