package io.peering.routes.collector;

import io.peering.routes.PeerRef;
import io.peering.routes.config.CollectorConfig;
import io.peering.routes.repository.RouteStore;
import io.peering.routes.repository.RouterLeases;
import io.peering.routes.repository.SessionStore;
import io.peering.routes.service.RpkiValidation;
import io.peering.support.net.IpAddresses;
import io.peering.support.net.IpPrefix;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The BMP collector's TCP listener. Each router connection gets a {@link RouterConnection}.
 *
 * <p>Several replicas may listen behind one load balancer: the replica a router connects to takes the
 * router's lease ({@link RouterLeases}) and renews it every {@link #leaseInterval} while connected. When a
 * router's last connection closes, its lease runs for the grace period; if the router has not connected to
 * any replica by then (or its replica died and stopped renewing), one replica claims the lease and takes the
 * router's sessions down, withdrawing their routes, as if each peer had gone down. A replica that finds its
 * lease of a router taken (the router connected to another replica) closes its own session to the router.
 */
@ApplicationScoped
public class BmpListener {

    private static final Logger LOG = Logger.getLogger(BmpListener.class);
    /** How long a claimed lease is held while its router's sessions are taken down, at least. */
    private static final Duration TAKEDOWN_HOLD = Duration.ofMinutes(1);

    private final Vertx vertx;
    private final CollectorConfig config;
    private final RouteStore store;
    private final SessionStore sessions;
    private final RouterLeases leases;
    private final CollectorMetrics metrics;
    private final RpkiValidation rpki;
    /** This replica, as it signs the leases it holds: host name and process id. */
    private final String replica;

    /** Open connections per router. */
    private final Map<String, List<RouterConnection>> connections = new HashMap<>();
    private final List<IpPrefix> allowedSources;
    private int openSessions;
    private NetServer server;
    private FileChannel spoolLock;
    /** Puts every open spool on disk every peering.bmp.spool-sync-interval (fsync blocks: never on an event loop). */
    private final ScheduledExecutorService spoolSync = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bmp-spool-sync");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopped;

    public BmpListener(Vertx vertx, CollectorConfig config, RouteStore store, SessionStore sessions, RouterLeases leases,
                       CollectorMetrics metrics, RpkiValidation rpki) {
        this.vertx = vertx;
        this.config = config;
        this.store = store;
        this.sessions = sessions;
        this.leases = leases;
        this.metrics = metrics;
        this.rpki = rpki;
        this.allowedSources = config.allowedSources().stream().map(BmpListener::range).toList();
        this.replica = System.getenv().getOrDefault("HOSTNAME", "routes-service") + "/" + ProcessHandle.current().pid();
    }

