package io.peering.metrics.mapping;

import io.peering.support.time.ProtoTimes;
import io.peering.common.v1.TimeGrain;
import io.peering.common.v1.TimeSeriesPoint;
import io.peering.metrics.Metric;
import io.peering.metrics.service.MetricsService;
import io.peering.metrics.v1.MetricDefinition;
import io.peering.metrics.v1.MetricSeries;
import io.peering.metrics.v1.Rejection;
import io.peering.support.ingest.IngestStream;
import io.peering.metrics.v1.Unit;
import io.peering.support.grpc.ApiErrors;
import io.peering.support.time.Grain;

import java.util.ArrayList;
import java.util.List;

/** Proto messages to and from the service's records. */
public final class MetricMapper {

    private MetricMapper() {
    }

    public static MetricDefinition definition(Metric metric) {
        return MetricDefinition.newBuilder().setName(metric.apiName).setDescription(metric.description)
                .setUnit(metric.unit).setPrimaryAggregation(metric.primaryAggregation())
                .addAllSupportedAggregations(metric.aggregations)
                .addAllTimeGrains(List.of(TimeGrain.TIME_GRAIN_PT1M, TimeGrain.TIME_GRAIN_PT5M, TimeGrain.TIME_GRAIN_PT1H,
                        TimeGrain.TIME_GRAIN_P1D))
                .addAllDimensions(metric.dimensions()).build();
    }

    public static MetricSeries series(MetricsService.Series s) {
        Unit unit = Metric.byName(s.metric()).orElseThrow().unit;
        MetricSeries.Builder b = MetricSeries.newBuilder().setMetric(s.metric()).setResource(s.resource()).setUnit(unit)
                .setAggregation(s.aggregation()).setTimeGrain(timeGrain(s.grain())).setSessionIp(s.sessionIp());
        List<TimeSeriesPoint> points = new ArrayList<>(s.points().size()); // one array, not grown point by point
        for (MetricsService.Point p : s.points()) {
            points.add(TimeSeriesPoint.newBuilder().setTime(ProtoTimes.timestamp(p.time())).setValue(p.value()).build());
        }
        return b.addAllPoints(points).build();
    }

    public static List<Rejection> rejections(IngestStream.Outcome outcome) {
        return outcome.refusals().stream()
                .map(r -> Rejection.newBuilder().setIndex(r.index()).setReason(r.reason()).build()).toList();
    }

    /** TIME_GRAIN_UNSPECIFIED gives null (the service says it is required). */
    public static Grain grain(TimeGrain grain) {
        if (grain == TimeGrain.TIME_GRAIN_UNSPECIFIED) {
            return null;
        }
        if (grain == TimeGrain.UNRECOGNIZED) {
            throw ApiErrors.invalidArgument("time_grain must be one of PT1M, PT5M, PT1H, P1D");
        }
        return Grain.fromProtoName(grain.name());
    }

    public static TimeGrain timeGrain(Grain grain) {
        return TimeGrain.valueOf("TIME_GRAIN_" + grain.name());
    }
}
