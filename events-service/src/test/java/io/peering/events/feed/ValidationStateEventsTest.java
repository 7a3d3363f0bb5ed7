package io.peering.events.feed;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.peering.common.v1.TimeRange;
import io.peering.events.v1.EventLevel;
import io.peering.events.v1.EventsServiceGrpc;
import io.peering.events.v1.ListPrefixEventsRequest;
import io.peering.events.v1.PrefixEvent;
import io.peering.events.v1.PrefixEventType;
import io.peering.routes.v1.RegisteredPrefix;
import io.peering.routes.v1.RegisteredPrefixValidationState;
import io.peering.support.testing.RoleMatrix;
import io.peering.support.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.peering.events.feed.ScriptedRoutesServer.registeredPrefix;
import static io.peering.routes.v1.RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_FAILED;
import static io.peering.routes.v1.RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_PENDING;
import static io.peering.routes.v1.RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_UNKNOWN;
import static io.peering.routes.v1.RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED;
import static io.peering.routes.v1.RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_WARNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * RegisteredPrefixValidationStateChangeEvent end to end: the poller asks a scripted routes-service over a real
 * gRPC channel every second, stores states and events in the real database, and the events are read back through
 * ListPrefixEvents with real tokens. Waiting is by polls counted in {@code peering.events.validation.polls} (a
 * poll that started after a script change has seen it), never by fixed sleeps.
 */
@QuarkusTest
@TestProfile(ValidationTestProfile.class)
class ValidationStateEventsTest {

    static final String CONTOSO_WEB = "peerings/contoso-ams/registeredPrefixes/contoso-web";
    static final String CONTOSO_V6 = "peerings/contoso-ams/registeredPrefixes/contoso-v6";
    static final String FABRIKAM_WEB = "peerings/fabrikam-lon/registeredPrefixes/fabrikam-web";
    static final String PENDING_REASON = "session 127.0.0.12 (peerings/contoso-ams/connections/ams-2) is up but does not"
            + " announce 198.51.100.0/24";

    @Inject
    Pool pool;

    @Inject
    ValidationStatePoller poller;

    @Inject
    RouteChangeFeed feed;

    @Inject
    MeterRegistry registry;

    ScriptedRoutesServer routes;
    ManagedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        poller.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        FeedHarness.reset(feed, pool);
        for (String sql : List.of("DELETE FROM events.registered_prefix_states", "DELETE FROM events.alert_outbox")) {
            pool.query(sql).execute().await().atMost(Duration.ofSeconds(10));
        }
        routes = ScriptedRoutesResource.server();
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        poller.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        poller.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        routes.failRegisteredPrefixes(null);
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    static RegisteredPrefix contosoWeb(RegisteredPrefixValidationState state, String... reasons) {
        return registeredPrefix(CONTOSO_WEB, "198.51.100.0/24", state, reasons);
    }

    double count(String meter) {
        return registry.find(meter).counter().count();
    }

    /** Waits until {@code n} more polls have been stored than when called (the last of them began after the call). */
    void awaitPolls(int n) throws InterruptedException {
        double target = count("peering.events.validation.polls") + n;
        FeedHarness.await(n + " more polls", Duration.ofSeconds(30), () -> count("peering.events.validation.polls") >= target);
    }

