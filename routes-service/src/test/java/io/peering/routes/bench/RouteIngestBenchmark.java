package io.peering.routes.bench;

import io.agroal.api.AgroalDataSource;
import io.peering.routes.collector.BmpListener;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.peering.routes.bmp.BmpBytes.*;

/**
 * A full table from one peer over BMP, stored end to end (Adj-RIB-In and change log), against a
 * COPY of the same rows into the same tables. Prints its figures; asserts nothing about speed.
 * <pre>
 * ./mvnw -B test -pl routes-service -Dgroups=benchmark -DexcludedGroups=none -Dtest=RouteIngestBenchmark \
 *     [-Dbench.ipv4=1000000 -Dbench.ipv6=200000 -Dbench.perUpdate=200]
 * </pre>
 */
@QuarkusTest
@Tag("benchmark")
class RouteIngestBenchmark {

    static final int IPV4 = Integer.getInteger("bench.ipv4", 1_000_000);
    static final int IPV6 = Integer.getInteger("bench.ipv6", 200_000);
    static final int PER_UPDATE = Integer.getInteger("bench.perUpdate", 200);
    static final String ROUTER = "127.0.0.250";
    static final String COPY_ROUTER = "127.0.0.251";
    static final String PEER = "127.0.0.11";

    @Inject
    BmpListener listener;

    @Inject
    Pool pool;

    @Inject
    AgroalDataSource dataSource;

    static String v4(int i) {
        int base = (11 << 24) + (i << 8); // 11.0.0.0/24, 11.0.1.0/24, ...
        return ((base >>> 24) & 255) + "." + ((base >>> 16) & 255) + "." + ((base >>> 8) & 255) + ".0/24";
    }

    static String v6(int i) {
        return "2a00:" + Integer.toHexString(i >>> 16) + ":" + Integer.toHexString(i & 0xFFFF) + "::/48";
    }

    static final byte[] ATTRIBUTES_V4 = concat(origin(0), attr(0x40, 2, segment(2, 4, 64500, 64501, 64502)),
            nextHop("192.0.2.1"), attr(0xC0, 8, concat(u32((64500L << 16) | 100))));

    void clean() {
        for (String table : List.of("adj_rib_in", "sessions", "route_changes", "session_transitions")) {
            pool.preparedQuery("DELETE FROM routes." + table + " WHERE router IN ($1::text::inet, $2::text::inet)")
                    .execute(Tuple.of(ROUTER, COPY_ROUTER)).await().atMost(Duration.ofMinutes(5));
        }
    }

    /** The session's routes_count; 0 before its Peer Up is stored (the router may have sent everything by then). */
    long stored(String router) {
        var rows = pool.preparedQuery("SELECT routes_count FROM routes.sessions WHERE router = $1::text::inet")
                .execute(Tuple.of(router)).await().atMost(Duration.ofSeconds(10));
        return rows.size() == 0 ? 0 : rows.iterator().next().getLong(0);
    }

