package io.peering.latency.mapping;

import io.peering.support.time.ProtoTimes;
import io.peering.common.v1.TimeGrain;
import io.peering.common.v1.TimeRange;
import io.peering.common.v1.TimeSeriesPoint;
import io.peering.latency.LatencyStats;
import io.peering.latency.repository.LatencyQueries;
import io.peering.latency.service.ConnectivityProbeService;
import io.peering.latency.service.IngestService;
import io.peering.latency.probe.ProbeEndpoint;
import io.peering.latency.v1.ConnectivityProbe;
import io.peering.latency.v1.ConnectivityProbeProtocol;
import io.peering.latency.v1.ConnectivityProbeSeries;
import io.peering.latency.v1.IngestLatencySamplesResponse;
import io.peering.latency.v1.LatencyPoint;
import io.peering.latency.v1.LatencySample;
import io.peering.latency.v1.SampleRejection;
import io.peering.support.ingest.IngestStream;
import io.peering.support.grpc.ApiErrors;
import io.peering.support.net.IpAddresses;
import io.peering.support.time.Grain;

import java.time.Instant;

/** Proto messages to and from the service's records. */
public final class LatencyMapper {

    /** Azure Monitor's name of what QueryRegisteredPrefixLatency returns per registered prefix. */
    public static final String REGISTERED_PREFIX_LATENCY = "RegisteredPrefixLatency";
    /** Azure Monitor's name of what QueryRegisteredAsnLatency returns. */
    public static final String AVERAGE_CUSTOMER_PREFIX_LATENCY = "AverageCustomerPrefixLatency";

    private LatencyMapper() {
    }

    /** A sample as received; a time that is not a valid Timestamp is carried as its refusal, for the sample's checks. */
    public static IngestService.IncomingSample incoming(LatencySample s) {
        if (s.hasTime() && !ProtoTimes.isValid(s.getTime())) {
            return new IngestService.IncomingSample(s.getTarget(), null, s.getRttMs(), s.getProbeLocation(),
                    Integer.toUnsignedLong(s.getOriginAsn()), ProtoTimes.invalid("time", s.getTime()));
        }
        return new IngestService.IncomingSample(s.getTarget(), s.hasTime() ? ProtoTimes.instant(s.getTime()) : null, s.getRttMs(),
                s.getProbeLocation(), Integer.toUnsignedLong(s.getOriginAsn()));
    }

    public static IngestLatencySamplesResponse ingestResponse(IngestStream.Outcome outcome) {
        // accepted counts the samples stored before too (as it always has); duplicates says how many of them those were
        IngestLatencySamplesResponse.Builder b = IngestLatencySamplesResponse.newBuilder()
                .setAccepted(outcome.accepted() + outcome.duplicates()).setDuplicates(outcome.duplicates())
                .setRejected(outcome.refused());
        outcome.refusals().forEach(r -> b.addRejections(SampleRejection.newBuilder().setIndex(r.index()).setReason(r.reason())));
        return b.build();
    }

    public static LatencyPoint point(LatencyStats s) {
        return LatencyPoint.newBuilder().setTime(ProtoTimes.timestamp(s.bucket())).setMedianMs(s.medianMs()).setP90Ms(s.p90Ms())
                .setP99Ms(s.p99Ms()).setMinMs(s.minMs()).setMaxMs(s.maxMs()).setSampleCount(s.sampleCount()).build();
    }

    public static TimeSeriesPoint point(LatencyQueries.AsnPoint p) {
        return TimeSeriesPoint.newBuilder().setTime(ProtoTimes.timestamp(p.bucket())).setValue(p.averageMedianMs()).build();
    }

    public static ConnectivityProbeSeries series(ConnectivityProbeService.Series s) {
        return ConnectivityProbeSeries.newBuilder().setProbe(s.probe()).setMetric(s.metric().apiName)
                .addAllPoints(s.points().stream().map(p -> TimeSeriesPoint.newBuilder().setTime(ProtoTimes.timestamp(p.bucket()))
                        .setValue(p.value()).build()).toList())
                .build();
    }

    public static ConnectivityProbe probe(ProbeEndpoint e) {
        return ConnectivityProbe.newBuilder().setName(e.name()).setAddress(IpAddresses.format(e.address()))
                .setProtocol(switch (e.protocol()) {
                    case TCP -> ConnectivityProbeProtocol.CONNECTIVITY_PROBE_PROTOCOL_TCP;
                    case ICMP -> ConnectivityProbeProtocol.CONNECTIVITY_PROBE_PROTOCOL_ICMP;
                })
                .setPort(e.port()).setInterval(ProtoTimes.duration(e.interval())).setTimeout(ProtoTimes.duration(e.timeout()))
                .build();
    }

    public static Grain grain(TimeGrain grain) {
        try {
            return Grain.fromProtoName(grain.name());
        } catch (IllegalArgumentException e) {
            throw ApiErrors.invalidArgument(e.getMessage());
        }
    }

    /** The range's start, checking that the request has a range at all. */
    public static Instant start(boolean hasRange, TimeRange range) {
        if (!hasRange || !range.hasStartTime() || !range.hasEndTime()) {
            throw ApiErrors.invalidArgument("time_range is required, with both start_time and end_time");
        }
        return ProtoTimes.instant("time_range.start_time", range.getStartTime());
    }

    public static Instant end(TimeRange range) {
        return ProtoTimes.instant("time_range.end_time", range.getEndTime());
    }
}
