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
import io.peering.support.feed.CursorFeed;
import io.peering.support.inventory.InventoryIndex;
import io.peering.support.net.IpAddresses;
import io.peering.support.time.ProtoTimes;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Follows routes-service's WatchSessions from the cursor stored in {@code metrics.feed_cursors}
 * through the one {@link CursorFeed} loop: each batch's transitions (peer address mapped to its
 * inventory connection) and the batch's last cursor are stored in one transaction, so whichever side
 * restarts, the feed resumes right after what was stored: nothing lost, nothing repeated. With no
 * stored cursor it starts from the earliest retained transition. When the stream fails or ends it
 * reconnects from the stored cursor after {@code session-feed.initial-backoff}, doubling up to
 * {@code max-backoff} while it keeps failing. Transitions of peers that are no connection's session
 * address are skipped (the cursor still moves).
 */
@Singleton
public class SessionFeed {

    public static final String FEED = "routes.WatchSessions";
    private static final Logger LOG = Logger.getLogger(SessionFeed.class);

    private final TransitionStore store;
    private final InventoryIndex inventory;
    private final MetricsConfig config;
    private final CursorFeed<WatchSessionsResponse, Integer> feed;

    public SessionFeed(TransitionStore store, InventoryIndex inventory, MetricsConfig config,
                       @GrpcClient("routes") MutinyRoutesServiceGrpc.MutinyRoutesServiceStub routes) {
        this.store = store;
        this.inventory = inventory;
        this.config = config;
        this.feed = new CursorFeed<>("session feed: routes-service WatchSessions", () -> store.cursor(FEED).onItem()
                .transformToMulti(cursor -> {
                    WatchSessionsRequest.Builder request = WatchSessionsRequest.newBuilder();
                    cursor.ifPresentOrElse(request::setAfterCursor,
                            () -> request.setStartPosition(StartPosition.START_POSITION_EARLIEST));
                    LOG.infof("session feed: following routes-service WatchSessions %s",
                            cursor.map(c -> "after cursor " + c).orElse("from the earliest retained transition"));
                    return routes.watchSessions(request.build());
                }), this::apply, stored -> {
                }, SessionFeed::describe, config.sessionFeed().initialBackoff(), config.sessionFeed().maxBackoff());
    }

    void onStart(@Observes StartupEvent event) {
        if (config.sessionFeed().enabled()) {
            start();
        } else {
            LOG.info("session feed from routes-service is disabled (peering.metrics.session-feed.enabled=false)");
        }
    }

    void onStop(@Observes ShutdownEvent event) throws Exception {
        stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public void start() {
        feed.start();
    }

    /** Stops following; the batch being stored commits or fails whole (the stage completes then), and {@link #start()} resumes from the stored cursor. */
    public CompletionStage<Void> stop() {
        return feed.stop();
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
            peer = IpAddresses.parse(t.getSession().getPeerAddress());
        } catch (IllegalArgumentException e) {
            LOG.warnf("session feed: transition %s has an unreadable peer address: %s", t.getCursor(), e.getMessage());
            return Optional.empty();
        }
        return inventory.connectionBySessionAddress(peer).map(connection -> new Transition(connection.resourceName(),
                IpAddresses.format(peer), (short) (peer instanceof Inet4Address ? 1 : 2), (short) t.getStateValue(),
                ProtoTimes.instant(t.getTime()), t.getReason(), "bmp"));
    }
}
