package io.peering.metrics.repository;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A query range [start, end) cut into the pieces each rollup level answers: the longest aligned
 * run of whole days (for a P1D grain), then of whole hours (grains of an hour or more), then of
 * whole 5 minutes (grains of 5 minutes or more), then of whole minutes, then of whole seconds, and the
 * sub-second edges from the intervals themselves. A level is used only when
 * it divides the grain, so every rollup row lies inside one bucket. Each level gets at most one
 * piece on each side of the coarser level's run (at most two; days one).
 */
public record RollupPieces(List<Piece> days, List<Piece> hours, List<Piece> fiveMinutes, List<Piece> minutes,
                           List<Piece> seconds, List<Piece> intervals) {

    /** [from, to) */
    public record Piece(Instant from, Instant to) {
    }

    static final long SECOND = 1, MINUTE = 60, FIVE_MINUTES = 300, HOUR = 3600, DAY = 86400;

    public static RollupPieces of(Instant start, Instant end, Duration grain) {
        long g = grain.toSeconds();
        List<long[]> levels = new ArrayList<>(); // {level seconds, index}
        RollupPieces p = new RollupPieces(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>(), new ArrayList<>());
        List<List<Piece>> byLevel = List.of(p.days, p.hours, p.fiveMinutes, p.minutes, p.seconds);
        long[] sizes = {DAY, HOUR, FIVE_MINUTES, MINUTE, SECOND};
        for (int i = 0; i < sizes.length; i++) {
            if (g >= sizes[i] && g % sizes[i] == 0) {
                levels.add(new long[]{sizes[i], i});
            }
        }
        p.cover(start, end, levels, 0, byLevel);
        return p;
    }

    private void cover(Instant from, Instant to, List<long[]> levels, int level, List<List<Piece>> byLevel) {
        if (!from.isBefore(to)) {
            return;
        }
        if (level == levels.size()) {
            intervals.add(new Piece(from, to));
            return;
        }
        long size = levels.get(level)[0];
        Instant a = ceil(from, size);
        Instant b = floor(to, size);
        if (a.isBefore(b)) {
            byLevel.get((int) levels.get(level)[1]).add(new Piece(a, b));
            cover(from, a, levels, level + 1, byLevel);
            cover(b, to, levels, level + 1, byLevel);
        } else {
            cover(from, to, levels, level + 1, byLevel);
        }
    }

    static Instant floor(Instant t, long seconds) {
        return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), seconds) * seconds);
    }

    static Instant ceil(Instant t, long seconds) {
        Instant f = floor(t, seconds);
        return f.equals(t) ? f : f.plusSeconds(seconds);
    }
}
