package io.peering.deploy.soak;

import io.peering.deploy.faults.Bmp.Peer;
import io.peering.deploy.faults.Bmp.Route;
import io.peering.deploy.faults.SyntheticRouter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The BMP load: two synthetic routers exporting to routes-service.
 *
 * <p>Router 127.0.0.101 has contoso-ams's two sessions, ams-1 (127.0.0.11, the primary connection of
 * peering service contoso-web) and ams-2 (127.0.0.12, its backup). Each peer sends the same table:
 * {@code v4} IPv4 /24s from 16.0.0.0 up and {@code v4 / 10} IPv6 /48s under 2a00::/16, in runs of
 * 100 sharing an AS path (so the table goes in UPDATEs of 100 routes), ams-2's paths one AS longer;
 * ams-1 also has 256 routes of the registered customer ASN 4200000001 (100.64.0.0/16) and both have
 * contoso-web's prefixes 198.51.100.0/24 and 2001:db8:100::/48. After the table, a pacer makes
 * {@code rate} changes per second on these peers, each a real change of one route (one UPDATE):
 * withdraw a held route, re-announce a withdrawn one, or change a held route's AS path; one change
 * in 50 is of contoso-web's prefixes (with origin-AS changes), so events-service derives events.
 *
 * <p>Router 127.0.0.102 has fabrikam-lon's lon-1 (127.0.0.21) with 1,000 routes; every
 * {@code flapEvery} the peer goes down (Peer Down: routes-service withdraws its routes) and comes
 * back 5 s later re-sending its routes, as a peer does after a session reset.
 */
final class RouteChurn implements AutoCloseable {

    static final String ROUTER_A = "127.0.0.101";
    static final String ROUTER_B = "127.0.0.102";
    static final Peer AMS1 = new Peer("127.0.0.11", 64500);
    static final Peer AMS2 = new Peer("127.0.0.12", 64500);
    static final Peer LON1 = new Peer("127.0.0.21", 4_200_000_002L);
    static final List<String> SERVICE_PREFIXES = List.of("198.51.100.0/24", "2001:db8:100::/48");
    static final int CUSTOMER_ROUTES = 256;
    static final int LON1_ROUTES = 1_000;
    static final long CUSTOMER_ASN = 4_200_000_001L;

    private final int v4;
    private final int v6;
    private final double rate;
    private final Duration flapEvery;
    private final SyntheticRouter routerA;
    private final SyntheticRouter routerB;
    /** Per churn peer (0 ams-1, 1 ams-2) and route index: 0 withdrawn, 1..3 the AS path variant held. */
    private final byte[][] state;
    private final SplittableRandom random = new SplittableRandom(8);
    private volatile boolean stopping;
    private Thread pacer;
    private Thread flapper;
    final AtomicLong changesMade = new AtomicLong();
    final AtomicLong changesSkipped = new AtomicLong();
    final AtomicLong servicePrefixChanges = new AtomicLong();
    final AtomicLong flaps = new AtomicLong();
    volatile Throwable crashed;

    /** Router A sends to the first of {@code bmpPorts}, router B to the last (the same one when there is one collector). */
    RouteChurn(List<Integer> bmpPorts, int v4, double rate, Duration flapEvery) {
        this.v4 = v4;
        this.v6 = v4 / 10;
        this.rate = rate;
        this.flapEvery = flapEvery;
        this.routerA = new SyntheticRouter(ROUTER_A, bmpPorts.get(0));
        this.routerB = new SyntheticRouter(ROUTER_B, bmpPorts.get(bmpPorts.size() - 1));
        int routes = v4 + v6 + SERVICE_PREFIXES.size();
        this.state = new byte[][] {new byte[routes], new byte[routes]};
        List<Route> ams1 = new ArrayList<>();
        List<Route> ams2 = new ArrayList<>();
        for (int i = 0; i < routes; i++) {
            state[0][i] = 1;
            state[1][i] = 1;
            ams1.add(route(0, i, 1));
            ams2.add(route(1, i, 1));
        }
        for (int k = 0; k < CUSTOMER_ROUTES; k++) {
            ams1.add(new Route("100.64." + k + ".0/24", List.of(64500L, CUSTOMER_ASN), AMS1.address()));
        }
        routerA.peer(AMS1, ams1).peer(AMS2, ams2);
        routerB.peer(LON1, lon1Routes());
    }

    /** Routes in the routers' tables at the start (what adj_rib_in holds once they are stored). */
    long tableRoutes() {
        return 2L * (v4 + v6 + SERVICE_PREFIXES.size()) + CUSTOMER_ROUTES + LON1_ROUTES;
    }

    /** The /16s the IPv4 table covers, for paged ListReceivedRoutes queries: "16.0.0.0/16" and on. */
    List<String> tableSixteens() {
        List<String> sixteens = new ArrayList<>();
        for (int i = 0; i < v4; i += 256) {
            sixteens.add(ipv4(0x10000000 + (i << 8), 16));
        }
        return sixteens;
    }

    /** Sends the tables (routers connect and send everything). */
    void connect() {
        routerA.start();
        routerB.start();
    }

    boolean synced() {
        return routerA.synced() && routerB.synced();
    }

