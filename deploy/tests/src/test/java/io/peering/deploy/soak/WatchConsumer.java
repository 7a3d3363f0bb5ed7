package io.peering.deploy.soak;

import com.google.protobuf.Timestamp;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.peering.events.v1.EventsServiceGrpc;
import io.peering.events.v1.PrefixEvent;
import io.peering.events.v1.WatchPrefixEventsRequest;
import io.peering.events.v1.WatchPrefixEventsResponse;
import io.peering.routes.v1.RouteChange;
import io.peering.routes.v1.RoutesServiceGrpc;
import io.peering.routes.v1.WatchRouteChangesRequest;
import io.peering.routes.v1.WatchRouteChangesResponse;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One open Watch stream as contoso-ams's reader, from the latest position: counts what arrives and
 * the lag of each item from the router's time of the change (BMP per-peer header timestamp, which
 * the synthetic router stamps as it writes the message) to its arrival here. A stream that ends is
 * counted as an error and resumed after its last cursor a second later.
 */
abstract class WatchConsumer implements AutoCloseable {

    final String rpc;
    final Figures.Errors errors;
    final Figures.Durations lag = new Figures.Durations();
    final AtomicLong received = new AtomicLong();
    final AtomicLong messages = new AtomicLong();
    final AtomicLong resumed = new AtomicLong();
    volatile String cursor = "";
    private volatile boolean stopping;
    private volatile Context.CancellableContext context;
    private final ScheduledExecutorService retry = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "soak-watch-retry");
        t.setDaemon(true);
        return t;
    });

    WatchConsumer(String rpc, Figures.Errors errors) {
        this.rpc = rpc;
        this.errors = errors;
    }

    /** Opens the stream after {@code cursor} (latest when empty). */
    abstract void open(String cursor);

    void start() {
        context = Context.current().withCancellation();
        context.run(() -> open(cursor));
    }

    /** Forgets the counts and lags so far (the warm-up's). */
    void reset() {
        lag.reset();
        received.set(0);
        messages.set(0);
    }

    void item(Timestamp routerTime, String itemCursor) {
        java.time.Instant now = java.time.Instant.now();
        long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        lag.add(Math.max(0, nowNanos - (routerTime.getSeconds() * 1_000_000_000L + routerTime.getNanos())));
        received.incrementAndGet();
        cursor = itemCursor;
    }

    <T> StreamObserver<T> observer(java.util.function.Consumer<T> onItem) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                messages.incrementAndGet();
                onItem.accept(value);
            }

            @Override
            public void onError(Throwable t) {
                if (stopping) {
                    return;
                }
                errors.add(rpc, t);
                resume();
            }

            @Override
            public void onCompleted() {
                if (stopping) {
                    return;
                }
                errors.add(rpc, io.grpc.Status.UNKNOWN.withDescription("the server ended the Watch stream").asRuntimeException());
                resume();
            }
        };
    }

    private void resume() {
        resumed.incrementAndGet();
        retry.schedule(() -> {
            if (!stopping) {
                context = Context.current().withCancellation();
                context.run(() -> open(cursor));
            }
        }, 1, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        stopping = true;
        retry.shutdownNow();
        Context.CancellableContext c = context;
        if (c != null) {
            c.cancel(null);
        }
    }

    /** WatchRouteChanges of peerings/contoso-ams: the churn of ams-1 and ams-2. */
    static final class RouteChanges extends WatchConsumer {
        private final SoakStack stack;

        RouteChanges(SoakStack stack, Figures.Errors errors) {
            super("routes.WatchRouteChanges", errors);
            this.stack = stack;
        }

        @Override
        void open(String after) {
            SoakStack.withToken(RoutesServiceGrpc.newStub(stack.channel("routes")), stack.readerToken).watchRouteChanges(
                    WatchRouteChangesRequest.newBuilder().setParent("peerings/contoso-ams").setAfterCursor(after).build(),
                    this.<WatchRouteChangesResponse>observer(r -> {
                        for (RouteChange c : r.getChangesList()) {
                            item(c.getTime(), c.getCursor());
                        }
                    }));
        }
    }

    /** WatchPrefixEvents of peeringServices/contoso-web: events of the churn of its prefixes. */
    static final class PrefixEvents extends WatchConsumer {
        private final SoakStack stack;

        PrefixEvents(SoakStack stack, Figures.Errors errors) {
            super("events.WatchPrefixEvents", errors);
            this.stack = stack;
        }

        @Override
        void open(String after) {
            SoakStack.withToken(EventsServiceGrpc.newStub(stack.channel("events")), stack.readerToken).watchPrefixEvents(
                    WatchPrefixEventsRequest.newBuilder().setParent("peeringServices/contoso-web").setAfterCursor(after).build(),
                    this.<WatchPrefixEventsResponse>observer(r -> {
                        for (PrefixEvent e : r.getEventsList()) {
                            item(e.getTime(), e.getCursor());
                        }
                    }));
        }
    }
}
