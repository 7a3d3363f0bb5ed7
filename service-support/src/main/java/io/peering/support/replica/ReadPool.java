package io.peering.support.replica;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Where the query RPCs read: a PostgreSQL streaming replica when {@code peering.db.read.url} names one and it
 * is at most {@code peering.db.read.max-lag} behind the primary, else the primary. Writers, the Watch logs and
 * anything that must see its own writes use the primary {@link Pool} directly, never this.
 * <p>
 * The lag is measured every {@code peering.db.read.check-interval} from WAL positions ({@link ReplicaLag}), asking
 * the primary over a connection of the check's own: on the shared pool, a check waiting behind busy queries counted the
 * wait as lag and sent the reads to the primary just when it had no room (the 30-minute soak). The
 * bound holds between checks too: the replica is used only while the last lag measured plus the time since
 * that check is within the maximum, so a stalled check or a replica that stops answering sends reads to the
 * primary. Reported as the gauge {@code peering.db.read.replica.lag.seconds}, the counter
 * {@code peering.db.read.queries{pool=replica|primary}} and the readiness check "reads".
 */
@Singleton
public class ReadPool {

    private static final Logger LOG = Logger.getLogger(ReadPool.class);
    private static final String ADDITIONAL_PROPERTIES = "quarkus.datasource.reactive.additional-properties.";

    /** What the readiness check shows. */
    public record Status(boolean replicaConfigured, boolean readingReplica, String replica, Duration lag, String problem) {
    }

    private final Pool primary;
    /** One connection to the primary, for the lag check alone (null without a replica). */
    private final Pool primaryForChecks;
    private final Pool replica;
    private final String replicaName;
    private final Duration maxLag;
    private final ReplicaLag lag;
    private final Counter replicaReads;
    private final Counter primaryReads;
    private final Counter checkFailures;
    private volatile Duration lastLag;
    private volatile Instant lastChecked;
    private volatile String problem = "the replica's lag has not been measured yet";
    private volatile boolean loggedReadingReplica;

    public ReadPool(Pool primary, Vertx vertx, ReadPoolConfig config, Config all, MeterRegistry registry) {
        this.primary = primary;
        this.maxLag = config.maxLag();
        long samples = Math.max(2, 2 * config.maxLag().toMillis() / Math.max(1, config.checkInterval().toMillis()) + 2);
        this.lag = new ReplicaLag((int) Math.min(samples, 10_000));
        Optional<String> url = config.url().filter(u -> !u.isBlank());
        if (url.isPresent()) {
            PgConnectOptions options = connectOptions(url.get(), all);
            this.replicaName = options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
            this.replica = Pool.newInstance(PgBuilder.pool().with(new PoolOptions().setMaxSize(config.maxSize()))
                    .connectingTo(options).using(vertx.getDelegate()).build());
            this.primaryForChecks = Pool.newInstance(PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
                    .connectingTo(connectOptions(all.getValue("quarkus.datasource.reactive.url", String.class), all))
                    .using(vertx.getDelegate()).build());
            LOG.infof("Queries read from the replica %s while it is at most %s behind the primary (peering.db.read.max-lag)",
                    replicaName, maxLag);
        } else {
            this.replicaName = null;
            this.replica = null;
            this.primaryForChecks = null;
        }
        this.replicaReads = Counter.builder("peering.db.read.queries").tag("pool", "replica")
                .description("Queries read from the read replica or from the primary").register(registry);
        this.primaryReads = Counter.builder("peering.db.read.queries").tag("pool", "primary")
                .description("Queries read from the read replica or from the primary").register(registry);
        this.checkFailures = Counter.builder("peering.db.read.replica.check.failures")
                .description("Lag checks of the read replica that failed (the replica or the primary did not answer)")
                .register(registry);
        Gauge.builder("peering.db.read.replica.lag.seconds", this, p -> {
            Duration d = p.lastLag;
            return d == null ? Double.NaN : d.toNanos() / 1e9;
        }).description("How far the read replica was behind the primary at the last check").register(registry);
    }

