package io.peering.routes.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.peering.common.v1.StartPosition;
import io.peering.routes.PeerRef;
import io.peering.routes.Rib;
import io.peering.routes.RouteChange;
import io.peering.routes.repository.RouteStore;
import io.peering.routes.repository.SessionStore;
import io.peering.routes.v1.ListReceivedRoutesRequest;
import io.peering.routes.v1.ListReceivedRoutesResponse;
import io.peering.routes.v1.PrefixMatch;
import io.peering.routes.v1.ReceivedRoute;
import io.peering.routes.v1.RoutesServiceGrpc;
import io.peering.routes.v1.WatchRouteChangesRequest;
import io.peering.routes.v1.WatchRouteChangesResponse;
import io.peering.routes.v1.WatchSessionsRequest;
import io.peering.routes.v1.WatchSessionsResponse;
import io.peering.routes.testing.Await;
import io.peering.routes.testing.RoutesChannel;
import io.peering.routes.testing.TestRouter;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The routes API over a real gRPC channel, on routes written through the store. */
@QuarkusTest
class RoutesApiTest {

    static final String ROUTER = "127.0.0.202";
    static final PeerRef PEER = new PeerRef(ROUTER, 0, "127.0.0.12", 64500); // contoso-ams ams-2

    @Inject
    RouteStore store;

    @Inject
    SessionStore sessions;

    @Inject
    Pool pool;

    RoutesChannel channel;
    RoutesServiceGrpc.RoutesServiceBlockingStub routes;

    @BeforeEach
    void setUp() {
        TestRouter.forget(pool, ROUTER);
        channel = RoutesChannel.open();
        routes = channel.blocking();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        channel.close();
    }

    static RouteChange.Attributes attributes(String asPath, long origin, short rpki) {
        return new RouteChange.Attributes((short) 0, asPath, origin, "192.0.2.1", null, null, List.of(), List.of(), null, rpki, "");
    }

    static RouteChange announce(String prefix, String asPath, long origin) {
        return RouteChange.announce(Instant.now(), PEER, Rib.ADJ_RIB_IN_PRE_POLICY, prefix, 0, attributes(asPath, origin, (short) 3));
    }

    void write(List<RouteChange> changes) {
        store.applyRouteChanges(changes).await().atMost(Duration.ofSeconds(30));
    }

