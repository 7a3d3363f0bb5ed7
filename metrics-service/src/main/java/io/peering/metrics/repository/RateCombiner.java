package io.peering.metrics.repository;

import io.peering.metrics.repository.MetricQueries.RateBucket;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Combines the rows {@link MetricQueries#RATES_SQL} reads into one {@link RateBucket} per bucket of
 * the grain, as the from-raw computation defines them: per series (connection, session address) and
 * bucket, for each of ingress, egress and drops, average = sum of increases / seconds of the
 * intervals with a value (time-weighted), the least and greatest interval rate, and the number of
 * intervals; then over the series of the bucket, averages summed (the traffic of all series
 * together), extremes and counts over all intervals. A peering's own row of a bucket is that bucket
 * already. Plain Java, so the database returns rows without aggregating them twice.
 */
final class RateCombiner {

    /** One series' sums in one bucket: per rate, the sum of increases, the seconds with a value, min, max and count. */
    private static final class SeriesSums {
        final double[] sum = new double[3];
        final double[] secs = new double[3];
        final boolean[] valued = new boolean[3];
        final Double[] min = new Double[3];
        final Double[] max = new Double[3];
        final long[] count = new long[3];
    }

    private final long grainSeconds;
    /** bucket (epoch seconds) -> series key -> sums */
    private final Map<Long, Map<String, SeriesSums>> perSeries = new HashMap<>();
    private final Map<Long, RateBucket> whole = new HashMap<>();

    RateCombiner(long grainSeconds) {
        this.grainSeconds = grainSeconds;
    }

    /**
     * A per-series row: a rollup row or one interval of a series, starting at {@code start}; for each
     * rate m (0 ingress, 1 egress, 2 drops) its sum, seconds, min, max (null when it has no value) and count.
     */
    void addSeriesRow(String connection, String sessionAddress, Instant start, Double[] sum, Double[] secs, Double[] min,
                      Double[] max, long[] count) {
        long bucket = Math.floorDiv(start.getEpochSecond(), grainSeconds) * grainSeconds;
        SeriesSums s = perSeries.computeIfAbsent(bucket, b -> new HashMap<>())
                .computeIfAbsent(connection + '\n' + sessionAddress, k -> new SeriesSums());
        for (int m = 0; m < 3; m++) {
            if (sum[m] != null && secs[m] != null) {
                s.sum[m] += sum[m];
                s.secs[m] += secs[m];
                s.valued[m] = true;
            }
            s.min[m] = least(s.min[m], min[m]);
            s.max[m] = greatest(s.max[m], max[m]);
            s.count[m] += count[m];
        }
    }

    /** A peering's own row of a whole bucket: per rate its average, min, max (null when none) and count. */
    void addWholeBucket(Instant bucket, Double[] avg, Double[] min, Double[] max, long[] count) {
        Double[] values = new Double[9];
        for (int m = 0; m < 3; m++) {
            values[m * 3] = avg[m];
            values[m * 3 + 1] = min[m];
            values[m * 3 + 2] = max[m];
        }
        whole.put(bucket.getEpochSecond(), new RateBucket(bucket, values, count.clone()));
    }

    /** The buckets in time order. */
    List<RateBucket> buckets() {
        TreeMap<Long, RateBucket> out = new TreeMap<>(whole);
        perSeries.forEach((bucket, series) -> {
            Double[] values = new Double[9];
            long[] counts = new long[3];
            for (SeriesSums s : series.values()) {
                for (int m = 0; m < 3; m++) {
                    if (s.valued[m]) {
                        double avg = s.sum[m] / s.secs[m];
                        values[m * 3] = values[m * 3] == null ? Double.valueOf(avg) : Double.valueOf(values[m * 3] + avg);
                    }
                    values[m * 3 + 1] = least(values[m * 3 + 1], s.min[m]);
                    values[m * 3 + 2] = greatest(values[m * 3 + 2], s.max[m]);
                    counts[m] += s.count[m];
                }
            }
            out.put(bucket, new RateBucket(Instant.ofEpochSecond(bucket), values, counts));
        });
        return new ArrayList<>(out.values());
    }

    private static Double least(Double a, Double b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return Math.min(a, b);
    }

    private static Double greatest(Double a, Double b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return Math.max(a, b);
    }
}