    /**
     * Connection options for {@code url} ({@code postgresql://host:port/database}): the primary's user and password when
     * the URL names none, and the primary pool's connection properties (jit=off and the like).
     */
    private static PgConnectOptions connectOptions(String url, Config all) {
        PgConnectOptions options = PgConnectOptions.fromUri(url);
        if (url.indexOf('@') < 0) {
            all.getOptionalValue("quarkus.datasource.username", String.class).ifPresent(options::setUser);
            all.getOptionalValue("quarkus.datasource.password", String.class).ifPresent(options::setPassword);
        }
        for (String name : all.getPropertyNames()) {
            if (name.startsWith(ADDITIONAL_PROPERTIES)) {
                options.addProperty(name.substring(ADDITIONAL_PROPERTIES.length()), all.getValue(name, String.class));
            }
        }
        return options;
    }

    /** The pool a query RPC reads from now: the replica while it is within the maximum lag, else the primary. */
    public Pool forQueries() {
        boolean toReplica = replica != null && replicaWithinMaxLag();
        if (replica != null && toReplica != loggedReadingReplica) {
            logChange();
        }
        if (toReplica) {
            replicaReads.increment();
            return replica;
        }
        primaryReads.increment();
        return primary;
    }

    /** At most how far the replica is behind now: the lag last measured plus the time since; null when not known. */
    private Duration lagBound() {
        Duration measured = lastLag;
        Instant checked = lastChecked;
        return problem != null || measured == null || checked == null ? null
                : measured.plus(Duration.between(checked, Instant.now()));
    }

    private boolean replicaWithinMaxLag() {
        Duration bound = lagBound();
        return bound != null && bound.compareTo(maxLag) <= 0;
    }

    public Status status() {
        if (replica == null) {
            return new Status(false, false, null, null, null);
        }
        Duration bound = lagBound();
        boolean reading = bound != null && bound.compareTo(maxLag) <= 0;
        String why = reading ? null : problem != null ? problem
                : "the replica is " + bound.toMillis() + " ms behind the primary (at most), past peering.db.read.max-lag " + maxLag;
        return new Status(true, reading, replicaName, bound, why);
    }

    /** Every {@code peering.db.read.check-interval}; the scheduler runs it at most once a second. */
    @Scheduled(identity = "read-replica-lag", every = "${peering.db.read.check-interval:PT1S}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledCheck() {
        return replica == null ? Uni.createFrom().voidItem() : check().replaceWithVoid();
    }

    /** Measures the replica's lag now and decides whether queries read from it; never fails. */
    public Uni<Duration> check() {
        Instant at = Instant.now();
        return primaryForChecks.query("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint").execute()
                .map(rows -> rows.iterator().next().getLong(0))
                .chain(primaryLsn -> replica.query("SELECT pg_is_in_recovery(), (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint")
                        .execute().map(rows -> {
                            var row = rows.iterator().next();
                            if (!row.getBoolean(0) || row.getLong(1) == null) {
                                throw new IllegalStateException(replicaName + " is not a standby (pg_is_in_recovery() is false):"
                                        + " a promoted or wrong server is never read from; check peering.db.read.url");
                            }
                            return lag.update(primaryLsn, at, row.getLong(1), Instant.now());
                        }))
                .invoke(this::measured)
                .onFailure().invoke(this::failed)
                .onFailure().recoverWithNull();
    }

    private void measured(Duration d) {
        lastLag = d;
        lastChecked = Instant.now();
        problem = null;
        logChange();
    }

    private void failed(Throwable e) {
        checkFailures.increment();
        lastLag = null;
        problem = "the lag check of the replica failed: " + e.getMessage();
        logChange();
    }

    /**
     * A log line each time reads move between the replica and the primary (seen at a check or a query; a
     * query calls it only when its choice differs from the last one logged, so the hot path builds no status).
     */
    private synchronized void logChange() {
        Status now = status();
        if (now.readingReplica() != loggedReadingReplica) {
            loggedReadingReplica = now.readingReplica();
            if (now.readingReplica()) {
                LOG.infof("Queries read from the replica %s (%d ms behind the primary)", replicaName, now.lag().toMillis());
            } else {
                LOG.warnf("Queries read from the primary: %s (replica %s)", now.problem(), replicaName);
            }
        }
    }

    @PreDestroy
    void close() {
        if (replica != null) {
            replica.closeAndAwait();
            primaryForChecks.closeAndAwait();
        }
    }
}
