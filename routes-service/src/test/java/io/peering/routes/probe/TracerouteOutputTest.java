package io.peering.routes.probe;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** Linux traceroute (the traceroute package, 2.1.2) output, captured, parsed into hops. */
class TracerouteOutputTest {

    /** traceroute -4 -n -m 5 -q 2 -w 1.0 127.0.0.1 */
    static final String LOOPBACK = """
            traceroute to 127.0.0.1 (127.0.0.1), 5 hops max, 60 byte packets
             1  127.0.0.1  0.025 ms  0.008 ms
            """;

    /** A longer path: a silent hop, a hop answered by two routers, an unreachable annotation. */
    static final String PATH = """
            traceroute to 203.0.113.9 (203.0.113.9), 30 hops max, 60 byte packets
             1  192.0.2.1  0.512 ms  0.498 ms  0.470 ms
             2  * * *
             3  198.51.100.1  5.101 ms *  198.51.100.5  5.330 ms
             4  203.0.113.9  9.870 ms !H  9.912 ms !H  9.800 ms !H
            """;

    static final String IPV6 = """
            traceroute to ::1 (::1), 3 hops max, 80 byte packets
             1  ::1  0.058 ms
            """;

    @Test
    void aLoopbackTraceIsOneHopWithEveryProbeAnswered() {
        TraceReport report = TracerouteOutput.parse(LOOPBACK);

        assertThat(report.hops()).hasSize(1);
        assertThat(report.hops().get(0).answers()).extracting(TraceReport.Answer::address, TraceReport.Answer::rttMillis)
                .containsExactly(tuple("127.0.0.1", 0.025), tuple("127.0.0.1", 0.008));
        assertThat(report.reached("127.0.0.1")).isTrue();
    }

    @Test
    void silentProbesAreLossAndEachTimeBelongsToTheAddressBeforeIt() {
        TraceReport report = TracerouteOutput.parse(PATH);

        assertThat(report.hops()).extracting(TraceReport.Hop::ttl).containsExactly(1, 2, 3, 4);
        assertThat(report.hops().get(1).lossPercent()).isEqualTo(100.0);
        assertThat(report.hops().get(2).answers()).extracting(TraceReport.Answer::address, TraceReport.Answer::rttMillis)
                .containsExactly(tuple("198.51.100.1", 5.101), tuple(null, null), tuple("198.51.100.5", 5.330));
        assertThat(report.hops().get(3).answers()).extracting(TraceReport.Answer::rttMillis).containsExactly(9.870, 9.912, 9.800);
        assertThat(report.reached("203.0.113.9")).isTrue();
    }

    @Test
    void anIpv6TraceParsesItsAddresses() {
        assertThat(TracerouteOutput.parse(IPV6).hops().get(0).answers()).extracting(TraceReport.Answer::address).containsExactly("::1");
    }

    @Test
    void aHopLineItDoesNotUnderstandIsRefused() {
        assertThatThrownBy(() -> TracerouteOutput.parse(" 1  router.example  0.5 ms\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("router.example");
    }
}
