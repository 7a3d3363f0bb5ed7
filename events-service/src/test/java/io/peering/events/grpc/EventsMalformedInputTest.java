package io.peering.events.grpc;

import com.google.protobuf.Timestamp;
import io.grpc.Channel;
import io.peering.common.v1.TimeRange;
import io.peering.events.v1.EventsServiceGrpc;
import io.peering.events.v1.ListPrefixEventsRequest;
import io.peering.events.v1.WatchPrefixEventsRequest;
import io.peering.support.testing.MalformedInputMatrix;
import io.peering.support.testing.MalformedInputMatrix.Case;
import io.peering.support.testing.RoleMatrix;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import static io.peering.support.testing.MalformedInputMatrix.invalid;
import static io.peering.support.testing.MalformedInputMatrix.rpc;
import static io.peering.support.testing.MalformedInputMatrix.tooLarge;

/**
 * Every events RPC with every kind of malformed field its request has: each is refused with
 * INVALID_ARGUMENT naming the field and what it accepts (a message over 4 MiB with RESOURCE_EXHAUSTED).
 */
@QuarkusTest
class EventsMalformedInputTest {

    static final String SERVICE = "peeringServices/contoso-web"; // prefixes 198.51.100.0/24, 2001:db8:100::/48
    static final Instant NOW = Instant.now();
    static final Timestamp NOT_A_TIMESTAMP = Timestamp.newBuilder().setSeconds(Long.MAX_VALUE).build();

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    static TimeRange range(Instant start, Instant end) {
        return TimeRange.newBuilder().setStartTime(ts(start)).setEndTime(ts(end)).build();
    }

    static EventsServiceGrpc.EventsServiceBlockingStub stub(Channel ch) {
        return EventsServiceGrpc.newBlockingStub(ch).withDeadlineAfter(MalformedInputMatrix.deadlineMillis(), TimeUnit.MILLISECONDS);
    }

    // ---- valid requests, each case changes one field

