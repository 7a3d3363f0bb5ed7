package io.peering.metrics.service;

import io.peering.support.time.ProtoTimes;
import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.peering.common.v1.SessionState;
import io.peering.metrics.Sample;
import io.peering.metrics.Transition;
import io.peering.metrics.config.MetricsConfig;
import io.peering.metrics.mapping.MetricMapper;
import io.peering.metrics.repository.SampleStore;
import io.peering.metrics.repository.TransitionStore;
import io.peering.metrics.v1.ConnectionSample;
import io.peering.metrics.v1.SessionTransitionReport;
import io.peering.support.grpc.ApiErrors;
import io.peering.support.inventory.InventoryIndex;
import io.peering.support.inventory.InventoryIndex.ConnectionRef;
import io.peering.support.net.Cidr;
import io.peering.support.time.TimeRanges;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The two client streams: each item is checked on its own (a bad one is refused with its index in
 * the stream and a reason that starts with the offending field, the others are kept), the good ones
 * are written in batches of {@code ingest-batch-size} rows, and items already stored are counted as
 * duplicates. A stream in which every item is refused stores nothing and ends with INVALID_ARGUMENT
 * naming the first refused item's index and reason, so a client that sends only bad items (a wrong
 * connection name, a device clock in the future) learns it from the status. A stream whose batch
 * cannot be written is refused (UNAVAILABLE when the database is unreachable or went away): its
 * earlier batches stay stored, and sending the stream again stores each item once.
 */
@ApplicationScoped
public class IngestService {

    /** Reasons kept in a reply. */
    static final int MAX_REJECTIONS = 100;

    public record Rejection(long index, String reason) {
    }

    public record Outcome(long accepted, long duplicates, long rejected, List<Rejection> rejections) {
    }

    private final InventoryIndex inventory;
    private final SampleStore samples;
    private final TransitionStore transitions;
    private final MetricsConfig config;

    public IngestService(InventoryIndex inventory, SampleStore samples, TransitionStore transitions, MetricsConfig config) {
        this.inventory = inventory;
        this.samples = samples;
        this.transitions = transitions;
        this.config = config;
    }

    public Uni<Outcome> ingestSamples(Multi<List<ConnectionSample>> batches) {
        return ingest(batches, this::sample, batch -> samples.insert(batch, this::maxBitsPerSecond, config.maxSampleGap()), "samples");
    }

    public Uni<Outcome> reportTransitions(Multi<List<SessionTransitionReport>> batches) {
        return ingest(batches, this::transition, transitions::insert, "transitions");
    }

    Sample sample(ConnectionSample s) {
        ConnectionRef connection = connection(s.getConnection());
        Instant time = time(s.hasTime() ? s.getTime() : null);
        String address = s.getSessionAddress().isEmpty() ? "" : Cidr.format(sessionAddress(connection, s.getSessionAddress()));
        return new Sample(connection.resourceName(), address, time, s.getInOctets(), s.getOutOctets(), s.getInDiscards(),
                s.getOutDiscards());
    }

    /** A connection's bandwidth in bits/s, the most its counters can grow (see metrics.counter_delta). */
    double maxBitsPerSecond(String connection) {
        return inventory.connection(connection).orElseThrow().connection().bandwidthMbps() * 1e6;
    }

    Transition transition(SessionTransitionReport r) {
        ConnectionRef connection = connection(r.getConnection());
        if (r.getSessionAddress().isEmpty()) {
            throw new IllegalArgumentException("session_address is required: one of the session addresses of "
                    + connection.resourceName() + " " + connection.connection().sessionAddresses());
        }
        InetAddress address = sessionAddress(connection, r.getSessionAddress());
        SessionState state = r.getState();
        if (state == SessionState.SESSION_STATE_UNSPECIFIED || state == SessionState.UNRECOGNIZED) {
            throw new IllegalArgumentException("state " + (state == SessionState.UNRECOGNIZED ? r.getStateValue() : state)
                    + " is not a session state; use SESSION_STATE_NONE .. SESSION_STATE_ESTABLISHED");
        }
        Instant time = time(r.hasTime() ? r.getTime() : null);
        return new Transition(connection.resourceName(), Cidr.format(address), (short) (address instanceof Inet4Address ? 1 : 2),
                (short) state.getNumber(), time, r.getReason(), "report");
    }

