package io.peering.metrics.repository;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.peering.metrics.Sample;
import io.peering.metrics.repository.MetricQueries.RateBucket;
import io.peering.metrics.service.RateBackfill;
import io.peering.metrics.service.ScopeRollupJob;
import io.peering.metrics.v1.ConnectionSample;
import io.peering.metrics.v1.IngestConnectionSamplesRequest;
import io.peering.metrics.v1.IngestConnectionSamplesResponse;
import io.peering.metrics.v1.MetricsServiceGrpc;
import io.peering.support.inventory.InventoryIndex;
import io.peering.support.retention.RetentionJob;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rollup path answers what the from-raw SQL of the previous release ({@link RatesFromRaw}, the
 * oracle) answers on the same stored samples: random sample sequences of three series (two of one
 * connection, one of another) with late and out-of-order arrivals (a sample landing between two
 * stored ones), exact and conflicting duplicates, 64-bit wraps, resets, increases above the
 * bandwidth, short intervals (with microsecond times, bursts of several samples in a second) and gaps
 * longer than max-sample-gap, ingested over the real gRPC
 * stream (the in-order part in two to six streams one after another, so later batches add to the rollup rows earlier
 * ones made; the late part in three streams at once) and compared bucket by bucket for every rate metric (ingress, egress, drops), every
 * aggregation (average, minimum, maximum, count) and every grain (PT1M, PT5M, PT1H, P1D), over
 * aligned and ragged ranges, for one connection and for both, after the in-order part arrived and
 * again after the late part did. Counts, minima and maxima must be equal; averages of one
 * connection equal to the last bit when sample times are whole seconds (every sum is then of whole
 * numbers, exact in float8); with microsecond times and for sums over connections, where float8
 * addition order matters (also to the oracle itself), within 1e-12 relative.
 */
@QuarkusTest
class RollupRatesEqualFromRawPropertyTest {

