package io.peering.support.replica;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How far a streaming replica is behind its primary, in time, from WAL positions alone (no heartbeat
 * writes): the primary's WAL position is sampled at each check, before the replica's replay position is
 * read. A replica that has replayed up to a sampled position holds everything the primary had committed
 * when that sample was taken, so its lag is at most the time since the latest such sample; a replica
 * that has replayed all the primary had at the current check is not behind (lag 0).
 * Plain Java, used by {@link ReadPool}; not thread-safe (one checker calls it).
 */
public final class ReplicaLag {

    private record Sample(long primaryLsn, Instant at) {
    }

    private final Deque<Sample> samples = new ArrayDeque<>();
    private final int maxSamples;

    /** @param maxSamples how many primary samples to keep: a replica behind all of them is reported as late as the oldest */
    public ReplicaLag(int maxSamples) {
        if (maxSamples < 1) {
            throw new IllegalArgumentException("maxSamples must be at least 1, got " + maxSamples);
        }
        this.maxSamples = maxSamples;
    }

    /**
     * Records the primary's WAL position {@code primaryLsn} read at {@code at}, then the replica's replay
     * position read after it, and returns the lag as of {@code now}.
     */
    public Duration update(long primaryLsn, Instant at, long replayLsn, Instant now) {
        samples.addLast(new Sample(primaryLsn, at));
        while (samples.size() > maxSamples) {
            samples.removeFirst();
        }
        // drop samples older than the newest one the replica has reached: they can no longer be the answer
        Sample reached = null;
        for (Sample s : samples) {
            if (s.primaryLsn() <= replayLsn) {
                reached = s;
            }
        }
        if (reached == null) {
            return Duration.between(samples.peekFirst().at(), now); // behind every sample kept: at least this late
        }
        while (samples.peekFirst() != reached) {
            samples.removeFirst();
        }
        if (reached == samples.peekLast()) {
            return Duration.ZERO; // it has all the primary had at this check
        }
        return Duration.between(reached.at(), now);
    }
}
