package io.peering.routes.bmp;

import java.net.InetAddress;
import java.util.List;

/**
 * A decoded BGP OPEN as carried in a BMP Peer Up.
 *
 * @param myAs          the speaker's AS: from the 4-byte ASN capability when present, else the 2-byte field
 * @param fourByteAsn   whether the 4-byte ASN capability (RFC 6793) was advertised
 * @param multiprotocol families advertised with the multiprotocol capability (RFC 4760)
 * @param addPath       ADD-PATH capability entries (RFC 7911)
 * @param otherCapabilities codes of capabilities not decoded here, in order
 */
public record BgpOpen(int version, long myAs, int holdTime, InetAddress bgpId, boolean fourByteAsn,
                      List<AfiSafi> multiprotocol, List<AddPath> addPath, List<Integer> otherCapabilities) {

    public BgpOpen {
        multiprotocol = List.copyOf(multiprotocol);
        addPath = List.copyOf(addPath);
        otherCapabilities = List.copyOf(otherCapabilities);
    }

    /** One ADD-PATH capability entry: this speaker can send and/or receive path ids for the family. */
    public record AddPath(AfiSafi family, boolean send, boolean receive) {
    }
}
