package io.peering.metrics.service;

import io.peering.metrics.Transition;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Session availability and flaps per bucket, exact to the microsecond, from transitions.
 *
 * <p>A session address's state is known from its first known transition on, up to the end of the
 * range and never beyond now; before that the session is not counted at all. Each state lasts until
 * the next transition of the same address and is split exactly at bucket edges (and at the range's
 * ends: a bucket only partly inside the range counts its part inside). For each bucket and family
 * it sums, over the session addresses, the time known ("covered") and the time Established:
 * availability = Established / covered, so several session addresses of one family in one
 * connection (or in the connections of a peering) combine time-weighted, as if their times were
 * laid end to end. A bucket where nothing is known has no value. A flap is a transition out of
 * Established (Established followed by any other state of the same address), counted in the
 * bucket of its time.
 */
public final class SessionBuckets {

    /** Sums of one bucket, in microseconds: Established and covered time per family, and flaps. */
    public static final class Bucket {
        public long establishedV4, coveredV4, establishedV6, coveredV6, flaps;

        public boolean known() {
            return coveredV4 + coveredV6 > 0;
        }

        /** Established time of the family (0 both, 1 IPv4, 2 IPv6). */
        public long established(int family) {
            return (family != 2 ? establishedV4 : 0) + (family != 1 ? establishedV6 : 0);
        }

        /** Known time of the family (0 both, 1 IPv4, 2 IPv6). */
        public long covered(int family) {
            return (family != 2 ? coveredV4 : 0) + (family != 1 ? coveredV6 : 0);
        }
    }

    private final long start;
    private final long limit;
    private final long grain;
    private final TreeMap<Long, Bucket> buckets = new TreeMap<>();

    /**
     * @param transitions ordered by series (connection, session address), then time; each series may
     *                    begin with its last transition before {@code start}
     */
    public static Map<Instant, Bucket> compute(List<Transition> transitions, Instant start, Instant end, Instant now, Duration grain) {
        SessionBuckets b = new SessionBuckets(start, end, now, grain);
        int from = 0;
        for (int i = 1; i <= transitions.size(); i++) {
            if (i == transitions.size() || !sameSeries(transitions.get(i), transitions.get(from))) {
                b.addSeries(transitions.subList(from, i));
                from = i;
            }
        }
        Map<Instant, Bucket> result = new TreeMap<>();
        b.buckets.forEach((micros, bucket) -> result.put(Instant.EPOCH.plusNanos(micros * 1000), bucket));
        return result;
    }

    private SessionBuckets(Instant start, Instant end, Instant now, Duration grain) {
        this.start = micros(start);
        this.limit = Math.min(micros(end), micros(now));
        this.grain = grain.toNanos() / 1000;
    }

    private static boolean sameSeries(Transition a, Transition b) {
        return a.connection().equals(b.connection()) && a.sessionAddress().equals(b.sessionAddress());
    }

    private void addSeries(List<Transition> series) {
        for (int i = 0; i < series.size(); i++) {
            Transition t = series.get(i);
            long at = micros(t.time());
            long from = Math.max(at, start);
            long to = i + 1 < series.size() ? Math.min(micros(series.get(i + 1).time()), limit) : limit;
            boolean established = t.state() == Transition.ESTABLISHED;
            boolean v4 = t.family() == 1;
            while (from < to) {
                long bucketStart = Math.floorDiv(from, grain) * grain;
                long segmentEnd = Math.min(to, bucketStart + grain);
                Bucket b = buckets.computeIfAbsent(bucketStart, k -> new Bucket());
                long length = segmentEnd - from;
                if (v4) {
                    b.coveredV4 += length;
                    b.establishedV4 += established ? length : 0;
                } else {
                    b.coveredV6 += length;
                    b.establishedV6 += established ? length : 0;
                }
                from = segmentEnd;
            }
            boolean flap = i > 0 && series.get(i - 1).state() == Transition.ESTABLISHED && !established;
            if (flap && at >= start && at < limit) {
                buckets.computeIfAbsent(Math.floorDiv(at, grain) * grain, k -> new Bucket()).flaps++;
            }
        }
    }

    static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }
}
