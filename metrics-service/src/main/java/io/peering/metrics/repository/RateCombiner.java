package io.peering.metrics.repository;

import io.peering.metrics.repository.MetricQueries.RateBucket;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Combines the rows {@link MetricQueries.RatesQuery#statement} reads into one {@link RateBucket} per bucket of
 * the grain, as the from-raw computation defines them: per series (connection, session address) and
 * bucket, for each of ingress, egress and drops, average = sum of increases / seconds of the
 * intervals with a value (time-weighted), the least and greatest interval rate, and the number of
 * intervals; then over the series of the bucket, averages summed (the traffic of all series
 * together), extremes and counts over all intervals. A peering's own row of a bucket is that bucket
 * already. Plain Java, so the database returns rows without aggregating them twice.
 */
final class RateCombiner {

    /**
     * One series' sums in one bucket, per rate m at m * 4: the sum of increases, the seconds with a value, min and max
     * (NaN: none yet); {@code counts[m]} the intervals; {@code valued} bit m set once a row gave rate m a value.
     */
    private static final class SeriesSums {
        final double[] sums = {0, 0, Double.NaN, Double.NaN, 0, 0, Double.NaN, Double.NaN, 0, 0, Double.NaN, Double.NaN};
        final long[] counts = new long[3];
        int valued;
    }

    private final long grainSeconds;
    /** The start (epoch seconds) of the range's first bucket: bucket i starts at firstBucket + i * grainSeconds. */
    private final long firstBucket;
    /** Each series' index in a bucket's array: connection -> session address -> index (0, 1, ... as first seen). */
    private final Map<String, Map<String, Integer>> seriesIndex = new HashMap<>();
    private int seriesCount;
    /** The series of the last row and its index: consecutive rows are mostly of one series. */
    private String lastConnection;
    private String lastAddress;
    private int lastIndex;
    /** Per bucket of the range, the sums per series index (null where the series has no row in the bucket). */
    private final SeriesSums[][] perSeries;
    /** Per bucket of the range, a peering's own row of it, or null. */
    private final RateBucket[] whole;

    /** The buckets of [start, end) at the grain: every row passed in must start inside the range. */
    RateCombiner(Instant start, Instant end, long grainSeconds) {
        this.grainSeconds = grainSeconds;
        this.firstBucket = Math.floorDiv(start.getEpochSecond(), grainSeconds) * grainSeconds;
        int buckets = Math.toIntExact(Math.floorDiv(end.getEpochSecond(), grainSeconds) - firstBucket / grainSeconds + 1);
        this.perSeries = new SeriesSums[buckets][];
        this.whole = new RateBucket[buckets];
    }

    /**
     * A per-series row: a rollup row or the summed intervals of an edge of a series, starting at {@code start}; for each
     * rate m (0 ingress, 1 egress, 2 drops) its sum, seconds, min, max (null when it has no value) and count.
     */
    void addSeriesRow(String connection, String sessionAddress, Instant start, Double[] sum, Double[] secs, Double[] min,
                      Double[] max, long[] count) {
        int bucket = slot(start);
        int index = seriesIndex(connection, sessionAddress);
        SeriesSums[] series = perSeries[bucket];
        if (series == null || series.length <= index) {
            series = series == null ? new SeriesSums[Math.max(index + 1, seriesCount)] : Arrays.copyOf(series, seriesCount);
            perSeries[bucket] = series;
        }
        SeriesSums s = series[index];
        if (s == null) {
            s = series[index] = new SeriesSums();
        }
        for (int m = 0; m < 3; m++) {
            if (sum[m] != null && secs[m] != null) {
                s.sums[m * 4] += sum[m];
                s.sums[m * 4 + 1] += secs[m];
                s.valued |= 1 << m;
            }
            if (min[m] != null) {
                s.sums[m * 4 + 2] = Double.isNaN(s.sums[m * 4 + 2]) ? min[m] : Math.min(s.sums[m * 4 + 2], min[m]);
            }
            if (max[m] != null) {
                s.sums[m * 4 + 3] = Double.isNaN(s.sums[m * 4 + 3]) ? max[m] : Math.max(s.sums[m * 4 + 3], max[m]);
            }
            s.counts[m] += count[m];
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
        whole[slot(bucket)] = new RateBucket(bucket, values, count.clone());
    }

    /** The index of the bucket a row starting at {@code start} belongs to. */
    private int slot(Instant start) {
        long i = (Math.floorDiv(start.getEpochSecond(), grainSeconds) * grainSeconds - firstBucket) / grainSeconds;
        if (i < 0 || i >= whole.length) {
            throw new IllegalStateException("a row at " + start + " outside the query's " + whole.length + " buckets from "
                    + Instant.ofEpochSecond(firstBucket));
        }
        return (int) i;
    }

    private int seriesIndex(String connection, String sessionAddress) {
        if (connection.equals(lastConnection) && sessionAddress.equals(lastAddress)) {
            return lastIndex;
        }
        Map<String, Integer> addresses = seriesIndex.computeIfAbsent(connection, c -> new HashMap<>());
        Integer index = addresses.get(sessionAddress);
        if (index == null) {
            index = seriesCount++;
            addresses.put(sessionAddress, index);
        }
        lastConnection = connection;
        lastAddress = sessionAddress;
        lastIndex = index;
        return index;
    }

    /** The buckets in time order. */
    List<RateBucket> buckets() {
        List<RateBucket> out = new ArrayList<>(whole.length);
        for (int i = 0; i < whole.length; i++) {
            if (perSeries[i] != null) {
                out.add(combined(firstBucket + i * grainSeconds, perSeries[i]));
            } else if (whole[i] != null) {
                out.add(whole[i]);
            }
        }
        return out;
    }

    /**
     * A bucket of the series' sums: per rate the series' averages (sum / seconds) added together, the least and greatest
     * interval rate over all series, and the intervals counted.
     */
    private static RateBucket combined(long bucket, SeriesSums[] series) {
        Double[] values = new Double[9];
        long[] counts = new long[3];
        for (int m = 0; m < 3; m++) {
            double avg = 0;
            double min = Double.NaN;
            double max = Double.NaN;
            boolean valued = false;
            for (SeriesSums s : series) {
                if (s == null) {
                    continue;
                }
                if ((s.valued & (1 << m)) != 0) {
                    avg += s.sums[m * 4] / s.sums[m * 4 + 1];
                    valued = true;
                }
                double lo = s.sums[m * 4 + 2];
                double hi = s.sums[m * 4 + 3];
                min = Double.isNaN(min) || lo < min ? lo : min;
                max = Double.isNaN(max) || hi > max ? hi : max;
                counts[m] += s.counts[m];
            }
            values[m * 3] = valued ? avg : null;
            values[m * 3 + 1] = Double.isNaN(min) ? null : min;
            values[m * 3 + 2] = Double.isNaN(max) ? null : max;
        }
        return new RateBucket(Instant.ofEpochSecond(bucket), values, counts);
    }
}
