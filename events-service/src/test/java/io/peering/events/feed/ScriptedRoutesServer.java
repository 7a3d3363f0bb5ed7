package io.peering.events.feed;

import com.google.protobuf.Timestamp;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.peering.common.v1.StartPosition;
import io.peering.routes.v1.ListRegisteredPrefixesRequest;
import io.peering.routes.v1.ListRegisteredPrefixesResponse;
import io.peering.routes.v1.ReceivedRoute;
import io.peering.routes.v1.RegisteredPrefix;
import io.peering.routes.v1.RegisteredPrefixValidationState;
import io.peering.routes.v1.RibView;
import io.peering.routes.v1.RouteChange;
import io.peering.routes.v1.RouteChangeType;
import io.peering.routes.v1.RoutesServiceGrpc;
import io.peering.routes.v1.WatchRouteChangesRequest;
import io.peering.routes.v1.WatchRouteChangesResponse;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for routes-service on a random loopback port. WatchRouteChanges serves a scripted
 * log of route changes (cursors 1, 2, 3, ...) the way routes-service does: replay after the
 * requested cursor (or from the start for EARLIEST), in responses of {@link #batchSize} changes,
 * then follow what the test appends; it can drop each stream after a number of responses.
 * ListRegisteredPrefixes answers the scripted registered prefixes ({@link #registeredPrefixes}), each
 * stamped with the time of the answer as routes-service does unless scripted with its own, in pages of
 * at most {@link #registeredPrefixPageSize}; or fails with a scripted status.
 */
public final class ScriptedRoutesServer {

    private final List<RouteChange> log = new ArrayList<>();
    private final List<WatchRouteChangesRequest> requests = new CopyOnWriteArrayList<>();
    private final ExecutorService streams = Executors.newCachedThreadPool();
    private final Server server;
    private volatile int batchSize = 100;
    private volatile int dropAfterResponses = 0;
    private volatile List<RegisteredPrefix> registeredPrefixes = List.of();
    private volatile int registeredPrefixPageSize = 1000;
    private volatile Status registeredPrefixesFailure = null;
    private final List<ListRegisteredPrefixesRequest> registeredPrefixRequests = new CopyOnWriteArrayList<>();
    /** The authorization header of each ListRegisteredPrefixes call ("" when none), in order. */
    private final List<String> registeredPrefixAuthorizations = new CopyOnWriteArrayList<>();

    public ScriptedRoutesServer() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(new RoutesServiceGrpc.RoutesServiceImplBase() {
                    @Override
                    public void watchRouteChanges(WatchRouteChangesRequest request,
                                                  StreamObserver<WatchRouteChangesResponse> observer) {
                        requests.add(request);
                        streams.execute(() -> serve(request, (ServerCallStreamObserver<WatchRouteChangesResponse>) observer));
                    }

                    @Override
                    public void listRegisteredPrefixes(ListRegisteredPrefixesRequest request,
                                                       StreamObserver<ListRegisteredPrefixesResponse> observer) {
                        registeredPrefixRequests.add(request);
                        answer(request, observer);
                    }
                }, new ServerInterceptor() {
                    @Override
                    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                                       ServerCallHandler<Q, A> next) {
                        if (call.getMethodDescriptor().getBareMethodName().equals("ListRegisteredPrefixes")) {
                            String authorization = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
                            registeredPrefixAuthorizations.add(authorization == null ? "" : authorization);
                        }
                        return next.startCall(call, headers);
                    }
                }))
                .build().start();
    }

    public int port() {
        return server.getPort();
    }

    public void shutdown() throws InterruptedException {
        streams.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** Empties the log (the next change gets cursor 1) and forgets the requests; settings back to defaults. */
    public synchronized void reset() {
        log.clear();
        requests.clear();
        batchSize = 100;
        dropAfterResponses = 0;
        registeredPrefixes = List.of();
        registeredPrefixPageSize = 1000;
        registeredPrefixesFailure = null;
        registeredPrefixRequests.clear();
        registeredPrefixAuthorizations.clear();
    }

    // ---- ListRegisteredPrefixes ----------------------------------------------------------------

    /** What ListRegisteredPrefixes lists from now on, in this order. */
    public void registeredPrefixes(RegisteredPrefix... listed) {
        registeredPrefixes = List.of(listed);
    }

    public void registeredPrefixPageSize(int size) {
        registeredPrefixPageSize = size;
    }

    /** ListRegisteredPrefixes fails with this status from now on; null: it answers again. */
    public void failRegisteredPrefixes(Status status) {
        registeredPrefixesFailure = status;
    }

    public List<ListRegisteredPrefixesRequest> registeredPrefixRequests() {
        return List.copyOf(registeredPrefixRequests);
    }

    public List<String> registeredPrefixAuthorizations() {
        return List.copyOf(registeredPrefixAuthorizations);
    }

    private void answer(ListRegisteredPrefixesRequest request, StreamObserver<ListRegisteredPrefixesResponse> observer) {
        Status failure = registeredPrefixesFailure;
        if (failure != null) {
            observer.onError(failure.asRuntimeException());
            return;
        }
        List<RegisteredPrefix> listed = registeredPrefixes;
        int from = request.getPageToken().isEmpty() ? 0 : Integer.parseInt(request.getPageToken());
        int size = Math.min(request.getPageSize() == 0 ? 100 : request.getPageSize(), registeredPrefixPageSize);
        int to = Math.min(listed.size(), from + size);
        Timestamp now = timestamp(Instant.now());
        ListRegisteredPrefixesResponse.Builder page = ListRegisteredPrefixesResponse.newBuilder()
                .setNextPageToken(to < listed.size() ? Integer.toString(to) : "");
        listed.subList(from, to).forEach(p -> page.addRegisteredPrefixes(p.hasCheckedTime() ? p : p.toBuilder().setCheckedTime(now).build()));
        observer.onNext(page.build());
        observer.onCompleted();
    }

    /** A registered prefix as routes-service lists it (checked at the time of the answer). */
    public static RegisteredPrefix registeredPrefix(String name, String prefix, RegisteredPrefixValidationState state,
                                                    String... reasons) {
        return RegisteredPrefix.newBuilder().setName(name).setPrefix(prefix).setValidationState(state)
                .addAllReasons(List.of(reasons)).setRibView(RibView.RIB_VIEW_ADJ_RIB_IN_PRE_POLICY).build();
    }

    public static Timestamp timestamp(Instant time) {
        return Timestamp.newBuilder().setSeconds(time.getEpochSecond()).setNanos(time.getNano()).build();
    }

    public void batchSize(int size) {
        batchSize = size;
    }

    /** Fail every stream with UNAVAILABLE after this many responses (0: never). */
    public void dropAfterResponses(int responses) {
        dropAfterResponses = responses;
    }

    public List<WatchRouteChangesRequest> requests() {
        return List.copyOf(requests);
    }

    /** Appends changes to the log, numbering their cursors; returns the last cursor. */
    public synchronized long append(List<RouteChange> changes) {
        for (RouteChange c : changes) {
            log.add(c.toBuilder().setCursor(Long.toString(log.size() + 1)).build());
        }
        notifyAll();
        return log.size();
    }

    public long append(RouteChange... changes) {
        return append(List.of(changes));
    }

    private synchronized List<RouteChange> after(int position, long waitMillis) throws InterruptedException {
        if (log.size() <= position) {
            wait(waitMillis);
        }
        return log.size() <= position ? List.of() : List.copyOf(log.subList(position, Math.min(log.size(), position + batchSize)));
    }

    private void serve(WatchRouteChangesRequest request, ServerCallStreamObserver<WatchRouteChangesResponse> observer) {
        try {
            int position;
            if (!request.getAfterCursor().isEmpty()) {
                position = Integer.parseInt(request.getAfterCursor());
            } else if (request.getStartPosition() == StartPosition.START_POSITION_EARLIEST) {
                position = 0;
            } else {
                synchronized (this) {
                    position = log.size();
                }
            }
            int sent = 0;
            while (!observer.isCancelled()) {
                List<RouteChange> batch = after(position, 50);
                if (batch.isEmpty()) {
                    continue;
                }
                if (dropAfterResponses > 0 && sent == dropAfterResponses) {
                    observer.onError(Status.UNAVAILABLE.withDescription("scripted drop").asRuntimeException());
                    return;
                }
                observer.onNext(WatchRouteChangesResponse.newBuilder().addAllChanges(batch).build());
                position += batch.size();
                sent++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the client went away while we were sending
        }
    }

    // ---- building changes ----------------------------------------------------------------------

    public static RouteChange announce(Instant time, String prefix, String peer, String router, long pathId, String asPath,
                                       long originAsn) {
        return change(RouteChangeType.ROUTE_CHANGE_TYPE_ANNOUNCE, time, prefix, peer, router, pathId, asPath, originAsn,
                RibView.RIB_VIEW_ADJ_RIB_IN_PRE_POLICY, "");
    }

    public static RouteChange withdraw(Instant time, String prefix, String peer, String router, long pathId, String reason) {
        return change(RouteChangeType.ROUTE_CHANGE_TYPE_WITHDRAW, time, prefix, peer, router, pathId, "", 0,
                RibView.RIB_VIEW_ADJ_RIB_IN_PRE_POLICY, reason);
    }

    public static RouteChange change(RouteChangeType type, Instant time, String prefix, String peer, String router,
                                     long pathId, String asPath, long originAsn, RibView view, String reason) {
        Timestamp t = timestamp(time);
        return RouteChange.newBuilder()
                .setType(type)
                .setTime(t)
                .setReason(reason)
                .setRoute(ReceivedRoute.newBuilder().setPrefix(prefix).setPeerAddress(peer).setRouter(router)
                        .setPathId((int) pathId).setAsPath(asPath).setOriginAsn((int) originAsn).setRibView(view)
                        .setReceivedTime(t).setPeerAsn(64500))
                .build();
    }
}
