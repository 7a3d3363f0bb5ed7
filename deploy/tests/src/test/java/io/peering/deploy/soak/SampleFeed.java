package io.peering.deploy.soak;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.peering.latency.v1.IngestLatencySamplesRequest;
import io.peering.latency.v1.IngestLatencySamplesResponse;
import io.peering.latency.v1.LatencySample;
import io.peering.latency.v1.LatencyServiceGrpc;
import io.peering.metrics.v1.ConnectionSample;
import io.peering.metrics.v1.IngestConnectionSamplesRequest;
import io.peering.metrics.v1.IngestConnectionSamplesResponse;
import io.peering.metrics.v1.MetricsServiceGrpc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A collector or probe streaming samples at a fixed rate: one client stream at a time, a message
 * every 100 ms with the samples due by then, half-closed after {@code streamSeconds} (the response
 * counts what was stored) while the next stream opens at once. Samples are stamped with the current
 * time. A stream the service ends with an error is counted and replaced by a new one; its samples
 * are not sent again (the figures count what was stored).
 */
abstract class SampleFeed<Q, R> implements Runnable {

    static final long MESSAGE_INTERVAL_MS = 100;

    final String rpc;
    final double rate;
    final long streamSeconds;
    final Figures.Errors errors;
    final AtomicLong sent = new AtomicLong();
    final AtomicLong acknowledged = new AtomicLong();
    final AtomicLong streams = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    volatile String firstRejection = "";
    final SplittableRandom random = new SplittableRandom(11);
    private final List<CompletableFuture<Void>> open = new ArrayList<>();
    private volatile boolean stopping;
    volatile Throwable crashed;
    private Thread thread;

    SampleFeed(String rpc, double rate, long streamSeconds, Figures.Errors errors) {
        this.rpc = rpc;
        this.rate = rate;
        this.streamSeconds = streamSeconds;
        this.errors = errors;
    }

    /** Opens a client stream; {@code response} gets the one response, or the error. */
    abstract StreamObserver<Q> open(StreamObserver<R> response);

    /** A request message with {@code n} samples stamped around {@code now}. */
    abstract Q message(int n, Instant now);

    /** Samples the response says were stored (or already stored). */
    abstract long stored(R response);

    void start() {
        thread = new Thread(this, "soak-" + rpc);
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops sending, half-closes the last stream and waits for every response. */
    void stop() throws InterruptedException {
        stopping = true;
        if (thread != null) {
            thread.join(30_000);
        }
        List<CompletableFuture<Void>> pending;
        synchronized (open) {
            pending = new ArrayList<>(open);
        }
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        } catch (Exception e) {
            // counted by the futures themselves
        }
    }

