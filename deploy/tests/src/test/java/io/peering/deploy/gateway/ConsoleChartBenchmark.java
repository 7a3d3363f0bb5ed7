package io.peering.deploy.gateway;

import com.google.protobuf.Timestamp;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.peering.common.v1.SessionState;
import io.peering.metrics.v1.ConnectionSample;
import io.peering.metrics.v1.IngestConnectionSamplesRequest;
import io.peering.metrics.v1.IngestConnectionSamplesResponse;
import io.peering.metrics.v1.MetricsServiceGrpc;
import io.peering.metrics.v1.ReportSessionTransitionsRequest;
import io.peering.metrics.v1.ReportSessionTransitionsResponse;
import io.peering.metrics.v1.SessionTransitionReport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Time to a drawn chart: the connections page of ams-1 over 30 days in Debian's Chromium, on the
 * whole stack (the four jars with authentication on, nginx, the console behind its browser listener)
 * with 30 days of one-minute counter samples and session transitions stored through the ingest RPCs.
 * console/src/test/browser/chart-time.bench.mjs opens the page signed in, -Dbench.runs times (20),
 * and prints p50/p99 of: the page's document, the QueryConnectionMetrics call it makes, and the six
 * charts drawn (uPlot's draw hook clears each panel's aria-busy). Goal: under 1 s in total.
 * <pre>./mvnw -B -ntp -pl deploy/tests test -Dgroups=benchmark -DexcludedGroups=none -Dtest=ConsoleChartBenchmark</pre>
 */
@Tag("benchmark")
class ConsoleChartBenchmark {

    static final String AMS1 = "peerings/contoso-ams/connections/ams-1";
    static final int DAYS = 30;

    @Test
    void printTimeToDrawnChartsForThirtyDaysOfOneConnection() throws Exception {
        try (GatewayStack stack = new GatewayStack()) {
            stack.prerequisites();
            Path tokens = stack.logs.resolve("chart-benchmark-tokens");
            Files.createDirectories(tokens);
            Files.writeString(tokens.resolve("reader-as64500.token"),
                    stack.mintToken("--role", "reader", "--asn", "64500", "--subject", "contoso-noc") + "\n");
            String collector = stack.mintToken("--role", "collector", "--subject", "chart-benchmark-collector");
            stack.startDatabase();
            stack.startServices();
            stack.startGateway();
            stack.startConsole();

            Instant end = Instant.now().truncatedTo(ChronoUnit.MINUTES);
            Instant start = end.minus(Duration.ofDays(DAYS));
            long t0 = System.nanoTime();
            load(stack.ports.get("metrics"), collector, start, end);
            System.out.printf("%nLOAD: %d days of one-minute samples of %s and its sessions' transitions stored in %.1f s%n",
                    DAYS, AMS1, (System.nanoTime() - t0) / 1e9);
            Thread.sleep(3000); // the scope rollup job's next runs

            ProcessBuilder pb = new ProcessBuilder("node", "console/src/test/browser/chart-time.bench.mjs")
                    .directory(stack.repo.toFile()).redirectErrorStream(true);
            pb.environment().putAll(Map.of("CONSOLE_URL", stack.consoleUrl(), "TOKENS", tokens.toString(),
                    "RUNS", System.getProperty("bench.runs", "20"),
                    "PAGE", "/peerings/contoso-ams/connections?connection=ams-1&range=30d"));
            Process node = pb.start();
            // node's report through this JVM's standard output (surefire's channel), not straight to the native stream
            System.out.print(new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertThat(node.waitFor()).as("chart-time.bench.mjs (its report is above)").isZero();
        }
    }

    /** 30 days of one-minute samples of ams-1 (1 Gbit/s in, 400 Mbit/s out, a few drops) and its sessions' transitions. */
    static void load(int port, String token, Instant start, Instant end) throws Exception {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        ClientInterceptor bearer = MetadataUtils.newAttachHeadersInterceptor(headers);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            MetricsServiceGrpc.MetricsServiceStub stub = MetricsServiceGrpc.newStub(channel).withInterceptors(bearer)
                    .withDeadlineAfter(30, TimeUnit.MINUTES);
            long minutes = Duration.between(start, end).toMinutes();
            IngestConnectionSamplesResponse samples = exchange(stub::ingestConnectionSamples, (int) ((minutes + 999) / 1000), m -> {
                IngestConnectionSamplesRequest.Builder b = IngestConnectionSamplesRequest.newBuilder();
                for (long i = m * 1000L; i < Math.min(minutes, m * 1000L + 1000); i++) {
                    b.addSamples(ConnectionSample.newBuilder().setConnection(AMS1).setTime(ts(start.plusSeconds(60 * i)))
                            .setInOctets(i * 60 * 125_000_000L).setOutOctets(i * 60 * 50_000_000L).setInDiscards(i * 2)
                            .setOutDiscards(i));
                }
                return b.build();
            });
            assertThat(samples.getAccepted()).isEqualTo(minutes);
            // both sessions up from the start, a flap of a few minutes every third day
            ReportSessionTransitionsRequest.Builder transitions = ReportSessionTransitionsRequest.newBuilder();
            for (String address : List.of("127.0.0.11", "fd00:64:500::11")) {
                transitions.addTransitions(transition(address, start, SessionState.SESSION_STATE_ESTABLISHED));
                for (int day = 1; day < DAYS; day += 3) {
                    Instant down = start.plus(Duration.ofDays(day)).plus(Duration.ofHours(7));
                    transitions.addTransitions(transition(address, down, SessionState.SESSION_STATE_IDLE));
                    transitions.addTransitions(transition(address, down.plusSeconds(240), SessionState.SESSION_STATE_ESTABLISHED));
                }
            }
            ReportSessionTransitionsResponse reported = exchange(stub::reportSessionTransitions, 1, m -> transitions.build());
            assertThat(reported.getRejected()).as(reported.getRejectionsList().toString()).isZero();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static SessionTransitionReport transition(String address, Instant time, SessionState state) {
        return SessionTransitionReport.newBuilder().setConnection(AMS1).setSessionAddress(address).setState(state)
                .setTime(ts(time)).build();
    }

    /** Sends {@code messages} messages on one client stream and answers its response. */
    static <Q, R> R exchange(Function<StreamObserver<R>, StreamObserver<Q>> open, int messages, Function<Integer, Q> message)
            throws Exception {
        CompletableFuture<R> reply = new CompletableFuture<>();
        StreamObserver<Q> requests = open.apply(new StreamObserver<>() {
            @Override
            public void onNext(R value) {
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
        for (int m = 0; m < messages; m++) {
            requests.onNext(message.apply(m));
        }
        requests.onCompleted();
        return reply.get(30, TimeUnit.MINUTES);
    }

    static Timestamp ts(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }
}
