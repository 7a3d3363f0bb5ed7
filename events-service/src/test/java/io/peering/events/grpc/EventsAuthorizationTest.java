package io.peering.events.grpc;

import com.google.protobuf.Timestamp;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.peering.common.v1.StartPosition;
import io.peering.common.v1.TimeRange;
import io.peering.events.v1.EventsServiceGrpc;
import io.peering.events.v1.ListPrefixEventsRequest;
import io.peering.events.v1.WatchPrefixEventsRequest;
import io.peering.events.v1.WatchPrefixEventsResponse;
import io.peering.support.testing.AuthEnabledProfile;
import io.peering.support.testing.RoleMatrix;
import io.peering.support.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.peering.support.testing.RoleMatrix.query;
import static org.assertj.core.api.Assertions.assertThat;

/** Bearer tokens on every events RPC: who may call what, and a reader never receives another peer's events. */
@QuarkusTest
@TestProfile(AuthEnabledProfile.class)
class EventsAuthorizationTest {

    static final String SERVICE = "peeringServices/contoso-web"; // of contoso-ams, AS64500

    @Inject
    Pool pool;

    int port;
    ManagedChannel channel;

    @BeforeEach
    void setUp() {
        port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).build();
    }

    static EventsServiceGrpc.EventsServiceBlockingStub stub(Channel ch) {
        return EventsServiceGrpc.newBlockingStub(ch).withDeadlineAfter(RoleMatrix.deadlineMillis(), TimeUnit.MILLISECONDS);
    }

    static Channel as(Channel channel, String token) {
        return RoleMatrix.withToken(channel, token);
    }

    @Test
    void everyEventsRpcAnswersEachKindOfCallerAsTheRoleMatrixSays() {
        Instant now = Instant.now();
        RoleMatrix.run(port, List.of(
                query("ListPrefixEvents", ch -> stub(ch).listPrefixEvents(ListPrefixEventsRequest.newBuilder().setParent(SERVICE)
                        .setTimeRange(TimeRange.newBuilder().setStartTime(ts(now.minus(Duration.ofHours(1)))).setEndTime(ts(now)))
                        .build())),
                query("WatchPrefixEvents", ch -> RoleMatrix.firstOf(stub(ch).watchPrefixEvents(
                        WatchPrefixEventsRequest.newBuilder().setParent(SERVICE).build())))),
                RoleMatrix.methodsOf(EventsServiceGrpc.getServiceDescriptor()));
    }

    @Test
    void readerWatchingEveryPeeringServiceReceivesNoneOfAnotherPeersEvents() {
        // one event of contoso-web, logged the way the feed logs it (next position, in one statement)
        pool.query("""
                WITH p AS (UPDATE events.log_positions SET last_seq = last_seq + 1 WHERE log = 'prefix_events' RETURNING last_seq)
                INSERT INTO events.prefix_events (time, seq, peering_service, prefix, type, level, connection, summary, description)
                SELECT now(), last_seq, 'peeringServices/contoso-web', '198.51.100.0/24', 1, 1,
                       'peerings/contoso-ams/connections/ams-1', 'authorization test', 'authorization test' FROM p""")
                .execute().await().atMost(Duration.ofSeconds(10));

        List<String> seenByOther = watchEverything(TestTokens.reader(RoleMatrix.OTHER_ASN));
        List<String> seenByOwner = watchEverything(TestTokens.reader(RoleMatrix.OWN_ASN));

        assertThat(seenByOther).isEmpty();
        assertThat(seenByOwner).contains("authorization test").allMatch(s -> !s.isEmpty());
    }

    List<String> watchEverything(String token) {
        Iterator<WatchPrefixEventsResponse> stream = stub(as(channel, token)).watchPrefixEvents(WatchPrefixEventsRequest.newBuilder()
                .setParent("peeringServices/-").setStartPosition(StartPosition.START_POSITION_EARLIEST).build());
        List<String> summaries = new ArrayList<>();
        try {
            while (stream.hasNext()) {
                stream.next().getEventsList().forEach(e -> summaries.add(e.getSummary()));
            }
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).as("the stream stays open until its deadline").isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        }
        return summaries;
    }
}