    /** Starts the churn at the target rate and the Peer Down/Up cycles of lon-1. */
    void startChurn() {
        pacer = new Thread(this::pace, "soak-route-churn");
        pacer.setDaemon(true);
        pacer.start();
        flapper = new Thread(this::flap, "soak-peer-flaps");
        flapper.setDaemon(true);
        flapper.start();
    }

    /** Changes the router wrote to the collector (churn and flaps). */
    long churnSent() {
        return routerA.changesSent();
    }

    long sessionsLost() {
        return routerA.sessionsLost() + routerB.sessionsLost();
    }

    long sessionsOpened() {
        return routerA.sessionsOpened() + routerB.sessionsOpened();
    }

    String lastLoss() {
        return "router A: " + routerA.lastLoss() + "; router B: " + routerB.lastLoss();
    }

    int pending() {
        return routerA.pending() + routerB.pending();
    }

    /** Stops making changes (the routers stay connected and keep sending what is queued). */
    void stopChurn() throws InterruptedException {
        stopping = true;
        if (pacer != null) {
            pacer.join(10_000);
        }
        if (flapper != null) {
            flapper.interrupt();
            flapper.join(10_000);
        }
    }

    @Override
    public void close() {
        stopping = true;
        routerA.close();
        routerB.close();
    }

    // ---- the pacer --------------------------------------------------------------------------------

    private void pace() {
        try {
            long start = System.nanoTime();
            long made = 0;
            int backlogLimit = (int) Math.max(1000, rate * 5);
            while (!stopping) {
                long due = (long) ((System.nanoTime() - start) / 1e9 * rate) - made;
                for (long k = 0; k < due; k++) {
                    made++;
                    if (routerA.pending() > backlogLimit) { // the collector is not taking them: do not queue forever
                        changesSkipped.incrementAndGet();
                        continue;
                    }
                    change();
                    changesMade.incrementAndGet();
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            // stopped
        } catch (Throwable t) {
            crashed = t;
        }
    }

    /** One real change of one route of ams-1 or ams-2. */
    private void change() {
        int peer = random.nextInt(2);
        int i = random.nextInt(50) == 0 ? v4 + v6 + random.nextInt(SERVICE_PREFIXES.size()) : random.nextInt(v4 + v6);
        if (i >= v4 + v6) {
            servicePrefixChanges.incrementAndGet();
        }
        Peer p = peer == 0 ? AMS1 : AMS2;
        byte s = state[peer][i];
        if (s == 0) {
            state[peer][i] = 1;
            routerA.announce(p, route(peer, i, 1));
        } else if (random.nextInt(3) == 0) {
            state[peer][i] = 0;
            routerA.withdraw(p, prefix(i));
        } else {
            byte next = (byte) (s % 3 + 1);
            state[peer][i] = next;
            routerA.announce(p, route(peer, i, next));
        }
    }

    private void flap() {
        try {
            while (!stopping) {
                Thread.sleep(flapEvery.toMillis());
                routerB.peerDown(LON1);
                Thread.sleep(5_000);
                routerB.peerUp(LON1);
                for (Route r : lon1Routes()) {
                    routerB.announce(LON1, r);
                }
                flaps.incrementAndGet();
            }
        } catch (InterruptedException e) {
            // stopped
        } catch (Throwable t) {
            crashed = t;
        }
    }

    // ---- the routes -------------------------------------------------------------------------------

    private String prefix(int i) {
        if (i < v4) {
            return ipv4(0x10000000 + (i << 8), 24);
        }
        if (i < v4 + v6) {
            int j = i - v4;
            return String.format("2a00:%x:%x::/48", j >> 16, j & 0xFFFF);
        }
        return SERVICE_PREFIXES.get(i - v4 - v6);
    }

    /**
     * Route {@code i} of a churn peer with AS path variant 1..3. Table routes: 64500, then an AS by
     * run of 100, then a third AS by variant. contoso-web's prefixes: 64500 alone, then with the
     * customer ASN as origin (an origin-AS change), then 64500 64500. ams-2 prepends 64500 once more.
     */
    private Route route(int peer, int i, int variant) {
        List<Long> path = new ArrayList<>();
        path.add(64500L);
        if (peer == 1) {
            path.add(64500L);
        }
        if (i < v4 + v6) {
            path.add(64512L + (i / 100) % 400);
            path.add(65000L + variant);
        } else if (variant == 2) {
            path.add(CUSTOMER_ASN);
        } else if (variant == 3) {
            path.add(64500L);
        }
        String prefix = prefix(i);
        String nextHop = prefix.contains(":") ? (peer == 0 ? "fd00:64:500::11" : "fd00:64:500::12")
                : (peer == 0 ? AMS1.address() : AMS2.address());
        return new Route(prefix, path, nextHop);
    }

    private static List<Route> lon1Routes() {
        List<Route> routes = new ArrayList<>();
        routes.add(new Route("203.0.113.0/24", List.of(4_200_000_002L), LON1.address()));
        for (int k = 1; k < LON1_ROUTES; k++) {
            routes.add(new Route(ipv4(0x30000000 + (k << 8), 24), List.of(4_200_000_002L, 64700L + k / 100), LON1.address()));
        }
        return routes;
    }

    private static String ipv4(int address, int length) {
        return ((address >>> 24) & 0xFF) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF)
                + "/" + length;
    }
}
