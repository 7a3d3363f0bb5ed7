package io.peering.events.feed;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.peering.common.v1.StartPosition;
import io.peering.events.RouteSecurity;
import io.peering.events.RouteUpdate;
import io.peering.events.config.EventsConfig;
import io.peering.events.repository.EventStore;
import io.peering.events.service.EventDeriver;
import io.peering.events.service.ServicePrefixes;
import io.peering.routes.v1.MutinyRoutesServiceGrpc;
import io.peering.routes.v1.ReceivedRoute;
import io.peering.routes.v1.RibView;
import io.peering.routes.v1.RouteChange;
import io.peering.routes.v1.RouteChangeType;
import io.peering.routes.v1.WatchRouteChangesRequest;
import io.peering.routes.v1.WatchRouteChangesResponse;
import io.peering.support.feed.CursorFeed;
import io.peering.support.time.ProtoTimes;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Follows routes-service's WatchRouteChanges (for every route when route security is on, else for
 * every peering-service prefix), from the cursor
 * stored in events.feed_cursors (from the earliest retained change when there is none), through the
 * one {@link CursorFeed} loop, and hands each batch to {@link EventDeriver} (the events and the
 * batch's last cursor in one transaction). When the stream fails or ends it reconnects after a delay
 * that doubles with each failure in a row (up to a maximum), from the cursor stored by then.
 */
@Singleton
public class RouteChangeFeed {

    private static final Logger LOG = Logger.getLogger(RouteChangeFeed.class);

    private final EventDeriver deriver;
    private final ServicePrefixes servicePrefixes;
    private final EventsConfig.Feed config;
    private final RibView ribView;
    private final boolean security;
    private final CursorFeed<WatchRouteChangesResponse, EventDeriver.Applied> feed;

    public RouteChangeFeed(@GrpcClient("routes") MutinyRoutesServiceGrpc.MutinyRoutesServiceStub routes, EventStore store,
                           EventDeriver deriver, ServicePrefixes servicePrefixes, EventsConfig config, MeterRegistry registry) {
        this.deriver = deriver;
        this.servicePrefixes = servicePrefixes;
        this.config = config.feed();
        this.security = config.security().enabled();
        this.ribView = switch (this.config.ribView()) {
            case "ADJ_RIB_IN_PRE_POLICY" -> RibView.RIB_VIEW_ADJ_RIB_IN_PRE_POLICY;
            case "ADJ_RIB_IN_POST_POLICY" -> RibView.RIB_VIEW_ADJ_RIB_IN_POST_POLICY;
            default -> throw new IllegalArgumentException("peering.events.feed.rib-view must be ADJ_RIB_IN_PRE_POLICY or"
                    + " ADJ_RIB_IN_POST_POLICY; got " + this.config.ribView());
        };
        Counter derived = Counter.builder("peering.events.derived").description("Prefix events derived and stored")
                .register(registry);
        this.feed = new CursorFeed<>("The route-change feed: routes-service WatchRouteChanges",
                () -> store.cursor(EventStore.ROUTES_FEED).onItem().transformToMulti(cursor -> {
                    // Route security watches every route of the edge (a hijack can come over any session and
                    // be any more-specific); without it, the peering-service prefixes are enough.
                    WatchRouteChangesRequest.Builder request = WatchRouteChangesRequest.newBuilder()
                            .addAllPrefixes(security ? List.of() : servicePrefixes.allPrefixes());
                    if (cursor == null) {
                        request.setStartPosition(StartPosition.START_POSITION_EARLIEST);
                    } else {
                        request.setAfterCursor(Long.toString(cursor));
                    }
                    LOG.infof("Following routes-service WatchRouteChanges %s for %s",
                            cursor == null ? "from the earliest retained change" : "after cursor " + cursor,
                            security ? "every route (route security is on)"
                                    : servicePrefixes.allPrefixes().size() + " peering-service prefixes");
                    return routes.watchRouteChanges(request.build());
                }),
                this::derive, applied -> derived.increment(applied.events()),
                failure -> failure + (failure.getCause() == null ? "" : ", caused by " + failure.getCause()),
                this.config.retryInitialDelay(), this.config.retryMaxDelay());
        FunctionCounter.builder("peering.events.feed.failures", feed, f -> f.failures())
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
    public void start() {
        if (servicePrefixes.allPrefixes().isEmpty() && !security) {
            LOG.info("The inventory has no peering-service prefixes: the route-change feed has nothing to follow");
            return;
        }
        feed.start();
    }

    /**
     * Stops following. The batch being stored, if any, still commits or fails as a whole (the returned
     * stage completes then); a later {@link #start()} resumes from the stored cursor, and the cursor
     * lock makes sure no batch is derived twice even if the two overlap.
     */
    public CompletionStage<Void> stop() {
        return feed.stop();
    }

    public boolean running() {
        return feed.running();
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
                ReceivedRoute r = c.getRoute();
                updates.add(new RouteUpdate(last, ProtoTimes.instant(c.getTime()),
                        c.getType() == RouteChangeType.ROUTE_CHANGE_TYPE_WITHDRAW, r.getPrefix(), r.getRouter(),
                        r.getPeerAddress(), Integer.toUnsignedLong(r.getPathId()), r.getAsPath(),
                        Integer.toUnsignedLong(r.getOriginAsn()), c.getReason(), Integer.toUnsignedLong(r.getPeerAsn()),
                        r.getRpkiValidationStateValue(),
                        r.getCoveringRoasList().stream().map(a -> new RouteSecurity.MatchedRoa(a.getPrefix(), a.getMaxLength(),
                                Integer.toUnsignedLong(a.getOriginAsn()), a.getTrustAnchor())).toList(),
                        r.hasOnlyToCustomer() ? Integer.toUnsignedLong(r.getOnlyToCustomer()) : null));
            }
        }
        return deriver.apply(updates, last);
    }

    private static long cursorOf(RouteChange c) {
        try {
            return Long.parseLong(c.getCursor());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("routes-service sent a route change with cursor \"" + c.getCursor()
                    + "\", not a log position", e);
        }
    }
}
