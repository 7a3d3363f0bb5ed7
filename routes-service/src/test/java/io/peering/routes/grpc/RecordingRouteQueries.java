package io.peering.routes.grpc;

import io.peering.routes.repository.RouteQueries;
import io.peering.support.replica.ReadPool;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Singleton;
import jakarta.enterprise.inject.Alternative;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The real route queries, recording where each read of the change log for {@link #WATCHED} starts and where the log
 * ended when it was asked: such a read can touch every change in between. Enabled only by {@link Profile}.
 */
@Alternative
@Singleton // no client proxy: a subclass of a bean that has no no-args constructor
public class RecordingRouteQueries extends RouteQueries {

    /** A prefix no test announces: a Watch of it matches nothing. */
    static final String WATCHED = "198.18.0.0/15";

    /** A read of the log after {@code after}, asked when the log's last position was {@code logEnd}. */
    record Read(long after, long logEnd) {
        long span() {
            return Math.max(0, logEnd - after);
        }
    }

    static final List<Read> READS = new CopyOnWriteArrayList<>();

    private final Pool pool;

    public RecordingRouteQueries(Pool pool, ReadPool reads) {
        super(pool, reads);
        this.pool = pool;
    }

    @Override
    public Uni<List<LoggedChange>> changesAfter(long afterSeq, long upTo, List<String> peerAddresses, List<String> prefixes,
                                                int limit) {
        if (prefixes == null || !prefixes.contains(WATCHED)) {
            return super.changesAfter(afterSeq, upTo, peerAddresses, prefixes, limit);
        }
        return pool.query("SELECT last_seq FROM routes.log_positions WHERE log = 'route_changes'").execute()
                .invoke(rows -> READS.add(new Read(afterSeq, rows.iterator().next().getLong(0))))
                .flatMap(rows -> super.changesAfter(afterSeq, upTo, peerAddresses, prefixes, limit));
    }

    public static class Profile implements io.quarkus.test.junit.QuarkusTestProfile {
        @Override
        public java.util.Set<Class<?>> getEnabledAlternatives() {
            return java.util.Set.of(RecordingRouteQueries.class);
        }
    }
}