    List<ReceivedRoute> listAll(ListReceivedRoutesRequest request) {
        List<ReceivedRoute> all = new ArrayList<>();
        String token = "";
        do {
            ListReceivedRoutesResponse page = routes.listReceivedRoutes(request.toBuilder().setPageToken(token).build());
            all.addAll(page.getRoutesList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return all.stream().filter(r -> r.getRouter().equals(ROUTER)).toList();
    }

    @Test
    void pagingNeverRepeatsOrSkipsARouteWhileOthersChangeUnderneath() {
        List<RouteChange> initial = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            initial.add(announce("10.1." + i + ".0/24", "64500", 64500));
        }
        write(initial);
        ListReceivedRoutesRequest request = ListReceivedRoutesRequest.newBuilder().setParent("peerings/contoso-ams")
                .setConnection("peerings/contoso-ams/connections/ams-2").setPageSize(100).build();

        ListReceivedRoutesResponse first = routes.listReceivedRoutes(request);
        // between pages: withdraw a route already returned, add one before and one after the position
        write(List.of(RouteChange.withdraw(Instant.now(), PEER, Rib.ADJ_RIB_IN_PRE_POLICY, "10.1.0.0/24", 0, "test"),
                announce("10.0.0.0/24", "64500", 64500), announce("10.2.0.0/24", "64500", 64500)));
        List<ReceivedRoute> rest = new ArrayList<>();
        String token = first.getNextPageToken();
        while (!token.isEmpty()) {
            ListReceivedRoutesResponse page = routes.listReceivedRoutes(request.toBuilder().setPageToken(token).build());
            rest.addAll(page.getRoutesList());
            token = page.getNextPageToken();
        }
        List<String> seen = new ArrayList<>();
        first.getRoutesList().forEach(r -> seen.add(r.getPrefix()));
        rest.forEach(r -> seen.add(r.getPrefix()));
        assertThat(new HashSet<>(seen)).as("no route twice").hasSize(seen.size());
        for (int i = 0; i < 250; i++) {
            assertThat(seen).as("every route present during the whole walk").contains("10.1." + i + ".0/24");
        }
        assertThat(seen).contains("10.2.0.0/24").doesNotContain("10.0.0.0/24"); // after the position: seen; before: not
    }

    @Test
    void filtersSelectByMoreSpecificPrefixAsPathSequenceAndOriginValidation() {
        write(List.of(announce("198.51.100.0/24", "64500 64510 4200000001", 4200000001L),
                announce("198.51.100.128/25", "64500 64511", 64511),
                announce("203.0.113.0/24", "64500 64510", 64510)));
        ListReceivedRoutesRequest base = ListReceivedRoutesRequest.newBuilder().setParent("peerings/contoso-ams").build();

        assertThat(listAll(base.toBuilder().setPrefix("198.51.100.0/24").build())).extracting(ReceivedRoute::getPrefix)
                .containsExactly("198.51.100.0/24");
        assertThat(listAll(base.toBuilder().setPrefix("198.51.100.0/24").setPrefixMatch(PrefixMatch.PREFIX_MATCH_OR_LONGER).build()))
                .extracting(ReceivedRoute::getPrefix).containsExactlyInAnyOrder("198.51.100.0/24", "198.51.100.128/25");
        assertThat(listAll(base.toBuilder().setAsPath("64500 64510").build())).extracting(ReceivedRoute::getPrefix)
                .containsExactlyInAnyOrder("198.51.100.0/24", "203.0.113.0/24");
        assertThat(listAll(base.toBuilder().setAsPath("64510 64500").build())).isEmpty();
        assertThat(listAll(base.toBuilder()
                .setOriginAsValidationState(io.peering.routes.v1.OriginAsValidationState.ORIGIN_AS_VALIDATION_STATE_INVALID).build()))
                .extracting(ReceivedRoute::getPrefix).containsExactlyInAnyOrder("198.51.100.128/25", "203.0.113.0/24");
    }

    @Test
    void originAsnFilterSelectsRoutesByTheLastAsOfTheirPath() {
        write(List.of(announce("198.51.100.0/24", "64500 64510 4200000001", 4200000001L),
                announce("198.51.101.0/24", "64500 4200000001", 4200000001L),
                announce("198.51.102.0/24", "64500 4200000001 64511", 64511),   // the ASN in the path, not the origin
                announce("198.51.103.0/24", "64500 {64512,4200000001}", 0)));   // ends in an AS_SET: no single origin
        ListReceivedRoutesRequest base = ListReceivedRoutesRequest.newBuilder().setParent("peerings/contoso-ams").build();
        ListReceivedRoutesRequest byOrigin = base.toBuilder().setOriginAsn((int) 4200000001L).build();

        assertThat(listAll(byOrigin)).extracting(ReceivedRoute::getPrefix).containsExactly("198.51.100.0/24", "198.51.101.0/24");
        assertThat(listAll(byOrigin.toBuilder().setPageSize(1).build())).as("page by page").extracting(ReceivedRoute::getPrefix)
                .containsExactly("198.51.100.0/24", "198.51.101.0/24");
        assertThat(listAll(base.toBuilder().setOriginAsn(64511).build())).extracting(ReceivedRoute::getPrefix)
                .containsExactly("198.51.102.0/24");
        assertThat(listAll(byOrigin.toBuilder().setAsPath("64510").build())).as("with an AS path filter")
                .extracting(ReceivedRoute::getPrefix).containsExactly("198.51.100.0/24");
        assertThat(listAll(byOrigin.toBuilder()
                .setOriginAsValidationState(io.peering.routes.v1.OriginAsValidationState.ORIGIN_AS_VALIDATION_STATE_INVALID).build()))
                .as("a registered ASN of contoso is never an invalid origin").isEmpty();

        String token = routes.listReceivedRoutes(byOrigin.toBuilder().setPageSize(1).build()).getNextPageToken();
        assertStatus(() -> routes.listReceivedRoutes(base.toBuilder().setOriginAsn(64511).setPageSize(1).setPageToken(token).build()),
                Status.Code.INVALID_ARGUMENT, "page_token belongs to a request with other filters");
        assertStatus(() -> routes.listReceivedRoutes(base.toBuilder().setOriginAsn(0).build()),
                Status.Code.INVALID_ARGUMENT, "origin_asn");
    }

    @Test
    void badRequestsAreRefusedWithAMessageSayingWhatToFix() {
        ListReceivedRoutesRequest base = ListReceivedRoutesRequest.newBuilder().setParent("peerings/contoso-ams").build();
        assertStatus(() -> routes.listReceivedRoutes(base.toBuilder().setPrefix("198.51.100.1/24").build()),
                Status.Code.INVALID_ARGUMENT, "did you mean 198.51.100.0/24");
        assertStatus(() -> routes.listReceivedRoutes(base.toBuilder().setPageSize(5000).build()),
                Status.Code.INVALID_ARGUMENT, "between 0 and 1000");
        assertStatus(() -> routes.listReceivedRoutes(base.toBuilder().setAsPath("AS64500").build()),
                Status.Code.INVALID_ARGUMENT, "not an ASN");
        assertStatus(() -> routes.listReceivedRoutes(base.toBuilder().setPageToken("garbage").build()),
                Status.Code.INVALID_ARGUMENT, "page_token");
        assertStatus(() -> routes.listReceivedRoutes(base.toBuilder().setParent("peerings/nope").build()),
                Status.Code.NOT_FOUND, "no peering \"nope\"");
    }

    /** Each forged token (field index, value) is refused as a page_token this service did not issue. */
    static void assertForgedTokensRefused(String issued, java.util.function.Consumer<String> call, Object... fieldAndValue) {
        for (int i = 0; i < fieldAndValue.length; i += 2) {
            String forged = ForgedPageTokens.forge(issued, (Integer) fieldAndValue[i], (String) fieldAndValue[i + 1]);
            String what = "position field " + fieldAndValue[i] + " = \"" + fieldAndValue[i + 1] + "\"";
            assertThatThrownBy(() -> call.accept(forged)).as(what).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).as(what + ": " + e.getStatus()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getStatus().getDescription()).as(what).contains("page_token").contains("next_page_token");
            });
        }
    }

    @Test
    void aForgedPageTokenWithTheRequestsFingerprintIsRefusedAsInvalidArgument() {
        Instant t = Instant.now().minusSeconds(60);
        PeerRef ams1 = new PeerRef(ROUTER, 0, "127.0.0.11", 64500);
        write(List.of(announce("198.51.100.0/24", "64500", 64500), announce("198.51.101.0/24", "64500", 64500)));
        write(List.of(RouteChange.withdraw(t, PEER, Rib.ADJ_RIB_IN_PRE_POLICY, "198.51.100.0/24", 0, "test")));
        write(List.of(RouteChange.announce(t.plusMillis(1), PEER, Rib.ADJ_RIB_IN_PRE_POLICY, "198.51.100.0/24", 0,
                attributes("64500", 64500, (short) 3))));
        sessions.peerUp(PEER, t, "127.0.0.12", "127.0.0.2", 65000).await().atMost(Duration.ofSeconds(10));
        sessions.peerUp(ams1, t, "127.0.0.11", "127.0.0.2", 65000).await().atMost(Duration.ofSeconds(10));

        ListReceivedRoutesRequest list = ListReceivedRoutesRequest.newBuilder().setParent("peerings/contoso-ams")
                .setConnection("peerings/contoso-ams/connections/ams-2").setPageSize(1).build();
        String listToken = routes.listReceivedRoutes(list).getNextPageToken();
        assertThat(ForgedPageTokens.positionOf(listToken)).as("peer, prefix, router, distinguisher, rib, path id").hasSize(6);
        assertForgedTokensRefused(listToken, token -> routes.listReceivedRoutes(list.toBuilder().setPageToken(token).build()),
                0, "not-an-address", 0, "example.com", 1, "10.0.0.0/33", 1, "", 2, "router", 3, "12abc", 3, "",
                4, "9", 4, "-1", 4, "40000", 5, "-1", 5, "4294967296", 5, "x");

        io.peering.routes.v1.GetRouteHistoryRequest history = io.peering.routes.v1.GetRouteHistoryRequest.newBuilder()
                .setParent("peerings/contoso-ams").setPrefix("198.51.100.0/24").setPageSize(1)
                .setTimeRange(io.peering.common.v1.TimeRange.newBuilder()
                        .setStartTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(t.getEpochSecond() - 3600))
                        .setEndTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond())))
                .build();
        String historyToken = routes.getRouteHistory(history).getNextPageToken();
        assertThat(ForgedPageTokens.positionOf(historyToken)).as("time, seq").hasSize(2);
        assertForgedTokensRefused(historyToken, token -> routes.getRouteHistory(history.toBuilder().setPageToken(token).build()),
                0, "yesterday", 0, "+1000000000-01-01T00:00:00Z", 0, "1970-01-01T00:00:00Z", 1, "x", 1, "-5");

        io.peering.routes.v1.ListSessionsRequest sessions = io.peering.routes.v1.ListSessionsRequest.newBuilder()
                .setParent("peerings/contoso-ams").setPageSize(1).build();
        String sessionsToken = routes.listSessions(sessions).getNextPageToken();
        assertThat(ForgedPageTokens.positionOf(sessionsToken)).as("router, distinguisher, peer").hasSize(3);
        assertForgedTokensRefused(sessionsToken, token -> routes.listSessions(sessions.toBuilder().setPageToken(token).build()),
                0, "router", 1, "x", 2, "not-an-address");
    }

    static void assertStatus(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Status.Code code, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(message);
        });
    }

    /** Collects what a server stream sends. */
    static final class Collector<T> implements StreamObserver<T> {
        final List<T> items = new CopyOnWriteArrayList<>();
        volatile Throwable error;

        public void onNext(T value) {
            items.add(value);
        }

        public void onError(Throwable t) {
            error = t;
        }

        public void onCompleted() {
        }
    }

    static List<io.peering.routes.v1.RouteChange> changesOf(Collector<WatchRouteChangesResponse> c) {
        return c.items.stream().flatMap(r -> r.getChangesList().stream())
                .filter(ch -> ch.getRoute().getRouter().equals(ROUTER)).toList();
    }

    @Test
    void watchRouteChangesReplaysFromACursorThenFollowsLive() throws Exception {
        write(List.of(announce("192.0.2.0/25", "64500", 64500), announce("192.0.2.128/25", "64500", 64500)));
        RoutesServiceGrpc.RoutesServiceStub async = channel.async();

        Collector<WatchRouteChangesResponse> all = new Collector<>();
        async.watchRouteChanges(WatchRouteChangesRequest.newBuilder()
                .setStartPosition(StartPosition.START_POSITION_EARLIEST).addPrefixes("192.0.2.0/24").build(), all);
        Await.until("replay of both changes", () -> changesOf(all).size() == 2);
        String cursorAfterFirst = changesOf(all).get(0).getCursor();

        Instant before = Instant.now();
        write(List.of(RouteChange.withdraw(Instant.now(), PEER, Rib.ADJ_RIB_IN_PRE_POLICY, "192.0.2.0/25", 0, "test")));
        Await.until("live withdrawal", () -> changesOf(all).size() == 3);
        assertThat(Duration.between(before, Instant.now())).isLessThan(Duration.ofSeconds(1));

        Collector<WatchRouteChangesResponse> resumed = new Collector<>();
        async.watchRouteChanges(WatchRouteChangesRequest.newBuilder().setAfterCursor(cursorAfterFirst)
                .addPrefixes("192.0.2.0/24").build(), resumed);
        Await.until("resume after the first change", () -> changesOf(resumed).size() == 2);
        assertThat(changesOf(resumed)).extracting(io.peering.routes.v1.RouteChange::getCursor)
                .containsExactlyElementsOf(changesOf(all).subList(1, 3).stream().map(io.peering.routes.v1.RouteChange::getCursor).toList());
        assertThat(all.error).isNull();
    }

    @Test
    void aWatchIdleLongerThanThePollIntervalStillDeliversTheNextChange() throws Exception {
        Collector<WatchRouteChangesResponse> watcher = new Collector<>();
        channel.async().watchRouteChanges(WatchRouteChangesRequest.newBuilder()
                .setStartPosition(StartPosition.START_POSITION_LATEST).addPrefixes("192.0.2.0/24").build(), watcher);
        long idleUntil = System.nanoTime() + 3 * io.peering.support.log.LogSignal.POLL.toNanos();
        while (System.nanoTime() < idleUntil) { // several poll timeouts pass with nothing to send
            assertThat(watcher.error).as("stream failed while idle").isNull();
            TimeUnit.MILLISECONDS.sleep(50);
        }
        write(List.of(announce("192.0.2.0/26", "64500", 64500)));
        Await.until("the change after the idle time", () -> changesOf(watcher).size() == 1);
        assertThat(watcher.error).isNull();
    }

    @Test
    void watchSessionsStreamsUpAndDownTransitionsInOrder() throws Exception {
        Collector<WatchSessionsResponse> watcher = new Collector<>();
        channel.async().watchSessions(WatchSessionsRequest.newBuilder()
                .setParent("peerings/contoso-ams").setStartPosition(StartPosition.START_POSITION_EARLIEST).build(), watcher);
        sessions.peerUp(PEER, Instant.now(), "127.0.0.12", "127.0.0.2", 65000).await().atMost(Duration.ofSeconds(10));
        sessions.peerDown(PEER, Instant.now(), "test down", 1, 6, 2, "peer down").await().atMost(Duration.ofSeconds(10));
        Await.until("up and down", () -> watcher.items.stream().flatMap(r -> r.getTransitionsList().stream())
                .filter(t -> t.getSession().getRouter().equals(ROUTER)).count() == 2);
        List<io.peering.routes.v1.SessionTransition> transitions = watcher.items.stream()
                .flatMap(r -> r.getTransitionsList().stream()).filter(t -> t.getSession().getRouter().equals(ROUTER)).toList();
        assertThat(transitions.get(0).getState().name()).isEqualTo("SESSION_STATE_ESTABLISHED");
        assertThat(transitions.get(1).getState().name()).isEqualTo("SESSION_STATE_IDLE");
        assertThat(transitions.get(1).getNotificationCode()).isEqualTo(6);
        assertThat(transitions.get(1).getSession().getConnection()).isEqualTo("peerings/contoso-ams/connections/ams-2");
        assertThat(Long.parseLong(transitions.get(1).getCursor())).isGreaterThan(Long.parseLong(transitions.get(0).getCursor()));
    }

    @Test
    void aCursorAheadOfTheLogIsRefused() throws InterruptedException {
        Collector<WatchRouteChangesResponse> watcher = new Collector<>();
        channel.async().watchRouteChanges(
                WatchRouteChangesRequest.newBuilder().setAfterCursor("999999999999").build(), watcher);
        Await.until("error", () -> watcher.error != null);
        assertThat(Status.fromThrowable(watcher.error).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
}
