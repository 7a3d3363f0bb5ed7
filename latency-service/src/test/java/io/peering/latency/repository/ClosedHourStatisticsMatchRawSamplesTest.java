package io.peering.latency.repository;

import io.peering.latency.LatencyStats;
import io.peering.latency.Sample;
import io.peering.support.net.IpPrefix;
import io.peering.support.time.Grain;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Property: whatever the samples (several origins per prefix, samples without an origin, values
 * that repeat, samples sent twice, late samples landing in hours already closed), every query
 * answers exactly what today's from-raw SQL ({@link LegacyLatencySql#PREFIX_RAW},
 * {@link LegacyLatencySql#ASN_RAW}, the oracle) computes, bucket by bucket: median, p90, p99, min,
 * max and count per prefix, the mean of the prefix medians and the customer prefix count per ASN,
 * for every grain, on hour-aligned and unaligned ranges, with and without route prefixes; checked
 * while hours are open, after the compaction closed them, after late samples reopened some, and
 * after they were closed again; and with closed hours that have no minute rows (closed before
 * migration V6 made them). The mean of medians is compared to 1e-9 ms (an average's sum may
 * be added in another order); everything else must be equal.
 */
@QuarkusTest
class ClosedHourStatisticsMatchRawSamplesTest {

    static final long ASN_A = 64601;
    static final long ASN_B = 64602;
    static final String[] V4 = {"10.77.0", "10.77.1", "10.77.2", "10.77.5"};
    static final String V6 = "2001:db8:77";

    @Inject
    Pool pool;

    @Inject
    SampleStore store;

    @Inject
    LatencyQueries queries;

    Instant now;
    Instant firstHour;

    @BeforeEach
    void setUp() {
        pool.query("TRUNCATE latency.samples, latency.hourly, latency.prefix_hourly, latency.prefix_minutes, latency.prefix_buckets, latency.asn_rollup").execute()
                .await().atMost(Duration.ofSeconds(10));
        now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        firstHour = now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(27)); // spans a UTC midnight
    }

    @Test
    void everyGrainAndStatisticEqualsTheFromRawSqlUnderLateAndDuplicateSamples() {
        for (long seed = 1; seed <= 3; seed++) {
            pool.query("TRUNCATE latency.samples, latency.hourly, latency.prefix_hourly, latency.prefix_minutes, latency.prefix_buckets, latency.asn_rollup").execute()
                    .await().atMost(Duration.ofSeconds(10));
            SplittableRandom random = new SplittableRandom(seed);
            List<Sample> sent = new ArrayList<>();

            store(randomSamples(random, 3000, firstHour, now), sent);
            assertEqualsOracle("seed " + seed + ", nothing closed");

            assertThat(store.compact().await().atMost(Duration.ofSeconds(60))).isPositive();
            assertThat(count("SELECT count(*) FROM latency.hourly WHERE NOT closed AND hour < time_bucket('1 hour', now())"))
                    .isZero();
            assertThat(count("SELECT count(*) FROM latency.prefix_minutes")).as("minute rows of the closed hours").isPositive();
            assertEqualsOracle("seed " + seed + ", past hours closed");

            // hours closed before the minute rows existed (migration V6) have none: read from the samples
            pool.query("DELETE FROM latency.prefix_minutes WHERE extract(hour FROM hour)::int % 2 = 0").execute()
                    .await().atMost(Duration.ofSeconds(10));
            assertEqualsOracle("seed " + seed + ", some closed hours without minute rows");
            store.compact().await().atMost(Duration.ofSeconds(60)); // nothing to close: the rows stay missing

            // late samples in closed hours, the open hour going on, and some sent again
            List<Sample> more = randomSamples(random, 400, firstHour, now);
            for (int i = 0; i < 300; i++) {
                more.add(sent.get(random.nextInt(sent.size())));
            }
            more.add(more.get(0)); // twice in the same batch
            store(more, sent);
            assertThat(count("SELECT count(*) FROM latency.hourly WHERE NOT closed AND hour < time_bucket('1 hour', now())"))
                    .as("rows reopened by late samples").isPositive();
            assertEqualsOracle("seed " + seed + ", closed hours reopened by late samples");

            store.compact().await().atMost(Duration.ofSeconds(60));
            assertEqualsOracle("seed " + seed + ", closed again");
        }
    }

    /**
     * The open hour's 1- and 5-minute buckets the compaction makes as the minutes pass (migration V7), taken apart
     * from the wall clock: an hour six hours ago is taken as the current one ({@code latency.close_hours(before,
     * settled)} as the job would call it then), with batch rows merged up to one minute and not after it, late
     * samples into made buckets, and batch rows spanning the minute the compaction stopped at.
     */
    @Test
    void anOpenHoursMadeBucketsEqualTheFromRawSqlWhileBatchesArriveLate() {
        Instant current = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(6));
        for (long seed = 1; seed <= 2; seed++) {
            pool.query("TRUNCATE latency.samples, latency.hourly, latency.prefix_hourly, latency.prefix_minutes, latency.prefix_buckets, latency.asn_rollup").execute()
                    .await().atMost(Duration.ofSeconds(10));
            now = current.plus(Duration.ofMinutes(41)).plusMillis(517);
            firstHour = current.minus(Duration.ofHours(27));
            SplittableRandom random = new SplittableRandom(seed);
            List<Sample> sent = new ArrayList<>();
            store(randomSamples(random, 1500, firstHour, now), sent);
            store(randomSamples(random, 1500, current, now), sent); // the current hour, busy

            compactAsOf(current, current.plus(Duration.ofMinutes(23)));
            assertThat(count("SELECT count(*) FROM latency.hourly WHERE first_time IS NOT NULL AND last_time < '"
                    + current.plus(Duration.ofMinutes(23)) + "'")).as("batch rows before the minute merged").isZero();
            assertThat(count("SELECT count(*) FROM latency.asn_rollup WHERE seconds = 60 AND bucket >= '" + current + "'"))
                    .as("minutes of the current hour made").isPositive();
            assertThat(count("SELECT count(*) FROM latency.prefix_buckets WHERE seconds = 60 AND bucket >= '" + current + "'"))
                    .as("minutes of the current hour made per prefix").isPositive();
            assertEqualsOracle("seed " + seed + ", made to minute 23");

            // late samples into made minutes, and batches going on
            store(randomSamples(random, 200, current, current.plus(Duration.ofMinutes(23))), sent);
            store(randomSamples(random, 300, current.plus(Duration.ofMinutes(20)), now), sent);
            assertEqualsOracle("seed " + seed + ", batch rows not merged yet over made minutes");

            compactAsOf(current, current.plus(Duration.ofMinutes(31)));
            assertEqualsOracle("seed " + seed + ", made to minute 31");

            compactAsOf(current.plus(Duration.ofHours(1)), current.plus(Duration.ofHours(1))); // the hour is over
            assertThat(count("SELECT count(*) FROM latency.hourly WHERE NOT closed")).isZero();
            assertThat(count("SELECT count(*) FROM latency.prefix_buckets")).as("the closed hour's prefix buckets").isZero();
            assertEqualsOracle("seed " + seed + ", the hour closed");
        }
    }

    /**
     * The live case of a chart: samples arrive in time order, a batch every 15 seconds, and the compaction runs once a
     * minute (after the minute's first half has arrived), so an open hour has made buckets up to about the current
     * minute, batch rows not merged after them, and the buckets after the last made one hold samples; compared with the
     * compaction three minutes behind (a slow database), and again after it caught up. Every path reads made buckets,
     * the samples after them and the batch rows' buckets (an hour six hours ago taken as the current one, as above).
     */
    @Test
    void anOpenHoursMadeBucketsEqualTheFromRawSqlWhileSamplesArriveInTimeOrder() {
        Instant current = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(6));
        now = current.plus(Duration.ofMinutes(41)).plusSeconds(38);
        firstHour = current.minus(Duration.ofHours(2));
        SplittableRandom random = new SplittableRandom(11);
        List<Sample> sent = new ArrayList<>();
        for (Instant t = firstHour; t.isBefore(now); t = t.plusSeconds(15)) {
            Instant end = t.plusSeconds(15).isAfter(now) ? now : t.plusSeconds(15);
            store(randomSamples(random, 12, t, end), sent);
            Instant minute = t.truncatedTo(ChronoUnit.MINUTES);
            // the job's run at :17 of each minute, as of that minute; none in the last three minutes (a slow database)
            if (t.plusSeconds(15).getEpochSecond() % 60 == 30 && minute.isBefore(current.plus(Duration.ofMinutes(39)))) {
                compactAsOf(minute.truncatedTo(ChronoUnit.HOURS), minute);
            }
        }
        assertThat(count("SELECT count(*) FROM latency.prefix_buckets WHERE seconds = 60 AND bucket >= '"
                + current.plus(Duration.ofMinutes(38)) + "'")).as("buckets made to minute 38").isPositive();
        assertThat(count("SELECT count(*) FROM latency.prefix_buckets WHERE bucket >= '"
                + current.plus(Duration.ofMinutes(39)) + "'")).as("none after it").isZero();
        assertEqualsOracle("samples in time order, the compaction three minutes behind");

        compactAsOf(current, current.plus(Duration.ofMinutes(41)));
        assertThat(count("SELECT count(*) FROM latency.prefix_buckets WHERE seconds = 60 AND bucket >= '"
                + current.plus(Duration.ofMinutes(41)) + "'")).as("buckets of the current minute made").isPositive();
        assertThat(count("SELECT count(*) FROM latency.hourly WHERE first_time IS NOT NULL")).as("batch rows not merged")
                .isPositive();
        assertEqualsOracle("samples in time order, the compaction as of the current minute");
    }

    void compactAsOf(Instant before, Instant settled) {
        store.compactAsOf(before, settled).await().atMost(Duration.ofSeconds(60));
    }

    List<Sample> randomSamples(SplittableRandom random, int n, Instant from, Instant to) {
        List<Sample> samples = new ArrayList<>();
        long span = Duration.between(from, to).toMillis();
        for (int i = 0; i < n; i++) {
            // a few busy minutes, so buckets of one and of many samples both occur
            long offset = random.nextInt(4) == 0 ? (span / 3) + random.nextLong(180_000) : random.nextLong(span);
            Instant t = from.plusMillis(Math.min(offset, span - 1));
            String target = random.nextInt(8) == 0 ? V6 + ":" + Integer.toHexString(random.nextInt(65536)) + "::1"
                    : V4[random.nextInt(V4.length)] + "." + (random.nextInt(10) == 0 ? "64/26" : Integer.toString(random.nextInt(256)));
            IpPrefix cidr = IpPrefix.parseAddressOrPrefix(target);
            double rtt = random.nextInt(3) == 0 ? random.nextInt(20) : Math.round(random.nextDouble(0, 300) * 1000) / 1000.0;
            int origin = random.nextInt(20);
            Long asn = origin < 11 ? Long.valueOf(ASN_A) : origin < 17 ? Long.valueOf(ASN_B) : null;
            // prefixes whose every sample AS64601 counts, so its made statistics answer: 10.77.1.0/24 (inside a
            // route: its origin's samples and those without an origin), 10.77.5.0/24 (its origin's only)
            if (target.startsWith("10.77.1.") && asn != null) {
                asn = ASN_A;
            } else if (target.startsWith("10.77.5.")) {
                asn = ASN_A;
            }
            samples.add(new Sample(t, cidr, Sample.reportingPrefix(cidr), rtt, "p" + random.nextInt(3), asn));
        }
        return samples;
    }

    void store(List<Sample> samples, List<Sample> sent) {
        for (int i = 0; i < samples.size(); i += 700) {
            store.insert(samples.subList(i, Math.min(samples.size(), i + 700))).await().atMost(Duration.ofSeconds(30));
        }
        sent.addAll(samples);
    }

    List<Instant[]> ranges() {
        Instant hour = now.truncatedTo(ChronoUnit.HOURS);
        return List.of(
                new Instant[]{firstHour.minus(Duration.ofHours(1)), now},                          // aligned start, now
                new Instant[]{firstHour, hour},                                                     // whole hours only
                new Instant[]{firstHour.plus(Duration.ofMinutes(17)), now.minus(Duration.ofMinutes(3))}, // unaligned
                new Instant[]{firstHour.plus(Duration.ofHours(9)), firstHour.plus(Duration.ofHours(10))}, // one hour
                new Instant[]{firstHour.plus(Duration.ofMinutes(125)), firstHour.plus(Duration.ofMinutes(170))}, // inside an hour
                new Instant[]{firstHour.plus(Duration.ofMinutes(30)), firstHour.plus(Duration.ofHours(26).plusMinutes(1))},
                new Instant[]{now.minus(Duration.ofMinutes(15)), now},                              // a chart of the last 15 minutes
                new Instant[]{hour.minus(Duration.ofMinutes(12)).plusSeconds(7), now.minus(Duration.ofSeconds(50))}); // across the hour
    }

    void assertEqualsOracle(String when) {
        List<String> prefixes = new ArrayList<>();
        for (String p : V4) {
            prefixes.add(p + ".0/24");
        }
        prefixes.add(V6 + "::/48");
        prefixes.add("10.77.0.0/22"); // shorter: covers three of the /24s
        for (Grain grain : Grain.values()) {
            for (Instant[] range : ranges()) {
                for (String prefix : prefixes) {
                    String what = when + ", " + prefix + " " + grain + " " + range[0] + ".." + range[1];
                    List<LatencyStats> expected = oraclePrefix(prefix, range[0], range[1], grain);
                    List<LatencyStats> actual = queries.prefixSeries(prefix, range[0], range[1], grain)
                            .await().atMost(Duration.ofSeconds(30));
                    assertThat(actual).as(what).isEqualTo(expected);
                }
                for (long asn : new long[]{ASN_A, ASN_B}) {
                    for (List<String> routes : List.of(List.<String>of(), List.of("10.77.0.0/23", "2001:db8:77::/48"))) {
                        String what = when + ", AS" + asn + " routes " + routes + " " + grain + " " + range[0] + ".." + range[1];
                        LatencyQueries.AsnSeries expected = oracleAsn(asn, routes, range[0], range[1], grain);
                        LatencyQueries.AsnSeries actual = queries.asnSeries(asn, routes, range[0], range[1], grain)
                                .await().atMost(Duration.ofSeconds(30));
                        assertThat(actual.customerPrefixCount()).as(what + ": customer prefixes")
                                .isEqualTo(expected.customerPrefixCount());
                        assertThat(actual.points()).as(what).hasSameSizeAs(expected.points());
                        for (int i = 0; i < expected.points().size(); i++) {
                            assertThat(actual.points().get(i).bucket()).as(what).isEqualTo(expected.points().get(i).bucket());
                            assertThat(actual.points().get(i).averageMedianMs()).as(what + " at " + expected.points().get(i).bucket())
                                    .isCloseTo(expected.points().get(i).averageMedianMs(), within(1e-9));
                        }
                    }
                }
            }
        }
    }

    List<LatencyStats> oraclePrefix(String prefix, Instant from, Instant to, Grain grain) {
        List<LatencyStats> points = new ArrayList<>();
        for (Row r : pool.preparedQuery(LegacyLatencySql.PREFIX_RAW.formatted(grain.sqlInterval()))
                .execute(Tuple.of(prefix, utc(from), utc(to))).await().atMost(Duration.ofSeconds(30))) {
            Double[] p = r.getArrayOfDoubles(1);
            points.add(new LatencyStats(r.getOffsetDateTime(0).toInstant(), p[0], p[1], p[2], r.getDouble(2), r.getDouble(3),
                    r.getLong(4)));
        }
        return points;
    }

    LatencyQueries.AsnSeries oracleAsn(long asn, List<String> routes, Instant from, Instant to, Grain grain) {
        List<LatencyQueries.AsnPoint> points = new ArrayList<>();
        int prefixes = 0;
        for (Row r : pool.preparedQuery(LegacyLatencySql.ASN_RAW.formatted(grain.sqlInterval()))
                .execute(Tuple.of(asn, utc(from), utc(to)).addArrayOfString(routes.toArray(String[]::new)))
                .await().atMost(Duration.ofSeconds(30))) {
            points.add(new LatencyQueries.AsnPoint(r.getOffsetDateTime(0).toInstant(), r.getDouble(1)));
            prefixes = r.getLong(2).intValue();
        }
        return new LatencyQueries.AsnSeries(points, prefixes);
    }

    long count(String sql) {
        return pool.query(sql).execute().await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
    }

    static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
