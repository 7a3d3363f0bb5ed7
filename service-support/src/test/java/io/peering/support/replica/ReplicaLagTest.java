package io.peering.support.replica;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicaLagTest {

    static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");

    static Instant t(long seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    void aReplicaThatReplayedAllThePrimaryHadAtTheCheckIsNotBehind() {
        ReplicaLag lag = new ReplicaLag(10);

        assertThat(lag.update(1_000, t(0), 1_000, t(0))).isZero();
        assertThat(lag.update(2_000, t(1), 2_500, t(1))).isZero(); // replay past the sample: WAL written since
    }

    @Test
    void aReplicaBehindIsAsLateAsTheNewestSampleItHasReached() {
        ReplicaLag lag = new ReplicaLag(10);
        lag.update(1_000, t(0), 1_000, t(0));

        // replay stopped at 1,000 while the primary moved on: it holds what the primary had at t(0)
        assertThat(lag.update(1_500, t(1), 1_000, t(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(lag.update(2_000, t(2), 1_000, t(2))).isEqualTo(Duration.ofSeconds(2));
        // it reaches the t(1) sample but not t(2)'s or t(3)'s
        assertThat(lag.update(2_500, t(3), 1_700, t(3))).isEqualTo(Duration.ofSeconds(2));
        // and catches up
        assertThat(lag.update(2_500, t(4), 2_500, t(4))).isZero();
    }

    @Test
    void lagCountsUpToNowNotToTheCheck() {
        ReplicaLag lag = new ReplicaLag(10);
        lag.update(1_000, t(0), 1_000, t(0));

        assertThat(lag.update(1_200, t(5), 1_000, t(5).plusMillis(300))).isEqualTo(Duration.ofMillis(5_300));
    }

    @Test
    void aReplicaBehindEverySampleKeptIsAtLeastAsLateAsTheOldest() {
        ReplicaLag lag = new ReplicaLag(3);
        lag.update(1_000, t(0), 1_000, t(0));
        lag.update(1_100, t(1), 1_000, t(1));
        lag.update(1_200, t(2), 1_000, t(2));

        // the t(0) sample, the one it reached, is evicted: the oldest kept is t(1)'s
        assertThat(lag.update(1_300, t(3), 1_000, t(3))).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aReplicaAheadOfTheSampleReadBeforeItIsNotBehind() {
        ReplicaLag lag = new ReplicaLag(10);

        // the primary's position is read first; commits between the two reads put the replica past it
        assertThat(lag.update(1_000, t(0), 1_200, t(0))).isZero();
    }

    @Test
    void atLeastOneSampleIsKept() {
        assertThatThrownBy(() -> new ReplicaLag(0)).hasMessageContaining("at least 1");
    }
}
