package io.peering.support.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class IpPrefixTest {

    @ParameterizedTest
    @CsvSource({
        "1.0.0.0/24, 1.0.0.0/24",
        "0.0.0.0/0, 0.0.0.0/0",
        "255.255.255.255/32, 255.255.255.255/32",
        "2001:db8::/32, 2001:db8::/32",
        "2001:DB8:0:0:0:0:0:0/32, 2001:db8::/32",
        "::/0, ::/0",
        "::1/128, ::1/128",
        "2001:db8:0:1:0:0:0:0/64, 2001:db8:0:1::/64",
        "2001:0:0:1:0:0:0:0/64, 2001:0:0:1::/64",
        "2001:db8:0:0:1:0:0:0/80, 2001:db8:0:0:1::/80",
        "2001:db8:0:0:1:0:0:1/128, 2001:db8::1:0:0:1/128",
        "::ffff:192.0.2.0/120, ::ffff:c000:200/120",
        "fe80:0:0:0:0:0:0:0/10, fe80::/10",
        "1:2:3:4:5:6:7:8/128, 1:2:3:4:5:6:7:8/128",
        "1:2:3:4:5:6:7::/128, 1:2:3:4:5:6:7:0/128",
    })
    void parsesLiteralsToCanonicalText(String text, String canonical) {
        IpPrefix prefix = IpPrefix.parse(text);
        assertThat(prefix).hasToString(canonical);
        assertThat(IpPrefix.parse(canonical)).isEqualTo(prefix);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "localhost/8", "example.com/24", "one.one.one.one/32", "1.0.0.0", "1.0.0/24", "1.0.0.0.0/24",
        "256.0.0.0/8", "01.0.0.0/8", "1.0.0.0/33", "1.0.0.0/-1", "1.0.0.0/", "1.0.0.0/ 24", "1.0.0.0/024x",
        " 1.0.0.0/24", "2001:db8::/129", "2001:db8:::/32", "2001::db8::/32", ":2001:db8::/32", "2001:db8:/32",
        "1:2:3:4:5:6:7:8:9/128", "1:2:3:4:5:6:7/112", "12345::/16", "fe80::%eth0/64", "g::/16",
        "1:2:3:4:5:6:7:1.2.3.4/128", "::1.2.3/128", "::1.2.3.4:5/128", "/8", ""
    })
    void rejectsAnythingButAnAddressLiteralWithALength(String text) {
        assertThatThrownBy(() -> IpPrefix.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid prefix");
    }

    @Test
    void rejectsHostBitsAndNamesTheNetwork() {
        assertThatThrownBy(() -> IpPrefix.parse("1.0.0.1/24")).hasMessageContaining("host bits set")
                .hasMessageContaining("1.0.0.0/24");
        assertThatThrownBy(() -> IpPrefix.parse("2001:db8::1/64")).hasMessageContaining("host bits set")
                .hasMessageContaining("2001:db8::/64");
        assertThatThrownBy(() -> IpPrefix.of(new byte[] {10, 0, 0, 1}, 8)).hasMessageContaining("host bits set");
    }

    @Test
    void bytesRoundTripAndCoverage() throws Exception {
        IpPrefix v6 = IpPrefix.of(InetAddress.getByName("2001:db8:ff00::"), 40);
        assertThat(v6).hasToString("2001:db8:ff00::/40");
        assertThat(IpPrefix.of(v6.address(), 40)).isEqualTo(v6);
        assertThat(IpPrefix.masking(new byte[] {10, 1, 2, 3}, 8)).hasToString("10.0.0.0/8");
        assertThat(IpPrefix.parse("10.0.0.0/8").contains(IpPrefix.parse("10.255.0.0/16"))).isTrue();
        assertThat(IpPrefix.parse("10.0.0.0/8").contains(IpPrefix.parse("11.0.0.0/16"))).isFalse();
        assertThat(IpPrefix.parse("10.0.0.0/16").contains(IpPrefix.parse("10.0.0.0/8"))).isFalse();
        assertThat(IpPrefix.parse("0.0.0.0/0").contains(IpPrefix.parse("::/0"))).isFalse();
        assertThat(IpPrefix.parse("::/0").contains(IpPrefix.parse("ffff::1/128"))).isTrue();
    }

    // parseAddressOrPrefix: what service inputs accept (a bare address is its host prefix)

    @Test
    void parsesIpv4AndIpv6PrefixesToCanonicalText() {
        assertThat(IpPrefix.parseAddressOrPrefix("192.0.2.0/24")).hasToString("192.0.2.0/24");
        assertThat(IpPrefix.parseAddressOrPrefix("2001:0db8:0000::/32")).hasToString("2001:db8::/32");
        assertThat(IpPrefix.parseAddressOrPrefix("2001:db8:0:0:1:0:0:1/128")).hasToString("2001:db8::1:0:0:1/128");
        assertThat(IpPrefix.parseAddressOrPrefix("::/0")).hasToString("::/0");
        assertThat(IpPrefix.parseAddressOrPrefix("198.51.100.7")).hasToString("198.51.100.7/32");
    }

    @Test
    void refusesHostBitsAndSaysWhichPrefixWasMeant() {
        assertThatThrownBy(() -> IpPrefix.parseAddressOrPrefix("192.0.2.1/24")).hasMessageContaining("did you mean 192.0.2.0/24");
    }

    @Test
    void refusesHostNamesWithoutLookingThemUp() {
        assertThatThrownBy(() -> IpPrefix.parseAddressOrPrefix("example.com/24")).hasMessageContaining("not an IPv4 or IPv6 address");
        assertThatThrownBy(() -> IpAddresses.parse("localhost")).hasMessageContaining("not an IPv4 or IPv6 address");
    }

    @Test
    void refusesLengthsOutsideTheFamily() {
        assertThatThrownBy(() -> IpPrefix.parseAddressOrPrefix("192.0.2.0/33")).hasMessageContaining("0..32");
        assertThatThrownBy(() -> IpPrefix.parseAddressOrPrefix("2001:db8::/129")).hasMessageContaining("0..128");
        assertThatThrownBy(() -> IpPrefix.parseAddressOrPrefix("192.0.2.0/x")).hasMessageContaining("prefix length");
    }

    @Test
    void truncatesALongPrefixToItsCoveringSlash24() {
        assertThat(IpPrefix.parseAddressOrPrefix("198.51.100.64/26").truncate(24)).hasToString("198.51.100.0/24");
        assertThat(IpPrefix.parseAddressOrPrefix("2001:db8:1:2::/64").truncate(48)).hasToString("2001:db8:1::/48");
        assertThat(IpPrefix.parseAddressOrPrefix("10.0.0.0/8").truncate(24)).hasToString("10.0.0.0/8");
    }

    @Test
    void containsOnlyPrefixesInsideItOfTheSameFamily() {
        IpPrefix net = IpPrefix.parseAddressOrPrefix("198.51.100.0/24");
        assertThat(net.contains(IpPrefix.parseAddressOrPrefix("198.51.100.128/25"))).isTrue();
        assertThat(net.contains(net)).isTrue();
        assertThat(net.contains(IpPrefix.parseAddressOrPrefix("198.51.0.0/16"))).isFalse();
        assertThat(net.contains(IpPrefix.parseAddressOrPrefix("198.51.101.0/24"))).isFalse();
        assertThat(IpPrefix.parseAddressOrPrefix("::/0").contains(net)).isFalse();
    }
}
