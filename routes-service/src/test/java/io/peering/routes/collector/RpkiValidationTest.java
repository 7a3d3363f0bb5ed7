package io.peering.routes.collector;

import io.peering.common.v1.TimeRange;
import io.peering.routes.v1.GetRouteHistoryRequest;
import io.peering.routes.v1.ListReceivedRoutesRequest;
import io.peering.routes.v1.Roa;
import io.peering.routes.v1.RouteChange;
import io.peering.routes.v1.ReceivedRoute;
import io.peering.routes.v1.RoutesServiceGrpc;
import io.peering.routes.v1.RpkiValidationState;
import io.peering.support.time.ProtoTimes;
import io.peering.routes.testing.Await;
import io.peering.routes.testing.BmpPeer;
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
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Received routes carry their RFC 6811 state against the ROA file, and follow it when the file changes. */
@QuarkusTest
@TestProfile(RpkiValidationTest.WithRoaFile.class)
class RpkiValidationTest {

    static final Path ROA_FILE;

    static {
        try {
            ROA_FILE = Files.createTempFile("roas", ".json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void writeRoas(int maxLength) throws IOException {
        // rpki-client's export format
        Files.writeString(ROA_FILE, """
                {"metadata": {"buildtime": "2026-11-24T00:00:00Z"},
                 "roas": [{"asn": 64500, "prefix": "198.51.100.0/24", "maxLength": %d, "ta": "ripe", "expires": 1900000000}]}
                """.formatted(maxLength));
    }

    public static class WithRoaFile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                writeRoas(24);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("peering.rpki.roa-file", ROA_FILE.toString(), "peering.rpki.poll-interval", "PT0.1S");
        }
    }

    static final String ROUTER = "127.0.0.203";

    @Inject
    BmpListener listener;

    @Inject
    Pool pool;

    RoutesChannel channel;
    RoutesServiceGrpc.RoutesServiceBlockingStub stub;

    @BeforeEach
    void setUp() {
        TestRouter.forget(pool, ROUTER);
        channel = RoutesChannel.open();
        stub = channel.blocking();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        channel.close();
    }

    static final BmpPeer AMS_1 = BmpPeer.of("127.0.0.11", 64500); // peerings/contoso-ams/connections/ams-1

    TestRouter connectAsRouter() throws IOException {
        return TestRouter.connect(ROUTER, listener.port());
    }

    Map<String, ReceivedRoute> routes(RoutesServiceGrpc.RoutesServiceBlockingStub stub) {
        return stub.listReceivedRoutes(ListReceivedRoutesRequest.newBuilder().setParent("peerings/contoso-ams").setPageSize(1000).build())
                .getRoutesList().stream().filter(r -> r.getRouter().equals(ROUTER))
                .collect(java.util.stream.Collectors.toMap(ReceivedRoute::getPrefix, r -> r));
    }

    @Test
    void routesAreValidInvalidOrNotFoundAndAreRevalidatedWhenTheRoaFileChanges() throws Exception {
        try (TestRouter router = connectAsRouter()) {
            router.send(AMS_1.up(),
                    AMS_1.announce("198.51.100.0/24", 64500),          // covered, right AS, right length
                    AMS_1.announce("198.51.100.0/25", 64500),          // covered, too long for maxLength 24
                    AMS_1.announce("198.51.100.128/25", 64500, 64999), // covered, wrong origin AS
                    AMS_1.announce("203.0.113.0/24", 64500));         // no covering ROA
            Await.until("four routes", () -> routes(stub).size() == 4);

            Map<String, ReceivedRoute> r = routes(stub);
            assertThat(r.get("198.51.100.0/24").getRpkiValidationState()).isEqualTo(RpkiValidationState.RPKI_VALIDATION_STATE_VALID);
            assertThat(r.get("198.51.100.0/24").getTrustAnchor()).isEqualTo("ripe");
            assertThat(r.get("198.51.100.0/25").getRpkiValidationState()).isEqualTo(RpkiValidationState.RPKI_VALIDATION_STATE_INVALID);
            assertThat(r.get("198.51.100.128/25").getRpkiValidationState()).isEqualTo(RpkiValidationState.RPKI_VALIDATION_STATE_INVALID);
            assertThat(r.get("203.0.113.0/24").getRpkiValidationState()).isEqualTo(RpkiValidationState.RPKI_VALIDATION_STATE_NOT_FOUND);
            assertThat(r.get("203.0.113.0/24").getTrustAnchor()).isEmpty();
            assertThat(stub.listReceivedRoutes(ListReceivedRoutesRequest.newBuilder().setParent("peerings/contoso-ams")
                    .setRpkiValidationState(RpkiValidationState.RPKI_VALIDATION_STATE_INVALID).build()).getRoutesList())
                    .filteredOn(x -> x.getRouter().equals(ROUTER)).extracting(ReceivedRoute::getPrefix)
                    .containsExactlyInAnyOrder("198.51.100.0/25", "198.51.100.128/25");

            writeRoas(25); // the /25 of AS 64500 is now allowed
            Await.until("stored /25 re-validated", () -> routes(stub).get("198.51.100.0/25").getRpkiValidationState()
                    == RpkiValidationState.RPKI_VALIDATION_STATE_VALID);
            assertThat(routes(stub).get("198.51.100.128/25").getRpkiValidationState())
                    .isEqualTo(RpkiValidationState.RPKI_VALIDATION_STATE_INVALID);
        }
    }

    @Test
    void aCoveredRouteListsTheRoasCoveringItInEveryRpcAndAnUncoveredRouteNone() throws Exception {
        writeRoas(24); // as the profile starts; another test may have changed it
        Roa expected = Roa.newBuilder().setPrefix("198.51.100.0/24").setMaxLength(24).setOriginAsn(64500).setTrustAnchor("ripe").build();
        Instant start = Instant.now().minusSeconds(5);
        try (TestRouter router = connectAsRouter()) {
            router.send(AMS_1.up(),
                    AMS_1.announce("198.51.100.0/25", 64999),   // covered (and invalid: the ROA's AS is 64500)
                    AMS_1.announce("203.0.113.0/24", 64500));  // no covering ROA
            Await.until("the ROA file in force covers the /25", () -> routes(stub).size() == 2
                    && routes(stub).get("198.51.100.0/25").getCoveringRoasList().equals(List.of(expected)));
        }
        assertThat(routes(stub).get("203.0.113.0/24").getCoveringRoasList()).isEmpty();

        List<RouteChange> history = stub.getRouteHistory(GetRouteHistoryRequest.newBuilder()
                        .setParent("peerings/contoso-ams").setPrefix("198.51.100.0/25")
                        .setTimeRange(TimeRange.newBuilder().setStartTime(ProtoTimes.timestamp(start))
                                .setEndTime(ProtoTimes.timestamp(Instant.now().plusSeconds(5))))
                        .build())
                .getChangesList().stream().filter(c -> c.getRoute().getRouter().equals(ROUTER)).toList();
        assertThat(history).hasSize(1);
        assertThat(history.get(0).getRoute().getCoveringRoasList()).containsExactly(expected);
        // the change log keeps no verdict: the change's route is judged against the ROA set in force, as listed routes are
        assertThat(history.get(0).getRoute().getRpkiValidationState()).isEqualTo(RpkiValidationState.RPKI_VALIDATION_STATE_INVALID);
        assertThat(history.get(0).getRoute().getTrustAnchor()).isEqualTo("ripe");
    }

}