    @Test
    void fullTableOverBmpAgainstCopy() throws Exception {
        clean();
        long total = (long) IPV4 + IPV6;
        System.out.printf("%n== routes-service ingest benchmark: %,d IPv4 + %,d IPv6 routes from one peer, %d prefixes per UPDATE ==%n",
                IPV4, IPV6, PER_UPDATE);

        long start = System.nanoTime();
        try (Socket router = new Socket()) {
            router.bind(new InetSocketAddress(ROUTER, 0));
            router.connect(new InetSocketAddress("127.0.0.1", listener.port()));
            OutputStream out = new BufferedOutputStream(router.getOutputStream(), 1 << 16);
            out.write(peerUp(globalPeer(PEER, 64500),
                    open(65000, "127.0.0.2", fourByteAsnCapability(65000), multiprotocolCapability(1, 1), multiprotocolCapability(2, 1)),
                    open(64500, PEER, fourByteAsnCapability(64500), multiprotocolCapability(1, 1), multiprotocolCapability(2, 1))));
            long bytes = 0;
            for (int i = 0; i < IPV4; i += PER_UPDATE) {
                byte[][] nlri = new byte[Math.min(PER_UPDATE, IPV4 - i)][];
                for (int j = 0; j < nlri.length; j++) {
                    nlri[j] = prefix(v4(i + j));
                }
                byte[] m = routeMonitoring(globalPeer(PEER, 64500), update(new byte[0], ATTRIBUTES_V4, concat(nlri)));
                out.write(m);
                bytes += m.length;
            }
            for (int i = 0; i < IPV6; i += PER_UPDATE) {
                byte[][] nlri = new byte[Math.min(PER_UPDATE, IPV6 - i)][];
                for (int j = 0; j < nlri.length; j++) {
                    nlri[j] = prefix(v6(i + j));
                }
                byte[] attrs = concat(origin(0), attr(0x40, 2, segment(2, 4, 64500, 64501, 64502)),
                        attr(0x90, 14, concat(u16(2), u8(1), u8(16), ip("2001:db8::1"), u8(0), concat(nlri))));
                byte[] m = routeMonitoring(globalPeer(PEER, 64500), update(new byte[0], attrs, new byte[0]));
                out.write(m);
                bytes += m.length;
            }
            out.flush();
            long sentAt = System.nanoTime();
            while (stored(ROUTER) < total) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
            long done = System.nanoTime();
            double seconds = (done - start) / 1e9;
            System.out.printf("BMP over TCP -> stored: %,d routes in %.1f s = %,.0f routes/s (%,d BMP bytes; socket writes ended after %.1f s)%n",
                    total, seconds, total / seconds, bytes, (sentAt - start) / 1e9);
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            System.out.printf("service JVM (Quarkus app and this benchmark's generator): heap used after GC %,d MiB, resident %s, -Xmx %,d MiB%n",
                    heap >> 20, rss(), Runtime.getRuntime().maxMemory() >> 20);

            // The same rows, COPYed into the same tables (Adj-RIB-In and the change log).
            long copyStart = System.nanoTime();
            try (Connection c = dataSource.getConnection()) {
                PGConnection pg = c.unwrap(PGConnection.class);
                pg.getCopyAPI().copyIn("COPY routes.adj_rib_in (router, peer_distinguisher, peer_address, rib, prefix, path_id,"
                        + " peer_asn, received_time, origin, as_path, origin_asn, next_hop, communities, rpki_state) FROM STDIN", rows(false));
                pg.getCopyAPI().copyIn("COPY routes.route_changes (time, seq, router, peer_distinguisher, peer_address, peer_asn, rib,"
                        + " prefix, path_id, withdrawn, origin, as_path, origin_asn, next_hop, communities) FROM STDIN", rows(true));
            }
            double copySeconds = (System.nanoTime() - copyStart) / 1e9;
            System.out.printf("COPY of the same rows into adj_rib_in and route_changes: %.1f s = %,.0f routes/s%n",
                    copySeconds, total / copySeconds);
            System.out.printf("ratio (BMP end to end / COPY): %.2f of COPY's speed%n%n", copySeconds / seconds);
        }
        clean();
    }

    /** COPY text rows for the copy router, generated as the stream is read (not held in memory). */
    static Reader rows(boolean log) {
        return new Reader() {
            int i;
            StringReader current = new StringReader("");

            @Override
            public int read(char[] buf, int off, int len) throws IOException {
                int n = current.read(buf, off, len);
                while (n <= 0) {
                    if (i >= IPV4 + IPV6) {
                        return -1;
                    }
                    StringBuilder chunk = new StringBuilder(1 << 16);
                    for (int k = 0; k < 1000 && i < IPV4 + IPV6; k++, i++) {
                        boolean v6 = i >= IPV4;
                        String prefix = v6 ? v6(i - IPV4) : v4(i);
                        String nextHop = v6 ? "2001:db8::1" : "192.0.2.1";
                        if (log) {
                            chunk.append("2026-11-24 00:00:00+00\t").append(i + 1L).append('\t').append(COPY_ROUTER)
                                    .append("\t0\t").append(PEER).append("\t64500\t1\t").append(prefix)
                                    .append("\t0\tf\t0\t64500 64501 64502\t64502\t").append(nextHop).append("\t{64500:100}\n");
                        } else {
                            chunk.append(COPY_ROUTER).append("\t0\t").append(PEER).append("\t1\t").append(prefix)
                                    .append("\t0\t64500\t2026-11-24 00:00:00+00\t0\t64500 64501 64502\t64502\t").append(nextHop)
                                    .append("\t{64500:100}\t3\n");
                        }
                    }
                    current = new StringReader(chunk.toString());
                    n = current.read(buf, off, len);
                }
                return n;
            }

            @Override
            public void close() {
            }
        };
    }

    static String rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return line.substring(6).trim();
            }
        }
        return "unknown";
    }
}