    /** The stored state of a registered prefix (v1 number), null when none is stored. */
    Integer storedState(String registeredPrefix) {
        var rows = pool.preparedQuery("SELECT state FROM events.registered_prefix_states WHERE registered_prefix = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(registeredPrefix)).await().atMost(Duration.ofSeconds(10));
        return rows.size() == 0 ? null : (int) rows.iterator().next().getShort(0);
    }

    long validationEvents() {
        return pool.query("SELECT count(*) FROM events.prefix_events WHERE type = 13").execute()
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
    }

    /** Sets the first state and waits until it is stored (a first sighting: no event). */
    void baseline(RegisteredPrefix... listed) throws InterruptedException {
        routes.registeredPrefixes(listed);
        FeedHarness.await("the first states stored", Duration.ofSeconds(30), () -> {
            for (RegisteredPrefix p : listed) {
                if (storedState(p.getName()) == null) {
                    return false;
                }
            }
            return true;
        });
    }

    /** contoso-web is first seen Pending, then Verified: waits for the event of the change. */
    void pendingThenVerified() throws InterruptedException {
        baseline(contosoWeb(REGISTERED_PREFIX_VALIDATION_STATE_PENDING, PENDING_REASON));
        routes.registeredPrefixes(contosoWeb(REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED));
        awaitValidationEvents(1);
    }

    /** After a few more polls: still no validation-state event, and the state stored is {@code state}. */
    void assertNoEventAfterPollsAndStored(RegisteredPrefixValidationState state) throws InterruptedException {
        awaitPolls(3);
        assertThat(validationEvents()).isZero();
        assertThat(storedState(CONTOSO_WEB)).isEqualTo(state.getNumber());
    }

    void awaitValidationEvents(long n) throws InterruptedException {
        FeedHarness.await(n + " validation-state events", Duration.ofSeconds(30), () -> validationEvents() >= n);
    }

    List<PrefixEvent> listed(String parent, String token) {
        Instant now = Instant.now();
        return EventsServiceGrpc.newBlockingStub(RoleMatrix.withToken(channel, token)).withDeadlineAfter(30, TimeUnit.SECONDS)
                .listPrefixEvents(ListPrefixEventsRequest.newBuilder().setParent(parent)
                        .setTimeRange(TimeRange.newBuilder().setStartTime(ScriptedRoutesServer.timestamp(now.minus(Duration.ofHours(1))))
                                .setEndTime(ScriptedRoutesServer.timestamp(now)))
                        .addTypes(PrefixEventType.PREFIX_EVENT_TYPE_REGISTERED_PREFIX_VALIDATION_STATE_CHANGE_EVENT).build())
                .getEventsList();
    }

    // ---- tests -----------------------------------------------------------------------------------

    @Test
    void firstSightingOfARegisteredPrefixIsStoredWithoutAnEvent() throws Exception {
        baseline(contosoWeb(REGISTERED_PREFIX_VALIDATION_STATE_PENDING, PENDING_REASON));

        assertNoEventAfterPollsAndStored(REGISTERED_PREFIX_VALIDATION_STATE_PENDING);
    }

    @Test
    void pendingToVerifiedYieldsExactlyOneInformationEventWithBothStatesAndTheText() throws Exception {
        pendingThenVerified();
        awaitPolls(2);

        List<PrefixEvent> events = listed("peerings/contoso-ams", TestTokens.operator());
        assertThat(events).hasSize(1);
        PrefixEvent e = events.get(0);
        assertThat(e.getType()).isEqualTo(PrefixEventType.PREFIX_EVENT_TYPE_REGISTERED_PREFIX_VALIDATION_STATE_CHANGE_EVENT);
        assertThat(e.getLevel()).isEqualTo(EventLevel.EVENT_LEVEL_INFORMATION);
        assertThat(e.getPeering()).isEqualTo("peerings/contoso-ams");
        assertThat(e.getPeeringService()).isEmpty();
        assertThat(e.getPrefix()).isEqualTo("198.51.100.0/24");
        assertThat(e.getSummary()).isEqualTo("Validation state of registered prefix 198.51.100.0/24 changed from Pending to"
                + " Verified");
        assertThat(e.getDescription()).startsWith("routes-service now validates 198.51.100.0/24 (" + CONTOSO_WEB
                + ") as Verified; it was Pending.").contains("No action is needed");
        assertThat(e.getValidation().getRegisteredPrefix()).isEqualTo(CONTOSO_WEB);
        assertThat(e.getValidation().getStateBefore()).isEqualTo(REGISTERED_PREFIX_VALIDATION_STATE_PENDING);
        assertThat(e.getValidation().getStateAfter()).isEqualTo(REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED);
        assertThat(e.getValidation().getReasonsList()).isEmpty();
        assertThat(e.getTime()).isEqualTo(e.getValidation().getCheckedTime());
    }

    @Test
    void levelFollowsTheNewStateAndTheReasonsTravelWithIt() throws Exception {
        baseline(contosoWeb(REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED));
        List<RegisteredPrefixValidationState> states = List.of(REGISTERED_PREFIX_VALIDATION_STATE_FAILED,
                REGISTERED_PREFIX_VALIDATION_STATE_WARNING, REGISTERED_PREFIX_VALIDATION_STATE_UNKNOWN,
                REGISTERED_PREFIX_VALIDATION_STATE_PENDING, REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED);
        for (int i = 0; i < states.size(); i++) {
            RegisteredPrefixValidationState state = states.get(i);
            routes.registeredPrefixes(state == REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED ? contosoWeb(state)
                    : contosoWeb(state, "finding " + i + " of " + state));
            awaitValidationEvents(i + 1);
        }

        List<PrefixEvent> events = new java.util.ArrayList<>(listed("peerings/contoso-ams", TestTokens.operator()));
        java.util.Collections.reverse(events); // oldest first
        assertThat(events).extracting(e -> e.getValidation().getStateAfter()).containsExactlyElementsOf(states);
        assertThat(events).extracting(PrefixEvent::getLevel).containsExactly(EventLevel.EVENT_LEVEL_ERROR,
                EventLevel.EVENT_LEVEL_WARNING, EventLevel.EVENT_LEVEL_WARNING, EventLevel.EVENT_LEVEL_INFORMATION,
                EventLevel.EVENT_LEVEL_INFORMATION);
        assertThat(events.get(0).getValidation().getStateBefore()).isEqualTo(REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED);
        assertThat(events.get(0).getValidation().getReasonsList()).containsExactly("finding 0 of "
                + REGISTERED_PREFIX_VALIDATION_STATE_FAILED);
        assertThat(events.get(0).getDescription()).contains("Findings: finding 0 of " + REGISTERED_PREFIX_VALIDATION_STATE_FAILED);
    }

    @Test
    void unchangedStateYieldsNoEventEvenWhenItsReasonsChange() throws Exception {
        baseline(contosoWeb(REGISTERED_PREFIX_VALIDATION_STATE_PENDING, PENDING_REASON));
        routes.registeredPrefixes(contosoWeb(REGISTERED_PREFIX_VALIDATION_STATE_PENDING, "no session is up"));

        assertNoEventAfterPollsAndStored(REGISTERED_PREFIX_VALIDATION_STATE_PENDING);
    }

    @Test
    void restartedPollerDoesNotRepeatTheEvent() throws Exception {
        pendingThenVerified();

        poller.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        poller.start();
        awaitPolls(3);

        assertThat(validationEvents()).isEqualTo(1);
    }

    @Test
    void twoPollersAtOnceStoreTheChangeOnce() throws Exception {
        baseline(contosoWeb(REGISTERED_PREFIX_VALIDATION_STATE_PENDING, PENDING_REASON));
        poller.stop().toCompletableFuture().get(10, TimeUnit.SECONDS); // only the two polls below run
        routes.registeredPrefixes(contosoWeb(REGISTERED_PREFIX_VALIDATION_STATE_FAILED, "RPKI INVALID"));

        // as two replicas would: each lists the change, then both compare and store it in their transactions
        var first = poller.poll().subscribeAsCompletionStage();
        var second = poller.poll().subscribeAsCompletionStage();
        int emitted = first.get(30, TimeUnit.SECONDS).events() + second.get(30, TimeUnit.SECONDS).events();

        assertThat(emitted).isEqualTo(1);
        assertThat(validationEvents()).isEqualTo(1);
    }

    @Test
    void observationOlderThanTheStoredStateIsIgnored() throws Exception {
        baseline(contosoWeb(REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED));
        // a routes-service answer computed before the stored one (a slower replica's) says Failed
        routes.registeredPrefixes(contosoWeb(REGISTERED_PREFIX_VALIDATION_STATE_FAILED, "RPKI INVALID").toBuilder()
                .setCheckedTime(ScriptedRoutesServer.timestamp(Instant.now().minus(Duration.ofMinutes(1)))).build());

        assertNoEventAfterPollsAndStored(REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED);
    }

    @Test
    void routesServiceUnavailableIsCountedKeepsTheStateAndTheChangeIsEmittedOnceItAnswers() throws Exception {
        baseline(contosoWeb(REGISTERED_PREFIX_VALIDATION_STATE_PENDING, PENDING_REASON));
        routes.failRegisteredPrefixes(Status.UNAVAILABLE.withDescription("routes-service is restarting"));
        double failures = count("peering.events.validation.failures");
        FeedHarness.await("two failed polls", Duration.ofSeconds(30),
                () -> count("peering.events.validation.failures") >= failures + 2);
        routes.registeredPrefixes(contosoWeb(REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED));

        assertThat(storedState(CONTOSO_WEB)).isEqualTo(REGISTERED_PREFIX_VALIDATION_STATE_PENDING.getNumber());
        assertThat(validationEvents()).isZero();

        routes.failRegisteredPrefixes(null);
        awaitValidationEvents(1);
        awaitPolls(2);

        assertThat(validationEvents()).isEqualTo(1);
        assertThat(storedState(CONTOSO_WEB)).isEqualTo(REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED.getNumber());
    }

    @Test
    void pollerPagesThroughEveryPeeringWithTheServiceToken() throws Exception {
        routes.registeredPrefixPageSize(1);
        baseline(contosoWeb(REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED),
                registeredPrefix(CONTOSO_V6, "2001:db8:100::/48", REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED),
                registeredPrefix(FABRIKAM_WEB, "203.0.113.0/24", REGISTERED_PREFIX_VALIDATION_STATE_PENDING, "no session is up"));
        routes.registeredPrefixes(contosoWeb(REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED),
                registeredPrefix(CONTOSO_V6, "2001:db8:100::/48", REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED),
                registeredPrefix(FABRIKAM_WEB, "203.0.113.0/24", REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED));
        awaitValidationEvents(1);

        assertThat(listed("peerings/fabrikam-lon", TestTokens.operator())).singleElement()
                .satisfies(e -> assertThat(e.getValidation().getRegisteredPrefix()).isEqualTo(FABRIKAM_WEB));
        assertThat(routes.registeredPrefixRequests()).allSatisfy(r -> assertThat(r.getParent()).isEqualTo("peerings/-"))
                .extracting(r -> r.getPageToken()).contains("", "1", "2");
        assertThat(routes.registeredPrefixAuthorizations()).isNotEmpty()
                .allSatisfy(a -> assertThat(a).isEqualTo("Bearer " + ValidationTestProfile.SERVICE_TOKEN));
    }

    @Test
    void eventIsListedForItsPeeringAndDeniedToAnotherAsnsReader() throws Exception {
        pendingThenVerified();

        assertThat(listed("peerings/contoso-ams", TestTokens.reader(RoleMatrix.OWN_ASN))).singleElement()
                .satisfies(e -> assertThat(e.getValidation().getRegisteredPrefix()).isEqualTo(CONTOSO_WEB));
        assertThatThrownBy(() -> listed("peerings/contoso-ams", TestTokens.reader(RoleMatrix.OTHER_ASN)))
                .hasMessageContaining("PERMISSION_DENIED").hasMessageContaining("peerings/contoso-ams");
        assertThat(listed("peerings/fabrikam-lon", TestTokens.reader(RoleMatrix.OTHER_ASN))).isEmpty();
    }

    @Test
    void changeMatchingAnAlertRuleEnqueuesOneAlertAtTheNewStatesLevel() throws Exception {
        baseline(contosoWeb(REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED));
        routes.registeredPrefixes(contosoWeb(REGISTERED_PREFIX_VALIDATION_STATE_FAILED, "RPKI INVALID"));
        awaitValidationEvents(1);

        List<Row> alerts = new java.util.ArrayList<>();
        pool.query("SELECT rule, receiver, fired_by FROM events.alert_outbox").execute().await().atMost(Duration.ofSeconds(10))
                .forEach(alerts::add);
        assertThat(alerts).hasSize(1);
        JsonObject fired = alerts.get(0).getJsonObject(2);
        assertThat(alerts.get(0).getString(0)).isEqualTo("validation");
        assertThat(fired.getString("type")).isEqualTo("RegisteredPrefixValidationStateChangeEvent");
        assertThat(fired.getString("level")).isEqualTo("Error");
        assertThat(fired.getJsonObject("validation").getString("before")).isEqualTo("Verified");
        assertThat(fired.getJsonObject("validation").getString("after")).isEqualTo("Failed");
    }
}
