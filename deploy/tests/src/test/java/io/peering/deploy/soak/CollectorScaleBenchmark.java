package io.peering.deploy.soak;

import io.peering.deploy.faults.Bmp.Peer;
import io.peering.deploy.faults.Bmp.Route;
import io.peering.deploy.faults.Local;
import io.peering.deploy.faults.PrivateCluster;
import io.peering.deploy.faults.ServiceProcess;
import io.peering.deploy.faults.SyntheticRouter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The collector with big tables (issue 17), routes-service run from its jar as a process (-Xmx512m, serial GC, as
 * the other deploy tests) on a private cluster, synthetic BMP routers sending over loopback:
 * <ul>
 *   <li>five full tables (1,000,000 IPv4 + 200,000 IPv6 routes each) from five routers, one after the other:
 *       each one's time from the first byte to stored, and the service's resident memory after the first and
 *       after the fifth;</li>
 *   <li>COPY of the same rows into the same tables (Adj-RIB-In and change log), the reference;</li>
 *   <li>Peer Down of one of those 1.2M-route peers: from the message to its routes withdrawn, logged and its
 *       session Idle (one transaction);</li>
 *   <li>20 routers at once, 60,000 routes each (1.2M together), against the same COPY.</li>
 * </ul>
 * Prints its figures; asserts nothing about speed.
 * <pre>./mvnw -B -pl deploy/tests test -Dgroups=benchmark -DexcludedGroups=none -Dtest=CollectorScaleBenchmark
 *     [-Dscale.ipv4=1000000 -Dscale.ipv6=200000 -Dscale.tables=5 -Dscale.routers=20]</pre>
 */
@Tag("benchmark")
class CollectorScaleBenchmark {

    static final int IPV4 = Integer.getInteger("scale.ipv4", 1_000_000);
    static final int IPV6 = Integer.getInteger("scale.ipv6", 200_000);
    static final int TABLES = Integer.getInteger("scale.tables", 5);
    static final int ROUTERS = Integer.getInteger("scale.routers", 20);

    /** Router {@code index}'s one peer, at 127.0.(index).1. */
    static Peer peer(int index) {
        return new Peer("127.0." + index + ".1", 64_500L + index);
    }

