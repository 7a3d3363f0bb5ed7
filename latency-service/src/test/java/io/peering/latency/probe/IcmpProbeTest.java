package io.peering.latency.probe;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The ICMP probe: the system's ping with fixed arguments, once against 127.0.0.1 only. */
class IcmpProbeTest {

    static final ProbeEndpoint LOOPBACK = new ProbeEndpoint("echo", "contoso-ams", InetAddress.getLoopbackAddress(),
            ProbeProtocol.ICMP, 0, Duration.ofSeconds(10), Duration.ofSeconds(2), false);

    @Test
    void theCommandIsPingWithFixedArgumentsAndTheAddressLiteral() {
        assertThat(IcmpProbe.command(LOOPBACK)).containsExactly("ping", "-n", "-c", "1", "-W", "2.000", "127.0.0.1");
    }

    @Test
    void theRttIsReadFromPingsReplyLine() {
        assertThat(IcmpProbe.rttMs("64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.189 ms")).isEqualTo(0.189);
        assertThat(IcmpProbe.rttMs("1 packets transmitted, 0 received, 100% packet loss")).isNull();
    }

    @Test
    void anEchoToLoopbackSucceedsWithAnRtt() {
        ProbeResult r = IcmpProbe.probe(LOOPBACK);
        assertThat(r.succeeded()).as(String.valueOf(r.failure())).isTrue();
        assertThat(r.rttMs()).isBetween(0.0, 2000.0);
    }
}
