package io.peering.routes.bmp;

import io.peering.support.net.IpPrefix;

/** An announced or withdrawn route: a prefix and its ADD-PATH path id (0 when ADD-PATH is not in use). */
public record Route(IpPrefix prefix, long pathId) {
    @Override
    public String toString() {
        return pathId == 0 ? prefix.toString() : prefix + " path-id " + pathId;
    }
}
