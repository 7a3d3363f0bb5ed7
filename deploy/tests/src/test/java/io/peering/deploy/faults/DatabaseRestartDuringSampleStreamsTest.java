package io.peering.deploy.faults;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.peering.latency.v1.IngestLatencySamplesRequest;
import io.peering.latency.v1.IngestLatencySamplesResponse;
import io.peering.latency.v1.LatencySample;
import io.peering.latency.v1.LatencyServiceGrpc;
import io.peering.metrics.v1.ConnectionSample;
import io.peering.metrics.v1.IngestConnectionSamplesRequest;
import io.peering.metrics.v1.IngestConnectionSamplesResponse;
import io.peering.metrics.v1.MetricsServiceGrpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database goes away while collectors stream counter samples to metrics-service
 * (IngestConnectionSamples) and probes stream latency samples to latency-service
 * (IngestLatencySamples). A stream the service could not store must be refused with UNAVAILABLE
 * and a message, never answered OK; a client that sends a refused stream again ends with every
 * sample stored exactly once, and every sample a response acknowledged is stored.
 */
class DatabaseRestartDuringSampleStreamsTest {

    static final int STREAMS = 20;
    static final int SAMPLES_PER_STREAM = 5_000;
    static final int SAMPLES_PER_MESSAGE = 500;
    static final int TOTAL = STREAMS * SAMPLES_PER_STREAM;
    static final List<String> CONNECTIONS = List.of("peerings/contoso-ams/connections/ams-1",
            "peerings/contoso-ams/connections/ams-2", "peerings/fabrikam-lon/connections/lon-1");
    /** Sample times: a day ago onwards, so every one is accepted (not in the future, inside retention). */
    static final Instant BASE = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

    static Path dir;
    static PrivateCluster db;
    static ServiceProcess metrics;
    static ServiceProcess latency;

