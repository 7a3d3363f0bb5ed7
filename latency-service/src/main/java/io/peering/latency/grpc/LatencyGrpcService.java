package io.peering.latency.grpc;

import io.peering.latency.mapping.LatencyMapper;
import io.peering.latency.service.ConnectivityProbeService;
import io.peering.latency.service.IngestService;
import io.peering.latency.service.LatencyService;
import io.peering.latency.v1.IngestLatencySamplesRequest;
import io.peering.latency.v1.IngestLatencySamplesResponse;
import io.peering.latency.v1.MutinyLatencyServiceGrpc;
import io.peering.latency.v1.QueryConnectivityProbesRequest;
import io.peering.latency.v1.QueryConnectivityProbesResponse;
import io.peering.latency.v1.QueryPrefixLatencyRequest;
import io.peering.latency.v1.QueryPrefixLatencyResponse;
import io.peering.latency.v1.QueryRegisteredAsnLatencyRequest;
import io.peering.latency.v1.QueryRegisteredAsnLatencyResponse;
import io.peering.latency.v1.QueryRegisteredPrefixLatencyRequest;
import io.peering.latency.v1.QueryRegisteredPrefixLatencyResponse;
import io.peering.latency.v1.RegisteredPrefixLatency;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The gRPC face of latency-service: request fields in, {@link IngestService}, {@link LatencyService} or
 * {@link ConnectivityProbeService}, messages out.
 */
@GrpcService
public class LatencyGrpcService extends MutinyLatencyServiceGrpc.LatencyServiceImplBase {

    private final IngestService ingest;
    private final LatencyService latency;
    private final ConnectivityProbeService probes;

    public LatencyGrpcService(IngestService ingest, LatencyService latency, ConnectivityProbeService probes) {
        this.ingest = ingest;
        this.latency = latency;
        this.probes = probes;
    }

    @Override
    public Uni<IngestLatencySamplesResponse> ingestLatencySamples(Multi<IngestLatencySamplesRequest> request) {
        return Uni.createFrom().deferred(() -> ingest.ingest(request
                        .onItem().transformToIterable(IngestLatencySamplesRequest::getSamplesList)
                        .map(LatencyMapper::incoming)))
                .map(LatencyMapper::ingestResponse);
    }

    @Override
    public Uni<QueryPrefixLatencyResponse> queryPrefixLatency(QueryPrefixLatencyRequest request) {
        return Uni.createFrom().deferred(() -> latency.prefixLatency(request.getPrefix(),
                        LatencyMapper.start(request.hasTimeRange(), request.getTimeRange()),
                        LatencyMapper.end(request.getTimeRange()), LatencyMapper.grain(request.getTimeGrain())))
                .map(series -> QueryPrefixLatencyResponse.newBuilder().setPrefix(series.reportedPrefix())
                        .addAllPoints(series.points().stream().map(LatencyMapper::point).toList()).build());
    }

    @Override
    public Uni<QueryRegisteredPrefixLatencyResponse> queryRegisteredPrefixLatency(QueryRegisteredPrefixLatencyRequest request) {
        return Uni.createFrom().deferred(() -> latency.registeredPrefixLatency(request.getParent(),
                        LatencyMapper.start(request.hasTimeRange(), request.getTimeRange()),
                        LatencyMapper.end(request.getTimeRange()), LatencyMapper.grain(request.getTimeGrain())))
                .map(list -> QueryRegisteredPrefixLatencyResponse.newBuilder()
                        .addAllPrefixes(list.stream().map(p -> RegisteredPrefixLatency.newBuilder().setName(p.name())
                                .setPrefix(p.prefix()).setReportedPrefix(p.reportedPrefix())
                                .setMetric(LatencyMapper.REGISTERED_PREFIX_LATENCY)
                                .addAllPoints(p.points().stream().map(LatencyMapper::point).toList()).build()).toList())
                        .build());
    }

    @Override
    public Uni<QueryRegisteredAsnLatencyResponse> queryRegisteredAsnLatency(QueryRegisteredAsnLatencyRequest request) {
        return Uni.createFrom().deferred(() -> latency.registeredAsnLatency(request.getName(),
                        LatencyMapper.start(request.hasTimeRange(), request.getTimeRange()),
                        LatencyMapper.end(request.getTimeRange()), LatencyMapper.grain(request.getTimeGrain())))
                .map(result -> QueryRegisteredAsnLatencyResponse.newBuilder().setAsn((int) result.asn())
                        .setMetric(LatencyMapper.AVERAGE_CUSTOMER_PREFIX_LATENCY)
                        .setCustomerPrefixCount(result.series().customerPrefixCount())
                        .addAllPoints(result.series().points().stream().map(LatencyMapper::point).toList()).build());
    }

    @Override
    public Uni<QueryConnectivityProbesResponse> queryConnectivityProbes(QueryConnectivityProbesRequest request) {
        return Uni.createFrom().deferred(() -> probes.query(request.getParent(), request.getProbe(),
                        LatencyMapper.start(request.hasTimeRange(), request.getTimeRange()),
                        LatencyMapper.end(request.getTimeRange()), LatencyMapper.grain(request.getTimeGrain()), request.getMetricsList()))
                .map(answer -> QueryConnectivityProbesResponse.newBuilder()
                        .addAllSeries(answer.series().stream().map(LatencyMapper::series).toList())
                        .addAllProbes(answer.probes().stream().map(LatencyMapper::probe).toList()).build());
    }
}
