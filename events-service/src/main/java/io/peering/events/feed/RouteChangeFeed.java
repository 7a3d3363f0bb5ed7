package io.peering.events.feed;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.peering.common.v1.StartPosition;
import io.peering.events.RouteUpdate;
import io.peering.events.config.EventsConfig;
import io.peering.events.repository.EventStore;
import io.peering.events.service.EventDeriver;
import io.peering.events.service.ServicePrefixes;
import io.peering.routes.v1.MutinyRoutesServiceGrpc;
import io.peering.routes.v1.RibView;
import io.peering.routes.v1.RouteChange;
import io.peering.routes.v1.RouteChangeType;
import io.peering.routes.v1.WatchRouteChangesRequest;
import io.peering.routes.v1.WatchRouteChangesResponse;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Follows routes-service's WatchRouteChanges for every peering-service prefix, from the cursor
 * stored in events.feed_cursors (from the earliest retained change when there is none), and hands
 * each batch to {@link EventDeriver}. When the stream fails or ends it reconnects after a delay that
 * doubles with each failure in a row (up to a maximum), from the cursor stored by then.
 */
@Singleton
public class RouteChangeFeed {

    private static final Logger LOG = Logger.getLogger(RouteChangeFeed.class);

    private final MutinyRoutesServiceGrpc.MutinyRoutesServiceStub routes;
    private final EventStore store;
    private final EventDeriver deriver;
    private final ServicePrefixes servicePrefixes;
    private final EventsConfig.Feed config;
    private final RibView ribView;
    private final Counter derived;
    private final Counter failuresTotal;

    private boolean running;
    private long generation;
    private int failuresInARow;
    private Cancellable subscription;
    private Cancellable pendingRetry;
    /** The last batch handed to the deriver: it runs to its end even when the stream is cancelled. */
    private volatile CompletableFuture<EventDeriver.Applied> lastBatch = CompletableFuture.completedFuture(null);

    public RouteChangeFeed(@GrpcClient("routes") MutinyRoutesServiceGrpc.MutinyRoutesServiceStub routes, EventStore store,
                           EventDeriver deriver, ServicePrefixes servicePrefixes, EventsConfig config, MeterRegistry registry) {
        this.routes = routes;
        this.store = store;
        this.deriver = deriver;
        this.servicePrefixes = servicePrefixes;
        this.config = config.feed();
        this.ribView = switch (this.config.ribView()) {
            case "ADJ_RIB_IN_PRE_POLICY" -> RibView.RIB_VIEW_ADJ_RIB_IN_PRE_POLICY;
            case "ADJ_RIB_IN_POST_POLICY" -> RibView.RIB_VIEW_ADJ_RIB_IN_POST_POLICY;
            default -> throw new IllegalArgumentException("peering.events.feed.rib-view must be ADJ_RIB_IN_PRE_POLICY or"
                    + " ADJ_RIB_IN_POST_POLICY; got " + this.config.ribView());
        };
        this.derived = Counter.builder("peering.events.derived").description("Prefix events derived and stored")
                .register(registry);
        this.failuresTotal = Counter.builder("peering.events.feed.failures")
                .description("Times the WatchRouteChanges stream failed or ended and was reconnected").register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        if (config.enabled()) {
            start();
        } else {
            LOG.info("The route-change feed is disabled (peering.events.feed.enabled=false): no events are derived");
        }
    }

