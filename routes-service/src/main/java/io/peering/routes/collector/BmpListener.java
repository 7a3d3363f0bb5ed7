package io.peering.routes.collector;

import io.peering.routes.PeerRef;
import io.peering.routes.config.CollectorConfig;
import io.peering.routes.repository.RouteStore;
import io.peering.routes.repository.SessionStore;
import io.peering.routes.service.RpkiValidation;
import io.peering.support.net.IpAddresses;
import io.peering.support.net.IpPrefix;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The BMP collector's TCP listener. Each router connection gets a {@link RouterConnection}. When a
 * router's last connection closes and it does not come back within the grace period, its sessions
 * are taken down and their routes withdrawn, as if each peer had gone down.
 */
@ApplicationScoped
public class BmpListener {

    private static final Logger LOG = Logger.getLogger(BmpListener.class);

    private final Vertx vertx;
    private final CollectorConfig config;
    private final RouteStore store;
    private final SessionStore sessions;
    private final CollectorMetrics metrics;
    private final RpkiValidation rpki;

    private final Map<String, Integer> connections = new HashMap<>();
    private final Map<String, Long> graceTimers = new HashMap<>();
    private final List<IpPrefix> allowedSources;
    private int openSessions;
    private NetServer server;

    public BmpListener(Vertx vertx, CollectorConfig config, RouteStore store, SessionStore sessions, CollectorMetrics metrics,
                       RpkiValidation rpki) {
        this.vertx = vertx;
        this.config = config;
        this.store = store;
        this.sessions = sessions;
        this.metrics = metrics;
        this.rpki = rpki;
        this.allowedSources = config.allowedSources().stream().map(BmpListener::range).toList();
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
        LOG.infof("BMP collector listening on %s:%d", config.host(), server.actualPort());
        // Routers that had sessions up when the collector stopped get the grace period to come back.
        sessions.routersWithEstablishedSessions().subscribe().with(routers -> routers.forEach(router -> {
            synchronized (this) {
                if (!connections.containsKey(router) && !graceTimers.containsKey(router)) {
                    graceTimers.put(router, vertx.setTimer(Math.max(1, config.routerGracePeriod().toMillis()),
                            id -> routerGone(router)));
                }
            }
        }), e -> LOG.errorf(e, "could not read the routers that were connected before this start"));
    }

    void stop(@Observes ShutdownEvent event) {
        if (server != null) {
            server.close();
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
        synchronized (this) {
            if (openSessions >= config.maxSessions()) {
                metrics.refusedSessionLimit.increment();
                LOG.warnf("refused a BMP connection from %s: %d sessions are open, peering.bmp.max-sessions is %d",
                        router, openSessions, config.maxSessions());
                socket.close();
                return;
            }
            openSessions++;
            Long timer = graceTimers.remove(router);
            if (timer != null) {
                vertx.cancelTimer(timer);
            }
            connections.merge(router, 1, Integer::sum);
        }
        new RouterConnection(socket, vertx, router, config, store, sessions, metrics, new RouteConverter(router, rpki),
                () -> closed(router)).start();
    }

    private synchronized void closed(String router) {
        openSessions--;
        if (connections.merge(router, -1, Integer::sum) > 0) {
            return;
        }
        connections.remove(router);
        long graceMillis = Math.max(1, config.routerGracePeriod().toMillis());
        graceTimers.put(router, vertx.setTimer(graceMillis, id -> routerGone(router)));
    }

    private synchronized boolean reconnected(String router) {
        return connections.containsKey(router);
    }

    private void routerGone(String router) {
        synchronized (this) {
            if (graceTimers.remove(router) == null || connections.containsKey(router)) {
                return; // it came back
            }
        }
        LOG.warnf("router %s did not reconnect within %s: taking its sessions down and withdrawing their routes",
                router, config.routerGracePeriod());
        Instant now = Instant.now();
        sessions.establishedPeersOf(router)
                .onItem().transformToMulti(peers -> Multi.createFrom().iterable(peers))
                .onItem().transformToUniAndConcatenate((PeerRef peer) -> reconnected(router) ? Uni.createFrom().voidItem()
                        : sessions.peerDown(peer, now, "router's BMP session lost for longer than " + config.routerGracePeriod(),
                        0, 0, 0, "router disconnected"))
                .collect().last()
                .subscribe().with(v -> { }, e -> LOG.errorf(e, "router %s: taking its sessions down failed", router));
    }
}
