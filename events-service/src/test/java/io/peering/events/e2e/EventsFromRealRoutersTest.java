package io.peering.events.e2e;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.peering.common.v1.StartPosition;
import io.peering.common.v1.TimeRange;
import io.peering.events.alerts.AlertReceiversResource;
import io.peering.events.alerts.WebhookReceiver;
import io.peering.events.feed.FeedHarness;
import io.peering.events.feed.RouteChangeFeed;
import io.vertx.core.json.JsonObject;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import io.peering.events.v1.EventLevel;
import io.peering.events.v1.EventsServiceGrpc;
import io.peering.events.v1.ListPrefixEventsRequest;
import io.peering.events.v1.PrefixEvent;
import io.peering.events.v1.PrefixEventType;
import io.peering.events.v1.WatchPrefixEventsRequest;
import io.peering.events.v1.WatchPrefixEventsResponse;
import io.peering.routes.v1.RpkiValidationState;
import io.peering.support.testing.RoutesServiceWithRouters;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.peering.events.v1.PrefixEventType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * End to end with real routers: GoBGP peers P1 (contoso-ams ams-1, the primary of contoso-web) and
 * P2 (ams-2, the backup) announce and withdraw the service's prefix at router R1, which exports BMP
 * to a real routes-service; events-service follows its WatchRouteChanges; the events arrive over
 * WatchPrefixEvents soon after the router's own time of each change, and are listed by ListPrefixEvents.
 */
@QuarkusTest
@TestProfile(EventsFromRealRoutersTest.RealChain.class)
class EventsFromRealRoutersTest {

