package io.peering.support.limits;

/** Tokens refilled continuously at {@code rate} per second up to {@code burst}: a per-caller rate limit. */
public final class TokenBucket {

    private final double rate;
    private final double burst;
    private double tokens;
    private long last = System.nanoTime();

    public TokenBucket(double ratePerSecond, double burst) {
        this.rate = ratePerSecond;
        this.burst = Math.max(burst, 1);
        this.tokens = this.burst;
    }

    /** Takes a token if one is there. */
    public synchronized boolean take() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) / 1e9 * rate);
        last = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
