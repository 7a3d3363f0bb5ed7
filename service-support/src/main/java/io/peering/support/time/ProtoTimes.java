package io.peering.support.time;

import io.peering.support.grpc.ApiErrors;

import java.time.Instant;

/**
 * What a {@code google.protobuf.Timestamp} may hold (0001-01-01T00:00:00Z to
 * 9999-12-31T23:59:59.999999999Z), checked on its seconds and nanos, so that a request's
 * out-of-range time is refused naming its field rather than failing somewhere deeper.
 */
public final class ProtoTimes {

    private static final long MIN_SECONDS = -62_135_596_800L;
    private static final long MAX_SECONDS = 253_402_300_799L;

    private ProtoTimes() {
    }

    public static boolean isValid(long seconds, int nanos) {
        return seconds >= MIN_SECONDS && seconds <= MAX_SECONDS && nanos >= 0 && nanos <= 999_999_999;
    }

    /** Why {@code field} is not a valid Timestamp, for a refusal. */
    public static String invalid(String field, long seconds, int nanos) {
        return field + " is not a valid Timestamp: it needs seconds within " + MIN_SECONDS + ".." + MAX_SECONDS
                + " (0001-01-01T00:00:00Z..9999-12-31T23:59:59Z) and nanos within 0..999999999; got seconds " + seconds
                + ", nanos " + nanos;
    }

    /** The instant, or INVALID_ARGUMENT naming {@code field} when it is not a valid Timestamp. */
    public static Instant instant(String field, long seconds, int nanos) {
        if (!isValid(seconds, nanos)) {
            throw ApiErrors.invalidArgument(invalid(field, seconds, nanos));
        }
        return Instant.ofEpochSecond(seconds, nanos);
    }
}
