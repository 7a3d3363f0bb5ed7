package io.peering.support.watch;

/** A log's oldest retained position ({@code last + 1} when it holds nothing) and its last position. */
public record LogBounds(long first, long last) {
}
