package io.peering.events.feed;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** What the feed tests share: a clean start, waiting for the feed, and the stored events. */
public final class FeedHarness {

    /** A stored event, every column. */
    public record Stored(long seq, String time, String peeringService, String prefix, int type, int level, String connection,
                         String summary, String description, String asPathBefore, String asPathAfter, Long originAsnBefore,
                         Long originAsnAfter, long routeCursor) {
        /** Everything but the log position. */
        public Stored withoutSeq() {
            return new Stored(0, time, peeringService, prefix, type, level, connection, summary, description, asPathBefore,
                    asPathAfter, originAsnBefore, originAsnAfter, routeCursor);
        }
    }

    private FeedHarness() {
    }

    /** Stops the feed (waiting for its last batch), empties the events schema's data and the scripted log. */
    public static void reset(RouteChangeFeed feed, Pool pool) throws Exception {
        feed.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        for (String sql : List.of("DELETE FROM events.prefix_events", "DELETE FROM events.prefix_routes",
                "DELETE FROM events.open_incidents",
                "UPDATE events.feed_cursors SET cursor = '' WHERE feed = 'routes.WatchRouteChanges'")) {
            pool.query(sql).execute().await().atMost(Duration.ofSeconds(10));
        }
        ScriptedRoutesResource.server().reset();
    }

    public static String cursor(Pool pool) {
        return pool.query("SELECT cursor FROM events.feed_cursors WHERE feed = 'routes.WatchRouteChanges'").execute()
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getString(0);
    }

    /** Waits until the feed has stored everything up to {@code cursor}. */
    public static void awaitCursor(Pool pool, long cursor) throws InterruptedException {
        await("the feed to reach cursor " + cursor, Duration.ofSeconds(60), () -> String.valueOf(cursor).equals(cursor(pool)));
    }

    public static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited " + limit + " for: " + what).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /** Every stored event in log order. */
    public static List<Stored> events(Pool pool) {
        List<Stored> out = new ArrayList<>();
        for (Row r : pool.query("""
                        SELECT seq, time::text, peering_service, prefix::text, type, level, connection, summary, description,
                               as_path_before, as_path_after, origin_asn_before, origin_asn_after, route_cursor
                        FROM events.prefix_events ORDER BY seq""").execute().await().atMost(Duration.ofSeconds(30))) {
            out.add(new Stored(r.getLong(0), r.getString(1), r.getString(2), r.getString(3), r.getShort(4), r.getShort(5),
                    r.getString(6), r.getString(7), r.getString(8), r.getString(9), r.getString(10), r.getLong(11),
                    r.getLong(12), r.getLong(13)));
        }
        return out;
    }
}
