package io.peering.events.grpc;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.peering.common.v1.StartPosition;
import io.peering.common.v1.TimeRange;
import io.peering.events.feed.FeedHarness;
import io.peering.events.feed.FeedTestProfile;
import io.peering.events.feed.RouteChangeFeed;
import io.peering.events.feed.ScriptedRoutesResource;
import io.peering.events.feed.ScriptedRoutesServer;
import io.peering.events.v1.EventLevel;
import io.peering.events.v1.EventsServiceGrpc;
import io.peering.events.v1.ListPrefixEventsRequest;
import io.peering.events.v1.ListPrefixEventsResponse;
import io.peering.events.v1.PrefixEvent;
import io.peering.events.v1.PrefixEventType;
import io.peering.events.v1.WatchPrefixEventsRequest;
import io.peering.events.v1.WatchPrefixEventsResponse;
import io.peering.routes.v1.RouteChange;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.peering.events.feed.ScriptedRoutesServer.announce;
import static io.peering.events.feed.ScriptedRoutesServer.withdraw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ListPrefixEvents and WatchPrefixEvents over a real gRPC channel, on events the feed derived. */
@QuarkusTest
@TestProfile(FeedTestProfile.class)
class EventsApiTest {

    static final String SERVICE = "peeringServices/contoso-web";
    static final String PREFIX = "198.51.100.0/24";
    static final String PREFIX_V6 = "2001:db8:100::/48";
    static final String PRIMARY_PEER = "127.0.0.11";
    static final String BACKUP_PEER = "127.0.0.12";
    static final String ROUTER = "10.0.0.1";

    @Inject
    RouteChangeFeed feed;

    @Inject
    Pool pool;

    ManagedChannel channel;
    EventsServiceGrpc.EventsServiceBlockingStub events;
    ScriptedRoutesServer routes;
    Instant t0;

