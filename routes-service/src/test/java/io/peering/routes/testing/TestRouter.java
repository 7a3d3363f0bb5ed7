package io.peering.routes.testing;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

import static io.peering.routes.bmp.BmpBytes.concat;

/**
 * A router as the collector sees it: a TCP connection from its own loopback address to the BMP listener, over which a
 * test writes BMP messages (built with {@link BmpPeer}). Each test uses its own router address, so what one test
 * stores is told apart from what the others store, and removed with {@link #forget}.
 */
public final class TestRouter implements AutoCloseable {

    /** The routes tables that hold rows per router and peer. */
    public static final List<String> TABLES = List.of("adj_rib_in", "sessions", "route_changes", "session_transitions");

    private final Socket socket;
    private final OutputStream out;

    private TestRouter(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
    }

    /** Connects from {@code address} (a loopback address) to the collector's BMP port and sends {@code messages}. */
    public static TestRouter connect(String address, int bmpPort, byte[]... messages) throws IOException {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(address, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", bmpPort), 5000);
            return new TestRouter(socket).send(messages);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Writes the messages, in order, as one write. */
    public TestRouter send(byte[]... messages) throws IOException {
        if (messages.length > 0) {
            out.write(concat(messages));
            out.flush();
        }
        return this;
    }

    /** The next byte the collector sends; -1 once it has closed the connection (it sends nothing else). */
    public int read() throws IOException {
        return socket.getInputStream().read();
    }

    /** Whether the collector closes the connection within {@code timeout} (it sends nothing else). */
    public boolean closedByCollectorWithin(java.time.Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        try {
            return socket.getInputStream().read() == -1;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true; // reset by the collector
        } finally {
            socket.setSoTimeout(0);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Deletes every row of {@link #TABLES} reported by {@code router}, and every row of the {@code peers} from any router. */
    public static void forget(Pool pool, String router, String... peers) {
        for (String table : TABLES) {
            pool.preparedQuery("DELETE FROM routes." + table + " WHERE router = $1::text::inet OR peer_address = ANY($2::text[]::inet[])")
                    .execute(Tuple.of(router, peers)).await().atMost(Duration.ofSeconds(10));
        }
        pool.preparedQuery("DELETE FROM routes.router_leases WHERE router = $1::text::inet").execute(Tuple.of(router))
                .await().atMost(Duration.ofSeconds(10));
    }
}