    void onStop(@Observes ShutdownEvent event) throws Exception {
        stop().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Starts following routes-service from the stored cursor (no-op when already running). */
    public synchronized void start() {
        if (running) {
            return;
        }
        if (servicePrefixes.allPrefixes().isEmpty()) {
            LOG.info("The inventory has no peering-service prefixes: the route-change feed has nothing to follow");
            return;
        }
        running = true;
        failuresInARow = 0;
        subscribe(++generation);
    }

    /**
     * Stops following. The batch being stored, if any, still commits or fails as a whole (the returned
     * stage completes then); a later {@link #start()} resumes from the stored cursor, and the cursor
     * lock makes sure no batch is derived twice even if the two overlap.
     */
    public synchronized CompletionStage<Void> stop() {
        running = false;
        generation++;
        if (subscription != null) {
            subscription.cancel();
            subscription = null;
        }
        if (pendingRetry != null) {
            pendingRetry.cancel();
            pendingRetry = null;
        }
        return lastBatch.handle((applied, failure) -> null);
    }

    public synchronized boolean running() {
        return running;
    }

    private synchronized void subscribe(long gen) {
        if (gen != generation || !running) {
            return;
        }
        subscription = follow().subscribe().with(
                applied -> batchStored(gen, applied),
                failure -> failed(gen, failure),
                () -> failed(gen, new IllegalStateException("routes-service ended the WatchRouteChanges stream")));
    }

    private Multi<EventDeriver.Applied> follow() {
        return store.cursor(EventStore.ROUTES_FEED).onItem().transformToMulti(cursor -> {
                    WatchRouteChangesRequest.Builder request = WatchRouteChangesRequest.newBuilder()
                            .addAllPrefixes(servicePrefixes.allPrefixes());
                    if (cursor == null) {
                        request.setStartPosition(StartPosition.START_POSITION_EARLIEST);
                    } else {
                        request.setAfterCursor(Long.toString(cursor));
                    }
                    LOG.infof("Following routes-service WatchRouteChanges %s for %d peering-service prefixes",
                            cursor == null ? "from the earliest retained change" : "after cursor " + cursor,
                            servicePrefixes.allPrefixes().size());
                    return routes.watchRouteChanges(request.build());
                })
                .onItem().transformToUniAndConcatenate(this::derive);
    }

    private Uni<EventDeriver.Applied> derive(WatchRouteChangesResponse response) {
        if (response.getChangesCount() == 0) {
            return Uni.createFrom().item(new EventDeriver.Applied(0, 0));
        }
        List<RouteUpdate> updates = new ArrayList<>(response.getChangesCount());
        long last = 0;
        for (RouteChange c : response.getChangesList()) {
            last = cursorOf(c);
            if (c.getRoute().getRibView() == ribView && c.getType() != RouteChangeType.ROUTE_CHANGE_TYPE_UNSPECIFIED) {
                updates.add(new RouteUpdate(last, Instant.ofEpochSecond(c.getTime().getSeconds(), c.getTime().getNanos()),
                        c.getType() == RouteChangeType.ROUTE_CHANGE_TYPE_WITHDRAW, c.getRoute().getPrefix(),
                        c.getRoute().getRouter(), c.getRoute().getPeerAddress(), Integer.toUnsignedLong(c.getRoute().getPathId()),
                        c.getRoute().getAsPath(), Integer.toUnsignedLong(c.getRoute().getOriginAsn()), c.getReason()));
            }
        }
        CompletableFuture<EventDeriver.Applied> batch = new CompletableFuture<>();
        lastBatch = batch;
        deriver.apply(updates, last).subscribe().with(batch::complete, batch::completeExceptionally);
        // the stream gets a copy: cancelling the stream does not cancel the transaction half-way
        return Uni.createFrom().completionStage(batch.thenApply(applied -> applied));
    }

    private static long cursorOf(RouteChange c) {
        try {
            return Long.parseLong(c.getCursor());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("routes-service sent a route change with cursor \"" + c.getCursor()
                    + "\", not a log position", e);
        }
    }

    private synchronized void batchStored(long gen, EventDeriver.Applied applied) {
        if (gen == generation) {
            failuresInARow = 0;
        }
        derived.increment(applied.events());
    }

    private synchronized void failed(long gen, Throwable failure) {
        if (gen != generation || !running) {
            return;
        }
        failuresTotal.increment();
        failuresInARow++;
        long initial = config.retryInitialDelay().toMillis();
        long delay = Math.min(config.retryMaxDelay().toMillis(), initial << Math.min(failuresInARow - 1, 20));
        LOG.warnf("The route-change feed stopped (%s%s); reconnecting in %d ms (failure %d in a row)", failure,
                failure.getCause() == null ? "" : ", caused by " + failure.getCause(), delay, failuresInARow);
        pendingRetry = Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(delay))
                .subscribe().with(v -> subscribe(gen));
    }
}
