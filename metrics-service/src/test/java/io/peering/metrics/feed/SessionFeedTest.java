package io.peering.metrics.feed;

import com.google.protobuf.Timestamp;
import io.peering.common.v1.SessionState;
import io.peering.common.v1.StartPosition;
import io.peering.routes.v1.Session;
import io.peering.routes.v1.SessionTransition;
import io.peering.routes.v1.WatchSessionsRequest;
import io.peering.metrics.repository.TransitionStore;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The WatchSessions feed against a scripted routes server that fails once and is resumed from the stored cursor. */
@QuarkusTest
@TestProfile(SessionFeedTest.ScriptedRoutes.class)
class SessionFeedTest {

    public static class ScriptedRoutes implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ScriptedRoutesServer.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            // the test starts the feed itself, after clearing what earlier runs stored
            return Map.of("peering.metrics.session-feed.enabled", "false");
        }
    }

    static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(3));

    @Inject
    SessionFeed feed;

    @Inject
    TransitionStore store;

    @Inject
    Pool pool;

    @AfterEach
    void stopFeed() {
        feed.stop();
    }

    static SessionTransition transition(int cursor, String peer, SessionState state) {
        Instant t = T0.plusSeconds(cursor * 60L);
        return SessionTransition.newBuilder().setCursor(String.valueOf(cursor))
                .setSession(Session.newBuilder().setRouter("127.0.0.201").setPeerAddress(peer).setState(state))
                .setState(state).setTime(Timestamp.newBuilder().setSeconds(t.getEpochSecond())).build();
    }

    List<String> stored() {
        List<String> rows = new ArrayList<>();
        for (Row r : pool.query("SELECT connection, host(session_address), state, time FROM metrics.session_transitions"
                + " WHERE source = 'bmp' ORDER BY time").execute().await().atMost(Duration.ofSeconds(10))) {
            rows.add(r.getString(0) + " " + r.getString(1) + " " + r.getShort(2) + " "
                    + Duration.between(T0, r.getOffsetDateTime(3).toInstant()).toMinutes());
        }
        return rows;
    }

    Optional<String> cursor() {
        return store.cursor(SessionFeed.FEED).await().atMost(Duration.ofSeconds(10));
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void transitionsLandMappedWithTheirCursorAndResumeAfterFailuresAndRestartsWithoutLossOrRepeats() throws Exception {
        pool.query("DELETE FROM metrics.session_transitions WHERE source = 'bmp'").execute().await().atMost(Duration.ofSeconds(10));
        pool.query("DELETE FROM metrics.feed_cursors").execute().await().atMost(Duration.ofSeconds(10));
        ScriptedRoutesServer routes = ScriptedRoutesServer.instance;
        routes.publish(transition(1, "127.0.0.11", SessionState.SESSION_STATE_ESTABLISHED));     // ams-1
        routes.publish(transition(2, "fd00:64:500::12", SessionState.SESSION_STATE_ESTABLISHED)); // ams-2
        routes.publish(transition(3, "192.0.2.99", SessionState.SESSION_STATE_ESTABLISHED));      // no connection
        routes.publish(transition(4, "127.0.0.11", SessionState.SESSION_STATE_IDLE));

        // first call: 1-2, 3-4, then UNAVAILABLE; the feed stores both batches, then resumes after 4
        feed.start();
        await(() -> routes.requests().size() == 2, "the feed reconnects after the stream failed");
        assertThat(routes.requests().get(0)).isEqualTo(WatchSessionsRequest.newBuilder()
                .setStartPosition(StartPosition.START_POSITION_EARLIEST).build());
        assertThat(routes.requests().get(1).getAfterCursor()).isEqualTo("4");
        assertThat(stored()).containsExactly(
                "peerings/contoso-ams/connections/ams-1 127.0.0.11 7 1",
                "peerings/contoso-ams/connections/ams-2 fd00:64:500::12 7 2",
                "peerings/contoso-ams/connections/ams-1 127.0.0.11 2 4");
        assertThat(cursor()).contains("4");

        // live: a transition on the open stream is stored with its cursor
        routes.publish(transition(5, "127.0.0.21", SessionState.SESSION_STATE_ESTABLISHED));      // fabrikam lon-1
        await(() -> cursor().equals(Optional.of("5")), "the live transition is stored");
        assertThat(stored()).hasSize(4).last().isEqualTo("peerings/fabrikam-lon/connections/lon-1 127.0.0.21 7 5");

        // restart of the feed: it resumes after 5; a transition published meanwhile is not lost
        feed.stop();
        routes.publish(transition(6, "127.0.0.11", SessionState.SESSION_STATE_ESTABLISHED));
        feed.start();
        await(() -> cursor().equals(Optional.of("6")), "the transition published while stopped is stored");
        assertThat(routes.requests()).hasSize(3);
        assertThat(routes.requests().get(2).getAfterCursor()).isEqualTo("5");
        assertThat(stored()).containsExactly(
                "peerings/contoso-ams/connections/ams-1 127.0.0.11 7 1",
                "peerings/contoso-ams/connections/ams-2 fd00:64:500::12 7 2",
                "peerings/contoso-ams/connections/ams-1 127.0.0.11 2 4",
                "peerings/fabrikam-lon/connections/lon-1 127.0.0.21 7 5",
                "peerings/contoso-ams/connections/ams-1 127.0.0.11 7 6");
    }
}