    /** {@code count} routes of a full table (IPv4 /24s from 16.0.0.0, then IPv6 /48s), starting at route {@code from}. */
    static List<Route> routes(Peer peer, int from, int count) {
        List<Route> routes = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            routes.add(i < IPV4
                    ? new Route(v4(i), List.of(peer.asn(), 64_512L + i % 400), peer.address())
                    : new Route(v6(i - IPV4), List.of(peer.asn(), 64_512L + i % 400), "fd00:64:500::11"));
        }
        return routes;
    }

    static String v4(int i) {
        int a = 0x10000000 + (i << 8);
        return ((a >>> 24) & 0xFF) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + ".0/24";
    }

    static String v6(int i) {
        return "2a00:" + Integer.toHexString(i >>> 16) + ":" + Integer.toHexString(i & 0xFFFF) + "::/48";
    }

    @Test
    void fullTablesPeerDownAndTwentyRoutersAgainstCopy() throws Exception {
        Path dir = Local.workDir("collector-scale");
        int total = IPV4 + IPV6;
        try (PrivateCluster db = PrivateCluster.start(dir)) {
            int bmpPort = Local.freePort();
            Map<String, String> env = new HashMap<>(db.serviceEnvironment());
            env.put("PEERING_BMP_PORT", String.valueOf(bmpPort));
            env.put("PEERING_BMP_HOST", "127.0.0.1");
            env.put("PEERING_BMP_ROUTER_GRACE_PERIOD", "PT1H"); // routers that finished sending are closed, not taken down
            try (ServiceProcess routes = ServiceProcess.start("routes-service", dir, env)) {
                PrintStream out = System.out; // as it goes: a run that fails half-way still shows what it measured
                out.printf("%n== collector scale: %d full tables of %,d IPv4 + %,d IPv6"
                        + " routes, Peer Down, %d routers at once (routes-service -Xmx512m, serial GC) ==%n", TABLES, IPV4, IPV6, ROUTERS);
                long idle = routes.residentBytes();
                long afterFirst = 0;
                double firstTableSeconds = 0;
                SyntheticRouter last = null;
                for (int t = 1; t <= TABLES; t++) {
                    SyntheticRouter router = new SyntheticRouter("127.0.0." + (120 + t), bmpPort);
                    router.peer(peer(t), routes(peer(t), 0, total));
                    double seconds = storeAll(db, List.of(router), total);
                    out.printf("table %d (router %s): %,d routes stored in %.1f s = %,.0f routes/s%n", t, router.address(),
                            total, seconds, total / seconds);
                    Thread.sleep(5_000); // settle
                    if (t == 1) {
                        afterFirst = routes.residentBytes();
                        firstTableSeconds = seconds;
                    }
                    if (t < TABLES) {
                        router.close();
                    } else {
                        last = router;
                    }
                }
                long afterAll = routes.residentBytes();
                out.printf("routes-service RSS: idle %s, after 1 table %s, after %d tables %s (%+.0f %% of after 1)%n",
                        SoakStack.mib(idle), SoakStack.mib(afterFirst), TABLES, SoakStack.mib(afterAll),
                        100.0 * (afterAll - afterFirst) / afterFirst);

                double copySeconds = copy(db, "127.0.0.250", total);
                out.printf("COPY of the same rows into adj_rib_in and route_changes: %,d routes in %.1f s = %,.0f routes/s%n",
                        total, copySeconds, total / copySeconds);

                // Peer Down of the last table's peer: routes withdrawn and logged, session Idle, in one transaction.
                String lastRouter = last.address();
                long peerDownStart = System.nanoTime();
                last.peerDown(peer(TABLES));
                Local.await(Duration.ofMinutes(5), "the peer's routes withdrawn",
                        () -> db.count("SELECT count(*) FROM routes.adj_rib_in WHERE router = ?::inet", lastRouter) == 0);
                double peerDown = (System.nanoTime() - peerDownStart) / 1e9;
                long withdrawals = db.count("SELECT count(*) FROM routes.route_changes WHERE router = ?::inet AND withdrawn", lastRouter);
                out.printf("Peer Down of a %,d-route peer: stored in %.1f s (%,d withdrawals logged, session %s)%n",
                        total, peerDown, withdrawals,
                        db.count("SELECT state FROM routes.sessions WHERE router = ?::inet", lastRouter) == 2 ? "Idle" : "not Idle");
                last.close();

                // ROUTERS routers at once, a slice of the table each.
                int each = total / ROUTERS;
                List<SyntheticRouter> many = new ArrayList<>();
                for (int r = 0; r < ROUTERS; r++) {
                    SyntheticRouter router = new SyntheticRouter("127.0.1." + (r + 1), bmpPort);
                    Peer p = peer(100 + r);
                    router.peer(p, routes(p, r * each, each));
                    many.add(router);
                }
                double manySeconds = storeAll(db, many, (long) each * ROUTERS);
                many.forEach(SyntheticRouter::close);
                double manyCopy = copy(db, "127.0.0.251", each * ROUTERS);
                out.printf("%d routers at once, %,d routes each: stored in %.1f s = %,.0f routes/s; COPY of the same"
                                + " rows %.1f s; ratio %.2f of COPY's speed (one router: %.2f)%n", ROUTERS, each, manySeconds,
                        each * ROUTERS / manySeconds, manyCopy, manyCopy / manySeconds, copySeconds / firstTableSeconds);
                out.printf("(load average %s)%n", SoakBenchmark.loadAverage());
            }
        }
    }

    /** Starts the routers and waits until all their routes are stored; seconds from start to stored. */
    private static double storeAll(PrivateCluster db, List<SyntheticRouter> routers, long expected) {
        String[] addresses = routers.stream().map(SyntheticRouter::address).toArray(String[]::new);
        long start = System.nanoTime();
        routers.forEach(SyntheticRouter::start);
        Local.await(Duration.ofMinutes(15), expected + " routes stored",
                () -> db.count("SELECT count(*) FROM routes.adj_rib_in WHERE router = ANY(?::inet[])", (Object) addresses),
                n -> n == expected);
        return (System.nanoTime() - start) / 1e9;
    }

    /** COPY of {@code count} routes of router {@code router} into adj_rib_in and route_changes; seconds. */
    private static double copy(PrivateCluster db, String router, int count) {
        long start = System.nanoTime();
        db.copyIn("COPY routes.adj_rib_in (router, peer_distinguisher, peer_address, rib, prefix, path_id, peer_asn, received_time,"
                + " origin, as_path, origin_asn, next_hop) FROM STDIN", rows(router, count, false));
        db.copyIn("COPY routes.route_changes (time, seq, router, peer_distinguisher, peer_address, peer_asn, rib, prefix, path_id,"
                + " withdrawn, origin, as_path, origin_asn, next_hop) FROM STDIN", rows(router, count, true));
        return (System.nanoTime() - start) / 1e9;
    }

    /** COPY text rows, made as they are read. */
    private static Reader rows(String router, int count, boolean log) {
        Peer peer = new Peer("127.0.99.1", 64_999);
        return new Reader() {
            int i;
            StringReader current = new StringReader("");

            @Override
            public int read(char[] buf, int off, int len) throws IOException {
                int n = current.read(buf, off, len);
                while (n <= 0) {
                    if (i >= count) {
                        return -1;
                    }
                    StringBuilder chunk = new StringBuilder(1 << 16);
                    for (int k = 0; k < 1000 && i < count; k++, i++) {
                        Route r = routes(peer, i, 1).get(0);
                        String path = r.asPath().get(0) + " " + r.asPath().get(1);
                        if (log) {
                            chunk.append("2026-12-07 00:00:00+00\t").append(1_000_000_000L + i).append('\t').append(router)
                                    .append("\t0\t").append(peer.address()).append('\t').append(peer.asn()).append("\t1\t")
                                    .append(r.prefix()).append("\t0\tf\t0\t").append(path).append('\t').append(r.asPath().get(1))
                                    .append('\t').append(r.nextHop()).append('\n');
                        } else {
                            chunk.append(router).append("\t0\t").append(peer.address()).append("\t1\t").append(r.prefix())
                                    .append("\t0\t").append(peer.asn()).append("\t2026-12-07 00:00:00+00\t0\t").append(path)
                                    .append('\t').append(r.asPath().get(1)).append('\t').append(r.nextHop()).append('\n');
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
}
