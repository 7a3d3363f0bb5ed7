package io.peering.routes.grpc;

import io.peering.routes.collector.BmpListener;
import io.peering.routes.v1.GetRegisteredPrefixRequest;
import io.peering.routes.v1.ListRegisteredPrefixesRequest;
import io.peering.routes.v1.RegisteredPrefix;
import io.peering.routes.v1.RegisteredPrefixValidationState;
import io.peering.routes.v1.RibView;
import io.peering.routes.v1.RoutesServiceGrpc;
import io.peering.routes.testing.Await;
import io.peering.routes.testing.BmpPeer;
import io.peering.routes.testing.RoaFiles;
import io.peering.routes.testing.RoutesChannel;
import io.peering.routes.testing.TestRouter;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Registered-prefix validation end to end: a router (a test socket from its own loopback address) speaks BMP to the
 * collector, GetRegisteredPrefix and ListRegisteredPrefixes answer over a real gRPC channel. A ROA makes
 * 198.51.100.0/24 from AS64500 RPKI valid; 203.0.113.0/24 is configured as reserved for the Failed-reserved case.
 */
@QuarkusTest
@TestProfile(RegisteredPrefixValidationTest.Rules.class)
class RegisteredPrefixValidationTest {

    static final String ROUTER = "127.0.0.210";
    static final String AMS_1 = "127.0.0.11"; // peerings/contoso-ams/connections/ams-1
    static final String AMS_2 = "127.0.0.12"; // peerings/contoso-ams/connections/ams-2
    static final String LON_1 = "127.0.0.21"; // peerings/fabrikam-lon/connections/lon-1
    static final String CONTOSO_WEB = "peerings/contoso-ams/registeredPrefixes/contoso-web"; // 198.51.100.0/24
    static final String CONTOSO_V6 = "peerings/contoso-ams/registeredPrefixes/contoso-v6";   // 2001:db8:100::/48
    static final String FABRIKAM_WEB = "peerings/fabrikam-lon/registeredPrefixes/fabrikam-web"; // 203.0.113.0/24

