package io.peering.deploy.faults;

import io.peering.deploy.faults.Bmp.Peer;
import io.peering.deploy.faults.Bmp.Route;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A router exporting BMP to the collector, written like a real one behaves: it holds an
 * Adj-RIB-In per peer; each time its BMP session opens it sends Initiation, a Peer Up per
 * established peer, every route it holds and End-of-RIB; then it sends each change as it happens.
 * When the collector closes the session (or the connection fails) it reconnects after
 * {@link #RECONNECT_DELAY} and sends everything again. Changes made while it is disconnected go
 * into what it holds, so the next session carries them.
 *
 * <p>One thread owns the socket. The session may be held still after a number of table routes
 * in its first session ({@link #pauseFirstTableAfter}), so a test can break something at a known
 * point of the feed.
 */
public final class SyntheticRouter implements AutoCloseable {

    static final Duration RECONNECT_DELAY = Duration.ofMillis(500);
    private static final int ROUTES_PER_UPDATE = 100;

    private sealed interface Change {
    }

    private record Announce(Peer peer, Route route) implements Change {
    }

    private record Withdraw(Peer peer, String prefix) implements Change {
    }

    private record PeerUp(Peer peer) implements Change {
    }

    private record PeerDown(Peer peer) implements Change {
    }

    private final String address;
    /** The collector replicas it may connect to, in its order of preference (a load balancer's choice, made simple). */
    private final List<Integer> collectorPorts;
    private volatile int connectedPort;
    /** What the router holds: each peer's routes (all configured peers, up or not). */
    private final Map<Peer, LinkedHashMap<String, Route>> table = new LinkedHashMap<>();
    private final Set<Peer> up = new LinkedHashSet<>();
    private final BlockingQueue<Change> changes = new LinkedBlockingQueue<>();

    private final AtomicLong sessionsOpened = new AtomicLong();
    private final AtomicLong sessionsLost = new AtomicLong();
    private final AtomicLong routesSent = new AtomicLong();
    private final AtomicLong changesSent = new AtomicLong();
    private volatile boolean synced;
    private volatile String lastLoss = "";

    private int pauseAfter = -1;
    private final CountDownLatch paused = new CountDownLatch(1);
    private final CountDownLatch resume = new CountDownLatch(1);

    private volatile boolean closing;
    private Thread thread;
    private volatile Socket socket;

    /** A router at loopback address {@code address} exporting to the collector on 127.0.0.1:{@code collectorPort}. */
    public SyntheticRouter(String address, int collectorPort) {
        this(address, List.of(collectorPort));
    }

    /**
     * A router exporting to the first of several collector replicas (127.0.0.1:{@code collectorPorts}) that accepts its
     * connection, each time it connects: when one is gone, it lands on the next, as behind a load balancer.
     */
    public SyntheticRouter(String address, List<Integer> collectorPorts) {
        this.address = address;
        this.collectorPorts = List.copyOf(collectorPorts);
    }

    /** Before {@link #start}: a peer whose session is up, with the routes the router received from it. */
    public synchronized SyntheticRouter peer(Peer peer, List<Route> routes) {
        LinkedHashMap<String, Route> held = table.computeIfAbsent(peer, p -> new LinkedHashMap<>());
        routes.forEach(r -> held.put(r.prefix(), r));
        up.add(peer);
        return this;
    }

    /** Before {@link #start}: the first session stops after this many table routes until {@link #resume()}. */
    SyntheticRouter pauseFirstTableAfter(int routes) {
        this.pauseAfter = routes;
        return this;
    }

    public void start() {
        thread = new Thread(this::run, "synthetic-router-" + address);
        thread.setDaemon(true);
        thread.start();
    }

    // ---- what happens on the router ------------------------------------------------------------

    public void announce(Peer peer, Route route) {
        changes.add(new Announce(peer, route));
    }

    public void withdraw(Peer peer, String prefix) {
        changes.add(new Withdraw(peer, prefix));
    }

    public void peerUp(Peer peer) {
        changes.add(new PeerUp(peer));
    }

    /** The peer's BGP session goes down: the router drops its routes and reports Peer Down. */
    public void peerDown(Peer peer) {
        changes.add(new PeerDown(peer));
    }

    // ---- what a test looks at -----------------------------------------------------------------

    /** Every route the router holds now, per established peer. */
    synchronized Map<Peer, List<Route>> held() {
        Map<Peer, List<Route>> copy = new LinkedHashMap<>();
        for (Peer p : up) {
            copy.put(p, List.copyOf(table.get(p).values()));
        }
        return copy;
    }

    public long sessionsOpened() {
        return sessionsOpened.get();
    }

    public long sessionsLost() {
        return sessionsLost.get();
    }

    /** Route announcements written to the collector, over all sessions (a re-sent table counts again). */
    public long routesSent() {
        return routesSent.get();
    }

    /** Changes written to the collector as they happened (not counting re-sent tables). */
    public long changesSent() {
        return changesSent.get();
    }

    /** Changes made on the router and not yet written to the collector. */
    public int pending() {
        return changes.size();
    }

    /** Its loopback address (the BMP session's source, the router's key in the routes schema). */
    public String address() {
        return address;
    }

    /** The collector port of its current (or last) session. */
    public int connectedPort() {
        return connectedPort;
    }

    /** Why the last session ended. */
    public String lastLoss() {
        return lastLoss;
    }

    /** The session is up, has sent the whole table, and every change made so far. */
    public boolean synced() {
        return synced && changes.isEmpty();
    }

    void awaitPaused(Duration timeout) throws InterruptedException {
        if (!paused.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the router did not reach its pause point within " + timeout
                    + " (sessions " + sessionsOpened() + ", last loss: " + lastLoss + ")");
        }
    }

    void resume() {
        resume.countDown();
    }

    @Override
    public void close() {
        closing = true;
        resume.countDown();
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- the router's thread ------------------------------------------------------------------

    private void run() {
        while (!closing) {
            try (Socket s = connect()) {
                socket = s;
                long session = sessionsOpened.incrementAndGet();
                try {
                    s.setSoTimeout(50);
                    OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
                    sendEverything(out, session == 1);
                    synced = true;
                    follow(s.getInputStream(), out);
                } catch (IOException e) {
                    if (!closing) {
                        sessionsLost.incrementAndGet();
                        lastLoss = "session " + session + ": " + e;
                    }
                } finally {
                    synced = false;
                }
            } catch (IOException e) {
                lastLoss = "connect: " + e; // the collector is not listening (restarting): try again
            } catch (InterruptedException e) {
                return;
            }
            if (!closing) {
                Local.sleep(RECONNECT_DELAY.toMillis());
            }
        }
    }

    /** A connection to the first collector replica that accepts one. */
    private Socket connect() throws IOException {
        IOException refused = null;
        for (int port : collectorPorts) {
            Socket s = new Socket();
            try {
                s.bind(new InetSocketAddress(address, 0));
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                connectedPort = port;
                return s;
            } catch (IOException e) {
                s.close();
                refused = e;
            }
        }
        throw refused;
    }

    /** Initiation, Peer Up of every established peer, their routes, End-of-RIB for both families. */
    private void sendEverything(OutputStream out, boolean firstSession) throws IOException, InterruptedException {
        Map<Peer, List<Route>> snapshot;
        synchronized (this) {
            while (!changes.isEmpty()) { // changes made while disconnected go with the table
                apply(changes.poll());
            }
            snapshot = held();
        }
        out.write(Bmp.initiation("synthetic-" + address, "fault-test router"));
        for (Peer p : snapshot.keySet()) {
            out.write(Bmp.peerUp(p, address));
        }
        int sentThisSession = 0;
        for (Map.Entry<Peer, List<Route>> e : snapshot.entrySet()) {
            List<Route> group = new ArrayList<>();
            for (Route r : e.getValue()) {
                if (!group.isEmpty() && (group.size() == ROUTES_PER_UPDATE || !sameAttributes(group.get(0), r))) {
                    out.write(Bmp.announce(e.getKey(), group));
                    routesSent.addAndGet(group.size());
                    sentThisSession += group.size();
                    group.clear();
                }
                if (firstSession && pauseAfter >= 0 && sentThisSession >= pauseAfter && paused.getCount() > 0) {
                    out.flush();
                    paused.countDown();
                    resume.await();
                }
                group.add(r);
            }
            if (!group.isEmpty()) {
                out.write(Bmp.announce(e.getKey(), group));
                routesSent.addAndGet(group.size());
                sentThisSession += group.size();
            }
            out.write(Bmp.endOfRib(e.getKey(), false));
            out.write(Bmp.endOfRib(e.getKey(), true));
        }
        out.flush();
    }

    private static boolean sameAttributes(Route a, Route b) {
        return a.ipv6() == b.ipv6() && a.asPath().equals(b.asPath()) && a.nextHop().equals(b.nextHop());
    }

    /** Sends each change as it happens; watches for the collector closing the session meanwhile. */
    private void follow(InputStream in, OutputStream out) throws IOException, InterruptedException {
        while (!closing) {
            Change c = changes.poll(50, TimeUnit.MILLISECONDS);
            if (c != null) {
                synchronized (this) {
                    apply(c);
                }
                out.write(bytes(c));
                out.flush();
                changesSent.incrementAndGet();
                continue;
            }
            try {
                if (in.read() == -1) {
                    throw new EOFException("the collector closed the BMP session");
                }
            } catch (SocketTimeoutException e) {
                // nothing from the collector (it never sends anything): the session is still open
            }
        }
    }

    private void apply(Change c) {
        if (c instanceof Announce a) {
            table.get(a.peer()).put(a.route().prefix(), a.route());
        } else if (c instanceof Withdraw w) {
            table.get(w.peer()).remove(w.prefix());
        } else if (c instanceof PeerUp u) {
            table.computeIfAbsent(u.peer(), p -> new LinkedHashMap<>());
            up.add(u.peer());
        } else if (c instanceof PeerDown d) {
            up.remove(d.peer());
            table.get(d.peer()).clear();
        }
    }

    private byte[] bytes(Change c) {
        if (c instanceof Announce a) {
            routesSent.incrementAndGet();
            return Bmp.announce(a.peer(), List.of(a.route()));
        } else if (c instanceof Withdraw w) {
            return Bmp.withdraw(w.peer(), w.prefix());
        } else if (c instanceof PeerUp u) {
            return concatenate(Bmp.peerUp(u.peer(), address), Bmp.endOfRib(u.peer(), false), Bmp.endOfRib(u.peer(), true));
        }
        return Bmp.peerDown(((PeerDown) c).peer());
    }

    private static byte[] concatenate(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
