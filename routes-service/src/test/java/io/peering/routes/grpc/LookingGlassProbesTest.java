package io.peering.routes.grpc;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.peering.routes.service.LookingGlass;
import io.peering.routes.v1.PingProbe;
import io.peering.routes.v1.PingRequest;
import io.peering.routes.v1.PingResponse;
import io.peering.routes.v1.RoutesServiceGrpc;
import io.peering.routes.v1.TracerouteRequest;
import io.peering.routes.v1.TracerouteResponse;
import io.peering.support.auth.Caller;
import io.peering.support.auth.Role;
import io.peering.routes.testing.RoutesChannel;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ping and Traceroute over a real gRPC channel, running the system commands to loopback only. */
@QuarkusTest
class LookingGlassProbesTest {

    @Inject
    LookingGlass lookingGlass;

    @Inject
    MeterRegistry meters;

    RoutesChannel channel;
    RoutesServiceGrpc.RoutesServiceBlockingStub routes;

    @BeforeEach
    void setUp() {
        channel = RoutesChannel.open();
        routes = channel.blocking();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        channel.close();
    }

    static com.google.protobuf.Duration millis(long ms) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(ms / 1000).setNanos((int) (ms % 1000) * 1_000_000).build();
    }

    double probesRun() {
        return meters.counter("peering_looking_glass_probes_total", "command", "ping").count()
                + meters.counter("peering_looking_glass_probes_total", "command", "traceroute").count();
    }

    @Test
    void pingOfIpv4LoopbackReportsEveryEchoWithItsRoundTripTime() {
        PingResponse ping = routes.ping(PingRequest.newBuilder().setTarget("127.0.0.1").setCount(2).build());

        assertThat(ping.getTarget()).isEqualTo("127.0.0.1");
        assertThat(ping.getProbesList()).extracting(PingProbe::getSequence).containsExactly(1, 2);
        assertThat(ping.getProbesList()).allSatisfy(p -> {
            assertThat(p.getReplied()).isTrue();
            assertThat(p.getReplyFrom()).isEqualTo("127.0.0.1");
            assertThat(p.hasRtt()).isTrue();
        });
        assertThat(ping.getTransmitted()).isEqualTo(2);
        assertThat(ping.getReceived()).isEqualTo(2);
        assertThat(ping.getLossPercent()).isZero();
    }

    @Test
    void pingOfIpv6LoopbackReportsItsReply() {
        PingResponse ping = routes.ping(PingRequest.newBuilder().setTarget("::1").setCount(1).setTimeout(millis(500)).build());

        assertThat(ping.getProbesList()).extracting(PingProbe::getReplyFrom).containsExactly("::1");
        assertThat(ping.getLossPercent()).isZero();
    }

    @Test
    void tracerouteOfLoopbackReachesItInOneHop() {
        TracerouteResponse trace = routes.traceroute(TracerouteRequest.newBuilder().setTarget("127.0.0.1").setMaxHops(3)
                .setProbesPerHop(2).build());

        assertThat(trace.getReached()).isTrue();
        assertThat(trace.getHopsList()).hasSize(1);
        assertThat(trace.getHops(0).getHop()).isEqualTo(1);
        assertThat(trace.getHops(0).getProbesList()).hasSize(2).allSatisfy(p -> {
            assertThat(p.getAddress()).isEqualTo("127.0.0.1");
            assertThat(p.hasRtt()).isTrue();
        });
        assertThat(trace.getHops(0).getLossPercent()).isZero();
    }

    @Test
    void tracerouteOfIpv6LoopbackReachesIt() {
        TracerouteResponse trace = routes.traceroute(TracerouteRequest.newBuilder().setTarget("::1").setMaxHops(2)
                .setProbesPerHop(1).build());

        assertThat(trace.getReached()).isTrue();
        assertThat(trace.getHops(0).getProbes(0).getAddress()).isEqualTo("::1");
    }

    @Test
    void aTargetOutsideTheAllowedRangesIsRefusedWithoutRunningAnyProbe() {
        double before = probesRun();

        assertThatThrownBy(() -> routes.ping(PingRequest.newBuilder().setTarget("192.0.2.1").build()))
                .hasMessageContaining("PERMISSION_DENIED: target 192.0.2.1 is not in peering.looking-glass.allowed-targets");
        assertThatThrownBy(() -> routes.traceroute(TracerouteRequest.newBuilder().setTarget("2001:db8::1").build()))
                .hasMessageContaining("PERMISSION_DENIED: target 2001:db8::1 is not in peering.looking-glass.allowed-targets");
        assertThat(probesRun()).as("no ping or traceroute was started").isEqualTo(before);
    }

    @Test
    void boundsAndTargetsAreCheckedNamingTheFieldAndTheAllowedRange() {
        PingRequest ping = PingRequest.newBuilder().setTarget("127.0.0.1").build();
        assertThatThrownBy(() -> routes.ping(ping.toBuilder().setCount(11).build()))
                .hasMessageContaining("INVALID_ARGUMENT: count must be 1..10 (0 means 4); got 11");
        assertThatThrownBy(() -> routes.ping(ping.toBuilder().setCount(-1).build()))
                .hasMessageContaining("INVALID_ARGUMENT: count must be 1..10");
        assertThatThrownBy(() -> routes.ping(ping.toBuilder().setTimeout(millis(10_000)).build()))
                .hasMessageContaining("INVALID_ARGUMENT: timeout must be 100ms..5s (unset means 1s); got 10000ms");
        assertThatThrownBy(() -> routes.ping(ping.toBuilder().setTimeout(millis(50)).build()))
                .hasMessageContaining("INVALID_ARGUMENT: timeout must be 100ms..5s");
        assertThatThrownBy(() -> routes.ping(ping.toBuilder().setTarget("localhost").build()))
                .hasMessageContaining("INVALID_ARGUMENT: target must be an IPv4 or IPv6 address literal");
        assertThatThrownBy(() -> routes.ping(ping.toBuilder().setTarget("127.0.0.1; reboot").build()))
                .hasMessageContaining("INVALID_ARGUMENT: target must be an IPv4 or IPv6 address literal");
        assertThatThrownBy(() -> routes.ping(ping.toBuilder().setTarget("").build()))
                .hasMessageContaining("INVALID_ARGUMENT: target is required");
        TracerouteRequest trace = TracerouteRequest.newBuilder().setTarget("127.0.0.1").build();
        assertThatThrownBy(() -> routes.traceroute(trace.toBuilder().setMaxHops(31).build()))
                .hasMessageContaining("INVALID_ARGUMENT: max_hops must be 1..30 (0 means 30); got 31");
        assertThatThrownBy(() -> routes.traceroute(trace.toBuilder().setProbesPerHop(6).build()))
                .hasMessageContaining("INVALID_ARGUMENT: probes_per_hop must be 1..5 (0 means 3); got 6");
    }

    @Test
    void aCallerOverItsProbeRateIsRefusedWithResourceExhausted() throws Exception {
        Caller caller = new Caller("rate-test-" + System.nanoTime(), Set.of(Role.READER), Set.of(64500L));
        int burst = ConfigProvider.getConfig().getValue("peering.looking-glass.probes-burst", Integer.class);
        Context context = caller.attachTo(Context.current());
        for (int i = 0; i < burst; i++) {
            context.call(() -> lookingGlass.ping("127.0.0.1", 1, Duration.ofMillis(100))); // admitted; not subscribed, so not run
        }

        assertThatThrownBy(() -> context.call(() -> lookingGlass.ping("127.0.0.1", 1, Duration.ofMillis(100))))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED))
                .hasMessageContaining("peering.looking-glass.probes-per-minute");
    }
}
