package io.peering.metrics.grpc;

import io.peering.common.v1.AddressFamily;
import io.peering.common.v1.Aggregation;
import io.peering.common.v1.TimeRange;
import io.peering.metrics.Metric;
import io.peering.metrics.mapping.MetricMapper;
import io.peering.metrics.service.IngestService;
import io.peering.metrics.service.MetricsService;
import io.peering.metrics.v1.IngestConnectionSamplesRequest;
import io.peering.metrics.v1.IngestConnectionSamplesResponse;
import io.peering.metrics.v1.ListMetricDefinitionsRequest;
import io.peering.metrics.v1.ListMetricDefinitionsResponse;
import io.peering.metrics.v1.MutinyMetricsServiceGrpc;
import io.peering.metrics.v1.QueryConnectionMetricsRequest;
import io.peering.metrics.v1.QueryConnectionMetricsResponse;
import io.peering.metrics.v1.QueryPeeringServiceAvailabilityRequest;
import io.peering.metrics.v1.QueryPeeringServiceAvailabilityResponse;
import io.peering.metrics.v1.ReportSessionTransitionsRequest;
import io.peering.metrics.v1.ReportSessionTransitionsResponse;
import io.peering.support.grpc.ApiErrors;
import io.peering.support.time.ProtoTimes;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import java.time.Instant;
import java.util.Arrays;

/** The gRPC face of metrics-service: request fields in, {@link MetricsService} / {@link IngestService}, messages out. */
@GrpcService
public class MetricsGrpcService extends MutinyMetricsServiceGrpc.MetricsServiceImplBase {

    private final MetricsService metrics;
    private final IngestService ingest;

    public MetricsGrpcService(MetricsService metrics, IngestService ingest) {
        this.metrics = metrics;
        this.ingest = ingest;
    }

    @Override
    public Uni<ListMetricDefinitionsResponse> listMetricDefinitions(ListMetricDefinitionsRequest request) {
        return Uni.createFrom().item(ListMetricDefinitionsResponse.newBuilder()
                .addAllMetricDefinitions(Arrays.stream(Metric.values()).map(MetricMapper::definition).toList()).build());
    }

    @Override
    public Uni<QueryConnectionMetricsResponse> queryConnectionMetrics(QueryConnectionMetricsRequest request) {
        return Uni.createFrom().deferred(() -> {
                    if (request.getAggregation() == Aggregation.UNRECOGNIZED) {
                        throw ApiErrors.invalidArgument("aggregation " + request.getAggregationValue() + " is not a known value; use"
                                + " AGGREGATION_AVERAGE, _MINIMUM, _MAXIMUM, _SUM or _COUNT as the metric offers (see"
                                + " ListMetricDefinitions), or leave it unset for the metric's primary aggregation");
                    }
                    return metrics.queryConnectionMetrics(request.getResource(), request.getMetricsList(),
                            start(request.hasTimeRange(), request.getTimeRange()), end(request.hasTimeRange(), request.getTimeRange()),
                            MetricMapper.grain(request.getTimeGrain()), request.getAggregation(),
                            request.getSplitBySessionIp());
                })
                .map(series -> QueryConnectionMetricsResponse.newBuilder()
                        .addAllSeries(series.stream().map(MetricMapper::series).toList()).build());
    }

    @Override
    public Uni<QueryPeeringServiceAvailabilityResponse> queryPeeringServiceAvailability(QueryPeeringServiceAvailabilityRequest request) {
        return Uni.createFrom().deferred(() -> {
                    AddressFamily family = request.getAddressFamily();
                    if (family == AddressFamily.UNRECOGNIZED) {
                        throw ApiErrors.invalidArgument("address_family " + request.getAddressFamilyValue() + " is not a known value; use"
                                + " ADDRESS_FAMILY_IPV4, ADDRESS_FAMILY_IPV6, or leave it unset for both");
                    }
                    return metrics.queryPeeringServiceAvailability(request.getPeeringService(),
                            start(request.hasTimeRange(), request.getTimeRange()), end(request.hasTimeRange(), request.getTimeRange()),
                            MetricMapper.grain(request.getTimeGrain()), family.getNumber());
                })
                .map(a -> {
                    QueryPeeringServiceAvailabilityResponse.Builder b = QueryPeeringServiceAvailabilityResponse.newBuilder()
                            .setPrimaryConnection(a.primaryConnection()).setPrimary(MetricMapper.series(a.primary()))
                            .setBackupConnection(a.backupConnection());
                    if (a.backup() != null) {
                        b.setBackup(MetricMapper.series(a.backup()));
                    }
                    return b.build();
                });
    }

    @Override
    public Uni<IngestConnectionSamplesResponse> ingestConnectionSamples(Multi<IngestConnectionSamplesRequest> request) {
        return Uni.createFrom().deferred(() -> ingest.ingestSamples(
                        request.onItem().transformToIterable(IngestConnectionSamplesRequest::getSamplesList)))
                .map(o -> IngestConnectionSamplesResponse.newBuilder().setAccepted(o.accepted()).setDuplicates(o.duplicates())
                        .setRejected(o.refused()).addAllRejections(MetricMapper.rejections(o)).build());
    }

    @Override
    public Uni<ReportSessionTransitionsResponse> reportSessionTransitions(Multi<ReportSessionTransitionsRequest> request) {
        return Uni.createFrom().deferred(() -> ingest.reportTransitions(
                        request.onItem().transformToIterable(ReportSessionTransitionsRequest::getTransitionsList)))
                .map(o -> ReportSessionTransitionsResponse.newBuilder().setAccepted(o.accepted()).setDuplicates(o.duplicates())
                        .setRejected(o.refused()).addAllRejections(MetricMapper.rejections(o)).build());
    }

    private static Instant start(boolean present, TimeRange range) {
        return ProtoTimes.instantIfSet("time_range.start_time", present && range.hasStartTime(), range.getStartTime());
    }

    private static Instant end(boolean present, TimeRange range) {
        return ProtoTimes.instantIfSet("time_range.end_time", present && range.hasEndTime(), range.getEndTime());
    }
}
