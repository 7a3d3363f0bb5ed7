package io.peering.latency.service;

import io.peering.latency.Sample;
import io.peering.latency.config.LatencyConfig;
import io.peering.latency.repository.SampleStore;
import io.peering.support.ingest.IngestStream;
import io.peering.support.net.IpPrefix;
import io.peering.support.retention.RetentionConfig;
import io.peering.support.time.TimeRanges;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;

/** The probes' stream of latency samples: each sample checked here, stored through the one {@link IngestStream}. */
@ApplicationScoped
public class IngestService {

    public static final double MAX_RTT_MS = 60_000;

    /**
     * A sample as received, before its checks; {@code time} null when absent, {@code originAsn} 0 when unknown,
     * {@code timeRefusal} why the time as sent is not a time at all (null when it is one).
     */
    public record IncomingSample(String target, Instant time, double rttMs, String probeLocation, long originAsn,
                                 String timeRefusal) {

        public IncomingSample(String target, Instant time, double rttMs, String probeLocation, long originAsn) {
            this(target, time, rttMs, probeLocation, originAsn, null);
        }
    }

    private final SampleStore store;
    private final LatencyConfig config;
    private final Duration retention;

    public IngestService(SampleStore store, LatencyConfig config, RetentionConfig retention) {
        this.store = store;
        this.config = config;
        this.retention = retention.period();
    }

    /**
     * Checks every sample of the stream ({@link #check}) and stores the good ones through the one
     * {@link IngestStream} (refusals by index, batches in flight while checking goes on, duplicates,
     * the statuses of an all-refused stream and of a store failure).
     */
    public Uni<IngestStream.Outcome> ingest(Multi<IncomingSample> samples) {
        return new IngestStream<IncomingSample, Sample>("samples", config.batchSize(), config.concurrentBatches(),
                in -> check(in, Instant.now()), store::insert) // streams may stay open for hours: now is read per sample
                .store(samples);
    }

    /** The checked sample, or an IllegalArgumentException saying what is wrong with it. */
    Sample check(IncomingSample in, Instant now) {
        IpPrefix target;
        try {
            target = IpPrefix.parseAddressOrPrefix(in.target());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("target: " + e.getMessage());
        }
        if (!Double.isFinite(in.rttMs()) || in.rttMs() < 0 || in.rttMs() > MAX_RTT_MS) {
            throw new IllegalArgumentException("rtt_ms " + in.rttMs() + " is outside 0.." + (long) MAX_RTT_MS
                    + " milliseconds");
        }
        if (in.timeRefusal() != null) {
            throw new IllegalArgumentException(in.timeRefusal());
        }
        if (in.time() == null) {
            throw new IllegalArgumentException("time is required: when the sample was measured");
        }
        if (in.time().isAfter(now.plus(TimeRanges.FUTURE_TOLERANCE))) {
            throw new IllegalArgumentException("time " + in.time() + " is more than " + TimeRanges.FUTURE_TOLERANCE.toMinutes()
                    + " minute in the future (now is " + now + "); check the probe's clock");
        }
        if (in.time().isBefore(now.minus(retention))) {
            throw new IllegalArgumentException("time " + in.time() + " is older than the retention period of " + retention
                    + " and would be dropped at once; check the probe's clock");
        }
        if (in.originAsn() < 0 || in.originAsn() > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("origin_asn " + in.originAsn() + " is outside 0..4294967295");
        }
        return new Sample(in.time(), target, Sample.reportingPrefix(target), in.rttMs(),
                in.probeLocation() == null ? "" : in.probeLocation(), in.originAsn() == 0 ? null : in.originAsn());
    }
}
