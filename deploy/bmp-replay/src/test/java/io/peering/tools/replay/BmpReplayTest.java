package io.peering.tools.replay;

import io.peering.routes.bmp.BmpFrameBuffer;
import io.peering.routes.bmp.BmpMessage;
import io.peering.routes.bmp.BmpSession;
import io.peering.support.testing.Fixtures;
import io.peering.routes.bmp.PerPeerHeader;
import io.peering.routes.bmp.Route;
import io.peering.routes.collector.BmpListener;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each real capture, replayed into the running collector, leaves in the database exactly the
 * routes and sessions that decoding the same bytes says the routers held at the end.
 */
@QuarkusTest
class BmpReplayTest {

    @Inject
    BmpListener listener;

    @Inject
    Pool pool;

    /** What decoding the bytes says each router held at the end: (router, peer, rib, prefix, path id) and up sessions. */
    record Expected(Set<String> routes, Set<String> upSessions) {
    }

    static Expected expected(List<BmpReplay.BmpStream> streams) throws Exception {
        Set<String> routes = new HashSet<>();
        Set<String> up = new HashSet<>();
        for (BmpReplay.BmpStream stream : streams) {
            String router = stream.router().getHostAddress(); // the collector tells routers apart by address
            BmpFrameBuffer frames = new BmpFrameBuffer();
            BmpSession session = new BmpSession();
            frames.append(stream.bytes(), 0, stream.bytes().length);
            for (ByteBuffer m = frames.next(); m != null; m = frames.next()) {
                BmpMessage message;
                try {
                    message = session.decode(m);
                } catch (io.peering.routes.bmp.BmpDecodeException e) {
                    continue;
                }
                if (message instanceof BmpMessage.PeerUp p) {
                    up.add(router + " " + peer(p.peer()));
                } else if (message instanceof BmpMessage.PeerDown d) {
                    up.remove(router + " " + peer(d.peer()));
                    routes.removeIf(r -> r.startsWith(router + " " + peer(d.peer()) + " "));
                } else if (message instanceof BmpMessage.RouteMonitoring rm && !rm.peer().adjRibOut()) {
                    String prefix = router + " " + peer(rm.peer()) + " " + rib(rm.peer()) + " ";
                    for (Route r : rm.update().withdrawn()) {
                        routes.remove(prefix + r.prefix() + " " + r.pathId());
                    }
                    for (Route r : rm.update().announced()) {
                        routes.add(prefix + r.prefix() + " " + r.pathId());
                    }
                }
            }
        }
        return new Expected(routes, up);
    }

    static String peer(PerPeerHeader h) {
        return h.distinguisher() + " " + (h.address() == null ? "0.0.0.0" : io.peering.support.net.IpAddresses.format(h.address()));
    }

    static int rib(PerPeerHeader h) {
        return h.type() == PerPeerHeader.PeerType.LOC_RIB ? 3 : h.postPolicy() ? 2 : 1;
    }

    long count(String sql) {
        return pool.query(sql).execute().await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
    }

    /** Each capture replays from its own loopback /24, so routers of one case never meet those of another. */
    static int base = 0;

    @ParameterizedTest
    @ValueSource(strings = {"netgauze/peers-with-different-caps/example.pcap",
            "netgauze/stateless-with-add-path/ipv4_unicast_all.pcap",
            "netgauze/unreachable-prefix-announcement/upa.pcap",
            "netgauze/path-status/ipv4_unicast_path_marking.pcap",
            "netgauze/evpn/evpn.pcap",
            "netgauze/vpnv4-stateless-with-withdraw/vpnv4-stateless-with-withdraw.pcap",
            "netgauze/bmp.pcapng"})
    void aReplayedCaptureLeavesExactlyTheRoutesAndSessionsTheRoutersHeld(String capture) throws Exception {
        Path file = Fixtures.file(capture);
        int net = 10 + base++;
        String routers = "'127.0." + net + ".0/24'";
        for (String table : List.of("adj_rib_in", "sessions")) {
            pool.query("DELETE FROM routes." + table + " WHERE router << " + routers).execute().await().atMost(Duration.ofSeconds(10));
        }
        List<BmpReplay.BmpStream> streams = BmpReplay.streams(file);
        assertThat(streams).as("BMP streams in " + capture).isNotEmpty();
        Expected expected = expected(streams);

        List<Socket> open = BmpReplay.replay(streams, new InetSocketAddress("127.0.0.1", listener.port()),
                InetAddress.getByAddress(new byte[]{127, 0, (byte) net, 0}), true, new PrintStream(OutputStream.nullOutputStream()));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (count("SELECT count(*) FROM routes.adj_rib_in WHERE router << " + routers) != expected.routes().size()
                    || count("SELECT count(*) FROM routes.sessions WHERE router << " + routers + " AND state = 7") != expected.upSessions().size()) {
                assertThat(System.nanoTime()).as("stored routes/sessions did not reach the expected counts " + expected.routes().size()
                        + "/" + expected.upSessions().size()).isLessThan(deadline);
                TimeUnit.MILLISECONDS.sleep(50);
            }
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
