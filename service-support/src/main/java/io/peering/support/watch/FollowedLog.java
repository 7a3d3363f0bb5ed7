package io.peering.support.watch;

import io.smallrye.mutiny.Uni;

import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * A log a Watch stream follows, with the stream's filter applied. Positions are taken under a row lock
 * held to commit, so they grow in commit order: every entry at or below {@link #lastPosition()} is
 * committed and visible.
 *
 * @param <T> an entry of the log
 */
public interface FollowedLog<T> {

    /** The oldest retained position and the last position. */
    Uni<LogBounds> bounds();

    /** The last position: every entry at or below it is committed. */
    Uni<Long> lastPosition();

    /** The entries the stream's filter selects with {@code after < position <= upTo}, in log order, at most {@code limit}. */
    Uni<List<T>> entries(long after, long upTo, int limit);

    /** An entry's position: its cursor. */
    long positionOf(T entry);

    /** Reads the entries a filter selects in a range of positions: {@link #entries}. */
    @FunctionalInterface
    interface Entries<T> {
        Uni<List<T>> read(long after, long upTo, int limit);
    }

    /** A log made of its queries. */
    static <T> FollowedLog<T> of(Supplier<Uni<LogBounds>> bounds, Supplier<Uni<Long>> lastPosition, Entries<T> entries,
                                 ToLongFunction<T> positionOf) {
        return new FollowedLog<>() {
            @Override
            public Uni<LogBounds> bounds() {
                return bounds.get();
            }

            @Override
            public Uni<Long> lastPosition() {
                return lastPosition.get();
            }

            @Override
            public Uni<List<T>> entries(long after, long upTo, int limit) {
                return entries.read(after, upTo, limit);
            }

            @Override
            public long positionOf(T entry) {
                return positionOf.applyAsLong(entry);
            }
        };
    }
}