    static final String AMS1 = "peerings/contoso-ams/connections/ams-1";
    static final String AMS2 = "peerings/contoso-ams/connections/ams-2";
    /** 25 days back: away from the windows the other metrics tests use; the window starts at 20:00 so P1D has two days. */
    static final Instant DAY0 = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(25));
    static final List<String> TABLES = List.of("connection_samples", "rate_intervals", "rate_short_intervals");
    static final List<String> ROLLUPS = List.of("rate_seconds", "rate_minutes", "rate_5minutes", "rate_hours", "rate_days");
    static final List<Duration> GRAINS = List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofHours(1),
            Duration.ofDays(1));

    @Inject
    Pool pool;
    @Inject
    MetricQueries queries;
    @Inject
    InventoryIndex inventory;
    @Inject
    RateBackfill backfill;
    @Inject
    RetentionJob retention;
    @Inject
    ScopeRollupStore scopeRollups;
    @Inject
    SampleStore sampleStore;
    @Inject
    ScopeRollupJob scopeRollupJob;

    ManagedChannel channel;

    record Series(String connection, String address) {
    }

    static final List<Series> SERIES = List.of(new Series(AMS1, ""), new Series(AMS1, "127.0.0.11"), new Series(AMS2, ""));

    @BeforeEach
    void setUp() {
        clear(DAY0.minus(Duration.ofDays(1)), DAY0.plus(Duration.ofDays(4)));
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        clear(DAY0.minus(Duration.ofDays(1)), DAY0.plus(Duration.ofDays(4)));
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void rollupsAnswerWhatTheFromRawSqlAnswersForLateDuplicateWrappedAndResetSamples() throws Exception {
        for (long seed = 1; seed <= 8; seed++) {
            clear(DAY0.minus(Duration.ofDays(1)), DAY0.plus(Duration.ofDays(4)));
            Random random = new Random(seed);
            boolean wholeSeconds = seed % 2 == 1;
            List<ConnectionSample> all = new ArrayList<>();
            for (Series s : SERIES) {
                all.addAll(sequence(random, s, wholeSeconds));
            }
            // most arrive in order, in messages of random sizes; a fifth arrive later, shuffled, in three more streams
            List<ConnectionSample> late = new ArrayList<>();
            List<ConnectionSample> onTime = new ArrayList<>();
            for (ConnectionSample s : all) {
                (random.nextInt(5) == 0 ? late : onTime).add(s);
                if (random.nextInt(20) == 0) {
                    late.add(s); // an exact repeat
                }
                if (random.nextInt(50) == 0) { // the same time with other readings: the first stored is kept
                    late.add(s.toBuilder().setInOctets(s.getInOctets() + 1_000_000).setOutDiscards(s.getOutDiscards() + 7).build());
                }
            }
            ingestInTimeOrderInParts(onTime, random);
            compareEverything(random, wholeSeconds, "seed " + seed + " on-time part");
            Collections.shuffle(late, random);
            int third = late.size() / 3;
            // at the same time, so batches of one series overlap (each inserts before it takes the series' lock)
            List<List<ConnectionSample>> parts = List.of(late.subList(0, third), late.subList(third, 2 * third),
                    late.subList(2 * third, late.size()));
            List<CompletableFuture<IngestConnectionSamplesResponse>> replies = new ArrayList<>();
            for (List<ConnectionSample> part : parts) {
                replies.add(startIngest(part, random));
            }
            for (int p = 0; p < parts.size(); p++) {
                checkReply(replies.get(p).get(60, TimeUnit.SECONDS), parts.get(p));
            }
            compareEverything(random, wholeSeconds, "seed " + seed + " with the late part");
        }
    }

    @Test
    void samplesStoredBeforeTheRollupsExistedAreRolledUpByTheBackfill() throws Exception {
        Random random = new Random(42);
        List<ConnectionSample> all = new ArrayList<>();
        for (Series s : SERIES) {
            all.addAll(sequence(random, s, true));
        }
        // written as the previous release wrote them (no rollups), listed as migration V2 lists them
        for (ConnectionSample s : all) {
            pool.preparedQuery("""
                    INSERT INTO metrics.connection_samples (time, connection, session_address, in_octets, out_octets, in_discards, out_discards)
                    VALUES ($1, $2, $3, $4::text::numeric, $5::text::numeric, $6::text::numeric, $7::text::numeric) ON CONFLICT DO NOTHING
                    """).execute(Tuple.tuple(List.of(utc(instant(s.getTime())), s.getConnection(), s.getSessionAddress(),
                    Long.toUnsignedString(s.getInOctets()), Long.toUnsignedString(s.getOutOctets()),
                    Long.toUnsignedString(s.getInDiscards()), Long.toUnsignedString(s.getOutDiscards()))))
                    .await().atMost(Duration.ofSeconds(10));
        }
        assertThat(count("rate_minutes", "bucket")).isZero();
        pool.preparedQuery("""
                INSERT INTO metrics.rate_backfill (connection, session_address, from_time, to_time)
                SELECT connection, session_address, min(time), max(time) FROM metrics.connection_samples
                WHERE connection LIKE 'peerings/contoso-ams/%' AND time >= $1 AND time < $2
                GROUP BY 1, 2
                """).execute(Tuple.of(utc(DAY0.minus(Duration.ofDays(1))), utc(DAY0.plus(Duration.ofDays(4)))))
                .await().atMost(Duration.ofSeconds(10));

        int done = backfill.run().await().atMost(Duration.ofSeconds(60));

        assertThat(done).isGreaterThanOrEqualTo(SERIES.size());
        assertThat(pool.query("SELECT count(*) FROM metrics.rate_backfill WHERE connection LIKE 'peerings/contoso-ams/%'")
                .execute().await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0)).isZero();
        compareEverything(random, true, "backfilled");
    }

    @Test
    void retentionDropsTheRollupsWithTheSamplesTheyWereMadeFrom() throws Exception {
        Instant old = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(120)).plus(Duration.ofHours(6));
        Instant recent = DAY0.plus(Duration.ofHours(6));
        clear(old.minus(Duration.ofDays(1)), old.plus(Duration.ofDays(1))); // what a run that failed here left
        // ingest refuses samples older than retention, so the old ones are stored the way a clock that was wrong then did
        List<Sample> samples = new ArrayList<>();
        for (Instant base : List.of(old, recent)) {
            for (int i = 0; i < 5; i++) {
                samples.add(new Sample(AMS2, "", base.plusSeconds(60L * i), 1000L * i, 2000L * i, 0, 0));
            }
            samples.add(new Sample(AMS2, "", base.plusSeconds(240).plusMillis(500), 5000L, 9000L, 0, 0)); // a short interval
        }
        sampleStore.insert(samples, c -> 1e10, Duration.ofHours(1)).await().atMost(Duration.ofSeconds(30));
        for (String table : List.of("rate_intervals", "rate_short_intervals", "rate_seconds", "rate_minutes", "rate_5minutes", "rate_hours", "rate_days")) {
            assertThat(countAround(table, old)).as(table + " before retention").isPositive();
        }
        scopeRollupJob.runUntilDone().await().atMost(Duration.ofSeconds(60)); // the peering's rows of both days
        assertThat(countAround("rate_scopes", old)).as("rate_scopes before retention").isPositive();
        assertThat(countAround("rate_scopes", recent)).as("rate_scopes recent").isPositive();

        retention.dropExpiredChunks().await().atMost(Duration.ofSeconds(60));

        assertThat(countAround("connection_samples", old)).isZero();
        for (String table : List.of("rate_intervals", "rate_short_intervals", "rate_seconds", "rate_minutes", "rate_5minutes", "rate_hours", "rate_days", "rate_scopes")) {
            assertThat(countAround(table, old)).as(table + " after retention").isZero();
            assertThat(countAround(table, recent)).as(table + " recent").isPositive();
        }

        clear(old.minus(Duration.ofDays(1)), old.plus(Duration.ofDays(1)));
    }

    // ---- the random sequences

    /** 150..400 samples of one series from DAY0 20:00 on, mostly a minute apart, with every kind of trouble (bursts when not whole seconds). */
    static List<ConnectionSample> sequence(Random random, Series series, boolean wholeSeconds) {
        List<ConnectionSample> list = new ArrayList<>();
        long micros = DAY0.plus(Duration.ofHours(20)).getEpochSecond() * 1_000_000L + random.nextInt(120) * 1_000_000L;
        // counters start anywhere, some near 2^64 so that they wrap on their own
        long in = random.nextBoolean() ? -random.nextInt(2_000_000_000) : random.nextLong() >>> 4;
        long out = random.nextBoolean() ? -random.nextInt(50_000_000) : random.nextInt(1_000_000);
        long inD = random.nextInt(5) == 0 ? -random.nextInt(100) : random.nextInt(1000);
        long outD = random.nextInt(1000);
        int n = 150 + random.nextInt(250);
        for (int i = 0; i < n; i++) {
            list.add(ConnectionSample.newBuilder().setConnection(series.connection()).setSessionAddress(series.address())
                    .setTime(ts(Instant.EPOCH.plus(micros, ChronoUnit.MICROS))).setInOctets(in).setOutOctets(out)
                    .setInDiscards(inD).setOutDiscards(outD).build());
            int kind = random.nextInt(100);
            long seconds = kind < 75 ? 55 + random.nextInt(11) : kind < 90 ? 1 + random.nextInt(30)
                    : kind < 97 ? 120 + random.nextInt(480) : 3_500 + random.nextInt(4_000); // ~3600 s: around max-sample-gap
            long step = seconds * 1_000_000L + (wholeSeconds ? 0 : random.nextInt(1_000_000));
            if (!wholeSeconds && kind < 10) { // a burst: several samples in a second (the seconds level's rows of many intervals)
                step = 1_000 + random.nextInt(400_000);
            }
            micros += step;
            double secs = step / 1e6;
            in += (long) (secs * random.nextInt(200_000_000));
            out += (long) (secs * random.nextInt(20_000_000));
            inD += random.nextInt(50);
            outD += random.nextInt(5) == 0 ? random.nextInt(5_000) : 0;
            int trouble = random.nextInt(100);
            if (trouble < 3) { // a reset: the device rebooted
                in = random.nextInt(1_000_000);
                out = random.nextInt(1_000_000);
            } else if (trouble < 4) {
                inD = 0;
            } else if (trouble < 6) { // more than 10 Gbit/s could carry
                in += 1_000_000_000_000L;
            } else if (trouble < 7) {
                out = -1 - random.nextInt(10_000); // near 2^64: the next readings wrap
            }
        }
        return list;
    }

    /**
     * Sends the samples in time order, cut at random times into two to six streams sent one after another: each
     * stream's samples come after every stored sample of their series, so its batch adds its intervals to rollup rows
     * that earlier streams' batches made (the path a series without late samples takes), for minutes, hours and days.
     */
    void ingestInTimeOrderInParts(List<ConnectionSample> samples, Random random) throws Exception {
        List<ConnectionSample> inTimeOrder = new ArrayList<>(samples);
        inTimeOrder.sort(Comparator.comparingLong(s -> s.getTime().getSeconds() * 1_000_000_000L + s.getTime().getNanos()));
        List<Integer> cuts = new ArrayList<>(List.of(0, inTimeOrder.size()));
        for (int k = 1 + random.nextInt(5); k > 0; k--) {
            cuts.add(random.nextInt(inTimeOrder.size()));
        }
        Collections.sort(cuts);
        for (int k = 0; k + 1 < cuts.size(); k++) {
            if (cuts.get(k) < cuts.get(k + 1)) {
                ingest(inTimeOrder.subList(cuts.get(k), cuts.get(k + 1)), random);
            }
        }
    }

    void ingest(List<ConnectionSample> samples, Random random) throws Exception {
        checkReply(startIngest(samples, random).get(60, TimeUnit.SECONDS), samples);
    }

    static void checkReply(IngestConnectionSamplesResponse r, List<ConnectionSample> samples) {
        assertThat(r.getRejected()).as(r.getRejectionsList().toString()).isZero();
        assertThat(r.getAccepted() + r.getDuplicates()).isEqualTo(samples.size());
    }

    /** Sends the samples in one stream, in messages of random sizes; the reply when the stream is stored. */
    CompletableFuture<IngestConnectionSamplesResponse> startIngest(List<ConnectionSample> samples, Random random) {
        CompletableFuture<IngestConnectionSamplesResponse> reply = new CompletableFuture<>();
        StreamObserver<IngestConnectionSamplesRequest> stream = MetricsServiceGrpc.newStub(channel)
                .withDeadlineAfter(60, TimeUnit.SECONDS).ingestConnectionSamples(new StreamObserver<>() {
                    @Override
                    public void onNext(IngestConnectionSamplesResponse value) {
                        reply.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        reply.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        for (int i = 0; i < samples.size(); ) {
            int size = 1 + random.nextInt(300);
            stream.onNext(IngestConnectionSamplesRequest.newBuilder()
                    .addAllSamples(samples.subList(i, Math.min(samples.size(), i + size))).build());
            i += size;
        }
        stream.onCompleted();
        return reply;
    }

    // ---- the comparison

    /**
     * Compares every case twice: while ingest's stale marks are there (whole buckets from the
     * per-series rollups), then after the scope rollup job remade them (whole buckets from the scope
     * rows). The job is off in the test profile, so the first pass always sees the marks.
     */
    void compareEverything(Random random, boolean wholeSeconds, String what) {
        assertThat(scopeRollups.staleMarks().await().atMost(Duration.ofSeconds(10))).as("stale marks before the job ran").isPositive();
        compareEverythingOnce(new Random(random.nextLong()), wholeSeconds, what + ", scope rows stale");
        scopeRollupJob.runUntilDone().await().atMost(Duration.ofSeconds(60));
        assertThat(scopeRollups.staleMarks().await().atMost(Duration.ofSeconds(10))).as("stale marks after the job ran").isZero();
        compareEverythingOnce(random, wholeSeconds, what + ", from the scope rows");
    }

    void compareEverythingOnce(Random random, boolean wholeSeconds, String what) {
        Instant first = DAY0.plus(Duration.ofHours(20));
        Instant last = DAY0.plus(Duration.ofDays(3)); // beyond every sequence's end
        for (Duration grain : GRAINS) {
            long raggedStart = random.nextInt(6 * 3600) * 1_000_000L + random.nextInt(1_000_000);
            long raggedEnd = random.nextInt(6 * 3600) * 1_000_000L + random.nextInt(1_000_000);
            List<Instant[]> ranges = new ArrayList<>(List.of(new Instant[]{DAY0, last},
                    new Instant[]{first.plus(raggedStart, ChronoUnit.MICROS), first.plus(Duration.ofHours(14)).minus(raggedEnd, ChronoUnit.MICROS)}));
            if (!wholeSeconds) { // a range whose sub-second edges hold intervals shorter than a second (random times seldom do)
                ranges.add(edgesInsideBursts(random));
            }
            for (Instant[] range : ranges) {
                for (List<String> scope : List.of(List.of(AMS1), List.of(AMS2), List.of(AMS1, AMS2))) {
                    compare(scope, range[0], range[1], grain, wholeSeconds && scope.size() == 1, range == ranges.get(0),
                            what + ", " + scope + " " + range[0] + ".." + range[1] + " at " + grain);
                }
            }
        }
    }

    /**
     * A range from 1 us before the time of one short interval (so its start's sub-second piece holds it) to 1 us after a
     * later one (so does its end's); the two chosen at random among the stored short intervals.
     */
    Instant[] edgesInsideBursts(Random random) {
        List<Instant> times = new ArrayList<>();
        for (Row row : pool.query("SELECT time FROM metrics.rate_short_intervals WHERE connection LIKE 'peerings/contoso-ams/%'"
                + " AND date_trunc('second', time) <> time ORDER BY time").execute().await().atMost(Duration.ofSeconds(10))) {
            times.add(row.getOffsetDateTime(0).toInstant());
        }
        assertThat(times).as("short intervals (bursts) stored").hasSizeGreaterThan(2);
        int a = random.nextInt(times.size() / 2);
        int b = times.size() / 2 + random.nextInt(times.size() - times.size() / 2);
        return new Instant[]{times.get(a).minus(1, ChronoUnit.MICROS), times.get(b).plus(1, ChronoUnit.MICROS)};
    }

    /** @param wholeRange the range holds every sample, so the oracle must find rates (a ragged range may lie past a short series) */
    void compare(List<String> scope, Instant start, Instant end, Duration grain, boolean toTheBit, boolean wholeRange, String what) {
        Duration maxGap = Duration.ofHours(1);
        String peering = scope.size() == 1 ? null : "peerings/contoso-ams"; // the sample inventory's ams-1 and ams-2
        TreeMap<Instant, RateBucket> rollup = withValues(queries.rates(new MetricQueries.RatesQuery(peering, scope, start, end, grain))
                .await().atMost(Duration.ofSeconds(30)));
        TreeMap<Instant, RateBucket> raw = withValues(pool.preparedQuery(RatesFromRaw.SQL).execute(Tuple.tuple(List.of(
                        scope.toArray(String[]::new),
                        scope.stream().map(c -> inventory.connection(c).orElseThrow().connection().bandwidthMbps() * 1e6).toArray(Double[]::new),
                        utc(start), utc(end), (double) grain.toSeconds(), maxGap.toMillis() / 1000.0)))
                .map(RollupRatesEqualFromRawPropertyTest::buckets).await().atMost(Duration.ofSeconds(30)));

        if (wholeRange) {
            assertThat(raw).as("the oracle finds rates: " + what).isNotEmpty();
        }
        assertThat(rollup.keySet()).as("buckets, " + what).containsExactlyElementsOf(raw.keySet());
        String[] metrics = {"ingress", "egress", "drops"};
        String[] aggregations = {"average", "minimum", "maximum"};
        for (Instant bucket : raw.keySet()) {
            RateBucket r = rollup.get(bucket);
            RateBucket o = raw.get(bucket);
            for (int m = 0; m < 3; m++) {
                assertThat(r.counts()[m]).as("count of " + metrics[m] + " at " + bucket + ", " + what).isEqualTo(o.counts()[m]);
                if (o.counts()[m] == 0) {
                    continue;
                }
                for (int a = 0; a < 3; a++) {
                    Double mine = r.values()[m * 3 + a];
                    Double expected = o.values()[m * 3 + a];
                    String as = aggregations[a] + " of " + metrics[m] + " at " + bucket + ", " + what;
                    if (a == 0 && !toTheBit) {
                        assertThat(Math.abs(mine - expected)).as(as + ": " + mine + " vs " + expected)
                                .isLessThanOrEqualTo(1e-12 * Math.max(Math.abs(expected), 1e-300));
                    } else {
                        assertThat(mine).as(as).isEqualTo(expected);
                    }
                }
            }
        }
    }

    /** The buckets in which some metric has a value (the ones QueryConnectionMetrics answers points for). */
    static TreeMap<Instant, RateBucket> withValues(List<RateBucket> buckets) {
        TreeMap<Instant, RateBucket> map = new TreeMap<>();
        for (RateBucket b : buckets) {
            if (b.counts()[0] + b.counts()[1] + b.counts()[2] > 0) {
                map.put(b.bucket(), b);
            }
        }
        return map;
    }

    static List<RateBucket> buckets(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        List<RateBucket> list = new ArrayList<>();
        for (Row row : rows) {
            Double[] values = new Double[9];
            long[] counts = new long[3];
            for (int m = 0; m < 3; m++) {
                for (int a = 0; a < 3; a++) {
                    values[m * 3 + a] = row.getDouble(1 + m * 4 + a);
                }
                counts[m] = row.getLong(4 + m * 4);
            }
            list.add(new RateBucket(row.getOffsetDateTime(0).toInstant(), values, counts));
        }
        return list;
    }

    // ---- helpers

    void clear(Instant from, Instant to) {
        for (String table : TABLES) {
            delete(table, "time", from, to);
        }
        for (String table : ROLLUPS) {
            delete(table, "bucket", from, to);
        }
        pool.query("DELETE FROM metrics.rate_backfill WHERE connection LIKE 'peerings/contoso-ams/%'").execute()
                .await().atMost(Duration.ofSeconds(10));
        pool.preparedQuery("DELETE FROM metrics.rate_scopes WHERE scope LIKE 'peerings/contoso-ams%' AND bucket >= $1 AND bucket < $2")
                .execute(Tuple.of(utc(from), utc(to))).await().atMost(Duration.ofSeconds(10));
        delete("rate_scopes_stale", "hour", from, to);
    }

    void delete(String table, String column, Instant from, Instant to) {
        pool.preparedQuery("DELETE FROM metrics." + table + " WHERE connection LIKE 'peerings/contoso-ams/%' AND " + column
                + " >= $1 AND " + column + " < $2").execute(Tuple.of(utc(from), utc(to))).await().atMost(Duration.ofSeconds(10));
    }

    long count(String table, String column) {
        return pool.preparedQuery("SELECT count(*) FROM metrics." + table + " WHERE connection LIKE 'peerings/contoso-ams/%' AND "
                        + column + " >= $1 AND " + column + " < $2")
                .execute(Tuple.of(utc(DAY0.minus(Duration.ofDays(1))), utc(DAY0.plus(Duration.ofDays(4)))))
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
    }

    long countAround(String table, Instant t) {
        String column = ROLLUPS.contains(table) || table.equals("rate_scopes") ? "bucket" : table.equals("rate_scopes_stale") ? "hour" : "time";
        String key = table.equals("rate_scopes") ? "scope" : "connection";
        return pool.preparedQuery("SELECT count(*) FROM metrics." + table + " WHERE " + key + " = $1 AND " + column
                        + " >= $2 AND " + column + " < $3")
                .execute(Tuple.of(table.equals("rate_scopes") ? "peerings/contoso-ams" : AMS2, utc(t.minus(Duration.ofDays(1))), utc(t.plus(Duration.ofDays(1)))))
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getLong(0);
    }

    static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
