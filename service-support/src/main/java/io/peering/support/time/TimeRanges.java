package io.peering.support.time;

import io.peering.support.grpc.ApiErrors;

import java.time.Duration;
import java.time.Instant;

/** Checks of a query's time range, each failing with INVALID_ARGUMENT and a message saying how to fix it. */
public final class TimeRanges {

    /** How far into the future a range may end (clock skew between client and service). */
    public static final Duration FUTURE_TOLERANCE = Duration.ofMinutes(1);
    /** The longest range one query may span: longer than any retention, so no data is out of reach. */
    public static final Duration MAX_SPAN = Duration.ofDays(366);

    private TimeRanges() {
    }

    /** start before end, end not beyond now plus a minute. */
    public static void check(Instant start, Instant end, Instant now) {
        if (start == null || end == null) {
            throw ApiErrors.invalidArgument("time_range needs both start_time and end_time");
        }
        if (!end.isAfter(start)) {
            throw ApiErrors.invalidArgument("time_range is reversed or empty: end_time " + end + " must be after start_time " + start);
        }
        if (Duration.between(start, end).compareTo(MAX_SPAN) > 0) {
            throw ApiErrors.invalidArgument("time_range spans " + Duration.between(start, end).toDays() + " days, more than the limit of "
                    + MAX_SPAN.toDays() + " days; split it into shorter ranges");
        }
        if (end.isAfter(now.plus(FUTURE_TOLERANCE))) {
            throw ApiErrors.invalidArgument("time_range end_time " + end + " is in the future (now is " + now
                    + "); end the range at the current time or earlier");
        }
    }

    /** Also refuses ranges that would give more than {@code maxBuckets} buckets of the grain. */
    public static void check(Instant start, Instant end, Grain grain, long maxBuckets, Instant now) {
        check(start, end, now);
        long buckets = Duration.between(start, end).toSeconds() / grain.length.toSeconds() + 1;
        if (buckets > maxBuckets) {
            throw ApiErrors.invalidArgument("time_range of " + Duration.between(start, end) + " at " + grain + " gives "
                    + buckets + " buckets, more than the limit of " + maxBuckets + "; use a coarser time_grain or a shorter range");
        }
    }
}
