/**
 * The server side of the Watch streams (WatchRouteChanges, WatchSessions, WatchPrefixEvents): replay a
 * log from a client-held cursor, then follow it live. The client side is {@code support.feed}.
 */
package io.peering.support.watch;
