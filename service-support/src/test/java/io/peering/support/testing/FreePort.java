package io.peering.support.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * A loopback TCP port nothing listens on now, for a server a test starts (a replica, a receiver, a router). A fixed
 * port is no choice: ports such as 55434 lie in Linux's ephemeral range (32768-60999), where any outgoing connection
 * of the build may hold it when the server binds.
 */
public final class FreePort {

    private FreePort() {
    }

    public static int pick() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
