package io.peering.routes.rpki;

import static io.peering.routes.rpki.RpkiVerdict.State.INVALID;
import static io.peering.routes.rpki.RpkiVerdict.State.NOT_FOUND;
import static io.peering.routes.rpki.RpkiVerdict.State.VALID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peering.support.net.IpPrefix;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RoaSetTest {

    static Roa roa(long asn, String prefix, int maxLength, String ta) {
        return new Roa(asn, IpPrefix.parse(prefix), maxLength, ta);
    }

    static RpkiVerdict check(RoaSet set, String route, long origin) {
        return set.validate(IpPrefix.parse(route), origin);
    }

    @Test
    void exactMatchIsValid() {
        RoaSet set = RoaSet.of(List.of(roa(13335, "1.0.0.0/24", 24, "apnic")));
        assertThat(check(set, "1.0.0.0/24", 13335)).isEqualTo(new RpkiVerdict(VALID, "apnic"));
    }

    @Test
    void moreSpecificWithinMaxLengthIsValid() {
        RoaSet set = RoaSet.of(List.of(roa(64500, "10.0.0.0/16", 24, "ripe")));
        assertThat(check(set, "10.0.5.0/24", 64500)).isEqualTo(new RpkiVerdict(VALID, "ripe"));
        assertThat(check(set, "10.0.128.0/17", 64500).state()).isEqualTo(VALID);
    }

    @Test
    void lengthBeyondMaxLengthIsInvalid() {
        RoaSet set = RoaSet.of(List.of(roa(64500, "10.0.0.0/16", 24, "ripe")));
        assertThat(check(set, "10.0.5.128/25", 64500)).isEqualTo(new RpkiVerdict(INVALID, "ripe"));
    }

    @Test
    void wrongOriginIsInvalid() {
        RoaSet set = RoaSet.of(List.of(roa(64500, "10.0.0.0/16", 24, "ripe")));
        assertThat(check(set, "10.0.0.0/16", 64501)).isEqualTo(new RpkiVerdict(INVALID, "ripe"));
    }

    @Test
    void noCoveringRoaIsNotFound() {
        RoaSet set = RoaSet.of(List.of(roa(64500, "10.0.0.0/16", 24, "ripe")));
        assertThat(check(set, "10.1.0.0/16", 64500)).isEqualTo(RpkiVerdict.NOT_FOUND);
        assertThat(check(set, "11.0.0.0/8", 64500).trustAnchor()).isEmpty();
    }

    @Test
    void roaMoreSpecificThanTheRouteDoesNotCoverIt() {
        RoaSet set = RoaSet.of(List.of(roa(64500, "10.0.0.0/16", 24, "ripe")));
        assertThat(check(set, "10.0.0.0/8", 64500).state()).isEqualTo(NOT_FOUND);
    }

    @Test
    void as0RoaMakesCoveredRoutesInvalid() {
        RoaSet set = RoaSet.of(List.of(roa(0, "192.0.2.0/24", 32, "arin")));
        assertThat(check(set, "192.0.2.0/24", 64500)).isEqualTo(new RpkiVerdict(INVALID, "arin"));
        assertThat(check(set, "192.0.2.128/25", 0).state()).isEqualTo(INVALID);
    }

    @Test
    void as0RoaDoesNotOverrideAMatchingRoa() {
        RoaSet set = RoaSet.of(List.of(roa(0, "192.0.2.0/23", 24, "arin"), roa(64500, "192.0.2.0/24", 24, "ripe")));
        assertThat(check(set, "192.0.2.0/24", 64500)).isEqualTo(new RpkiVerdict(VALID, "ripe"));
        assertThat(check(set, "192.0.3.0/24", 64500)).isEqualTo(new RpkiVerdict(INVALID, "arin"));
    }

    @Test
    void originAs0FromAsSetPathNeverMatchesEvenAnAs0Roa() {
        RoaSet set = RoaSet.of(List.of(roa(64500, "10.0.0.0/16", 24, "ripe"), roa(0, "10.0.0.0/16", 24, "lacnic")));
        assertThat(check(set, "10.0.0.0/16", 0).state()).isEqualTo(INVALID);
    }

    @Test
    void originOutsideTheAsnRangeNeverMatches() {
        RoaSet set = RoaSet.of(List.of(roa(Roa.MAX_ASN, "10.0.0.0/16", 24, "ripe")));
        assertThat(check(set, "10.0.0.0/16", Roa.MAX_ASN).state()).isEqualTo(VALID);
        assertThat(check(set, "10.0.0.0/16", Roa.MAX_ASN + 1).state()).isEqualTo(INVALID);
        assertThat(check(set, "10.0.0.0/16", -1).state()).isEqualTo(INVALID);
    }

    @Test
    void multipleCoveringRoasWithOneMatchingIsValid() {
        RoaSet set = RoaSet.of(List.of(
                roa(64501, "10.0.0.0/8", 8, "afrinic"),
                roa(64502, "10.0.0.0/16", 24, "apnic"),
                roa(64500, "10.0.0.0/12", 24, "ripe"),
                roa(64503, "10.0.0.0/24", 24, "arin")));
        assertThat(check(set, "10.0.0.0/24", 64500)).isEqualTo(new RpkiVerdict(VALID, "ripe"));
        assertThat(check(set, "10.0.0.0/24", 64501)).isEqualTo(new RpkiVerdict(INVALID, "arin"));
    }

    @Test
    void validTrustAnchorIsTheLowestNameAmongMatchingRoas() {
        RoaSet set = RoaSet.of(List.of(
                roa(64500, "10.0.0.0/24", 24, "ripe"),
                roa(64500, "10.0.0.0/8", 24, "apnic"),
                roa(64500, "10.0.0.0/24", 24, "lacnic")));
        assertThat(check(set, "10.0.0.0/24", 64500)).isEqualTo(new RpkiVerdict(VALID, "apnic"));
    }

    @Test
    void invalidTrustAnchorIsFromTheMostSpecificCoveringRoa() {
        RoaSet set = RoaSet.of(List.of(
                roa(64500, "10.0.0.0/8", 8, "apnic"),
                roa(64500, "10.0.0.0/16", 16, "ripe"),
                roa(64501, "10.0.0.0/16", 16, "lacnic")));
        assertThat(check(set, "10.0.0.0/24", 64500)).isEqualTo(new RpkiVerdict(INVALID, "lacnic"));
        assertThat(check(set, "10.1.0.0/16", 64500)).isEqualTo(new RpkiVerdict(INVALID, "apnic"));
    }

    @Test
    void coveringRoaIsFoundPastNonCoveringSiblingsAndTheirChildren() {
        RoaSet set = RoaSet.of(List.of(
                roa(64500, "10.0.0.0/8", 24, "ripe"),
                roa(64501, "10.0.0.0/16", 24, "ripe"),
                roa(64502, "10.0.1.0/24", 24, "ripe"),
                roa(64503, "10.0.2.0/24", 24, "ripe")));
        assertThat(check(set, "10.0.3.0/24", 64501).state()).isEqualTo(VALID);
        assertThat(check(set, "10.1.0.0/24", 64500).state()).isEqualTo(VALID);
        assertThat(check(set, "10.1.0.0/24", 64501).state()).isEqualTo(INVALID);
        assertThat(check(set, "10.0.2.0/24", 64503).state()).isEqualTo(VALID);
    }

    @Test
    void ipv6ValidInvalidAndNotFound() {
        RoaSet set = RoaSet.of(List.of(
                roa(13335, "2606:4700::/32", 48, "arin"),
                roa(64500, "2001:db8::/32", 32, "ripe")));
        assertThat(check(set, "2606:4700:10::/44", 13335)).isEqualTo(new RpkiVerdict(VALID, "arin"));
        assertThat(check(set, "2606:4700:10::/64", 13335)).isEqualTo(new RpkiVerdict(INVALID, "arin"));
        assertThat(check(set, "2606:4700::/32", 64500)).isEqualTo(new RpkiVerdict(INVALID, "arin"));
        assertThat(check(set, "2001:db8:1::/48", 64500)).isEqualTo(new RpkiVerdict(INVALID, "ripe"));
        assertThat(check(set, "2a00::/16", 13335)).isEqualTo(RpkiVerdict.NOT_FOUND);
    }

    @Test
    void ipv6Host128RoaAndMaxLength128() {
        RoaSet set = RoaSet.of(List.of(roa(64500, "2001:db8::/120", 128, "ripe"),
                roa(64501, "2001:db8::1/128", 128, "apnic")));
        assertThat(check(set, "2001:db8::1/128", 64500)).isEqualTo(new RpkiVerdict(VALID, "ripe"));
        assertThat(check(set, "2001:db8::1/128", 64501)).isEqualTo(new RpkiVerdict(VALID, "apnic"));
        assertThat(check(set, "2001:db8::2/128", 64501)).isEqualTo(new RpkiVerdict(INVALID, "ripe"));
    }

    @Test
    void slashZeroRoaCoversEveryRouteOfItsFamilyOnly() {
        RoaSet set = RoaSet.of(List.of(roa(0, "0.0.0.0/0", 32, "test"), roa(64500, "::/0", 128, "test6")));
        assertThat(check(set, "203.0.113.0/24", 64500)).isEqualTo(new RpkiVerdict(INVALID, "test"));
        assertThat(check(set, "0.0.0.0/0", 64500).state()).isEqualTo(INVALID);
        assertThat(check(set, "255.255.255.255/32", 64500).state()).isEqualTo(INVALID);
        assertThat(check(set, "2001:db8::/32", 64500)).isEqualTo(new RpkiVerdict(VALID, "test6"));
        assertThat(check(set, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", 64501).state()).isEqualTo(INVALID);
    }

    @Test
    void ipv4RoaDoesNotCoverIpv6RouteWithTheSameBits() {
        RoaSet set = RoaSet.of(List.of(roa(64500, "0.0.0.0/8", 8, "ripe")));
        assertThat(check(set, "::/8", 64500).state()).isEqualTo(NOT_FOUND);
        assertThat(check(set, "::ffff:0.0.0.0/104", 64500).state()).isEqualTo(NOT_FOUND);
    }

    @Test
    void byteArrayAndInetAddressOverloadsAgreeAndIgnoreHostBits() throws Exception {
        RoaSet set = RoaSet.of(List.of(roa(64500, "10.0.0.0/16", 24, "ripe"),
                roa(64500, "2001:db8::/32", 48, "ripe")));
        assertThat(set.validate(new byte[] {10, 0, 7, 0}, 24, 64500).state()).isEqualTo(VALID);
        assertThat(set.validate(new byte[] {10, 0, 7, 99}, 24, 64500).state()).isEqualTo(VALID);
        assertThat(set.validate(InetAddress.getByName("10.0.7.0"), 24, 64500).state()).isEqualTo(VALID);
        assertThat(set.validate(InetAddress.getByName("2001:db8:5::"), 48, 64500).state()).isEqualTo(VALID);
        assertThat(set.validate(InetAddress.getByName("2001:db8:5::"), 49, 64500).state()).isEqualTo(INVALID);
    }

    @Test
    void badArgumentsAreRejected() {
        RoaSet set = RoaSet.empty();
        assertThatThrownBy(() -> set.validate(new byte[5], 8, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> set.validate(new byte[4], 33, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> set.validate(new byte[16], 129, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> set.validate(new byte[4], -1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(set.validate(new byte[16], 128, 1)).isEqualTo(RpkiVerdict.NOT_FOUND);
    }

    @Test
    void emptySetFindsNothing() {
        assertThat(RoaSet.empty().isEmpty()).isTrue();
        assertThat(check(RoaSet.empty(), "0.0.0.0/0", 1)).isEqualTo(RpkiVerdict.NOT_FOUND);
        assertThat(check(RoaSet.empty(), "::/0", 1)).isEqualTo(RpkiVerdict.NOT_FOUND);
    }

    @Test
    void duplicatesAreCollapsedAndForEachReturnsEveryDistinctRoa() {
        List<Roa> input = List.of(roa(64500, "10.0.0.0/16", 24, "ripe"), roa(64500, "10.0.0.0/16", 24, "ripe"),
                roa(64500, "10.0.0.0/16", 24, "apnic"), roa(64500, "2001:db8::/32", 48, "ripe"));
        RoaSet set = RoaSet.of(input);
        assertThat(set.size()).isEqualTo(3);
        assertThat(set.ipv4Size()).isEqualTo(2);
        assertThat(set.ipv6Size()).isEqualTo(1);
        assertThat(set.trustAnchors()).containsExactly("apnic", "ripe");
        List<Roa> out = new ArrayList<>();
        set.forEach(out::add);
        assertThat(out).containsExactlyInAnyOrderElementsOf(input.stream().distinct().toList());
    }

    @Test
    void builderCannotBeReused() {
        RoaSet.Builder builder = RoaSet.builder().add(roa(1, "10.0.0.0/8", 8, ""));
        builder.build();
        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> builder.add(roa(1, "10.0.0.0/8", 8, ""))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void roaRejectsOutOfRangeValues() {
        IpPrefix p = IpPrefix.parse("10.0.0.0/16");
        assertThatThrownBy(() -> new Roa(-1, p, 16, "")).hasMessageContaining("asn");
        assertThatThrownBy(() -> new Roa(Roa.MAX_ASN + 1, p, 16, "")).hasMessageContaining("asn");
        assertThatThrownBy(() -> new Roa(1, p, 15, "")).hasMessageContaining("less than");
        assertThatThrownBy(() -> new Roa(1, p, 33, "")).hasMessageContaining("exceeds 32");
        assertThat(new Roa(1, p, null).trustAnchor()).isEmpty();
    }

    /** Checks the sorted-array lookup against a literal reading of RFC 6811 on dense random data. */
    @Test
    void lookupAgreesWithBruteForceRfc6811OnRandomOverlappingRoas() {
        Random random = new Random(6811);
        String[] tas = {"afrinic", "apnic", "arin", "lacnic", "ripe"};
        for (boolean v6 : new boolean[] {false, true}) {
            int bits = v6 ? 128 : 32;
            List<Roa> roas = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                int length = random.nextInt(Math.min(bits, 20) + 1);
                IpPrefix prefix = randomPrefix(random, v6, length);
                int maxLength = Math.min(bits, length + random.nextInt(6));
                long asn = random.nextInt(6); // AS 0 now and then
                roas.add(new Roa(asn, prefix, maxLength, tas[random.nextInt(tas.length)]));
            }
            RoaSet set = RoaSet.of(roas);
            for (int i = 0; i < 20000; i++) {
                IpPrefix route = randomPrefix(random, v6, random.nextInt(Math.min(bits, 26) + 1));
                long origin = random.nextInt(7);
                assertThat(set.validate(route, origin)).as("%s from AS%d", route, origin)
                        .isEqualTo(bruteForce(roas, route, origin));
            }
        }
    }

    @Test
    void coveringListsEveryRoaContainingTheRouteWhateverItsAsnAndMaxLengthMostSpecificFirst() {
        RoaSet set = RoaSet.of(List.of(
                roa(64500, "10.0.0.0/8", 8, "ripe"),     // covers; maxLength too short for the route
                roa(64501, "10.0.0.0/16", 24, "arin"),   // covers
                roa(64502, "10.0.0.0/16", 24, "apnic"),  // covers, other ASN and trust anchor
                roa(64503, "10.0.1.0/24", 24, "ripe"),   // a sibling of the route
                roa(64504, "10.0.0.0/25", 25, "ripe"),   // more specific than the route
                roa(64505, "11.0.0.0/8", 24, "ripe")));  // elsewhere

        assertThat(set.covering(IpPrefix.parse("10.0.0.0/24"))).containsExactly(
                roa(64502, "10.0.0.0/16", 24, "apnic"), roa(64501, "10.0.0.0/16", 24, "arin"),
                roa(64500, "10.0.0.0/8", 8, "ripe"));
        assertThat(set.covering(IpPrefix.parse("12.0.0.0/24"))).isEmpty();
        assertThat(set.covering(IpPrefix.parse("2001:db8::/32"))).isEmpty();
    }

    /** Checks covering() against a literal reading of RFC 6811 "covering" on dense random data. */
    @Test
    void coveringAgreesWithBruteForceAndIsEmptyExactlyForNotFound() {
        Random random = new Random(9234);
        for (boolean v6 : new boolean[] {false, true}) {
            int bits = v6 ? 128 : 32;
            List<Roa> roas = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                int length = random.nextInt(Math.min(bits, 20) + 1);
                roas.add(new Roa(random.nextInt(6), randomPrefix(random, v6, length), Math.min(bits, length + random.nextInt(6)),
                        random.nextBoolean() ? "ripe" : "arin"));
            }
            RoaSet set = RoaSet.of(roas);
            for (int i = 0; i < 2000; i++) {
                IpPrefix route = randomPrefix(random, v6, random.nextInt(Math.min(bits, 26) + 1));
                List<Roa> covering = set.covering(route);
                Set<Roa> expected = roas.stream().filter(r -> r.prefix().contains(route)).collect(Collectors.toSet());
                assertThat(new HashSet<>(covering)).as("%s", route).isEqualTo(expected);
                assertThat(covering).as("%s: each ROA once", route).hasSize(expected.size());
                assertThat(covering.isEmpty()).as("%s", route).isEqualTo(set.validate(route, 1).state() == NOT_FOUND);
            }
        }
    }

    /** Addresses from a narrow range so that prefixes overlap a lot. */
    static IpPrefix randomPrefix(Random random, boolean v6, int length) {
        byte[] address = new byte[v6 ? 16 : 4];
        address[0] = (byte) (10 + random.nextInt(2));
        address[1] = (byte) random.nextInt(4);
        address[2] = (byte) random.nextInt(256);
        address[3] = (byte) random.nextInt(256);
        return IpPrefix.masking(address, length);
    }

    static RpkiVerdict bruteForce(List<Roa> roas, IpPrefix route, long origin) {
        String validTa = null;
        Roa mostSpecific = null;
        for (Roa roa : roas) {
            if (!roa.prefix().contains(route)) {
                continue;
            }
            if (mostSpecific == null || roa.prefix().length() > mostSpecific.prefix().length()
                    || (roa.prefix().length() == mostSpecific.prefix().length()
                            && roa.trustAnchor().compareTo(mostSpecific.trustAnchor()) < 0)) {
                mostSpecific = roa;
            }
            if (origin != 0 && roa.asn() == origin && route.length() <= roa.maxLength()
                    && (validTa == null || roa.trustAnchor().compareTo(validTa) < 0)) {
                validTa = roa.trustAnchor();
            }
        }
        if (validTa != null) {
            return new RpkiVerdict(VALID, validTa);
        }
        return mostSpecific == null ? RpkiVerdict.NOT_FOUND : new RpkiVerdict(INVALID, mostSpecific.trustAnchor());
    }
}
