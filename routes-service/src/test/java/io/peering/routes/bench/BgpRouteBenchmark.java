package io.peering.routes.bench;

import io.agroal.api.AgroalDataSource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.peering.routes.repository.RouteQueries;
import io.peering.routes.v1.BgpRouteMatch;
import io.peering.routes.v1.BgpRouteRequest;
import io.peering.routes.v1.BgpRouteResponse;
import io.peering.routes.v1.RoutesServiceGrpc;
import io.peering.support.time.ProtoTimes;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * BgpRoute (the looking glass) on a full table: ~1.2M routes of one peer COPYed into the Adj-RIB-In and the change
 * log, then lookups over gRPC against the same lookups made by the repository alone (SQL over the reactive pool, no
 * gRPC, no mapping), with the plan of one of each (EXPLAIN ANALYZE). Prints its figures; asserts nothing about speed.
 * <pre>
 * ./mvnw -B -pl proto,service-support,routes-service verify -DskipITs -Dgroups=benchmark -DexcludedGroups=none \
 *     -Dtest=BgpRouteBenchmark -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.ipv4=1000000 -Dbench.ipv6=200000 -Dbench.lookups=2000]
 * </pre>
 */
@QuarkusTest
@Tag("benchmark")
class BgpRouteBenchmark {

    static final int IPV4 = Integer.getInteger("bench.ipv4", 1_000_000);
    static final int IPV6 = Integer.getInteger("bench.ipv6", 200_000);
    static final int LOOKUPS = Integer.getInteger("bench.lookups", 2000);
    static final String ROUTER = "127.0.0.252";
    static final String PEER = "127.0.0.11"; // peerings/contoso-ams
    static final String PARENT = "peerings/contoso-ams";
    /** Every route announced at ANNOUNCED; every tenth IPv4 /24 withdrawn at WITHDRAWN. */
    static final Instant ANNOUNCED = Instant.now().minus(Duration.ofHours(2));
    static final Instant WITHDRAWN = ANNOUNCED.plus(Duration.ofHours(1));

    @Inject
    Pool pool;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    RouteQueries queries;

    /** The i-th IPv4 /24 from 11.0.0.0; each 256th also has its /16 announced, so a /24's longest match is itself. */
    static String v4(int i) {
        int base = (11 << 24) + (i << 8);
        return ((base >>> 24) & 255) + "." + ((base >>> 16) & 255) + "." + ((base >>> 8) & 255) + ".0/24";
    }

    static String v4Covering(int i) {
        int base = (11 << 24) + (i << 8);
        return ((base >>> 24) & 255) + "." + ((base >>> 16) & 255) + ".0.0/16";
    }

    static String v4Address(int i, int host) {
        return v4(i).replace(".0/24", "." + host);
    }

    static String v6(int i) {
        return "2a00:" + Integer.toHexString(i >>> 16) + ":" + Integer.toHexString(i & 0xFFFF) + "::/48";
    }

    void clean() {
        for (String table : List.of("adj_rib_in", "route_changes")) {
            pool.preparedQuery("DELETE FROM routes." + table + " WHERE router = $1::text::inet").execute(Tuple.of(ROUTER))
                    .await().atMost(Duration.ofMinutes(10));
        }
    }