    @Override
    public void run() {
        try {
            long start = System.nanoTime();
            long due = 0;
            while (!stopping) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                StreamObserver<Q> requests = open(new StreamObserver<>() {
                    @Override
                    public void onNext(R value) {
                        acknowledged.addAndGet(stored(value));
                    }

                    @Override
                    public void onError(Throwable t) {
                        errors.add(rpc, t);
                        done.complete(null);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
                streams.incrementAndGet();
                synchronized (open) {
                    open.removeIf(CompletableFuture::isDone);
                    open.add(done);
                }
                long streamEnd = System.nanoTime() + streamSeconds * 1_000_000_000L;
                while (!stopping && !done.isDone() && System.nanoTime() < streamEnd) {
                    long target = (long) ((System.nanoTime() - start) / 1e9 * rate);
                    int n = (int) Math.min(target - due, 20_000);
                    if (n > 0) {
                        requests.onNext(message(n, Instant.now()));
                        sent.addAndGet(n);
                        due = target;
                    }
                    Thread.sleep(MESSAGE_INTERVAL_MS);
                }
                if (!done.isDone()) {
                    requests.onCompleted();
                }
            }
        } catch (InterruptedException e) {
            // stopped
        } catch (Throwable t) {
            crashed = t;
        }
    }

    static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    /**
     * Counter samples of the inventory's three connections (ams-1, ams-2, lon-1), round robin, each
     * connection's samples at least a microsecond apart; octet counters grow at 1 Gbit/s in and
     * 2 Gbit/s out, discards at 10 packets/s.
     */
    static final class Counters extends SampleFeed<IngestConnectionSamplesRequest, IngestConnectionSamplesResponse> {
        static final List<String> CONNECTIONS = List.of("peerings/contoso-ams/connections/ams-1",
                "peerings/contoso-ams/connections/ams-2", "peerings/fabrikam-lon/connections/lon-1");
        private final ManagedChannel channel;
        private final String token;
        private final long[] lastMicros = new long[CONNECTIONS.size()];
        private final long firstMicros = Instant.now().toEpochMilli() * 1000;
        private int next;

        Counters(ManagedChannel channel, String token, double rate, long streamSeconds, Figures.Errors errors) {
            super("metrics.IngestConnectionSamples", rate, streamSeconds, errors);
            this.channel = channel;
            this.token = token;
        }

        @Override
        StreamObserver<IngestConnectionSamplesRequest> open(StreamObserver<IngestConnectionSamplesResponse> response) {
            return SoakStack.withToken(MetricsServiceGrpc.newStub(channel), token).withDeadlineAfter(streamSeconds + 120, TimeUnit.SECONDS)
                    .ingestConnectionSamples(response);
        }

        @Override
        IngestConnectionSamplesRequest message(int n, Instant now) {
            IngestConnectionSamplesRequest.Builder m = IngestConnectionSamplesRequest.newBuilder();
            long nowMicros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
            for (int k = 0; k < n; k++) {
                int c = next;
                next = (next + 1) % CONNECTIONS.size();
                // spread this message's samples over the last interval, as a poller reading on its own clock would
                long micros = Math.max(lastMicros[c] + 1, nowMicros - (n - 1 - k) * MESSAGE_INTERVAL_MS * 1000 / n);
                lastMicros[c] = micros;
                double seconds = (micros - firstMicros) / 1e6;
                m.addSamples(ConnectionSample.newBuilder().setConnection(CONNECTIONS.get(c))
                        .setTime(Timestamp.newBuilder().setSeconds(Math.floorDiv(micros, 1_000_000))
                                .setNanos((int) Math.floorMod(micros, 1_000_000) * 1000))
                        .setInOctets((long) (seconds * 125_000_000L)).setOutOctets((long) (seconds * 250_000_000L))
                        .setInDiscards((long) (seconds * 10)).setOutDiscards((long) (seconds * 10)));
            }
            return m.build();
        }

        @Override
        long stored(IngestConnectionSamplesResponse r) {
            rejected.addAndGet(r.getRejected());
            if (r.getRejectionsCount() > 0 && firstRejection.isEmpty()) {
                firstRejection = r.getRejections(0).getReason();
            }
            return r.getAccepted() + r.getDuplicates();
        }
    }

    /**
     * Probe samples: contoso-web's and contoso's registered prefixes (198.51.100.0/24,
     * 2001:db8:100::/48), fabrikam's (203.0.113.0/24) and the customer prefixes of ASN 4200000001
     * (100.64.0.0/16, half of them with origin_asn set), round trips of 5 to 55 ms.
     */
    static final class Probes extends SampleFeed<IngestLatencySamplesRequest, IngestLatencySamplesResponse> {
        private final ManagedChannel channel;
        private final String token;

        Probes(ManagedChannel channel, String token, double rate, long streamSeconds, Figures.Errors errors) {
            super("latency.IngestLatencySamples", rate, streamSeconds, errors);
            this.channel = channel;
            this.token = token;
        }

        @Override
        StreamObserver<IngestLatencySamplesRequest> open(StreamObserver<IngestLatencySamplesResponse> response) {
            return SoakStack.withToken(LatencyServiceGrpc.newStub(channel), token).withDeadlineAfter(streamSeconds + 120, TimeUnit.SECONDS)
                    .ingestLatencySamples(response);
        }

        @Override
        IngestLatencySamplesRequest message(int n, Instant now) {
            IngestLatencySamplesRequest.Builder m = IngestLatencySamplesRequest.newBuilder();
            Timestamp time = timestamp(now);
            for (int k = 0; k < n; k++) {
                int host = 1 + random.nextInt(254);
                LatencySample.Builder s = LatencySample.newBuilder().setTime(time).setRttMs(5 + random.nextDouble() * 50)
                        .setProbeLocation(random.nextBoolean() ? "ams" : "lon");
                switch (random.nextInt(4)) {
                    case 0 -> s.setTarget("198.51.100." + host);
                    case 1 -> s.setTarget("2001:db8:100::" + Integer.toHexString(host));
                    case 2 -> s.setTarget("203.0.113." + host);
                    default -> {
                        s.setTarget("100.64." + random.nextInt(RouteChurn.CUSTOMER_ROUTES) + "." + host);
                        if (random.nextBoolean()) {
                            s.setOriginAsn((int) RouteChurn.CUSTOMER_ASN);
                        }
                    }
                }
                m.addSamples(s);
            }
            return m.build();
        }

        @Override
        long stored(IngestLatencySamplesResponse r) {
            rejected.addAndGet(r.getRejected());
            if (r.getRejectionsCount() > 0 && firstRejection.isEmpty()) {
                firstRejection = r.getRejections(0).getReason();
            }
            return r.getAccepted();
        }
    }
}
