package io.peering.routes.probe;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** iputils ping output, captured, parsed into echoes and totals. */
class PingOutputTest {

    /** ping -4 -n -c 2 -i 0.2 -W 1.0 -w 2 -- 127.0.0.1 (iputils 20221126, Debian 12). */
    static final String LOOPBACK = """
            PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
            64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.038 ms
            64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.041 ms

            --- 127.0.0.1 ping statistics ---
            2 packets transmitted, 2 received, 0% packet loss, time 211ms
            rtt min/avg/max/mdev = 0.038/0.039/0.041/0.001 ms
            """;

    /** A lossy path: the second and fourth requests unanswered. */
    static final String LOSSY = """
            PING 192.0.2.1 (192.0.2.1) 56(84) bytes of data.
            64 bytes from 192.0.2.1: icmp_seq=1 ttl=57 time=11.2 ms
            64 bytes from 192.0.2.1: icmp_seq=3 ttl=57 time=10.9 ms

            --- 192.0.2.1 ping statistics ---
            4 packets transmitted, 2 received, 50% packet loss, time 3004ms
            rtt min/avg/max/mdev = 10.900/11.050/11.200/0.150 ms
            """;

    /** IPv6 loopback, with a duplicate reply (counted once). */
    static final String IPV6_WITH_DUPLICATE = """
            PING ::1(::1) 56 data bytes
            64 bytes from ::1: icmp_seq=1 ttl=64 time=0.052 ms
            64 bytes from ::1: icmp_seq=1 ttl=64 time=0.090 ms (DUP!)

            --- ::1 ping statistics ---
            1 packets transmitted, 1 received, +1 duplicates, 0% packet loss, time 0ms
            rtt min/avg/max/mdev = 0.052/0.071/0.090/0.019 ms
            """;

    /** Nothing answered: ping prints no rtt line, and "+N errors" when ICMP errors came back. */
    static final String UNREACHABLE = """
            PING 192.0.2.1 (192.0.2.1) 56(84) bytes of data.
            From 198.51.100.1 icmp_seq=1 Destination Host Unreachable

            --- 192.0.2.1 ping statistics ---
            2 packets transmitted, 0 received, +1 errors, 100% packet loss, time 1001ms
            """;

    @Test
    void everyReplyOfALoopbackPingIsAnEchoWithItsRoundTripTime() {
        PingReport report = PingOutput.parse(LOOPBACK, 2);

        assertThat(report.echoes()).extracting(PingReport.Echo::sequence, PingReport.Echo::from, PingReport.Echo::rttMillis)
                .containsExactly(tuple(1, "127.0.0.1", 0.038), tuple(2, "127.0.0.1", 0.041));
        assertThat(report.transmitted()).isEqualTo(2);
        assertThat(report.received()).isEqualTo(2);
        assertThat(report.lossPercent()).isZero();
    }

    @Test
    void aRequestWithNoReplyLineIsAnUnansweredEchoAndCountsAsLoss() {
        PingReport report = PingOutput.parse(LOSSY, 4);

        assertThat(report.echoes()).extracting(PingReport.Echo::sequence, PingReport.Echo::replied)
                .containsExactly(tuple(1, true), tuple(2, false), tuple(3, true), tuple(4, false));
        assertThat(report.lossPercent()).isEqualTo(50.0);
    }

    @Test
    void aDuplicateReplyKeepsTheFirstRoundTripTime() {
        PingReport report = PingOutput.parse(IPV6_WITH_DUPLICATE, 1);

        assertThat(report.echoes()).extracting(PingReport.Echo::from, PingReport.Echo::rttMillis).containsExactly(tuple("::1", 0.052));
        assertThat(report.received()).isEqualTo(1);
    }

    @Test
    void anUnreachableTargetIsAllLossDespiteTheIcmpErrors() {
        PingReport report = PingOutput.parse(UNREACHABLE, 2);

        assertThat(report.echoes()).noneMatch(PingReport.Echo::replied);
        assertThat(report.lossPercent()).isEqualTo(100.0);
    }

    @Test
    void outputWithoutAStatisticsLineIsRefused() {
        assertThatThrownBy(() -> PingOutput.parse("ping: connect: Network is unreachable\n", 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Network is unreachable");
    }
}
