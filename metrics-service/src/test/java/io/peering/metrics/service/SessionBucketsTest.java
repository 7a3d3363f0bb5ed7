package io.peering.metrics.service;

import io.peering.metrics.Transition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Availability and flaps per bucket, computed by hand for small histories. */
class SessionBucketsTest {

    static final String C = "peerings/p/connections/c";
    static final short IDLE = 2, ACTIVE = 4, UP = Transition.ESTABLISHED;

    static Transition t(String address, short state, String time) {
        return new Transition(C, address, (short) (address.contains(":") ? 2 : 1), state, Instant.parse(time), "", "test");
    }

    static Instant at(String time) {
        return Instant.parse(time);
    }

    @Test
    void threeFlapsInsideOneFiveMinuteBucketCountThreeAndLeaveSixtyPercent() {
        List<Transition> history = List.of(
                t("192.0.2.1", UP, "2024-05-01T09:58:00Z"),
                t("192.0.2.1", IDLE, "2024-05-01T10:01:00Z"),
                t("192.0.2.1", UP, "2024-05-01T10:01:30Z"),
                t("192.0.2.1", ACTIVE, "2024-05-01T10:02:00Z"),
                t("192.0.2.1", UP, "2024-05-01T10:02:30Z"),
                t("192.0.2.1", IDLE, "2024-05-01T10:03:00Z"),
                t("192.0.2.1", UP, "2024-05-01T10:04:00Z"));

        Map<Instant, SessionBuckets.Bucket> b = SessionBuckets.compute(history, at("2024-05-01T09:50:00Z"),
                at("2024-05-01T10:10:00Z"), at("2024-06-01T00:00:00Z"), Duration.ofMinutes(5));

        // 09:50 bucket: nothing known yet, so absent (not 0 %, not 100 %)
        assertThat(b).containsOnlyKeys(at("2024-05-01T09:55:00Z"), at("2024-05-01T10:00:00Z"), at("2024-05-01T10:05:00Z"));
        // 09:55: known from 09:58 only: 120 s covered, all Established
        assertThat(b.get(at("2024-05-01T09:55:00Z")).coveredV4).isEqualTo(120_000_000L);
        assertThat(b.get(at("2024-05-01T09:55:00Z")).establishedV4).isEqualTo(120_000_000L);
        // 10:00: up 60 + 30 + 30 + 60 = 180 s of 300 s; three transitions out of Established
        SessionBuckets.Bucket flapping = b.get(at("2024-05-01T10:00:00Z"));
        assertThat(flapping.establishedV4).isEqualTo(180_000_000L);
        assertThat(flapping.coveredV4).isEqualTo(300_000_000L);
        assertThat(flapping.flaps).isEqualTo(3);
        assertThat(b.get(at("2024-05-01T10:05:00Z")).flaps).isZero();
    }

    @Test
    void anOutageAcrossMidnightIsSplitExactlyBetweenTheTwoDays() {
        List<Transition> history = List.of(
                t("2001:db8::1", UP, "2024-05-01T12:00:00Z"),
                t("2001:db8::1", IDLE, "2024-05-01T22:00:00Z"),
                t("2001:db8::1", UP, "2024-05-02T03:00:00Z"));

        Map<Instant, SessionBuckets.Bucket> b = SessionBuckets.compute(history, at("2024-04-30T00:00:00Z"),
                at("2024-05-03T00:00:00Z"), at("2024-06-01T00:00:00Z"), Duration.ofDays(1));

        assertThat(b).containsOnlyKeys(at("2024-05-01T00:00:00Z"), at("2024-05-02T00:00:00Z"));
        SessionBuckets.Bucket first = b.get(at("2024-05-01T00:00:00Z"));
        assertThat(first.coveredV6).isEqualTo(Duration.ofHours(12).toNanos() / 1000);      // known from 12:00
        assertThat(first.establishedV6).isEqualTo(Duration.ofHours(10).toNanos() / 1000);  // down 22:00..24:00
        assertThat(first.flaps).isEqualTo(1);
        SessionBuckets.Bucket second = b.get(at("2024-05-02T00:00:00Z"));
        assertThat(second.coveredV6).isEqualTo(Duration.ofHours(24).toNanos() / 1000);
        assertThat(second.establishedV6).isEqualTo(Duration.ofHours(21).toNanos() / 1000); // down 00:00..03:00
        assertThat(second.flaps).isZero();
    }

    @Test
    void knowledgeStopsAtNowAndAtTheEndOfTheRange() {
        List<Transition> history = List.of(t("192.0.2.1", UP, "2024-05-01T10:00:00Z"));

        Map<Instant, SessionBuckets.Bucket> b = SessionBuckets.compute(history, at("2024-05-01T10:00:00Z"),
                at("2024-05-01T11:00:00Z"), at("2024-05-01T10:20:00Z"), Duration.ofHours(1));

        assertThat(b.get(at("2024-05-01T10:00:00Z")).coveredV4).isEqualTo(Duration.ofMinutes(20).toNanos() / 1000);
    }

    @Test
    void aStateBeforeTheRangeCountsOnlyInsideTheRangeAndAddressesOfOneFamilyAddUp() {
        List<Transition> history = List.of(
                t("192.0.2.1", UP, "2024-05-01T08:00:00Z"),
                t("192.0.2.1", IDLE, "2024-05-01T10:15:00Z"),
                t("192.0.2.2", IDLE, "2024-05-01T09:00:00Z"));

        Map<Instant, SessionBuckets.Bucket> b = SessionBuckets.compute(history, at("2024-05-01T10:10:00Z"),
                at("2024-05-01T10:30:00Z"), at("2024-06-01T00:00:00Z"), Duration.ofHours(1));

        // range 10:10..10:30: address 1 up 5 min of 20, address 2 down 20 min: 5 of 40 minutes
        SessionBuckets.Bucket bucket = b.get(at("2024-05-01T10:00:00Z"));
        assertThat(bucket.coveredV4).isEqualTo(Duration.ofMinutes(40).toNanos() / 1000);
        assertThat(bucket.establishedV4).isEqualTo(Duration.ofMinutes(5).toNanos() / 1000);
        assertThat(bucket.flaps).isEqualTo(1);
    }
}
