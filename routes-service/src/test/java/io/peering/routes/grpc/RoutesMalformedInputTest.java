package io.peering.routes.grpc;

import io.peering.routes.testing.TestRouter;
import com.google.protobuf.Timestamp;
import io.grpc.Channel;
import io.peering.common.v1.TimeRange;
import io.peering.routes.PeerRef;
import io.peering.routes.Rib;
import io.peering.routes.RouteChange;
import io.peering.routes.repository.RouteStore;
import io.peering.routes.repository.SessionStore;
import io.peering.routes.v1.BgpRouteRequest;
import io.peering.routes.v1.BgpRouteResponse;
import io.peering.routes.v1.GetRegisteredPrefixRequest;
import io.peering.routes.v1.GetRouteHistoryRequest;
import io.peering.routes.v1.PingRequest;
import io.peering.routes.v1.TracerouteRequest;
import io.peering.routes.v1.GetRouteHistoryResponse;
import io.peering.routes.v1.ListPeeringServicesRequest;
import io.peering.routes.v1.ListPeeringsRequest;
import io.peering.routes.v1.ListReceivedRoutesRequest;
import io.peering.routes.v1.ListReceivedRoutesResponse;
import io.peering.routes.v1.ListRegisteredPrefixesRequest;
import io.peering.routes.v1.ListSessionsRequest;
import io.peering.routes.v1.ListSessionsResponse;
import io.peering.routes.v1.RoutesServiceGrpc;
import io.peering.routes.v1.WatchRouteChangesRequest;
import io.peering.routes.v1.WatchSessionsRequest;
import io.peering.support.grpc.PageTokens;
import io.peering.support.testing.MalformedInputMatrix;
import io.peering.support.testing.MalformedInputMatrix.Case;
import io.peering.support.testing.RoleMatrix;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import static io.peering.support.testing.MalformedInputMatrix.invalid;
import static io.peering.support.testing.MalformedInputMatrix.rpc;
import static io.peering.support.testing.MalformedInputMatrix.tooLarge;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every routes RPC with every kind of malformed field its request has: each is refused with
 * INVALID_ARGUMENT naming the field and what it accepts (a message over 4 MiB with RESOURCE_EXHAUSTED).
 */
@QuarkusTest
class RoutesMalformedInputTest {

    static final String PEERING = "peerings/contoso-ams";
    static final Instant NOW = Instant.now();
    /** Two routes, two changes of 198.51.100.0/24 in the history range and two sessions of contoso-ams: two pages each at size 1. */
    static final String ROUTER = "127.0.0.208";

    @Inject
    RouteStore store;

    @Inject
    SessionStore sessions;

    @Inject
    Pool pool;

    @BeforeEach
    void twoPagesOfEverything() {
        clean();
        Instant t = NOW.minus(Duration.ofMinutes(90));
        RouteChange.Attributes attributes = new RouteChange.Attributes((short) 0, "64500", 64500, "192.0.2.1", null, null,
                List.of(), List.of(), null, (short) 3, "");
        for (String address : List.of("127.0.0.11", "127.0.0.12")) {
            PeerRef peer = new PeerRef(ROUTER, 0, address, 64500);
            sessions.peerUp(peer, t, address, "127.0.0.2", 65000).await().atMost(Duration.ofSeconds(10));
            store.applyRouteChanges(List.of(RouteChange.announce(t, peer, Rib.ADJ_RIB_IN_PRE_POLICY, "198.51.100.0/24", 0, attributes)))
                    .await().atMost(Duration.ofSeconds(10));
        }
    }