    static Function<Channel, Object> list(UnaryOperator<ListPrefixEventsRequest.Builder> change) {
        ListPrefixEventsRequest request = change.apply(ListPrefixEventsRequest.newBuilder().setParent(SERVICE)
                .setTimeRange(range(NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(1))))).build();
        return ch -> stub(ch).listPrefixEvents(request);
    }

    static Function<Channel, Object> watch(UnaryOperator<WatchPrefixEventsRequest.Builder> change) {
        WatchPrefixEventsRequest request = change.apply(WatchPrefixEventsRequest.newBuilder().setParent(SERVICE)).build();
        return ch -> RoleMatrix.firstOf(stub(ch).watchPrefixEvents(request));
    }

    // ---- cases shared by both RPCs

    static List<Case> parent(Function<String, Function<Channel, Object>> with) {
        String accepts = "peeringServices/contoso-web";
        return List.of(
                invalid("parent not a resource name", "parent", accepts, with.apply("contoso-web")),
                invalid("parent resource of another kind", "parent", accepts, with.apply("peerings/contoso-ams/connections/ams-1")),
                invalid("parent with an extra segment", "parent", accepts, with.apply(SERVICE + "/prefixes/198.51.100.0")));
    }

    static List<Case> prefix(Function<String, Function<Channel, Object>> with) {
        return List.of(
                invalid("prefix 10.0.0.0/33", "prefix", "0..32", with.apply("10.0.0.0/33")),
                invalid("prefix not-a-prefix", "prefix", "IPv4 or IPv6", with.apply("not-a-prefix")),
                invalid("prefix host name", "prefix", "IPv4 or IPv6", with.apply("example.com")),
                invalid("prefix host bits set", "prefix", "did you mean 198.51.100.0/24", with.apply("198.51.100.1/24")),
                invalid("prefix not one of the service's", "prefix", "198.51.100.0/24", with.apply("203.0.113.0/24")));
    }

    static List<Case> typesAndLevels(Function<Integer, Function<Channel, Object>> type, Function<Integer, Function<Channel, Object>> level) {
        return List.of(
                invalid("types unknown enum value 99", "types", "PREFIX_EVENT_TYPE_PREFIX_WITHDRAWAL_EVENT", type.apply(99)),
                invalid("types unspecified", "types", "PREFIX_EVENT_TYPE_PREFIX_WITHDRAWAL_EVENT", type.apply(0)),
                invalid("levels unknown enum value 99", "levels", "EVENT_LEVEL_INFORMATION", level.apply(99)),
                invalid("levels unspecified", "levels", "EVENT_LEVEL_INFORMATION", level.apply(0)));
    }

    static List<Case> timeRange(Function<TimeRange, Function<Channel, Object>> with) {
        Instant hourAgo = NOW.minus(Duration.ofHours(1));
        return List.of(
                invalid("time_range missing", "time_range", "start_time", with.apply(null)),
                invalid("time_range reversed", "time_range", "after start_time", with.apply(range(hourAgo, hourAgo.minusSeconds(600)))),
                invalid("time_range empty", "time_range", "after start_time", with.apply(range(hourAgo, hourAgo))),
                invalid("time_range without end_time", "end_time", "end_time",
                        with.apply(TimeRange.newBuilder().setStartTime(ts(hourAgo)).build())),
                invalid("time_range ending in the future", "end_time", "current time",
                        with.apply(range(hourAgo, NOW.plus(Duration.ofHours(1))))),
                invalid("time_range over 366 days", "time_range", "366 days",
                        with.apply(range(hourAgo.minus(Duration.ofDays(400)), hourAgo))),
                invalid("start_time not a Timestamp (seconds 2^63-1)", "start_time", "9999-12-31",
                        with.apply(TimeRange.newBuilder().setStartTime(NOT_A_TIMESTAMP).setEndTime(ts(hourAgo)).build())),
                invalid("end_time not a Timestamp (nanos -1)", "end_time", "999999999",
                        with.apply(TimeRange.newBuilder().setStartTime(ts(hourAgo.minusSeconds(600)))
                                .setEndTime(ts(hourAgo).toBuilder().setNanos(-1)).build())));
    }

    @SafeVarargs
    static Case[] cases(List<Case>... groups) {
        List<Case> all = new ArrayList<>();
        for (List<Case> g : groups) {
            all.addAll(g);
        }
        return all.toArray(Case[]::new);
    }

    @Test
    void everyEventsRpcRefusesMalformedInputWithInvalidArgumentNamingTheField() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        MalformedInputMatrix.run(port, List.of(
                rpc("ListPrefixEvents", cases(
                        List.of(
                                invalid("parent missing", "parent", "peeringServices/contoso-web", list(b -> b.setParent(""))),
                                invalid("parent '-' (all) in a List", "parent", "peeringServices/contoso-web",
                                        list(b -> b.setParent("peeringServices/-")))),
                        parent(p -> list(b -> b.setParent(p))),
                        prefix(p -> list(b -> b.setPrefix(p))),
                        timeRange(r -> list(b -> r == null ? b.clearTimeRange() : b.setTimeRange(r))),
                        typesAndLevels(t -> list(b -> b.addTypesValue(t)), l -> list(b -> b.addLevelsValue(l))),
                        List.of(
                                invalid("page_size 1000000", "page_size", "between 0 and 1000", list(b -> b.setPageSize(1_000_000))),
                                invalid("page_size -1", "page_size", "between 0 and 1000", list(b -> b.setPageSize(-1))),
                                invalid("page_token garbage", "page_token", "next_page_token", list(b -> b.setPageToken("garbage"))),
                                invalid("page_token not base64", "page_token", "next_page_token", list(b -> b.setPageToken("%%%"))),
                                tooLarge("message over 4 MiB", list(b -> b.setUnknownFields(MalformedInputMatrix.oversize())))))),
                rpc("WatchPrefixEvents", cases(
                        parent(p -> watch(b -> b.setParent(p))),
                        prefix(p -> watch(b -> b.setPrefix(p))),
                        typesAndLevels(t -> watch(b -> b.addTypesValue(t)), l -> watch(b -> b.addLevelsValue(l))),
                        List.of(
                                invalid("after_cursor garbage", "after_cursor", "cursor of an event", watch(b -> b.setAfterCursor("garbage"))),
                                invalid("after_cursor negative", "after_cursor", "cursor of an event", watch(b -> b.setAfterCursor("-5"))),
                                invalid("after_cursor ahead of the log", "after_cursor", "cursor of an event",
                                        watch(b -> b.setAfterCursor("9223372036854775807"))),
                                invalid("start_position unknown enum value 99", "start_position", "START_POSITION_EARLIEST",
                                        watch(b -> b.setStartPositionValue(99))))))),
                RoleMatrix.methodsOf(EventsServiceGrpc.getServiceDescriptor()));
    }
}