    public static class Rules implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("peering.rpki.roa-file", RoaFiles.write("""
                            {"roas": [{"asn": 64500, "prefix": "198.51.100.0/24", "maxLength": 24, "ta": "ripe"}]}
                            """),
                    "peering.registered-prefixes.reserved-prefixes", "10.0.0.0/8,100.64.0.0/10,203.0.113.0/24");
        }
    }

    @Inject
    BmpListener listener;

    @Inject
    Pool pool;

    RoutesChannel channel;
    RoutesServiceGrpc.RoutesServiceBlockingStub routes;

    /** Validation reads every router's view of a session address: rows other tests left for these peers are removed too. */
    @BeforeEach
    void setUp() {
        TestRouter.forget(pool, ROUTER, AMS_1, AMS_2, LON_1, "fd00:64:500::11", "fd00:64:500::12");
        channel = RoutesChannel.open();
        routes = channel.blocking();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        channel.close();
    }

    static byte[] peerUp(String peer, long asn) {
        return BmpPeer.of(peer, asn).up();
    }

    static byte[] announce(String peer, long peerAsn, String prefix, long... asPath) {
        return BmpPeer.of(peer, peerAsn).announce(prefix, asPath);
    }

    static byte[] peerDown(String peer, long asn) {
        return BmpPeer.of(peer, asn).down();
    }

    TestRouter routerSending(byte[]... messages) throws IOException {
        return TestRouter.connect(ROUTER, listener.port(), messages);
    }

    RegisteredPrefix get(String name) {
        return routes.getRegisteredPrefix(GetRegisteredPrefixRequest.newBuilder().setName(name).build()).getRegisteredPrefix();
    }

    /** The registered prefix once it satisfies {@code done} (the collector writes asynchronously), within 10 s. */
    RegisteredPrefix awaitState(String name, RegisteredPrefixValidationState state) throws InterruptedException {
        return await(name, p -> p.getValidationState() == state);
    }

    /** Failed with one reason: both routes are in (until the second arrives, its session is also reported missing). */
    RegisteredPrefix awaitFailedByOneRoute(String name) throws InterruptedException {
        return await(name, p -> p.getValidationState() == RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_FAILED
                && p.getReasonsList().size() == 1);
    }

    RegisteredPrefix await(String name, Predicate<RegisteredPrefix> done) throws InterruptedException {
        return Await.value(name, () -> get(name), done);
    }

    @Test
    void prefixAnnouncedCleanOnEverySessionIsVerified() throws Exception {
        try (TestRouter router = routerSending(peerUp(AMS_1, 64500), peerUp(AMS_2, 64500),
                announce(AMS_1, 64500, "198.51.100.0/24", 64500), announce(AMS_2, 64500, "198.51.100.0/24", 64500, 64500))) {
            RegisteredPrefix p = awaitState(CONTOSO_WEB, RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED);

            assertThat(p.getPrefix()).isEqualTo("198.51.100.0/24");
            assertThat(p.getReasonsList()).isEmpty();
            assertThat(p.getRibView()).isEqualTo(RibView.RIB_VIEW_ADJ_RIB_IN_PRE_POLICY);
            assertThat(p.hasCheckedTime()).isTrue();
        }
    }

    @Test
    void prefixAnnouncedOnOneSessionOfTwoIsPendingNamingTheOther() throws Exception {
        try (TestRouter router = routerSending(peerUp(AMS_1, 64500), peerUp(AMS_2, 64500), announce(AMS_1, 64500, "198.51.100.0/24", 64500))) {
            // the collector writes the second session and the route in either order: on the way the state may be Pending
            // for both sessions, or a Warning that 127.0.0.12 is reported by no router; wait for the one-reason Pending
            RegisteredPrefix p = await(CONTOSO_WEB, x -> x.getReasonsList().size() == 1
                    && x.getValidationState() == RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_PENDING);

            assertThat(p.getReasonsList()).containsExactly("session 127.0.0.12 (peerings/contoso-ams/connections/ams-2) is up but"
                    + " does not announce 198.51.100.0/24");
        }
    }

    @Test
    void privateAsnInTheAsPathFailsNamingTheRoute() throws Exception {
        try (TestRouter router = routerSending(peerUp(AMS_1, 64500), peerUp(AMS_2, 64500),
                announce(AMS_1, 64500, "198.51.100.0/24", 64500, 65000, 64500), announce(AMS_2, 64500, "198.51.100.0/24", 64500))) {
            RegisteredPrefix p = awaitFailedByOneRoute(CONTOSO_WEB);

            assertThat(p.getReasonsList()).containsExactly("the route for 198.51.100.0/24 from 127.0.0.11 (router 127.0.0.210, AS path"
                    + " \"64500 65000 64500\") has private ASN 65000 in its AS path");
        }
    }

    @Test
    void rpkiInvalidAnnouncementFails() throws Exception {
        try (TestRouter router = routerSending(peerUp(AMS_1, 64500), peerUp(AMS_2, 64500),
                announce(AMS_1, 64500, "198.51.100.0/24", 64500), announce(AMS_2, 64500, "198.51.100.0/24", 64500, 64501))) {
            RegisteredPrefix p = awaitFailedByOneRoute(CONTOSO_WEB);

            assertThat(p.getReasonsList()).singleElement().asString().contains("from 127.0.0.12").contains("RPKI INVALID");
        }
    }

    @Test
    void reservedPrefixFails() throws Exception {
        try (TestRouter router = routerSending(peerUp(LON_1, 4200000002L), announce(LON_1, 4200000002L, "203.0.113.0/24", 4200000002L))) {
            RegisteredPrefix p = await(FABRIKAM_WEB, x -> x.getReasonsList().stream().anyMatch(r -> r.contains("RPKI")));

            assertThat(p.getValidationState()).isEqualTo(RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_FAILED);
            assertThat(p.getReasonsList()).hasSize(2); // reserved, then RPKI not found
            assertThat(p.getReasonsList().get(0)).contains("reserved range 203.0.113.0/24");
            assertThat(p.getReasonsList().get(1)).contains("RPKI NOT_FOUND");
        }
    }

    @Test
    void sessionDownWhileTheOtherAnnouncesIsAWarning() throws Exception {
        try (TestRouter router = routerSending(peerUp(AMS_1, 64500), peerUp(AMS_2, 64500), announce(AMS_1, 64500, "198.51.100.0/24", 64500),
                peerDown(AMS_2, 64500))) {
            RegisteredPrefix p = awaitState(CONTOSO_WEB, RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_WARNING);

            assertThat(p.getReasonsList()).singleElement().asString().contains("session 127.0.0.12").contains("is not up");
        }
    }

    @Test
    void prefixWhoseSessionsNoRouterReportsIsUnknownAndListedInInventoryOrder() throws Exception {
        try (TestRouter router = routerSending(peerUp(AMS_1, 64500), announce(AMS_1, 64500, "198.51.100.0/24", 64500))) {
            await(CONTOSO_WEB, p -> p.getValidationState() != RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_UNKNOWN);
            List<RegisteredPrefix> listed = routes.listRegisteredPrefixes(ListRegisteredPrefixesRequest.newBuilder()
                    .setParent("peerings/contoso-ams").build()).getRegisteredPrefixesList();

            assertThat(listed).extracting(RegisteredPrefix::getName).containsExactly(CONTOSO_WEB, CONTOSO_V6);
            assertThat(listed.get(1).getValidationState()).isEqualTo(RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_UNKNOWN);
            assertThat(listed.get(1).getReasonsList()).singleElement().asString().contains("fd00:64:500::11, fd00:64:500::12");
        }
    }

    @Test
    void listPagesThroughThePeeringsRegisteredPrefixes() {
        var first = routes.listRegisteredPrefixes(ListRegisteredPrefixesRequest.newBuilder().setParent("peerings/contoso-ams").setPageSize(1).build());
        var second = routes.listRegisteredPrefixes(ListRegisteredPrefixesRequest.newBuilder().setParent("peerings/contoso-ams").setPageSize(1)
                .setPageToken(first.getNextPageToken()).build());

        assertThat(first.getRegisteredPrefixesList()).extracting(RegisteredPrefix::getName).containsExactly(CONTOSO_WEB);
        assertThat(second.getRegisteredPrefixesList()).extracting(RegisteredPrefix::getName).containsExactly(CONTOSO_V6);
        assertThat(second.getNextPageToken()).isEmpty();
    }

    @Test
    void listUnderEveryPeeringPagesThroughEachPeeringsPrefixesJudgedByItsOwnSessions() throws Exception {
        try (TestRouter router = routerSending(peerUp(AMS_1, 64500), peerUp(AMS_2, 64500),
                announce(AMS_1, 64500, "198.51.100.0/24", 64500), announce(AMS_2, 64500, "198.51.100.0/24", 64500))) {
            awaitState(CONTOSO_WEB, RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED);
            List<RegisteredPrefix> listed = new java.util.ArrayList<>();
            String token = "";
            do {
                var page = routes.listRegisteredPrefixes(ListRegisteredPrefixesRequest.newBuilder().setParent("peerings/-")
                        .setPageSize(2).setPageToken(token).build());
                listed.addAll(page.getRegisteredPrefixesList());
                token = page.getNextPageToken();
            } while (!token.isEmpty());

            assertThat(listed).extracting(RegisteredPrefix::getName).containsExactly(CONTOSO_WEB, CONTOSO_V6, FABRIKAM_WEB);
            assertThat(listed).extracting(RegisteredPrefix::getValidationState).containsExactly(
                    RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED,
                    RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_UNKNOWN,
                    RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_FAILED);
            // fabrikam's (reserved) prefix is judged by fabrikam's session, which no router reports: judged by contoso's
            // sessions, which are up, it would also be reported missing from them
            assertThat(listed.get(2).getReasonsList()).singleElement().asString().contains("reserved range 203.0.113.0/24");
        }
    }
}
