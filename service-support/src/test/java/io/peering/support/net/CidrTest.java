package io.peering.support.net;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrTest {

    @Test
    void parsesIpv4AndIpv6PrefixesToCanonicalText() {
        assertThat(Cidr.parse("192.0.2.0/24")).hasToString("192.0.2.0/24");
        assertThat(Cidr.parse("2001:0db8:0000::/32")).hasToString("2001:db8::/32");
        assertThat(Cidr.parse("2001:db8:0:0:1:0:0:1/128")).hasToString("2001:db8::1:0:0:1/128");
        assertThat(Cidr.parse("::/0")).hasToString("::/0");
        assertThat(Cidr.parse("198.51.100.7")).hasToString("198.51.100.7/32");
    }

    @Test
    void refusesHostBitsAndSaysWhichPrefixWasMeant() {
        assertThatThrownBy(() -> Cidr.parse("192.0.2.1/24")).hasMessageContaining("did you mean 192.0.2.0/24");
    }

    @Test
    void refusesHostNamesWithoutLookingThemUp() {
        assertThatThrownBy(() -> Cidr.parse("example.com/24")).hasMessageContaining("not an IPv4 or IPv6 address");
        assertThatThrownBy(() -> Cidr.parseAddress("localhost")).hasMessageContaining("not an IPv4 or IPv6 address");
    }

    @Test
    void refusesLengthsOutsideTheFamily() {
        assertThatThrownBy(() -> Cidr.parse("192.0.2.0/33")).hasMessageContaining("0..32");
        assertThatThrownBy(() -> Cidr.parse("2001:db8::/129")).hasMessageContaining("0..128");
        assertThatThrownBy(() -> Cidr.parse("192.0.2.0/x")).hasMessageContaining("prefix length");
    }

    @Test
    void truncatesALongPrefixToItsCoveringSlash24() {
        assertThat(Cidr.parse("198.51.100.64/26").truncate(24)).hasToString("198.51.100.0/24");
        assertThat(Cidr.parse("2001:db8:1:2::/64").truncate(48)).hasToString("2001:db8:1::/48");
        assertThat(Cidr.parse("10.0.0.0/8").truncate(24)).hasToString("10.0.0.0/8");
    }

    @Test
    void containsOnlyPrefixesInsideItOfTheSameFamily() {
        Cidr net = Cidr.parse("198.51.100.0/24");
        assertThat(net.contains(Cidr.parse("198.51.100.128/25"))).isTrue();
        assertThat(net.contains(net)).isTrue();
        assertThat(net.contains(Cidr.parse("198.51.0.0/16"))).isFalse();
        assertThat(net.contains(Cidr.parse("198.51.101.0/24"))).isFalse();
        assertThat(Cidr.parse("::/0").contains(net)).isFalse();
    }
}