    private static IpPrefix range(String text) {
        try {
            return IpPrefix.parseAddressOrPrefix(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("peering.bmp.allowed-sources: \"" + text + "\" is not a CIDR range like"
                    + " 192.0.2.0/24 or 2001:db8::/32 (" + e.getMessage() + ")", e);
        }
    }

    void start(@Observes StartupEvent event) {
        server = vertx.createNetServer(new NetServerOptions().setHost(config.host()).setPort(config.port())
                .setTcpNoDelay(true).setTcpKeepAlive(true));
        server.connectHandler(this::accept);
        try {
            server.listen().toCompletionStage().toCompletableFuture().join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new IllegalStateException("the BMP collector cannot listen on " + config.host() + ":" + config.port() + " ("
                    + e.getCause().getMessage() + "); free the port or choose another with PEERING_BMP_PORT", e.getCause());
        }
        LOG.infof("BMP collector listening on %s:%d as replica %s", config.host(), server.actualPort(), replica);
        replayLeftOverSpools();
        long syncMillis = Math.max(1, config.spoolSyncInterval().toMillis());
        spoolSync.scheduleWithFixedDelay(this::syncSpools, syncMillis, syncMillis, TimeUnit.MILLISECONDS);
        // Routers stored with sessions up and no lease (connected before leases existed) get the grace period to come back.
        leases.adoptRoutersWithoutLease(config.routerGracePeriod()).subscribe().with(
                adopted -> {
                    if (adopted > 0) {
                        LOG.infof("%d routers with sessions up and no lease have the grace period (%s) to connect",
                                adopted, config.routerGracePeriod());
                    }
                    scheduleLeases();
                },
                e -> {
                    LOG.errorf(e, "could not give the routers that were connected before this start their grace period");
                    scheduleLeases();
                });
    }

    /**
     * Takes the spool directory for this process (a lock file: two collectors sharing one would store each other's
     * spools), and stores what a previous run received and did not: each left-over spool is a session of its router,
     * and a router connecting meanwhile is spooled until that is done.
     */
    private void replayLeftOverSpools() {
        Path directory = Path.of(config.spoolDirectory());
        try {
            Files.createDirectories(directory);
            spoolLock = FileChannel.open(directory.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (spoolLock.tryLock() == null) {
                throw new IllegalStateException("another process uses the BMP spool directory " + directory
                        + "; give each collector its own (peering.bmp.spool-directory, PEERING_BMP_SPOOL_DIRECTORY)");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot use the BMP spool directory " + directory + " (peering.bmp.spool-directory): "
                    + e.getMessage(), e);
        }
        for (BmpSpool spool : BmpSpool.leftOver(directory)) {
            // Only if nobody took the router's lease since: else it connected to another replica and re-sent its table
            // there (or was taken down), and these older updates must not be stored over that.
            RouterLeases.Lease lease = spool.leaseEpoch() < 0 ? null : leases.takeIfStillAt(spool.router(), spool.leaseEpoch(),
                    replica, config.routerGracePeriod()).await().atMost(Duration.ofSeconds(30));
            if (lease == null) {
                LOG.infof("router %s: a previous run's spool (%,d bytes not stored) is dropped: the router's lease changed hands"
                        + " since (it connected to another replica, which has its current state, or it was taken down)",
                        spool.router(), spool.pending());
                spool.delete();
                continue;
            }
            RouterConnection replay;
            synchronized (this) {
                replay = RouterConnection.replay(spool, lease, vertx, replica, config, store, sessions, metrics,
                        new RouteConverter(spool.router(), rpki), closed -> closed(closed.router(), closed));
                connections.computeIfAbsent(spool.router(), r -> new ArrayList<>(1)).add(replay);
            }
            replay.start();
        }
    }

    /** Every open session's spool to disk (the spool sync thread; a failure is logged and counted, and tried again). */
    private void syncSpools() {
        List<RouterConnection> open;
        synchronized (this) {
            open = connections.values().stream().flatMap(List::stream).toList();
        }
        for (RouterConnection connection : open) {
            try {
                connection.syncSpool();
            } catch (RuntimeException e) {
                metrics.spoolSyncErrors.increment();
                LOG.errorf("router %s: %s (a crash of the machine now may lose what it sent since the last sync)",
                        connection.router(), e.getMessage());
            }
        }
    }

    /** Bytes received from routers and not yet stored, all sessions together. */
    public synchronized long spooledBytes() {
        return connections.values().stream().flatMap(List::stream).mapToLong(RouterConnection::spooled).sum();
    }

    /** Seconds since the oldest bytes not yet stored arrived, over all sessions (0 when everything is stored). */
    public synchronized double spooledSeconds() {
        return connections.values().stream().flatMap(List::stream).mapToLong(RouterConnection::spooledNanos).max().orElse(0) / 1e9;
    }

    /** Renewals and claims, every third of the grace period (at most 10 s, at least 100 ms). */
    Duration leaseInterval() {
        long third = config.routerGracePeriod().toMillis() / 3;
        return Duration.ofMillis(Math.max(100, Math.min(10_000, third)));
    }

    private void scheduleLeases() {
        if (!stopped) {
            vertx.setTimer(leaseInterval().toMillis(), id -> tendLeases());
        }
    }

    /** Renews the leases of the routers connected here, closes sessions whose lease was taken, claims leases that ran out. */
    private void tendLeases() {
        Map<String, Long> held = heldLeases();
        leases.renew(held, config.routerGracePeriod())
                .invoke(lost -> lost.forEach(router -> leaseLost(router, held.get(router))))
                .flatMap(v -> leases.claimExpired(replica, max(TAKEDOWN_HOLD, config.routerGracePeriod()), config.routerGracePeriod()))
                .subscribe().with(claimed -> {
                    claimed.forEach(this::takeDown);
                    scheduleLeases();
                }, e -> {
                    LOG.warnf("router leases could not be renewed or claimed (will try again in %s): %s", leaseInterval(), e.getMessage());
                    scheduleLeases();
                });
    }

    /** Per router connected here, the latest epoch of its lease its connections took. */
    private synchronized Map<String, Long> heldLeases() {
        Map<String, Long> held = new HashMap<>();
        connections.forEach((router, open) -> open.forEach(c -> {
            Long epoch = c.leaseEpoch();
            if (epoch != null) {
                held.merge(router, epoch, Math::max);
            }
        }));
        return held;
    }

    private synchronized void leaseLost(String router, long epoch) {
        for (RouterConnection c : connections.getOrDefault(router, List.of())) {
            Long held = c.leaseEpoch();
            if (held != null && held <= epoch) {
                c.leaseLost();
            }
        }
    }

    /** A lease that ran out, claimed by this replica: its router's sessions are taken down, then the lease ends. */
    private void takeDown(RouterLeases.Expired expired) {
        String router = expired.lease().router();
        if (expired.wasConnected()) {
            LOG.warnf("router %s: its lease held by replica %s was not renewed for %s (that replica is gone?) and the router has"
                    + " not connected to another: taking its sessions down and withdrawing their routes", router,
                    expired.previousOwner(), config.routerGracePeriod());
        } else {
            LOG.warnf("router %s did not reconnect within %s: taking its sessions down and withdrawing their routes",
                    router, config.routerGracePeriod());
        }
        Instant now = Instant.now();
        sessions.establishedPeersOf(router)
                .onItem().transformToMulti(peers -> Multi.createFrom().iterable(peers))
                .onItem().transformToUniAndConcatenate((PeerRef peer) -> sessions.peerDown(peer, now,
                        "router's BMP session lost for longer than " + config.routerGracePeriod(), 0, 0, 0,
                        "router disconnected", expired.lease()))
                .collect().last()
                .flatMap(v -> leases.ended(expired.lease()))
                .subscribe().with(v -> metrics.routersTakenDown.increment(), e -> {
                    if (e instanceof RouterLeases.LeaseLostException) {
                        LOG.infof("router %s connected again while its sessions were being taken down; the rest stay up", router);
                    } else {
                        LOG.errorf(e, "router %s: taking its sessions down failed (another try when its lease runs out again)", router);
                    }
                });
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        synchronized (this) {
            connections.values().forEach(open -> open.forEach(RouterConnection::shuttingDown));
        }
        if (server != null) {
            server.close();
        }
        // not shutdownNow: an interrupt in the middle of a force would close that spool's channel (FileChannel is
        // interruptible) under its session
        spoolSync.shutdown();
        try {
            spoolSync.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        syncSpools(); // what is left in them is the next start's
        if (spoolLock != null) {
            try {
                spoolLock.close(); // releases the lock: what is left in the spools is the next start's
            } catch (IOException e) {
                LOG.warnf("could not release the BMP spool directory's lock: %s", e.getMessage());
            }
        }
    }

    /** BMP sessions open now, all routers together (bounded by peering.bmp.max-sessions). */
    public synchronized int openSessions() {
        return openSessions;
    }

    /** The port routers connect to (the configured one, or the one picked when configured as 0). */
    public int port() {
        return server.actualPort();
    }

    private void accept(NetSocket socket) {
        java.net.InetAddress source = IpAddresses.parse(socket.remoteAddress().hostAddress());
        String router = IpAddresses.format(source);
        IpPrefix host = IpPrefix.host(source);
        if (allowedSources.stream().noneMatch(r -> r.contains(host))) {
            metrics.refusedSource.increment();
            LOG.warnf("refused a BMP connection from %s: not in peering.bmp.allowed-sources %s", router, config.allowedSources());
            socket.close();
            return;
        }
        RouterConnection connection;
        synchronized (this) {
            if (openSessions >= config.maxSessions()) {
                metrics.refusedSessionLimit.increment();
                LOG.warnf("refused a BMP connection from %s: %d sessions are open, peering.bmp.max-sessions is %d",
                        router, openSessions, config.maxSessions());
                socket.close();
                return;
            }
            openSessions++;
            connection = new RouterConnection(socket, vertx, router, replica, config, store, sessions, metrics,
                    new RouteConverter(router, rpki), closed -> closed(router, closed));
            List<RouterConnection> open = connections.computeIfAbsent(router, r -> new ArrayList<>(1));
            if (open.stream().anyMatch(RouterConnection::draining)) {
                connection.hold(); // its previous session is still storing what it spooled: this one waits, spooling
            }
            open.add(connection);
        }
        connection.start();
    }

    private synchronized void closed(String router, RouterConnection connection) {
        if (!connection.replaying()) {
            openSessions--;
        }
        List<RouterConnection> open = connections.get(router);
        if (open != null) {
            open.remove(connection);
            if (open.isEmpty()) {
                connections.remove(router);
            } else if (open.stream().noneMatch(RouterConnection::draining)) {
                open.forEach(RouterConnection::release);
            }
        }
    }
}
