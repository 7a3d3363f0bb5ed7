package io.peering.metrics.service;

import io.peering.support.time.ProtoTimes;
import com.google.protobuf.Timestamp;
import io.peering.common.v1.SessionState;
import io.peering.metrics.Sample;
import io.peering.metrics.Transition;
import io.peering.metrics.config.MetricsConfig;
import io.peering.metrics.mapping.MetricMapper;
import io.peering.metrics.repository.SampleStore;
import io.peering.metrics.repository.TransitionStore;
import io.peering.metrics.v1.ConnectionSample;
import io.peering.metrics.v1.SessionTransitionReport;
import io.peering.support.inventory.InventoryIndex;
import io.peering.support.inventory.InventoryIndex.ConnectionRef;
import io.peering.support.inventory.ResourceNames;
import io.peering.support.net.IpAddresses;
import io.peering.support.retention.RetentionConfig;
import io.peering.support.time.TimeRanges;
import io.peering.support.ingest.IngestStream;
import io.peering.support.ingest.IngestStream.Outcome;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The two client streams, counter samples and session transitions: each item checked against the
 * inventory and the clock here, stored through the one {@link IngestStream} (refusals by index,
 * batches, duplicates, the statuses of an all-refused stream and of a store failure).
 */
@ApplicationScoped
public class IngestService {

    private final InventoryIndex inventory;
    private final SampleStore samples;
    private final TransitionStore transitions;
    private final MetricsConfig config;
    private final Duration retention;

    public IngestService(InventoryIndex inventory, SampleStore samples, TransitionStore transitions, MetricsConfig config,
                         RetentionConfig retention) {
        this.inventory = inventory;
        this.samples = samples;
        this.transitions = transitions;
        this.config = config;
        this.retention = retention.period();
    }

    public Uni<Outcome> ingestSamples(Multi<ConnectionSample> items) {
        return new IngestStream<ConnectionSample, Sample>("samples", config.ingestBatchSize(), config.concurrentBatches(),
                this::sample, batch -> samples.insert(batch, this::maxBitsPerSecond, config.maxSampleGap())).store(items);
    }

    public Uni<Outcome> reportTransitions(Multi<SessionTransitionReport> items) {
        return new IngestStream<SessionTransitionReport, Transition>("transitions", config.ingestBatchSize(),
                config.concurrentBatches(), this::transition, transitions::insert).store(items);
    }

    Sample sample(ConnectionSample s) {
        ConnectionRef connection = connection(s.getConnection());
        Instant time = time(s.hasTime() ? s.getTime() : null);
        String address = s.getSessionAddress().isEmpty() ? "" : IpAddresses.format(sessionAddress(connection, s.getSessionAddress()));
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
        return new Transition(connection.resourceName(), IpAddresses.format(address), (short) (address instanceof Inet4Address ? 1 : 2),
                (short) state.getNumber(), time, r.getReason(), "report");
    }

    private ConnectionRef connection(String name) {
        ResourceNames.connectionIds("connection", name);
        return inventory.connection(name).orElseThrow(() -> new IllegalArgumentException("connection \"" + name
                + "\" is not in the inventory"));
    }

    private static InetAddress sessionAddress(ConnectionRef connection, String text) {
        InetAddress address;
        try {
            address = IpAddresses.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("session_address: " + e.getMessage());
        }
        for (String known : connection.connection().sessionAddresses()) {
            if (IpAddresses.parse(known).equals(address)) {
                return address;
            }
        }
        throw new IllegalArgumentException("session_address " + text + " is not a session address of "
                + connection.resourceName() + " (it has " + connection.connection().sessionAddresses() + ")");
    }

    /**
     * Device time, to the microsecond the database keeps; refused when missing, in the future (beyond
     * clock skew), or older than the retention period (it would be dropped at once).
     */
    private Instant time(Timestamp t) {
        if (t == null || (t.getSeconds() == 0 && t.getNanos() == 0)) {
            throw new IllegalArgumentException("time is required: the device time, at most "
                    + TimeRanges.FUTURE_TOLERANCE.toMinutes() + " minute in the future");
        }
        if (!ProtoTimes.isValid(t)) {
            throw new IllegalArgumentException(ProtoTimes.invalid("time", t));
        }
        Instant time = ProtoTimes.instant(t).truncatedTo(ChronoUnit.MICROS);
        Instant now = Instant.now();
        if (time.isAfter(now.plus(TimeRanges.FUTURE_TOLERANCE))) {
            throw new IllegalArgumentException("time " + time + " is in the future (now is " + now
                    + "); check the device clock");
        }
        if (time.isBefore(now.minus(retention))) {
            throw new IllegalArgumentException("time " + time + " is older than the retention period of " + retention
                    + " and would be dropped at once; check the device clock");
        }
        return time;
    }
}