    @BeforeAll
    static void start() {
        dir = Local.workDir("sample-streams");
        db = PrivateCluster.start(dir);
        // Batches of 1,000 rows, so a stream of 5,000 is written in several statements and a
        // failure can leave part of a stream stored.
        Map<String, String> metricsEnv = new HashMap<>(db.serviceEnvironment());
        metricsEnv.put("PEERING_METRICS_SESSION_FEED_ENABLED", "false"); // no routes-service here
        metricsEnv.put("PEERING_METRICS_INGEST_BATCH_SIZE", "1000");
        metrics = ServiceProcess.start("metrics-service", dir, metricsEnv);
        Map<String, String> latencyEnv = new HashMap<>(db.serviceEnvironment());
        latencyEnv.put("PEERING_LATENCY_BATCH_SIZE", "1000");
        latency = ServiceProcess.start("latency-service", dir, latencyEnv);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {metrics, latency, db}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("cleanup: " + e);
            }
        }
    }

    /**
     * Sends numbered streams one after another. A refused stream is sent again, identical, after
     * {@link #RETRY_DELAY}, until it is answered OK (as a collector or probe would).
     */
    abstract static class StreamingClient implements Runnable {
        static final Duration RETRY_DELAY = Duration.ofMillis(200);

        final String name;
        final ManagedChannel channel;
        volatile int streamsAcknowledged;
        volatile long samplesSent;
        volatile long acknowledged;
        volatile long acknowledgedAsDuplicates;
        volatile long refused;
        final List<String> wrongStatuses = new ArrayList<>();
        volatile String firstRefusal = "";
        volatile Throwable crashed;

        StreamingClient(String name, int port) {
            this.name = name;
            this.channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        }

        /**
         * Sends one stream; answers the samples the response acknowledges as stored, and how many of
         * them as already stored before (-1 when the response does not say).
         */
        abstract long[] send(int stream) throws InterruptedException;

        @Override
        public void run() {
            try {
                for (int stream = 0; stream < STREAMS; stream++) {
                    while (true) {
                        samplesSent += SAMPLES_PER_STREAM;
                        try {
                            long[] ack = send(stream);
                            acknowledged += ack[0];
                            acknowledgedAsDuplicates = ack[1] < 0 ? -1 : acknowledgedAsDuplicates + ack[1];
                            streamsAcknowledged++;
                            break;
                        } catch (StatusRuntimeException e) {
                            refused++;
                            Status status = e.getStatus();
                            if (firstRefusal.isEmpty()) {
                                firstRefusal = status.getCode() + ": " + status.getDescription();
                            }
                            if (status.getCode() != Status.Code.UNAVAILABLE || status.getDescription() == null
                                    || status.getDescription().isBlank()) {
                                synchronized (wrongStatuses) {
                                    wrongStatuses.add(status.getCode() + ": " + status.getDescription());
                                }
                            }
                            Thread.sleep(RETRY_DELAY.toMillis());
                        }
                    }
                }
            } catch (Throwable t) {
                crashed = t;
            }
        }

        /** Sends the messages of one client stream and waits for its one response (or its refusal). */
        static <Q, R> R exchange(List<Q> messages, Function<StreamObserver<R>, StreamObserver<Q>> call)
                throws InterruptedException {
            CompletableFuture<R> response = new CompletableFuture<>();
            StreamObserver<R> observer = new StreamObserver<>() {
                @Override
                public void onNext(R value) {
                    response.complete(value);
                }

                @Override
                public void onError(Throwable t) {
                    response.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                    response.completeExceptionally(new IllegalStateException("the stream ended without a response"));
                }
            };
            StreamObserver<Q> requests = call.apply(observer);
            for (Q m : messages) {
                requests.onNext(m);
            }
            requests.onCompleted();
            try {
                return response.get(2, TimeUnit.MINUTES);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof StatusRuntimeException s) {
                    throw s;
                }
                throw new IllegalStateException(e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("no response to a stream within 2 minutes");
            }
        }

        void close() throws InterruptedException {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    /** Counter samples: sample k is of connection k mod 3, a second after that connection's previous one. */
    static final class CounterCollector extends StreamingClient {
        CounterCollector(int port) {
            super("metrics-service IngestConnectionSamples", port);
        }

        @Override
        long[] send(int stream) throws InterruptedException {
            List<IngestConnectionSamplesRequest> messages = new ArrayList<>();
            for (int m = 0; m < SAMPLES_PER_STREAM; m += SAMPLES_PER_MESSAGE) {
                IngestConnectionSamplesRequest.Builder message = IngestConnectionSamplesRequest.newBuilder();
                for (int j = m; j < m + SAMPLES_PER_MESSAGE; j++) {
                    long k = (long) stream * SAMPLES_PER_STREAM + j;
                    message.addSamples(ConnectionSample.newBuilder().setConnection(CONNECTIONS.get((int) (k % 3)))
                            .setTime(timestamp(BASE.plusSeconds(k / 3))).setInOctets(k * 1_000).setOutOctets(k * 2_000)
                            .setInDiscards(k).setOutDiscards(k));
                }
                messages.add(message.build());
            }
            IngestConnectionSamplesResponse r = exchange(messages,
                    MetricsServiceGrpc.newStub(channel).withDeadlineAfter(2, TimeUnit.MINUTES)::ingestConnectionSamples);
            return new long[] {r.getAccepted() + r.getDuplicates(), r.getDuplicates()};
        }
    }

    /** Latency samples: sample k 10 ms after sample k-1, to one of 200 targets. */
    static final class Probe extends StreamingClient {
        Probe(int port) {
            super("latency-service IngestLatencySamples", port);
        }

        @Override
        long[] send(int stream) throws InterruptedException {
            List<IngestLatencySamplesRequest> messages = new ArrayList<>();
            for (int m = 0; m < SAMPLES_PER_STREAM; m += SAMPLES_PER_MESSAGE) {
                IngestLatencySamplesRequest.Builder message = IngestLatencySamplesRequest.newBuilder();
                for (int j = m; j < m + SAMPLES_PER_MESSAGE; j++) {
                    long k = (long) stream * SAMPLES_PER_STREAM + j;
                    message.addSamples(LatencySample.newBuilder().setTarget("198.51.100." + (k % 200 + 1))
                            .setTime(timestamp(BASE.plusMillis(k * 10))).setRttMs(1 + (k % 5_000) / 100.0)
                            .setProbeLocation("ams"));
                }
                messages.add(message.build());
            }
            IngestLatencySamplesResponse r = exchange(messages,
                    LatencyServiceGrpc.newStub(channel).withDeadlineAfter(2, TimeUnit.MINUTES)::ingestLatencySamples);
            return new long[] {r.getAccepted(), r.getDuplicates()}; // accepted counts the duplicates too
        }
    }

    @Test
    void everyAcknowledgedSampleIsStoredAndRefusedStreamsSucceedWhenSentAgain() throws Exception {
        long started = System.nanoTime();
        CounterCollector collector = new CounterCollector(metrics.port());
        Probe probe = new Probe(latency.port());
        List<StreamingClient> clients = List.of(collector, probe);
        List<Thread> threads = clients.stream().map(c -> new Thread(c, c.name)).toList();
        try {
            threads.forEach(Thread::start);
            Local.await(Duration.ofMinutes(2), "a fifth of the streams acknowledged by both services",
                    () -> clients.stream().allMatch(c -> c.streamsAcknowledged >= STREAMS / 5 || c.crashed != null));
            db.stop();
            Local.await(Duration.ofSeconds(60), "both services refusing streams while the database is down",
                    () -> clients.stream().allMatch(c -> c.refused > 0 || c.crashed != null));
            db.startAgain();
            for (Thread t : threads) {
                t.join(Duration.ofMinutes(3).toMillis());
                assertThat(t.isAlive()).as(t.getName() + " still sending after 3 minutes").isFalse();
            }
        } finally {
            for (StreamingClient c : clients) {
                c.close();
            }
        }

        long metricsStored = db.count("SELECT count(*) FROM metrics.connection_samples");
        long metricsDistinct = db.count("SELECT count(*) FROM (SELECT DISTINCT connection, session_address, time FROM metrics.connection_samples) d");
        long metricsOctets = db.count("SELECT sum(in_octets) FROM metrics.connection_samples");
        long latencyStored = db.count("SELECT count(*) FROM latency.samples");
        long latencyDistinct = db.count("SELECT count(*) FROM (SELECT DISTINCT target, probe_location, time, rtt_ms FROM latency.samples) d");
        long latencyRollup = db.count("SELECT sum(cardinality(rtts)) FROM latency.hourly");

        System.out.printf("%n== database restart during sample streams (%.1f s) ==%n", (System.nanoTime() - started) / 1e9);
        for (StreamingClient c : clients) {
            System.out.printf("%s: %,d samples in %d streams; sent %,d (re-sent streams included); streams refused: %d"
                            + " (first: %s); acknowledged %,d%s%n", c.name, (long) TOTAL, STREAMS, c.samplesSent, c.refused,
                    c.firstRefusal, c.acknowledged, c.acknowledgedAsDuplicates < 0 ? " (the response does not say how many were"
                            + " already stored)" : String.format(" (of them %,d as already stored)", c.acknowledgedAsDuplicates));
        }
        System.out.printf("metrics.connection_samples: %,d stored, %,d distinct%n", metricsStored, metricsDistinct);
        System.out.printf("latency.samples: %,d stored, %,d distinct; latency.hourly holds %,d values%n",
                latencyStored, latencyDistinct, latencyRollup);

        for (StreamingClient c : clients) {
            assertThat(c.crashed).as(c.name + " client").isNull();
            assertThat(c.refused).as(c.name + ": streams refused while the database was down").isPositive();
            assertThat(c.wrongStatuses).as(c.name + ": refusals that were not UNAVAILABLE with a message").isEmpty();
            assertThat(c.acknowledged).as(c.name + ": samples acknowledged (each stream in the end)").isEqualTo(TOTAL);
        }
        assertThat(metricsStored).as("counter samples stored").isEqualTo(TOTAL);
        assertThat(metricsDistinct).as("distinct counter samples stored").isEqualTo(TOTAL);
        long k = TOTAL;
        assertThat(metricsOctets).as("sum of in_octets (the content)").isEqualTo(1_000 * k * (k - 1) / 2);
        assertThat(latencyStored).as("latency samples stored").isEqualTo(TOTAL);
        assertThat(latencyDistinct).as("distinct latency samples stored").isEqualTo(TOTAL);
        assertThat(latencyRollup).as("values in the hourly rollup (agrees with the samples)").isEqualTo(TOTAL);
    }
}