    @Test
    void bgpRouteOnAFullTableOverGrpcAgainstSqlAlone() throws Exception {
        clean();
        long loadStart = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            PGConnection pg = c.unwrap(PGConnection.class);
            pg.getCopyAPI().copyIn("COPY routes.adj_rib_in (router, peer_distinguisher, peer_address, rib, prefix, path_id,"
                    + " peer_asn, received_time, origin, as_path, origin_asn, next_hop, communities, rpki_state) FROM STDIN",
                    rows(i -> i % 10 == 0 && i < IPV4 ? "" : ribRow(prefixOf(i))));
            pg.getCopyAPI().copyIn("COPY routes.route_changes (time, seq, router, peer_distinguisher, peer_address, peer_asn,"
                    + " rib, prefix, path_id, withdrawn, origin, as_path, origin_asn, next_hop, communities) FROM STDIN",
                    rows(i -> changeRow(ANNOUNCED, -2L * total() + i, prefixOf(i), false)
                            + (i % 10 == 0 && i < IPV4 ? changeRow(WITHDRAWN, -total() + i, prefixOf(i), true) : "")));
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE routes.adj_rib_in");
                s.execute("ANALYZE routes.route_changes");
            }
        }
        long held = pool.preparedQuery("SELECT count(*) FROM routes.adj_rib_in").execute().await().atMost(Duration.ofMinutes(1))
                .iterator().next().getLong(0);
        System.out.printf("%n== routes-service BgpRoute benchmark: %,d routes of this peer loaded by COPY in %.1f s (%,d in adj_rib_in"
                        + " in all), %,d changes logged; %,d lookups per figure; load average %s ==%n",
                total(), (System.nanoTime() - loadStart) / 1e9, held, total() + IPV4 / 10, LOOKUPS, loadAverage());

        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            RoutesServiceGrpc.RoutesServiceBlockingStub stub = RoutesServiceGrpc.newBlockingStub(channel);
            Random random = new Random(42);
            List<String> peers = List.of(PEER, "fd00:64:500::11", "127.0.0.12", "fd00:64:500::12");
            measure("LONGEST_PREFIX (current RIB)", stub, peers, random, null, BgpRouteMatch.BGP_ROUTE_MATCH_LONGEST_PREFIX,
                    RouteQueries.Match.LONGEST_OF_CANDIDATES);
            measure("EXACT (current RIB)", stub, peers, random, null, BgpRouteMatch.BGP_ROUTE_MATCH_EXACT, RouteQueries.Match.EXACT);
            measure("MORE_SPECIFIC /16, first page of 100 (current RIB)", stub, peers, random, null,
                    BgpRouteMatch.BGP_ROUTE_MATCH_MORE_SPECIFIC, RouteQueries.Match.OR_LONGER);
            measure("LONGEST_PREFIX at_time (from the change log)", stub, peers, random, WITHDRAWN.plusSeconds(60),
                    BgpRouteMatch.BGP_ROUTE_MATCH_LONGEST_PREFIX, RouteQueries.Match.LONGEST_OF_CANDIDATES);
            measure("EXACT at_time (from the change log)", stub, peers, random, WITHDRAWN.plusSeconds(60),
                    BgpRouteMatch.BGP_ROUTE_MATCH_EXACT, RouteQueries.Match.EXACT);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        clean();
    }

    /** One lookup of the mode: its gRPC target, and the repository's prefixes for the same lookup. */
    record Lookup(String target, List<String> prefixes) {
    }

    static Lookup lookup(RouteQueries.Match match, Random random) {
        int i = random.nextInt(IPV4);
        return switch (match) {
            case LONGEST_OF_CANDIDATES -> {
                String address = v4Address(i, 1 + random.nextInt(254));
                List<String> candidates = new ArrayList<>();
                int[] octets = Arrays.stream(address.split("\\.")).mapToInt(Integer::parseInt).toArray();
                long bits = ((long) octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3];
                for (int length = 32; length >= 0; length--) {
                    long net = length == 0 ? 0 : bits & (0xFFFF_FFFFL << (32 - length)) & 0xFFFF_FFFFL;
                    candidates.add((net >>> 24) + "." + ((net >>> 16) & 255) + "." + ((net >>> 8) & 255) + "." + (net & 255) + "/" + length);
                }
                yield new Lookup(address, candidates);
            }
            case EXACT -> new Lookup(v4(i), List.of(v4(i)));
            case OR_LONGER -> new Lookup(v4Covering(i), List.of(v4Covering(i)));
        };
    }

    void measure(String what, RoutesServiceGrpc.RoutesServiceBlockingStub stub, List<String> peers, Random random, Instant atTime,
                 BgpRouteMatch grpcMatch, RouteQueries.Match match) {
        long[] grpc = new long[LOOKUPS];
        long[] sql = new long[LOOKUPS];
        int found = 0;
        for (int n = -200; n < LOOKUPS; n++) { // 200 warm-up lookups of each kind first
            Lookup l = lookup(match, random);
            BgpRouteRequest.Builder request = BgpRouteRequest.newBuilder().setParent(PARENT).setTarget(l.target()).setMatch(grpcMatch);
            if (atTime != null) {
                request.setAtTime(ProtoTimes.timestamp(atTime));
            }
            long t0 = System.nanoTime();
            BgpRouteResponse response = stub.withDeadlineAfter(10, TimeUnit.SECONDS).bgpRoute(request.build());
            long t1 = System.nanoTime();
            List<RouteQueries.StoredRoute> routes = queries.lookup(peers, match, l.prefixes(), null, atTime, null, 101)
                    .await().atMost(Duration.ofSeconds(10));
            long t2 = System.nanoTime();
            if (n >= 0) {
                grpc[n] = t1 - t0;
                sql[n] = t2 - t1;
                found += response.getRoutesCount() > 0 ? 1 : 0;
                assertThat(response.getRoutesCount()).as("the same routes both ways").isEqualTo(Math.min(routes.size(), 100));
            }
        }
        Arrays.sort(grpc);
        Arrays.sort(sql);
        System.out.printf("%-52s gRPC p50 %6.2f ms  p99 %6.2f ms | SQL alone p50 %6.2f ms  p99 %6.2f ms | %d of %d found%n", what,
                ms(grpc, 0.50), ms(grpc, 0.99), ms(sql, 0.50), ms(sql, 0.99), found, LOOKUPS);
        explain(what, peers, match, lookup(match, random).prefixes(), atTime);
    }

    /** EXPLAIN ANALYZE of the repository's statement for one lookup: the execution time and the plan's first node. */
    void explain(String what, List<String> peers, RouteQueries.Match match, List<String> prefixes, Instant atTime) {
        RouteQueries.Statement statement = RouteQueries.lookupStatement(peers, match, prefixes, null, atTime, null, 101);
        List<String> plan = new ArrayList<>();
        for (Row r : pool.preparedQuery("EXPLAIN (ANALYZE, BUFFERS) " + statement.sql()).execute(statement.params())
                .await().atMost(Duration.ofSeconds(30))) {
            plan.add(r.getString(0));
        }
        String scans = String.join("; ", plan.stream().filter(l -> l.contains("Index") || l.contains("Seq Scan"))
                .map(l -> l.trim().replaceAll("\\s+\\(cost.*", "")).distinct().limit(4).toList());
        System.out.printf("    EXPLAIN ANALYZE: %s; %s%n", plan.get(plan.size() - 1).trim(), scans);
    }

    static double ms(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e6;
    }

    static long total() {
        return (long) IPV4 + IPV4 / 256 + IPV6;
    }

    /** Row i of the load: the IPv4 /24s, then their /16s (one per 256), then the IPv6 /48s. */
    static String prefixOf(long i) {
        if (i < IPV4) {
            return v4((int) i);
        }
        if (i < IPV4 + IPV4 / 256) {
            return v4Covering((int) (i - IPV4) * 256);
        }
        return v6((int) (i - IPV4 - IPV4 / 256));
    }

    static String ribRow(String prefix) {
        String nextHop = prefix.contains(":") ? "2001:db8::1" : "192.0.2.1";
        return ROUTER + "\t0\t" + (prefix.contains(":") ? "fd00:64:500::11" : PEER) + "\t1\t" + prefix + "\t0\t64500\t"
                + ANNOUNCED + "\t0\t64500 64501 64502\t64502\t" + nextHop + "\t{64500:100}\t3\n";
    }

    static String changeRow(Instant time, long seq, String prefix, boolean withdrawn) {
        String nextHop = prefix.contains(":") ? "2001:db8::1" : "192.0.2.1";
        String peer = prefix.contains(":") ? "fd00:64:500::11" : PEER;
        return time + "\t" + seq + "\t" + ROUTER + "\t0\t" + peer + "\t64500\t1\t" + prefix + "\t0\t" + (withdrawn ? "t" : "f")
                + (withdrawn ? "\t\\N\t\\N\t\\N\t\\N\t\\N\n" : "\t0\t64500 64501 64502\t64502\t" + nextHop + "\t{64500:100}\n");
    }

    /** COPY text of rows 0..total()-1, generated as the stream is read (not held in memory). */
    static Reader rows(IntFunction<String> row) {
        return new Reader() {
            int i;
            StringReader current = new StringReader("");

            @Override
            public int read(char[] buf, int off, int len) throws IOException {
                int n = current.read(buf, off, len);
                while (n <= 0) {
                    if (i >= total()) {
                        return -1;
                    }
                    StringBuilder chunk = new StringBuilder(1 << 16);
                    for (int k = 0; k < 1000 && i < total(); k++, i++) {
                        chunk.append(row.apply(i));
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

    static String loadAverage() throws IOException {
        return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
    }
}