    @AfterEach
    void clean() {
        TestRouter.forget(pool, ROUTER);
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    static TimeRange range(Instant start, Instant end) {
        return TimeRange.newBuilder().setStartTime(ts(start)).setEndTime(ts(end)).build();
    }

    static RoutesServiceGrpc.RoutesServiceBlockingStub stub(Channel ch) {
        return RoutesServiceGrpc.newBlockingStub(ch).withDeadlineAfter(MalformedInputMatrix.deadlineMillis(), TimeUnit.MILLISECONDS);
    }

    // ---- valid requests, each case changes one field

    static Function<Channel, Object> list(UnaryOperator<ListReceivedRoutesRequest.Builder> change) {
        ListReceivedRoutesRequest.Builder b = ListReceivedRoutesRequest.newBuilder().setParent(PEERING);
        ListReceivedRoutesRequest request = change.apply(b).build();
        return ch -> stub(ch).listReceivedRoutes(request);
    }

    static Function<Channel, Object> history(UnaryOperator<GetRouteHistoryRequest.Builder> change) {
        GetRouteHistoryRequest.Builder b = GetRouteHistoryRequest.newBuilder().setParent(PEERING).setPrefix("198.51.100.0/24")
                .setTimeRange(range(NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(1))));
        GetRouteHistoryRequest request = change.apply(b).build();
        return ch -> stub(ch).getRouteHistory(request);
    }

    static Function<Channel, Object> sessions(UnaryOperator<ListSessionsRequest.Builder> change) {
        ListSessionsRequest request = change.apply(ListSessionsRequest.newBuilder().setParent(PEERING)).build();
        return ch -> stub(ch).listSessions(request);
    }

    static Function<Channel, Object> peerings(UnaryOperator<ListPeeringsRequest.Builder> change) {
        ListPeeringsRequest request = change.apply(ListPeeringsRequest.newBuilder()).build();
        return ch -> stub(ch).listPeerings(request);
    }

    static Function<Channel, Object> peeringServices(UnaryOperator<ListPeeringServicesRequest.Builder> change) {
        ListPeeringServicesRequest request = change.apply(ListPeeringServicesRequest.newBuilder()).build();
        return ch -> stub(ch).listPeeringServices(request);
    }

    static Function<Channel, Object> bgpRoute(UnaryOperator<BgpRouteRequest.Builder> change) {
        BgpRouteRequest request = change.apply(BgpRouteRequest.newBuilder().setParent(PEERING).setTarget("198.51.100.7")).build();
        return ch -> stub(ch).bgpRoute(request);
    }

    static BgpRouteRequest.Builder exactSlash24(BgpRouteRequest.Builder b) {
        return b.setTarget("198.51.100.0/24").setMatch(io.peering.routes.v1.BgpRouteMatch.BGP_ROUTE_MATCH_EXACT);
    }

    static Function<Channel, Object> ping(UnaryOperator<PingRequest.Builder> change) {
        PingRequest request = change.apply(PingRequest.newBuilder().setTarget("127.0.0.1")).build();
        return ch -> stub(ch).ping(request);
    }

    static Function<Channel, Object> traceroute(UnaryOperator<TracerouteRequest.Builder> change) {
        TracerouteRequest request = change.apply(TracerouteRequest.newBuilder().setTarget("127.0.0.1")).build();
        return ch -> stub(ch).traceroute(request);
    }