    @BeforeEach
    void setUp() throws Exception {
        FeedHarness.reset(feed, pool);
        routes = ScriptedRoutesResource.server();
        t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(1, ChronoUnit.HOURS);
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        events = EventsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    Instant at(int second) {
        return t0.plusSeconds(second);
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    /** 14 events: every type on the IPv4 prefix, and an announcement with its active path on the IPv6 prefix. */
    List<RouteChange> script() {
        return List.of(
                announce(at(1), PREFIX, BACKUP_PEER, ROUTER, 0, "64500 4200000001", 4200000001L),
                announce(at(2), PREFIX, PRIMARY_PEER, ROUTER, 0, "64500 4200000001", 4200000001L),
                announce(at(4), PREFIX, PRIMARY_PEER, ROUTER, 0, "64500 64999", 64999),
                announce(at(5), PREFIX, BACKUP_PEER, ROUTER, 0, "64500 64998", 64998),
                withdraw(at(6), PREFIX, PRIMARY_PEER, ROUTER, 0, "withdrawn by peer"),
                announce(at(7), PREFIX, PRIMARY_PEER, ROUTER, 0, "64500 4200000001", 4200000001L),
                withdraw(at(8), PREFIX, BACKUP_PEER, ROUTER, 0, "peer down"),
                withdraw(at(9), PREFIX, PRIMARY_PEER, ROUTER, 0, "withdrawn by peer"),
                announce(at(10), PREFIX_V6, "fd00:64:500::11", ROUTER, 0, "64500", 64500));
    }

    void derive(List<RouteChange> changes) throws Exception {
        long last = routes.append(changes);
        feed.start();
        FeedHarness.awaitCursor(pool, last);
    }

    ListPrefixEventsRequest.Builder all() {
        return ListPrefixEventsRequest.newBuilder().setParent(SERVICE)
                .setTimeRange(TimeRange.newBuilder().setStartTime(ts(t0)).setEndTime(ts(Instant.now())));
    }

    List<PrefixEvent> listAll(ListPrefixEventsRequest request) {
        List<PrefixEvent> out = new ArrayList<>();
        String token = "";
        do {
            ListPrefixEventsResponse page = events.listPrefixEvents(request.toBuilder().setPageToken(token).build());
            assertThat(page.getEventsCount()).isLessThanOrEqualTo(request.getPageSize() == 0 ? 100 : request.getPageSize());
            out.addAll(page.getEventsList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return out;
    }

    static long seconds(PrefixEvent e) {
        return e.getTime().getSeconds();
    }

    @Test
    void listReturnsEveryEventNewestFirstAcrossPagesWithoutRepeatsOrGaps() throws Exception {
        derive(script());
        List<FeedHarness.Stored> stored = FeedHarness.events(pool);
        assertThat(stored).hasSize(14);

        ListPrefixEventsResponse first = events.listPrefixEvents(all().setPageSize(5).build());
        assertThat(first.getEventsCount()).isEqualTo(5);
        List<PrefixEvent> listed = listAll(all().setPageSize(5).build());

        List<String> expected = stored.stream().sorted(Comparator.comparing(FeedHarness.Stored::seq).reversed())
                .map(e -> Long.toString(e.seq())).toList(); // the script's times grow with seq
        assertThat(listed).extracting(PrefixEvent::getCursor).containsExactlyElementsOf(expected);
        assertThat(listed).extracting(EventsApiTest::seconds).isSortedAccordingTo(Comparator.reverseOrder());
        PrefixEvent newest = listed.get(0);
        assertThat(newest.getType()).isEqualTo(PrefixEventType.PREFIX_EVENT_TYPE_PREFIX_ACTIVE_PATH);
        assertThat(newest.getLevel()).isEqualTo(EventLevel.EVENT_LEVEL_INFORMATION);
        assertThat(newest.getPrefix()).isEqualTo(PREFIX_V6);
        assertThat(newest.getPeeringService()).isEqualTo(SERVICE);
        assertThat(newest.getConnection()).isEqualTo("peerings/contoso-ams/connections/ams-1");
        assertThat(newest.getTime()).isEqualTo(ts(at(10)));
        assertThat(newest.getAsPathAfter()).isEqualTo("64500");
        assertThat(newest.getOriginAsnAfter()).isEqualTo(64500);
        assertThat(newest.getOriginAsnBefore()).isZero();
        assertThat(newest.getSummary()).isEqualTo("Prefix 2001:db8:100::/48 is routed over the primary connection"
                + " peerings/contoso-ams/connections/ams-1");
        PrefixEvent originChange = listed.stream()
                .filter(e -> e.getType() == PrefixEventType.PREFIX_EVENT_TYPE_PREFIX_ORIGIN_AS_CHANGE_EVENT).findFirst().orElseThrow();
        assertThat(originChange.getOriginAsnBefore()).isEqualTo((int) 4200000001L); // uint32 on the wire
        assertThat(Integer.toUnsignedLong(originChange.getOriginAsnBefore())).isEqualTo(4200000001L);
        assertThat(originChange.getLevel()).isEqualTo(EventLevel.EVENT_LEVEL_CRITICAL);
    }

    @Test
    void listFiltersByPrefixTypeLevelAndTimeRange() throws Exception {
        derive(script());
        assertThat(listAll(all().setPrefix(PREFIX_V6).build())).extracting(PrefixEvent::getType).containsExactly(
                PrefixEventType.PREFIX_EVENT_TYPE_PREFIX_ACTIVE_PATH, PrefixEventType.PREFIX_EVENT_TYPE_PREFIX_ANNOUNCEMENT_EVENT);
        assertThat(listAll(all().addTypes(PrefixEventType.PREFIX_EVENT_TYPE_PREFIX_WITHDRAWAL_EVENT).build()))
                .extracting(EventsApiTest::seconds).containsExactly(at(9).getEpochSecond(), at(6).getEpochSecond());
        assertThat(listAll(all().addLevels(EventLevel.EVENT_LEVEL_CRITICAL).addLevels(EventLevel.EVENT_LEVEL_ERROR).build()))
                .extracting(PrefixEvent::getType).containsExactly(
                        PrefixEventType.PREFIX_EVENT_TYPE_PREFIX_BACKUP_ROUTE_ORIGIN_AS_CHANGE_EVENT,
                        PrefixEventType.PREFIX_EVENT_TYPE_PREFIX_ORIGIN_AS_CHANGE_EVENT);
        // [2 s, 6 s): the announcement and active path at 2 s, the origin changes at 4 s and 5 s
        assertThat(listAll(all().setTimeRange(TimeRange.newBuilder().setStartTime(ts(at(2))).setEndTime(ts(at(6)))).build()))
                .extracting(EventsApiTest::seconds)
                .containsExactly(at(5).getEpochSecond(), at(4).getEpochSecond(), at(2).getEpochSecond(), at(2).getEpochSecond());
        assertThat(listAll(all().setPrefix(PREFIX).addTypes(PrefixEventType.PREFIX_EVENT_TYPE_PREFIX_BACKUP_PATH)
                .addLevels(EventLevel.EVENT_LEVEL_INFORMATION).setPageSize(1).build())).hasSize(2);
    }

    @Test
    void badRequestsAreRefusedWithAMessageSayingWhatToFix() {
        assertStatus(() -> events.listPrefixEvents(all().clearTimeRange().build()), Status.Code.INVALID_ARGUMENT, "time_range is required");
        assertStatus(() -> events.listPrefixEvents(all().setTimeRange(TimeRange.newBuilder().setStartTime(ts(at(5)))
                .setEndTime(ts(at(1)))).build()), Status.Code.INVALID_ARGUMENT, "reversed");
        assertStatus(() -> events.listPrefixEvents(all().setTimeRange(TimeRange.newBuilder().setStartTime(ts(at(1)))
                .setEndTime(ts(Instant.now().plus(1, ChronoUnit.HOURS)))).build()), Status.Code.INVALID_ARGUMENT, "in the future");
        assertStatus(() -> events.listPrefixEvents(all().setParent("peeringServices/nope").build()), Status.Code.NOT_FOUND,
                "no peering service \"nope\"");
        assertStatus(() -> events.listPrefixEvents(all().setParent("peerings/contoso-ams/connections/ams-1").build()),
                Status.Code.INVALID_ARGUMENT, "peeringServices/contoso-web");
        assertStatus(() -> events.listPrefixEvents(all().setParent("peerings/nope").build()), Status.Code.NOT_FOUND, "nope");
        assertStatus(() -> events.listPrefixEvents(all().setParent("peeringServices/-").build()), Status.Code.INVALID_ARGUMENT,
                "WatchPrefixEvents only");
        assertStatus(() -> events.listPrefixEvents(all().setPrefix("198.51.100.1/24").build()), Status.Code.INVALID_ARGUMENT,
                "did you mean 198.51.100.0/24");
        assertStatus(() -> events.listPrefixEvents(all().setPrefix("203.0.113.0/24").build()), Status.Code.INVALID_ARGUMENT,
                "not a prefix of peeringServices/contoso-web");
        assertStatus(() -> events.listPrefixEvents(all().setPageSize(5000).build()), Status.Code.INVALID_ARGUMENT, "between 0 and 1000");
        assertStatus(() -> events.listPrefixEvents(all().setPageToken("garbage").build()), Status.Code.INVALID_ARGUMENT, "page_token");
        assertStatus(() -> events.listPrefixEvents(all().addTypes(PrefixEventType.PREFIX_EVENT_TYPE_UNSPECIFIED).build()),
                Status.Code.INVALID_ARGUMENT, "leave types empty");
        assertStatus(() -> events.listPrefixEvents(all().addLevelsValue(9).build()), Status.Code.INVALID_ARGUMENT, "leave levels empty");
    }

    @Test
    void aPageTokenOnlyWorksWithTheFiltersThatMadeIt() throws Exception {
        derive(script());
        String token = events.listPrefixEvents(all().setPageSize(2).build()).getNextPageToken();
        assertThat(token).isNotEmpty();
        assertStatus(() -> events.listPrefixEvents(all().setPageSize(2).setPrefix(PREFIX).setPageToken(token).build()),
                Status.Code.INVALID_ARGUMENT, "other filters");
    }

    static void assertStatus(ThrowingCallable call, Status.Code code, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(message);
        });
    }

    /** Collects what a server stream sends. */
    static final class Collector implements StreamObserver<WatchPrefixEventsResponse> {
        final List<PrefixEvent> events = new CopyOnWriteArrayList<>();
        volatile Throwable error;

        public void onNext(WatchPrefixEventsResponse value) {
            events.addAll(value.getEventsList());
        }

        public void onError(Throwable t) {
            error = t;
        }

        public void onCompleted() {
        }
    }

    Collector watch(WatchPrefixEventsRequest request) {
        Collector c = new Collector();
        EventsServiceGrpc.newStub(channel).watchPrefixEvents(request, c);
        return c;
    }

    static List<String> cursors(List<PrefixEvent> events) {
        return events.stream().map(PrefixEvent::getCursor).toList();
    }

    @Test
    void twoWatchersSeeTheSameEventsInTheSameOrderReplayedThenLive() throws Exception {
        Collector one = watch(WatchPrefixEventsRequest.newBuilder().setStartPosition(StartPosition.START_POSITION_EARLIEST).build());
        Collector two = watch(WatchPrefixEventsRequest.newBuilder().setParent(SERVICE)
                .setStartPosition(StartPosition.START_POSITION_EARLIEST).build());
        Collector withdrawals = watch(WatchPrefixEventsRequest.newBuilder().setParent("peeringServices/-").setPrefix(PREFIX)
                .addTypes(PrefixEventType.PREFIX_EVENT_TYPE_PREFIX_WITHDRAWAL_EVENT)
                .addTypes(PrefixEventType.PREFIX_EVENT_TYPE_PREFIX_BACKUP_ROUTE_WITHDRAWAL_EVENT)
                .setStartPosition(StartPosition.START_POSITION_EARLIEST).build());
        derive(script());
        List<String> stored = FeedHarness.events(pool).stream().map(e -> Long.toString(e.seq())).toList();
        FeedHarness.await("both watchers to see 14 events", Duration.ofSeconds(10),
                () -> one.events.size() == 14 && two.events.size() == 14);
        assertThat(cursors(one.events)).containsExactlyElementsOf(stored);
        assertThat(one.events).containsExactlyElementsOf(two.events);

        Instant before = Instant.now();
        routes.append(announce(at(11), PREFIX, PRIMARY_PEER, ROUTER, 0, "64500", 64500),
                withdraw(at(12), PREFIX, PRIMARY_PEER, ROUTER, 0, "withdrawn by peer"));
        FeedHarness.await("the live events", Duration.ofSeconds(10), () -> one.events.size() == 17 && two.events.size() == 17);
        assertThat(Duration.between(before, Instant.now())).isLessThan(Duration.ofSeconds(1));
        assertThat(one.events).containsExactlyElementsOf(two.events);
        assertThat(cursors(one.events)).isSortedAccordingTo(Comparator.comparingLong(Long::parseLong));

        FeedHarness.await("the filtered watcher", Duration.ofSeconds(10), () -> withdrawals.events.size() == 4);
        assertThat(withdrawals.events).extracting(e -> e.getTime().getSeconds()).containsExactly(
                at(6).getEpochSecond(), at(8).getEpochSecond(), at(9).getEpochSecond(), at(12).getEpochSecond());

        String fifth = one.events.get(4).getCursor();
        Collector resumed = watch(WatchPrefixEventsRequest.newBuilder().setAfterCursor(fifth).build());
        FeedHarness.await("the resumed watcher", Duration.ofSeconds(10), () -> resumed.events.size() == 12);
        assertThat(resumed.events).containsExactlyElementsOf(one.events.subList(5, 17));
        assertThat(List.of(one.error == null, two.error == null, withdrawals.error == null, resumed.error == null))
                .containsOnly(true);
    }

    @Test
    void watchRefusesCursorsItDidNotIssueAndUnknownServices() throws Exception {
        for (var c : List.of(
                new Object[] {WatchPrefixEventsRequest.newBuilder().setAfterCursor("abc").build(), Status.Code.INVALID_ARGUMENT, "not a cursor"},
                new Object[] {WatchPrefixEventsRequest.newBuilder().setAfterCursor("999999999999").build(), Status.Code.INVALID_ARGUMENT, "ahead"},
                new Object[] {WatchPrefixEventsRequest.newBuilder().setParent("peeringServices/nope").build(), Status.Code.NOT_FOUND, "nope"},
                new Object[] {WatchPrefixEventsRequest.newBuilder().setParent("peerings/nope").build(), Status.Code.NOT_FOUND, "nope"},
                new Object[] {WatchPrefixEventsRequest.newBuilder().setPrefix("10.0.0.0/33").build(), Status.Code.INVALID_ARGUMENT,
                        "prefix"})) {
            Collector watcher = watch((WatchPrefixEventsRequest) c[0]);
            FeedHarness.await("an error", Duration.ofSeconds(10), () -> watcher.error != null);
            assertThat(Status.fromThrowable(watcher.error).getCode()).isEqualTo(c[1]);
            assertThat(Status.fromThrowable(watcher.error).getDescription()).contains((String) c[2]);
        }
    }
}
