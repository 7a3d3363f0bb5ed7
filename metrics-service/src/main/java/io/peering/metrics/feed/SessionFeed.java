package io.peering.metrics.feed;

import io.grpc.Status;
import io.peering.common.v1.StartPosition;
import io.peering.metrics.Transition;
import io.peering.metrics.config.MetricsConfig;
import io.peering.metrics.repository.TransitionStore;
import io.peering.routes.v1.MutinyRoutesServiceGrpc;
import io.peering.routes.v1.SessionTransition;
import io.peering.routes.v1.WatchSessionsRequest;
import io.peering.routes.v1.WatchSessionsResponse;
import io.peering.support.inventory.InventoryIndex;
import io.peering.support.net.Cidr;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Follows routes-service's WatchSessions from the cursor stored in {@code metrics.feed_cursors}:
 * each batch's transitions (peer address mapped to its inventory connection) and the batch's last
 * cursor are stored in one transaction, so whichever side restarts, the feed resumes right after
 * what was stored: nothing lost, nothing repeated. With no stored cursor it starts from the
 * earliest retained transition. When the stream fails or ends it reconnects from the stored
 * cursor after 1 s, doubling up to 30 s while it keeps failing (reset by the first stored batch).
 * Transitions of peers that are no connection's session address are skipped (cursor still moves).
 */
@Singleton
public class SessionFeed {

    public static final String FEED = "routes.WatchSessions";
    private static final Logger LOG = Logger.getLogger(SessionFeed.class);

    private final TransitionStore store;
    private final InventoryIndex inventory;
    private final MetricsConfig config;
    private final Vertx vertx;
    private final MutinyRoutesServiceGrpc.MutinyRoutesServiceStub routes;

    private boolean running;
    private long generation;
    private Cancellable subscription;
    private Long timer;
    private Duration backoff;

    public SessionFeed(TransitionStore store, InventoryIndex inventory, MetricsConfig config, Vertx vertx,
                       @GrpcClient("routes") MutinyRoutesServiceGrpc.MutinyRoutesServiceStub routes) {
        this.store = store;
        this.inventory = inventory;
        this.config = config;
        this.vertx = vertx;
        this.routes = routes;
        this.backoff = config.sessionFeed().initialBackoff();
    }

    void onStart(@Observes StartupEvent event) {
        if (config.sessionFeed().enabled()) {
            start();
        } else {
            LOG.info("session feed from routes-service is disabled (peering.metrics.session-feed.enabled=false)");
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        backoff = config.sessionFeed().initialBackoff();
        connect();
    }

    /** Stops following; what was stored stays stored, and {@link #start()} resumes from the stored cursor. */
    public synchronized void stop() {
        running = false;
        generation++;
        if (subscription != null) {
            subscription.cancel();
            subscription = null;
        }
        if (timer != null) {
            vertx.cancelTimer(timer);
            timer = null;
        }
    }

    private synchronized void connect() {
        if (!running) {
            return;
        }
        long current = ++generation;
        timer = null;
        AtomicReference<Throwable> streamFailure = new AtomicReference<>();
        subscription = store.cursor(FEED).onItem().transformToMulti(cursor -> {
                    WatchSessionsRequest.Builder request = WatchSessionsRequest.newBuilder();
                    cursor.ifPresentOrElse(request::setAfterCursor,
                            () -> request.setStartPosition(StartPosition.START_POSITION_EARLIEST));
                    LOG.infof("session feed: following routes-service WatchSessions %s",
                            cursor.map(c -> "after cursor " + c).orElse("from the earliest retained transition"));
                    // The stream's failure is held back until every batch received before it is
                    // stored (concatenation delays completion, not failure), then reported.
                    return routes.watchSessions(request.build())
                            .onFailure().invoke(streamFailure::set)
                            .onFailure().recoverWithCompletion();
                })
                .onItem().transformToUniAndConcatenate(this::apply)
                .subscribe().with(
                        stored -> resetBackoff(current),
                        failure -> reconnect(current, "failed: " + describe(failure)),
                        () -> reconnect(current, streamFailure.get() == null ? "ended"
                                : "failed: " + describe(streamFailure.get())));
    }

    private synchronized void resetBackoff(long current) {
        if (current == generation) {
            backoff = config.sessionFeed().initialBackoff();
        }
    }

    private synchronized void reconnect(long current, String why) {
        if (!running || current != generation) {
            return;
        }
        Duration delay = backoff;
        Duration doubled = backoff.multipliedBy(2);
        backoff = doubled.compareTo(config.sessionFeed().maxBackoff()) > 0 ? config.sessionFeed().maxBackoff() : doubled;
        LOG.warnf("session feed: routes-service WatchSessions %s; reconnecting from the stored cursor in %s", why, delay);
        timer = vertx.setTimer(Math.max(1, delay.toMillis()), id -> connect());
    }

    private static String describe(Throwable failure) {
        Status status = Status.fromThrowable(failure);
        if (status.getCode() == Status.Code.FAILED_PRECONDITION) {
            return status + " (the stored cursor is older than routes-service keeps: delete the row '" + FEED
                    + "' from metrics.feed_cursors to start again from the earliest retained transition)";
        }
        return status.getCode() == Status.Code.UNKNOWN ? String.valueOf(failure) : status.toString();
    }

    /** Stores one batch with its last cursor, in one transaction; answers how many transitions were new. */
    Uni<Integer> apply(WatchSessionsResponse batch) {
        if (batch.getTransitionsCount() == 0) {
            return Uni.createFrom().item(0);
        }
        List<Transition> mapped = new ArrayList<>();
        int unmapped = 0;
        for (SessionTransition t : batch.getTransitionsList()) {
            Optional<Transition> transition = map(t);
            transition.ifPresent(mapped::add);
            unmapped += transition.isPresent() ? 0 : 1;
        }
        String cursor = batch.getTransitions(batch.getTransitionsCount() - 1).getCursor();
        if (unmapped > 0) {
            LOG.debugf("session feed: %d transitions of peers that are no connection's session address skipped", unmapped);
        }
        return store.insertWithCursor(mapped, FEED, cursor);
    }

    private Optional<Transition> map(SessionTransition t) {
        InetAddress peer;
        try {
            peer = Cidr.parseAddress(t.getSession().getPeerAddress());
        } catch (IllegalArgumentException e) {
            LOG.warnf("session feed: transition %s has an unreadable peer address: %s", t.getCursor(), e.getMessage());
            return Optional.empty();
        }
        return inventory.connectionBySessionAddress(peer).map(connection -> new Transition(connection.resourceName(),
                Cidr.format(peer), (short) (peer instanceof Inet4Address ? 1 : 2), (short) t.getStateValue(),
                Instant.ofEpochSecond(t.getTime().getSeconds(), t.getTime().getNanos()), t.getReason(), "bmp"));
    }
}
