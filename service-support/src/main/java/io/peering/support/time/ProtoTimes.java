package io.peering.support.time;

import com.google.protobuf.Timestamp;
import io.peering.support.grpc.ApiErrors;

import java.time.Instant;

/**
 * {@code google.protobuf.Timestamp} and {@link Instant}, one to the other, in one place. A request's time is
 * checked on what a Timestamp may hold (0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z, nanos
 * 0..999999999), so that an out-of-range time is refused naming its field rather than failing somewhere deeper.
 */
public final class ProtoTimes {

    private static final long MIN_SECONDS = -62_135_596_800L;
    private static final long MAX_SECONDS = 253_402_300_799L;

    private ProtoTimes() {
    }

    public static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    public static com.google.protobuf.Duration duration(java.time.Duration d) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
    }

    /** The instant of a Timestamp this platform wrote (a reply of one of its services); unchecked. */
    public static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    public static boolean isValid(Timestamp t) {
        return t.getSeconds() >= MIN_SECONDS && t.getSeconds() <= MAX_SECONDS && t.getNanos() >= 0 && t.getNanos() <= 999_999_999;
    }

    /** Why {@code field} is not a valid Timestamp, for a refusal. */
    public static String invalid(String field, Timestamp t) {
        return field + " is not a valid Timestamp: it needs seconds within " + MIN_SECONDS + ".." + MAX_SECONDS
                + " (0001-01-01T00:00:00Z..9999-12-31T23:59:59Z) and nanos within 0..999999999; got seconds " + t.getSeconds()
                + ", nanos " + t.getNanos();
    }

    /** A request's time as an instant, or INVALID_ARGUMENT naming {@code field} when it is not a valid Timestamp. */
    public static Instant instant(String field, Timestamp t) {
        if (!isValid(t)) {
            throw ApiErrors.invalidArgument(invalid(field, t));
        }
        return instant(t);
    }

    /** A request's optional time: null when it is not {@code set}, else as {@link #instant(String, Timestamp)}. */
    public static Instant instantIfSet(String field, boolean set, Timestamp t) {
        return set ? instant(field, t) : null;
    }
}