    public static class RealChain implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            // with R2 (FRR) and P3, fabrikam-lon's session: another peering's session for the hijack
            return List.of(new TestResourceEntry(RoutesServiceWithRouters.class, Map.of("frr", "true")),
                    new TestResourceEntry(AlertReceiversResource.class)); // a real Alertmanager and a webhook port
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("peering.events.feed.enabled", "false", // the test starts it after clearing earlier state
                    "peering.alerts.rules.route-security.types", "PrefixCoveringRouteOriginAsChangeEvent,PrefixRpkiInvalidRouteEvent,"
                            + "PrefixLeakEvent,PrefixBackupRouteLeakEvent",
                    "peering.alerts.rules.route-security.receivers", "am,hook",
                    "peering.alerts.send-every", "PT0.2S");
        }
    }

    static final String SERVICE = "peeringServices/contoso-web";
    static final String PREFIX = "198.51.100.0/24";

    @Inject
    RouteChangeFeed feed;

    @Inject
    Pool pool;

    record Arrival(PrefixEvent event, Instant at) {
    }

    final List<Arrival> arrivals = new CopyOnWriteArrayList<>();

    void router(String... args) throws Exception {
        String[] command = new String[args.length + 2];
        command[0] = "bash";
        command[1] = RoutesServiceWithRouters.routers.toString();
        System.arraycopy(args, 0, command, 2, args.length);
        RoutesServiceWithRouters.run(command);
    }

    /** Waits for the next events of these types, in this order, and checks each came within three seconds of the router's (whole-second) time. */
    void expect(PrefixEventType... types) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (arrivals.size() < expectedSoFar + types.length) {
            assertThat(System.nanoTime()).as("waited 60 s for " + List.of(types)).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(20);
        }
        List<Arrival> got = arrivals.subList(expectedSoFar, expectedSoFar + types.length);
        assertThat(got).extracting(a -> a.event().getType()).containsExactly(types);
        for (Arrival a : got) {
            Instant routerTime = Instant.ofEpochSecond(a.event().getTime().getSeconds(), a.event().getTime().getNanos());
            // GoBGP's BMP timestamps are whole seconds (truncated): up to one second of the delay is
            // that. Two more cover the chain (router, collector batch, database, two Watch hops) on a
            // 2-core machine under load: a dry run with other builds at load 20 measured 2.01 s.
            assertThat(Duration.between(routerTime, a.at())).as(a.event().getType() + " delay after the router's time")
                    .isLessThan(Duration.ofSeconds(3));
        }
        expectedSoFar += types.length;
    }

    int expectedSoFar;

    /** No routes at the peers, no events or derivation state: the feed starts over from the routes-service of this chain. */
    void startFresh() throws Exception {
        assumeTrue(RoutesServiceWithRouters.unavailable == null, RoutesServiceWithRouters.unavailable);
        feed.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        router("clear", "p1");
        router("clear", "p2");
        router("clear", "p3");
        for (String sql : List.of("DELETE FROM events.prefix_events", "DELETE FROM events.prefix_routes",
                "DELETE FROM events.open_incidents", "DELETE FROM events.alert_outbox",
                "INSERT INTO events.feed_cursors (feed, cursor) VALUES ('routes.WatchRouteChanges', '')"
                        + " ON CONFLICT (feed) DO UPDATE SET cursor = ''")) { // a new routes-service: start over
            pool.query(sql).execute().await().atMost(Duration.ofSeconds(10));
        }
        feed.start();
    }

    @Test
    void withdrawReannounceAndOriginChangeOnRealRoutersArriveAsEventsWithinSeconds() throws Exception {
        startFresh();
        Instant start = Instant.now().minusSeconds(5);

        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            EventsServiceGrpc.newStub(channel).watchPrefixEvents(WatchPrefixEventsRequest.newBuilder().setParent(SERVICE)
                    .setStartPosition(StartPosition.START_POSITION_EARLIEST).build(), new StreamObserver<>() {
                public void onNext(WatchPrefixEventsResponse r) {
                    Instant now = Instant.now();
                    // the service's own events: route security raises incidents for some of the same changes
                    r.getEventsList().stream().filter(e -> e.getIncident().isEmpty()).forEach(e -> arrivals.add(new Arrival(e, now)));
                }

                public void onError(Throwable t) {
                }

                public void onCompleted() {
                }
            });

            router("announce", "p1", PREFIX, "--as-path", "4200000001");
            expect(PREFIX_EVENT_TYPE_PREFIX_ANNOUNCEMENT_EVENT, PREFIX_EVENT_TYPE_PREFIX_ACTIVE_PATH);
            router("announce", "p2", PREFIX, "--as-path", "4200000001");
            expect(PREFIX_EVENT_TYPE_PREFIX_BACKUP_ROUTE_ANNOUNCEMENT_EVENT);
            router("withdraw", "p1", PREFIX);
            expect(PREFIX_EVENT_TYPE_PREFIX_WITHDRAWAL_EVENT, PREFIX_EVENT_TYPE_PREFIX_BACKUP_PATH);
            router("announce", "p1", PREFIX, "--as-path", "4200000001");
            expect(PREFIX_EVENT_TYPE_PREFIX_ANNOUNCEMENT_EVENT, PREFIX_EVENT_TYPE_PREFIX_ACTIVE_PATH);
            router("announce", "p1", PREFIX, "--as-path", "64510");
            expect(PREFIX_EVENT_TYPE_PREFIX_ORIGIN_AS_CHANGE_EVENT);

            PrefixEvent originChange = arrivals.get(arrivals.size() - 1).event();
            assertThat(originChange.getOriginAsnBefore()).isEqualTo((int) 4200000001L);
            assertThat(originChange.getOriginAsnAfter()).isEqualTo(64510);
            assertThat(originChange.getConnection()).isEqualTo("peerings/contoso-ams/connections/ams-1");

            List<PrefixEvent> listed = EventsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .listPrefixEvents(ListPrefixEventsRequest.newBuilder().setParent(SERVICE).setPrefix(PREFIX)
                            .setTimeRange(TimeRange.newBuilder()
                                    .setStartTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(start.getEpochSecond()))
                                    .setEndTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond() + 5)))
                            .setPageSize(100).build())
                    .getEventsList().stream().filter(e -> e.getIncident().isEmpty()).toList();
            List<String> newestFirst = new java.util.ArrayList<>(arrivals.stream().map(a -> a.event().getCursor()).toList());
            java.util.Collections.reverse(newestFirst);
            assertThat(listed).extracting(PrefixEvent::getCursor).containsExactlyElementsOf(newestFirst);
        } finally {
            feed.stop();
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Waits for the route-security event of this type, state and route, and checks it came within 2 s of the router's time. */
    PrefixEvent expectIncident(PrefixEventType type, boolean resolved, String routePrefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            for (Arrival a : arrivals) {
                PrefixEvent e = a.event();
                if (e.getType() == type && e.getResolved() == resolved && e.getSecurity().getRoutePrefix().equals(routePrefix)) {
                    Instant routerTime = Instant.ofEpochSecond(e.getTime().getSeconds(), e.getTime().getNanos());
                    // The router's BMP time stamps are whole seconds (truncated): the second they can hide is allowed on top.
                    Duration delay = Duration.between(routerTime, a.at());
                    System.out.printf("%s%s of %s: arrived %d ms after the router's (whole-second) time%n", type,
                            resolved ? " (resolved)" : "", routePrefix, delay.toMillis());
                    assertThat(delay).as(type + " delay after the router's time").isLessThan(Duration.ofSeconds(3));
                    return e;
                }
            }
            assertThat(System.nanoTime()).as("waited 60 s for " + type + (resolved ? " resolved" : "") + " of " + routePrefix)
                    .isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    static String hmacSha256(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(AlertReceiversResource.WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }

    WebhookReceiver webhook;

    @Test
    void hijackRpkiInvalidAndLeakOnRealRoutersArriveAsIncidentsFireAlertsAndResolveOnWithdrawal() throws Exception {
        startFresh();
        webhook = new WebhookReceiver(AlertReceiversResource.webhookPort);
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            // from the earliest event (startFresh emptied the log): an incident derived before the stream is open is not missed
            EventsServiceGrpc.newStub(channel).watchPrefixEvents(WatchPrefixEventsRequest.newBuilder()
                    .setStartPosition(StartPosition.START_POSITION_EARLIEST).build(), new StreamObserver<>() {
                public void onNext(WatchPrefixEventsResponse r) {
                    Instant now = Instant.now();
                    r.getEventsList().stream().filter(e -> !e.getIncident().isEmpty()).forEach(e -> arrivals.add(new Arrival(e, now)));
                }

                public void onError(Throwable t) {
                }

                public void onCompleted() {
                }
            });

            // fabrikam's peer (another peering's session, at R2) announces a more-specific of contoso's prefix
            router("announce", "p3", "198.51.100.0/25", "--as-path", "64666");
            PrefixEvent hijack = expectIncident(PREFIX_EVENT_TYPE_PREFIX_COVERING_ROUTE_ORIGIN_AS_CHANGE_EVENT, false,
                    "198.51.100.0/25");
            assertThat(hijack.getPeering()).isEqualTo("peerings/contoso-ams");
            assertThat(hijack.getPrefix()).isEqualTo(PREFIX);
            assertThat(hijack.getLevel()).isEqualTo(EventLevel.EVENT_LEVEL_CRITICAL);
            assertThat(hijack.getConnection()).isEqualTo("peerings/fabrikam-lon/connections/lon-1");
            // (FRR 8.4's BMP shows R2's own AS in front of the path it received: "65001 4200000002 64666")
            assertThat(hijack.getSecurity().getAsPath()).endsWith("4200000002 64666");
            assertThat(hijack.getSecurity().getOriginAsn()).isEqualTo(64666);
            assertThat(hijack.getSecurity().getRpkiValidationState()).isEqualTo(RpkiValidationState.RPKI_VALIDATION_STATE_NOT_FOUND);

            // the alert: firing in a real Alertmanager, and signed to the webhook
            assumeTrue(AlertReceiversResource.alertmanager != null, "prometheus-alertmanager is not installed");
            FeedHarness.await("Alertmanager to show the hijack's alert active", Duration.ofSeconds(30), () -> {
                JsonObject a = AlertReceiversResource.alertmanager.alert(hijack.getIncident());
                return a != null && "active".equals(a.getJsonObject("status").getString("state"));
            });
            JsonObject firing = AlertReceiversResource.alertmanager.alert(hijack.getIncident());
            assertThat(firing.getJsonObject("labels").getString("alertname")).isEqualTo("PrefixCoveringRouteOriginAsChangeEvent");
            assertThat(firing.getJsonObject("labels").getString("severity")).isEqualTo("critical");
            assertThat(firing.getJsonObject("labels").getString("peering")).isEqualTo("peerings/contoso-ams");
            FeedHarness.await("the webhook to get the hijack's alert", Duration.ofSeconds(30),
                    () -> !webhook.about(hijack.getIncident()).isEmpty());
            WebhookReceiver.Received signed = webhook.about(hijack.getIncident()).get(0);
            assertThat(signed.json().getString("status")).isEqualTo("firing");
            assertThat(signed.signature()).isEqualTo("sha256=" + hmacSha256(signed.body()));

            // contoso's peer announces a /25 of the chain's ROA (AS64500, 192.0.2.0/24, max length 24)
            router("announce", "p1", "192.0.2.128/25");
            PrefixEvent invalid = expectIncident(PREFIX_EVENT_TYPE_PREFIX_RPKI_INVALID_ROUTE_EVENT, false, "192.0.2.128/25");
            assertThat(invalid.getSecurity().getMatchedRoasList()).extracting(r -> r.getPrefix(), r -> r.getMaxLength(),
                    r -> r.getOriginAsn()).containsExactly(org.assertj.core.groups.Tuple.tuple("192.0.2.0/24", 24, 64500));
            assertThat(invalid.getSecurity().getReason()).contains("max-length");

            // contoso's peer re-exports a route of its transit provider
            router("announce", "p1", "198.18.0.0/24", "--as-path", "3356 15169");
            PrefixEvent leak = expectIncident(PREFIX_EVENT_TYPE_PREFIX_LEAK_EVENT, false, "198.18.0.0/24");
            assertThat(leak.getSecurity().getTransitAsn()).isEqualTo(3356);
            assertThat(leak.getSecurity().getAsPath()).isEqualTo("64500 3356 15169");

            router("withdraw", "p3", "198.51.100.0/25");
            router("withdraw", "p1", "192.0.2.128/25");
            router("withdraw", "p1", "198.18.0.0/24");
            assertThat(expectIncident(PREFIX_EVENT_TYPE_PREFIX_COVERING_ROUTE_ORIGIN_AS_CHANGE_EVENT, true, "198.51.100.0/25")
                    .getIncident()).isEqualTo(hijack.getIncident());
            assertThat(expectIncident(PREFIX_EVENT_TYPE_PREFIX_RPKI_INVALID_ROUTE_EVENT, true, "192.0.2.128/25").getIncident())
                    .isEqualTo(invalid.getIncident());
            assertThat(expectIncident(PREFIX_EVENT_TYPE_PREFIX_LEAK_EVENT, true, "198.18.0.0/24").getIncident())
                    .isEqualTo(leak.getIncident());

            // resolved in Alertmanager (it lists alerts until they end) and at the webhook, signed, once each
            FeedHarness.await("Alertmanager to show the hijack's alert resolved", Duration.ofSeconds(30),
                    () -> AlertReceiversResource.alertmanager.alert(hijack.getIncident()) == null);
            for (PrefixEvent incident : List.of(hijack, invalid, leak)) {
                FeedHarness.await("the webhook to get the resolved alert of " + incident.getSecurity().getRoutePrefix(),
                        Duration.ofSeconds(30), () -> webhook.about(incident.getIncident()).stream()
                                .anyMatch(r -> "resolved".equals(r.json().getString("status"))));
                List<WebhookReceiver.Received> got = webhook.about(incident.getIncident());
                assertThat(got).extracting(r -> r.json().getString("status")).containsExactly("firing", "resolved");
                assertThat(got).allSatisfy(r -> assertThat(r.signature()).isEqualTo("sha256=" + hmacSha256(r.body())));
            }
        } finally {
            feed.stop();
            webhook.close();
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