    static com.google.protobuf.Duration millis(long ms) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(ms / 1000).setNanos((int) (ms % 1000) * 1_000_000).build();
    }

    static Function<Channel, Object> getRegisteredPrefix(UnaryOperator<GetRegisteredPrefixRequest.Builder> change) {
        GetRegisteredPrefixRequest request = change.apply(GetRegisteredPrefixRequest.newBuilder()
                .setName(PEERING + "/registeredPrefixes/contoso-web")).build();
        return ch -> stub(ch).getRegisteredPrefix(request);
    }

    static Function<Channel, Object> listRegisteredPrefixes(UnaryOperator<ListRegisteredPrefixesRequest.Builder> change) {
        ListRegisteredPrefixesRequest request = change.apply(ListRegisteredPrefixesRequest.newBuilder().setParent(PEERING)).build();
        return ch -> stub(ch).listRegisteredPrefixes(request);
    }

    static Function<Channel, Object> watchChanges(UnaryOperator<WatchRouteChangesRequest.Builder> change) {
        WatchRouteChangesRequest request = change.apply(WatchRouteChangesRequest.newBuilder().setParent(PEERING)).build();
        return ch -> RoleMatrix.firstOf(stub(ch).watchRouteChanges(request));
    }

    static Function<Channel, Object> watchSessions(UnaryOperator<WatchSessionsRequest.Builder> change) {
        WatchSessionsRequest request = change.apply(WatchSessionsRequest.newBuilder().setParent(PEERING)).build();
        return ch -> RoleMatrix.firstOf(stub(ch).watchSessions(request));
    }

    // ---- cases shared by several RPCs

    /** A field that names one peering. */
    static List<Case> peeringName(String field, Function<String, Function<Channel, Object>> with) {
        return List.of(
                invalid(field + " missing", field, "peerings/{peering}", with.apply("")),
                invalid(field + " not a resource name", field, "peerings/{peering}", with.apply("contoso-ams")),
                invalid(field + " resource of another kind", field, "peerings/{peering}", with.apply("peeringServices/contoso-web")),
                invalid(field + " a connection, not a peering", field, "peerings/{peering}",
                        with.apply("peerings/contoso-ams/connections/ams-1")));
    }

    /** A prefix field. */
    static List<Case> prefix(String field, Function<String, Function<Channel, Object>> with) {
        return List.of(
                invalid(field + " 10.0.0.0/33", field, "0..32", with.apply("10.0.0.0/33")),
                invalid(field + " not-a-prefix", field, "IPv4 or IPv6", with.apply("not-a-prefix")),
                invalid(field + " host name", field, "IPv4 or IPv6", with.apply("example.com/24")),
                invalid(field + " host bits set", field, "did you mean 198.51.100.0/24", with.apply("198.51.100.1/24")));
    }

    static List<Case> paging(Function<Integer, Function<Channel, Object>> size, Function<String, Function<Channel, Object>> token) {
        return List.of(
                invalid("page_size 1000000", "page_size", "between 0 and 1000", size.apply(1_000_000)),
                invalid("page_size -1", "page_size", "between 0 and 1000", size.apply(-1)),
                invalid("page_token garbage", "page_token", "next_page_token", token.apply("garbage")),
                invalid("page_token not base64", "page_token", "next_page_token", token.apply("%%%")));
    }

    /**
     * Page tokens made from a real next_page_token of the request at page size 1, one position field replaced:
     * they fit the request's fingerprint, only their position is not one the service wrote.
     */
    static List<Case> forgedTokens(Function<Channel, String> issue, BiFunction<Channel, String, Object> call,
                                   Object... fieldAndValue) {
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < fieldAndValue.length; i += 2) {
            int field = (Integer) fieldAndValue[i];
            String value = (String) fieldAndValue[i + 1];
            cases.add(invalid("page_token forged: field " + field + " \"" + value + "\"", "page_token", "next_page_token", ch -> {
                String token = issue.apply(ch);
                assertThat(token).as("a next_page_token to forge from").isNotEmpty();
                return call.apply(ch, ForgedPageTokens.forge(token, field, value));
            }));
        }
        return cases;
    }

    static List<Case> timeRange(Function<TimeRange, Function<Channel, Object>> with) {
        Instant hourAgo = NOW.minus(Duration.ofHours(1));
        return List.of(
                invalid("time_range missing", "time_range", "start_time", with.apply(null)),
                invalid("time_range reversed", "time_range", "after start_time", with.apply(range(hourAgo, hourAgo.minusSeconds(60)))),
                invalid("time_range empty", "time_range", "after start_time", with.apply(range(hourAgo, hourAgo))),
                invalid("time_range without end_time", "end_time", "end_time",
                        with.apply(TimeRange.newBuilder().setStartTime(ts(hourAgo)).build())),
                invalid("time_range ending in the future", "end_time", "current time",
                        with.apply(range(hourAgo, NOW.plus(Duration.ofHours(1))))),
                invalid("time_range over 366 days", "time_range", "366 days",
                        with.apply(range(hourAgo.minus(Duration.ofDays(400)), hourAgo))),
                invalid("start_time not a Timestamp (seconds 2^63-1)", "start_time", "9999-12-31",
                        with.apply(TimeRange.newBuilder().setStartTime(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE))
                                .setEndTime(ts(hourAgo)).build())),
                invalid("end_time not a Timestamp (nanos -1)", "end_time", "999999999",
                        with.apply(TimeRange.newBuilder().setStartTime(ts(hourAgo.minusSeconds(600)))
                                .setEndTime(ts(hourAgo).toBuilder().setNanos(-1)).build())));
    }

    static List<Case> cursor(Function<String, Function<Channel, Object>> with) {
        return List.of(
                invalid("after_cursor garbage", "after_cursor", "start_position", with.apply("garbage")),
                invalid("after_cursor negative", "after_cursor", "start_position", with.apply("-5")),
                invalid("after_cursor ahead of the log", "after_cursor", "cursor from a response", with.apply("9223372036854775807")));
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
    void everyRoutesRpcRefusesMalformedInputWithInvalidArgumentNamingTheField() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        MalformedInputMatrix.run(port, List.of(
                rpc("ListReceivedRoutes", cases(
                        peeringName("parent", p -> list(b -> b.setParent(p))),
                        List.of(
                                invalid("connection not a resource name", "connection", "peerings/{peering}/connections/{connection}",
                                        list(b -> b.setConnection("ams-1"))),
                                invalid("connection resource of another kind", "connection",
                                        "peerings/{peering}/connections/{connection}", list(b -> b.setConnection("peeringServices/contoso-web"))),
                                invalid("connection of another peering", "connection", PEERING + "/connections/",
                                        list(b -> b.setConnection("peerings/fabrikam-lon/connections/lon-1")))),
                        prefix("prefix", p -> list(b -> b.setPrefix(p))),
                        List.of(
                                invalid("prefix_match unknown enum value 99", "prefix_match", "PREFIX_MATCH_OR_LONGER",
                                        list(b -> b.setPrefix("198.51.100.0/24").setPrefixMatchValue(99))),
                                invalid("as_path not numbers", "as_path", "separated by spaces", list(b -> b.setAsPath("64500 AS64501"))),
                                invalid("as_path ASN over 32 bits", "as_path", "separated by spaces", list(b -> b.setAsPath("4294967296"))),
                                invalid("origin_asn 0", "origin_asn", "1..4294967295", list(b -> b.setOriginAsn(0))),
                                invalid("page_token of another origin_asn", "page_token", "same filters", ch -> stub(ch).listReceivedRoutes(
                                        ListReceivedRoutesRequest.newBuilder().setParent(PEERING).setOriginAsn(64501).setPageSize(1)
                                                .setPageToken(((ListReceivedRoutesResponse) list(b -> b.setOriginAsn(64500).setPageSize(1))
                                                        .apply(ch)).getNextPageToken()).build())),
                                invalid("origin_as_validation_state unknown enum value 99", "origin_as_validation_state",
                                        "ORIGIN_AS_VALIDATION_STATE_VALID", list(b -> b.setOriginAsValidationStateValue(99))),
                                invalid("rpki_validation_state unknown enum value 99", "rpki_validation_state",
                                        "RPKI_VALIDATION_STATE_VALID", list(b -> b.setRpkiValidationStateValue(99))),
                                invalid("rib_view unknown enum value 99", "rib_view", "RIB_VIEW_LOC_RIB", list(b -> b.setRibViewValue(99)))),
                        paging(n -> list(b -> b.setPageSize(n)), t -> list(b -> b.setPageToken(t))),
                        forgedTokens(ch -> ((ListReceivedRoutesResponse) list(b -> b.setPageSize(1)).apply(ch)).getNextPageToken(),
                                (ch, t) -> list(b -> b.setPageSize(1).setPageToken(t)).apply(ch),
                                0, "not-an-address", 1, "10.0.0.1/8", 3, "12abc", 4, "9", 5, "4294967296"),
                        List.of(tooLarge("message over 4 MiB", list(b -> b.setUnknownFields(MalformedInputMatrix.oversize())))))),
                rpc("GetRouteHistory", cases(
                        peeringName("parent", p -> history(b -> b.setParent(p))),
                        List.of(invalid("prefix missing", "prefix", "198.51.100.0/24", history(b -> b.setPrefix("")))),
                        prefix("prefix", p -> history(b -> b.setPrefix(p))),
                        timeRange(r -> history(b -> r == null ? b.clearTimeRange() : b.setTimeRange(r))),
                        paging(n -> history(b -> b.setPageSize(n)), t -> history(b -> b.setPageToken(t))),
                        forgedTokens(ch -> ((GetRouteHistoryResponse) history(b -> b.setPageSize(1)).apply(ch)).getNextPageToken(),
                                (ch, t) -> history(b -> b.setPageSize(1).setPageToken(t)).apply(ch),
                                0, "yesterday", 0, "1970-01-01T00:00:00Z", 1, "x"))),
                rpc("BgpRoute", cases(
                        peeringName("parent", p -> bgpRoute(b -> b.setParent(p))),
                        List.of(invalid("target missing", "target", "198.51.100.0/24", bgpRoute(b -> b.setTarget("")))),
                        prefix("target", p -> bgpRoute(b -> b.setTarget(p))),
                        List.of(
                                invalid("match unknown enum value 99", "match", "BGP_ROUTE_MATCH_LONGEST_PREFIX",
                                        bgpRoute(b -> b.setMatchValue(99))),
                                invalid("rib_view unknown enum value 99", "rib_view", "RIB_VIEW_LOC_RIB", bgpRoute(b -> b.setRibViewValue(99))),
                                invalid("at_time in the future", "at_time", "past time", bgpRoute(b -> b.setAtTime(ts(NOW.plus(Duration.ofHours(1)))))),
                                invalid("at_time not a Timestamp (seconds 2^63-1)", "at_time", "9999-12-31",
                                        bgpRoute(b -> b.setAtTime(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE))))),
                        paging(n -> bgpRoute(b -> b.setPageSize(n)), t -> bgpRoute(b -> b.setPageToken(t))),
                        // exact /24 (its two routes): a longest-prefix answer could be a longer prefix another test left
                        forgedTokens(ch -> ((BgpRouteResponse) bgpRoute(b -> exactSlash24(b).setPageSize(1)).apply(ch)).getNextPageToken(),
                                (ch, t) -> bgpRoute(b -> exactSlash24(b).setPageSize(1).setPageToken(t)).apply(ch),
                                0, "not-a-prefix", 1, "x", 2, "12abc", 3, "not-an-address", 4, "9", 5, "4294967296"),
                        List.of(tooLarge("message over 4 MiB", bgpRoute(b -> b.setUnknownFields(MalformedInputMatrix.oversize())))))),
                rpc("Ping", cases(List.of(
                        invalid("target missing", "target", "127.0.0.1", ping(b -> b.setTarget(""))),
                        invalid("target a host name", "target", "address literal", ping(b -> b.setTarget("localhost"))),
                        invalid("target a prefix", "target", "address literal", ping(b -> b.setTarget("127.0.0.0/8"))),
                        invalid("count 11", "count", "1..10", ping(b -> b.setCount(11))),
                        invalid("count -1", "count", "1..10", ping(b -> b.setCount(-1))),
                        invalid("timeout 10 s", "timeout", "100ms..5s", ping(b -> b.setTimeout(millis(10_000)))),
                        invalid("timeout 50 ms", "timeout", "100ms..5s", ping(b -> b.setTimeout(millis(50)))),
                        invalid("timeout negative", "timeout", "positive duration",
                                ping(b -> b.setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(-1))))))),
                rpc("Traceroute", cases(List.of(
                        invalid("target missing", "target", "127.0.0.1", traceroute(b -> b.setTarget(""))),
                        invalid("target a host name", "target", "address literal", traceroute(b -> b.setTarget("example.com"))),
                        invalid("max_hops 31", "max_hops", "1..30", traceroute(b -> b.setMaxHops(31))),
                        invalid("probes_per_hop -1", "probes_per_hop", "1..5", traceroute(b -> b.setProbesPerHop(-1))),
                        invalid("timeout 6 s", "timeout", "100ms..5s", traceroute(b -> b.setTimeout(millis(6_000))))))),
                rpc("ListSessions", cases(
                        peeringName("parent", p -> sessions(b -> b.setParent(p))),
                        paging(n -> sessions(b -> b.setPageSize(n)), t -> sessions(b -> b.setPageToken(t))),
                        forgedTokens(ch -> ((ListSessionsResponse) sessions(b -> b.setPageSize(1)).apply(ch)).getNextPageToken(),
                                (ch, t) -> sessions(b -> b.setPageSize(1).setPageToken(t)).apply(ch),
                                0, "router", 1, "x", 2, "not-an-address"))),
                rpc("ListPeerings", cases(
                        paging(n -> peerings(b -> b.setPageSize(n)), t -> peerings(b -> b.setPageToken(t))),
                        List.of(invalid("page_token of ListPeeringServices", "page_token", "start over",
                                peerings(b -> b.setPageToken(PageTokens.encode("peeringServices", 0))))))),
                rpc("ListPeeringServices", cases(
                        paging(n -> peeringServices(b -> b.setPageSize(n)), t -> peeringServices(b -> b.setPageToken(t))))),
                rpc("GetRegisteredPrefix", cases(List.of(
                        invalid("name missing", "name", "peerings/{peering}/registeredPrefixes/{registered_prefix}",
                                getRegisteredPrefix(b -> b.setName(""))),
                        invalid("name a peering, not a registered prefix", "name", "peerings/{peering}/registeredPrefixes/{registered_prefix}",
                                getRegisteredPrefix(b -> b.setName(PEERING))),
                        invalid("name a registered ASN", "name", "peerings/{peering}/registeredPrefixes/{registered_prefix}",
                                getRegisteredPrefix(b -> b.setName(PEERING + "/registeredAsns/contoso"))),
                        invalid("name under every peering", "name", "peerings/contoso-ams/registeredPrefixes/contoso-web",
                                getRegisteredPrefix(b -> b.setName("peerings/-/registeredPrefixes/contoso-web"))),
                        invalid("rib_view unknown enum value 99", "rib_view", "RIB_VIEW_LOC_RIB",
                                getRegisteredPrefix(b -> b.setRibViewValue(99)))))),
                rpc("ListRegisteredPrefixes", cases(
                        peeringName("parent", p -> listRegisteredPrefixes(b -> b.setParent(p))),
                        List.of(invalid("rib_view unknown enum value 99", "rib_view", "RIB_VIEW_LOC_RIB",
                                        listRegisteredPrefixes(b -> b.setRibViewValue(99))),
                                invalid("page_token of one peering's list under every peering", "page_token", "start over",
                                        listRegisteredPrefixes(b -> b.setParent("peerings/-")
                                                .setPageToken(PageTokens.encode("registeredPrefixes of contoso-ams", 1)))),
                                invalid("page_token of another peering's list", "page_token", "start over", listRegisteredPrefixes(b ->
                                        b.setPageToken(PageTokens.encode("registeredPrefixes of fabrikam-lon", 1))))),
                        paging(n -> listRegisteredPrefixes(b -> b.setPageSize(n)), t -> listRegisteredPrefixes(b -> b.setPageToken(t))))),
                rpc("WatchRouteChanges", cases(
                        cursor(c -> watchChanges(b -> b.setAfterCursor(c))),
                        List.of(
                                invalid("start_position unknown enum value 99", "start_position", "START_POSITION_EARLIEST",
                                        watchChanges(b -> b.setStartPositionValue(99))),
                                invalid("parent not a resource name", "parent", "peerings/{peering}", watchChanges(b -> b.setParent("contoso-ams"))),
                                invalid("parent resource of another kind", "parent", "peerings/{peering}",
                                        watchChanges(b -> b.setParent("peeringServices/contoso-web")))),
                        prefix("prefixes", p -> watchChanges(b -> b.addPrefixes("198.51.100.0/24").addPrefixes(p))))),
                rpc("WatchSessions", cases(
                        cursor(c -> watchSessions(b -> b.setAfterCursor(c))),
                        List.of(
                                invalid("start_position unknown enum value 99", "start_position", "START_POSITION_EARLIEST",
                                        watchSessions(b -> b.setStartPositionValue(99))),
                                invalid("parent not a resource name", "parent", "peerings/{peering}", watchSessions(b -> b.setParent("contoso-ams"))),
                                invalid("parent resource of another kind", "parent", "peerings/{peering}",
                                        watchSessions(b -> b.setParent("peeringServices/contoso-web"))))))),
                RoleMatrix.methodsOf(RoutesServiceGrpc.getServiceDescriptor()));
    }
}
