package io.peering.events;

import java.time.Instant;

/**
 * One route change as the feed receives it from routes-service: a route (router, peer, ADD-PATH
 * id) of a prefix announced with an AS path and origin AS, or withdrawn.
 */
public record RouteUpdate(long cursor, Instant time, boolean withdrawn, String prefix, String router,
                          String peerAddress, long pathId, String asPath, long originAsn, String reason) {
}