    private ConnectionRef connection(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("connection is required: \"peerings/{peering}/connections/{connection}\"");
        }
        String[] parts = name.split("/", -1);
        if (parts.length != 4 || !parts[0].equals("peerings") || parts[1].isEmpty() || !parts[2].equals("connections")
                || parts[3].isEmpty()) {
            throw new IllegalArgumentException("connection must be \"peerings/{peering}/connections/{connection}\"; got \""
                    + name + "\"");
        }
        return inventory.connection(name).orElseThrow(() -> new IllegalArgumentException("connection \"" + name
                + "\" is not in the inventory"));
    }

    private static InetAddress sessionAddress(ConnectionRef connection, String text) {
        InetAddress address;
        try {
            address = Cidr.parseAddress(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("session_address: " + e.getMessage());
        }
        for (String known : connection.connection().sessionAddresses()) {
            if (Cidr.parseAddress(known).equals(address)) {
                return address;
            }
        }
        throw new IllegalArgumentException("session_address " + text + " is not a session address of "
                + connection.resourceName() + " (it has " + connection.connection().sessionAddresses() + ")");
    }

    /** Device time, to the microsecond the database keeps; refused when missing or in the future (beyond clock skew). */
    private static Instant time(Timestamp t) {
        if (t == null || (t.getSeconds() == 0 && t.getNanos() == 0)) {
            throw new IllegalArgumentException("time is required: the device time, at most "
                    + TimeRanges.FUTURE_TOLERANCE.toMinutes() + " minute in the future");
        }
        if (!ProtoTimes.isValid(t.getSeconds(), t.getNanos())) {
            throw new IllegalArgumentException(ProtoTimes.invalid("time", t.getSeconds(), t.getNanos()));
        }
        Instant time = Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).truncatedTo(ChronoUnit.MICROS);
        Instant latest = Instant.now().plus(TimeRanges.FUTURE_TOLERANCE);
        if (time.isAfter(latest)) {
            throw new IllegalArgumentException("time " + time + " is in the future (now is " + Instant.now()
                    + "); check the device clock");
        }
        return time;
    }

    private <I, T> Uni<Outcome> ingest(Multi<List<I>> batches, Function<I, T> check, Function<List<T>, Uni<Integer>> write,
                                       String noun) {
        int batchSize = config.ingestBatchSize();
        List<T> pending = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        long[] tally = new long[4]; // seen, accepted, duplicates, rejected
        Function<List<T>, Uni<Void>> flush = batch -> write.apply(batch).invoke(inserted -> {
            tally[1] += inserted;
            tally[2] += batch.size() - inserted;
        }).onFailure().transform(e -> storeFailed(e, noun, tally[1] + tally[2])).replaceWithVoid();
        return batches.onItem().transformToUniAndConcatenate(items -> {
                    for (I item : items) {
                        long index = tally[0]++;
                        try {
                            pending.add(check.apply(item));
                        } catch (IllegalArgumentException e) {
                            tally[3]++;
                            if (rejections.size() < MAX_REJECTIONS) {
                                rejections.add(new Rejection(index, e.getMessage()));
                            }
                        }
                    }
                    if (pending.size() < batchSize) {
                        return Uni.createFrom().voidItem();
                    }
                    List<T> batch = new ArrayList<>(pending);
                    pending.clear();
                    return flush.apply(batch);
                })
                .collect().last()
                .flatMap(ignored -> pending.isEmpty() ? Uni.createFrom().voidItem() : flush.apply(List.copyOf(pending)))
                .map(ignored -> {
                    if (tally[0] > 0 && tally[3] == tally[0]) {
                        throw allRefused(noun, tally[0], rejections.get(0));
                    }
                    return new Outcome(tally[1], tally[2], tally[3], List.copyOf(rejections));
                });
    }

    /** The status of a stream whose every item was refused (so nothing of it was stored). */
    static StatusRuntimeException allRefused(String items, long count, Rejection first) {
        return ApiErrors.invalidArgument("every " + items.substring(0, items.length() - 1) + " of the stream was refused ("
                + count + " of " + count + "), nothing was stored; the first refused is index " + first.index() + ": "
                + first.reason());
    }

    /**
     * The status of a stream whose batch could not be written: UNAVAILABLE when the database could
     * not be reached, went away or is overloaded (sending the stream again is safe and will succeed
     * once it is back), INTERNAL for anything else.
     */
    static StatusRuntimeException storeFailed(Throwable failure, String items, long storedBefore) {
        if (failure instanceof StatusRuntimeException status) {
            return status;
        }
        String sqlState = failure instanceof PgException pg ? pg.getSqlState() : null;
        boolean transientFailure = sqlState == null || sqlState.startsWith("08") || sqlState.startsWith("53")
                || sqlState.startsWith("57P") || sqlState.startsWith("40");
        String stored = storedBefore + " " + items + " of this stream were stored before it failed";
        return (transientFailure
                ? Status.UNAVAILABLE.withDescription("could not store the " + items + ": the database is unavailable ("
                        + failure.getMessage() + "); " + stored + ". Send the stream again: " + items
                        + " already stored are counted as duplicates, not stored twice")
                : Status.INTERNAL.withDescription("could not store the " + items + ": " + failure.getMessage() + "; " + stored))
                .withCause(failure).asRuntimeException();
    }
}
