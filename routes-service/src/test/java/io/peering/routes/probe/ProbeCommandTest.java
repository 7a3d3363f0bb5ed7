package io.peering.routes.probe;

import io.peering.support.net.IpAddresses;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The probe commands' arguments are fixed: the family, numeric output, the bounds, the address as a literal last. */
class ProbeCommandTest {

    @Test
    void pingArgumentsAreFixedAndEndWithTheAddressAfterTheEndOfOptions() {
        assertThat(ProbeCommand.pingArguments(IpAddresses.parse("::1"), 3, Duration.ofMillis(500)))
                .containsExactly("ping", "-6", "-n", "-c", "3", "-i", "0.2", "-W", "0.5", "-w", "2", "--", "::1");
    }

    @Test
    void tracerouteArgumentsAreFixedAndEndWithTheAddress() {
        assertThat(ProbeCommand.tracerouteArguments(IpAddresses.parse("127.0.0.1"), 30, 3, Duration.ofSeconds(1)))
                .containsExactly("traceroute", "-4", "-n", "-m", "30", "-q", "3", "-w", "1.0", "127.0.0.1");
    }
}
