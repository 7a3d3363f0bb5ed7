package io.peering.latency.repository;

import io.peering.latency.Sample;
import io.peering.support.net.IpPrefix;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hourly rollup's rows (migration V7): a batch adds rows of its own and never rewrites stored ones; the
 * compaction merges the rows of each prefix, origin and hour into one. What the queries answer from them is
 * {@link ClosedHourStatisticsMatchRawSamplesTest}'s.
 */
@QuarkusTest
class HourlyRollupRowsTest {

    static final IpPrefix TARGET = IpPrefix.parseAddressOrPrefix("192.0.2.10");

    @Inject
    Pool pool;

    @Inject
    SampleStore store;

    @BeforeEach
    void setUp() {
        pool.query("TRUNCATE latency.samples, latency.hourly, latency.prefix_hourly, latency.prefix_minutes, latency.prefix_buckets, latency.asn_rollup").execute()
                .await().atMost(Duration.ofSeconds(10));
    }

    static List<Sample> samples(Instant time, double... rtts) {
        List<Sample> batch = new ArrayList<>();
        for (double rtt : rtts) {
            batch.add(new Sample(time, TARGET, Sample.reportingPrefix(TARGET), rtt, "ams", 64500L));
        }
        return batch;
    }

    /** The rows of 192.0.2.0/24, as "{values} open|closed" (and "unsorted" when so), in value order. */
    List<String> rows() {
        List<String> rows = new ArrayList<>();
        for (Row r : pool.query("SELECT rtts::text || CASE WHEN closed THEN ' closed' ELSE ' open' END"
                        + " || CASE WHEN sorted THEN '' ELSE ' unsorted' END FROM latency.hourly"
                        + " WHERE prefix = '192.0.2.0/24' ORDER BY rtts").execute().await().atMost(Duration.ofSeconds(10))) {
            rows.add(r.getString(0));
        }
        return rows;
    }

    int compact() {
        return store.compact().await().atMost(Duration.ofSeconds(30));
    }

    @Test
    void concurrentBatchesAddRowsOfTheirOwnAndCompactionMergesTheCurrentHoursIntoOneOpenRow() {
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS); // taken as the current hour
        Uni.combine().all().unis(store.insert(samples(hour, 9, 3, 5)), store.insert(samples(hour.plusMillis(1), 7, 1)))
                .asTuple().await().atMost(Duration.ofSeconds(30));
        assertThat(rows()).containsExactly("{1,7} open", "{3,5,9} open");

        // the compaction as of half past this hour: both batch rows are from before that minute
        assertThat(store.compactAsOf(hour, hour.plus(Duration.ofMinutes(30))).await().atMost(Duration.ofSeconds(30)))
                .as("no past hour to close").isZero();
        assertThat(rows()).containsExactly("{1,3,5,7,9} open");
    }

    @Test
    void aLateSampleAddsAnOpenRowToItsClosedHourAndCompactionClosesThemAsOne() {
        Instant past = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(3));
        store.insert(samples(past, 4, 2)).await().atMost(Duration.ofSeconds(30));
        assertThat(compact()).isEqualTo(1);
        assertThat(rows()).containsExactly("{2,4} closed");

        store.insert(samples(past.plus(Duration.ofMinutes(10)), 3)).await().atMost(Duration.ofSeconds(30));
        assertThat(rows()).containsExactly("{2,4} closed", "{3} open");
        assertThat(compact()).isEqualTo(1);
        assertThat(rows()).containsExactly("{2,3,4} closed");
        assertThat(pool.query("SELECT sample_count FROM latency.prefix_hourly").execute().await().atMost(Duration.ofSeconds(10))
                .iterator().next().getLong(0)).as("the hour's statistics counted again").isEqualTo(3);
    }
}
