package io.peering.routes.bmp;

import static io.peering.routes.bmp.BmpBytes.attr;
import static io.peering.routes.bmp.BmpBytes.concat;
import static io.peering.routes.bmp.BmpBytes.ip;
import static io.peering.routes.bmp.BmpBytes.mpReach;
import static io.peering.routes.bmp.BmpBytes.mpUnreach;
import static io.peering.routes.bmp.BmpBytes.nextHop;
import static io.peering.routes.bmp.BmpBytes.origin;
import static io.peering.routes.bmp.BmpBytes.prefix;
import static io.peering.routes.bmp.BmpBytes.segment;
import static io.peering.routes.bmp.BmpBytes.u32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peering.support.net.IpAddresses;
import io.peering.support.net.IpPrefix;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** BGP UPDATE decoding, fed hand-built UPDATE PDUs. */
class BgpUpdateDecodingTest {
    private static final byte[] NONE = new byte[0];

    private static BgpUpdate decode(byte[] updatePdu, boolean fourByteAsn, Set<AfiSafi> addPath) throws BmpDecodeException {
        return BgpDecoder.decodeUpdate(BgpDecoder.readPdu(Reader.of(updatePdu), BgpDecoder.UPDATE), fourByteAsn, addPath);
    }

    private static BgpUpdate decode(byte[] updatePdu) throws BmpDecodeException {
        return decode(updatePdu, true, Set.of());
    }

    private static byte[] asPath(byte[]... segments) {
        return attr(0x40, 2, concat(segments));
    }

    @Test
    void as4PathRestoresTheRealAsnsBehindAsTransOnATwoByteSession() throws BmpDecodeException {
        byte[] update = BmpBytes.update(NONE, concat(origin(0),
                asPath(segment(2, 2, 65001, 23456, 23456)),
                nextHop("192.0.2.1"),
                attr(0xC0, 17, segment(2, 4, 4_200_000_000L, 4_200_000_001L))), prefix("198.51.100.0/24"));

        BgpUpdate u = decode(update, false, Set.of());

        assertThat(u.attributes().asPath()).hasToString("65001 4200000000 4200000001");
        assertThat(u.attributes().originAs()).isEqualTo(4_200_000_001L);
    }

    @Test
    void as4PathLongerThanAsPathIsIgnored() throws BmpDecodeException {
        byte[] update = BmpBytes.update(NONE, concat(
                asPath(segment(2, 2, 23456)),
                attr(0xC0, 17, segment(2, 4, 4_200_000_000L, 4_200_000_001L))), prefix("198.51.100.0/24"));

        assertThat(decode(update, false, Set.of()).attributes().asPath()).hasToString("23456");
    }

    @Test
    void as4PathMergeCountsAnAsSetAsOneAs() throws BmpDecodeException {
        byte[] update = BmpBytes.update(NONE, concat(
                asPath(segment(2, 2, 65001, 23456), segment(1, 2, 23456, 65010)),
                attr(0xC0, 17, concat(segment(2, 4, 4_200_000_000L), segment(1, 4, 4_200_000_005L, 65010)))),
                prefix("198.51.100.0/24"));

        assertThat(decode(update, false, Set.of()).attributes().asPath()).hasToString("65001 4200000000 {4200000005,65010}");
    }

    @Test
    void as4PathIsIgnoredWhenTheSessionAlreadyUsesFourByteAsns() throws BmpDecodeException {
        byte[] update = BmpBytes.update(NONE, concat(
                asPath(segment(2, 4, 65001, 4_200_000_000L)),
                attr(0xC0, 17, segment(2, 4, 65099))), prefix("198.51.100.0/24"));

        assertThat(decode(update, true, Set.of()).attributes().asPath()).hasToString("65001 4200000000");
    }

    @Test
    void anEmptyUpdateIsTheIpv4EndOfRib() throws BmpDecodeException {
        BgpUpdate u = decode(BmpBytes.update(NONE, NONE, NONE));

        assertThat(u.endOfRib()).isEqualTo(AfiSafi.IPV4_UNICAST);
        assertThat(u.announced()).isEmpty();
        assertThat(u.withdrawn()).isEmpty();
    }

    @Test
    void anUpdateWithOnlyAnEmptyMpUnreachIsTheEndOfRibOfThatFamily() throws BmpDecodeException {
        assertThat(decode(BmpBytes.update(NONE, mpUnreach(2, 1, NONE), NONE)).endOfRib()).isEqualTo(AfiSafi.IPV6_UNICAST);
        assertThat(decode(BmpBytes.update(NONE, mpUnreach(25, 70, NONE), NONE)).endOfRib()).isEqualTo(new AfiSafi(25, 70));
    }

    @Test
    void anEmptyMpUnreachNextToOtherAttributesIsNotAnEndOfRib() throws BmpDecodeException {
        BgpUpdate u = decode(BmpBytes.update(NONE, concat(origin(0), mpUnreach(2, 1, NONE)), NONE));

        assertThat(u.isEndOfRib()).isFalse();
    }

    @Test
    void pathIdsAreReadOnlyForFamiliesWithAddPath() throws BmpDecodeException {
        byte[] withIds = BmpBytes.update(concat(prefix(7, "203.0.113.0/24")),
                concat(origin(0), asPath(segment(2, 4, 65001)), nextHop("192.0.2.1")),
                concat(prefix(1, "198.51.100.0/24"), prefix(2, "198.51.100.0/24")));

        BgpUpdate u = decode(withIds, true, Set.of(AfiSafi.IPV4_UNICAST));

        assertThat(u.announced()).containsExactly(
                new Route(IpPrefix.parse("198.51.100.0/24"), 1), new Route(IpPrefix.parse("198.51.100.0/24"), 2));
        assertThat(u.withdrawn()).containsExactly(new Route(IpPrefix.parse("203.0.113.0/24"), 7));
    }

    @Test
    void withoutAddPathRoutesHavePathIdZero() throws BmpDecodeException {
        byte[] update = BmpBytes.update(NONE, concat(origin(0), asPath(), nextHop("192.0.2.1")),
                concat(prefix("198.51.100.0/24"), prefix("203.0.113.128/25")));

        assertThat(decode(update, true, Set.of(AfiSafi.IPV6_UNICAST)).announced()).containsExactly(
                new Route(IpPrefix.parse("198.51.100.0/24"), 0), new Route(IpPrefix.parse("203.0.113.128/25"), 0));
    }

    @Test
    void pathIdsAreNotGuessedWhenAddPathWasNotNegotiated() {
        // 00000001 18 c6 33 64 read without ADD-PATH: 0/0, 0/0, 0/0, 0/1, then a prefix length of 198
        byte[] update = BmpBytes.update(NONE, NONE, prefix(1, "198.51.100.0/24"));

        assertThatThrownBy(() -> decode(update, true, Set.of()))
                .isInstanceOf(BmpDecodeException.class).hasMessageContaining("prefix length 198");
    }

    @Test
    void ipv6RoutesComeFromMpReachWithGlobalAndLinkLocalNextHops() throws BmpDecodeException {
        byte[] update = BmpBytes.update(NONE, concat(origin(0), asPath(segment(2, 4, 65001)),
                mpReach(2, 1, concat(ip("2001:db8::1"), ip("fe80::1")), concat(prefix("2001:db8:100::/40"), prefix("::/0"))),
                mpUnreach(2, 1, prefix("2001:db8:dead::/48"))), NONE);

        BgpUpdate u = decode(update);

        assertThat(u.announced()).extracting(Route::toString).containsExactly("2001:db8:100::/40", "::/0");
        assertThat(u.withdrawn()).extracting(Route::toString).containsExactly("2001:db8:dead::/48");
        assertThat(IpAddresses.format(u.attributes().mpNextHop().global())).isEqualTo("2001:db8::1");
        assertThat(IpAddresses.format(u.attributes().mpNextHop().linkLocal())).isEqualTo("fe80::1");
        assertThat(IpAddresses.format(u.nextHopFor(u.announced().get(0)))).isEqualTo("2001:db8::1");
    }

    @Test
    void mpReachIpv6WithOnlyAGlobalNextHop() throws BmpDecodeException {
        BgpUpdate u = decode(BmpBytes.update(NONE, mpReach(2, 1, ip("2001:db8::2"), prefix("2001:db8::/32")), NONE));

        assertThat(u.attributes().mpNextHop().linkLocal()).isNull();
        assertThat(u.announced()).extracting(Route::toString).containsExactly("2001:db8::/32");
    }

    @Test
    void otherFamiliesAreSkippedAndCountedWhileTheRestOfTheUpdateDecodes() throws BmpDecodeException {
        byte[] evpnNlri = BmpBytes.hex("0121 0000000100000001 00000000000000000000 00000000 000064"); // any bytes
        byte[] vpnNlri = BmpBytes.hex("70 000641 0000fde80000006f 0a0a0a");
        byte[] update = BmpBytes.update(NONE, concat(origin(0), asPath(segment(2, 4, 65001)), nextHop("192.0.2.1"),
                mpReach(25, 70, ip("192.0.2.9"), evpnNlri),
                mpUnreach(1, 128, vpnNlri)), prefix("198.51.100.0/24"));

        BgpUpdate u = decode(update);

        assertThat(u.skippedFamilies()).containsExactly(new AfiSafi(25, 70), new AfiSafi(1, 128));
        assertThat(u.announced()).extracting(Route::toString).containsExactly("198.51.100.0/24");
        assertThat(u.attributes().origin()).isEqualTo(PathAttributes.Origin.IGP);
        assertThat(IpAddresses.format(u.nextHopFor(u.announced().get(0)))).isEqualTo("192.0.2.1");
    }

    @Test
    void unknownAttributesAreSkippedAndCounted() throws BmpDecodeException {
        byte[] update = BmpBytes.update(NONE, concat(origin(2),
                attr(0xC0, 99, BmpBytes.hex("01020304")),
                attr(0xC0, 16, BmpBytes.hex("0002fde800000064")), // extended communities: not interpreted
                asPath(segment(2, 4, 65001))), prefix("198.51.100.0/24"));

        BgpUpdate u = decode(update);

        assertThat(u.unknownAttributes()).isEqualTo(2);
        assertThat(u.attributes().origin()).isEqualTo(PathAttributes.Origin.INCOMPLETE);
        assertThat(u.attributes().asPath()).hasToString("65001");
    }

    @Test
    void extendedLengthAttributesAreRead() throws BmpDecodeException {
        long[] communities = new long[100];
        for (int i = 0; i < communities.length; i++) {
            communities[i] = (65000L << 16) | i;
        }
        byte[] value = new byte[0];
        for (long c : communities) {
            value = concat(value, u32(c));
        }
        BgpUpdate u = decode(BmpBytes.update(NONE, attr(0xD0, 8, value), prefix("198.51.100.0/24")));

        assertThat(u.attributes().communities()).hasSize(100);
        assertThat(u.attributes().communityStrings()).startsWith("65000:0", "65000:1").endsWith("65000:99");
    }

    @Test
    void medLocalPrefCommunitiesAndLargeCommunities() throws BmpDecodeException {
        byte[] update = BmpBytes.update(NONE, concat(
                attr(0x80, 4, u32(50)),
                attr(0x40, 5, u32(200)),
                attr(0xC0, 8, concat(u32((65001L << 16) | 666), u32(0xFFFFFF01L))),
                attr(0xC0, 32, concat(u32(4_200_000_000L), u32(1), u32(2)))), prefix("198.51.100.0/24"));

        PathAttributes a = decode(update).attributes();

        assertThat(a.med()).isEqualTo(50L);
        assertThat(a.localPref()).isEqualTo(200L);
        assertThat(a.communityStrings()).containsExactly("65001:666", "65535:65281");
        assertThat(a.largeCommunities()).extracting(LargeCommunity::toString).containsExactly("4200000000:1:2");
    }

    @Test
    void onlyToCustomerCarriesItsAsn() throws BmpDecodeException {
        byte[] update = BmpBytes.update(NONE, concat(origin(0), asPath(segment(2, 4, 65001)), nextHop("192.0.2.1"),
                BmpBytes.onlyToCustomer(4_200_000_000L)), prefix("198.51.100.0/24"));

        BgpUpdate u = decode(update);

        assertThat(u.attributes().onlyToCustomer()).isEqualTo(4_200_000_000L);
        assertThat(u.announced()).extracting(Route::toString).containsExactly("198.51.100.0/24");
        assertThat(u.treatAsWithdraw()).isNull();
        assertThat(u.unknownAttributes()).isZero();
    }

    @Test
    void withoutOnlyToCustomerTheAttributeIsNull() throws BmpDecodeException {
        byte[] update = BmpBytes.update(NONE, concat(origin(0), asPath(segment(2, 4, 65001)), nextHop("192.0.2.1")),
                prefix("198.51.100.0/24"));

        assertThat(decode(update).attributes().onlyToCustomer()).isNull();
    }

    @Test
    void onlyToCustomerOfAnotherLengthThanFourTurnsTheAnnouncementsIntoWithdrawals() throws BmpDecodeException {
        // RFC 9234 section 5: malformed, treat-as-withdraw; IPv4 NLRI and MP_REACH routes alike, real withdrawals stay
        byte[] update = BmpBytes.update(prefix("203.0.113.0/24"), concat(origin(0), asPath(segment(2, 4, 65001)),
                nextHop("192.0.2.1"), mpReach(2, 1, ip("2001:db8::1"), prefix("2001:db8:100::/40")),
                attr(0xC0, 35, BmpBytes.hex("00fde8"))), prefix("198.51.100.0/24"));

        BgpUpdate u = decode(update);

        assertThat(u.announced()).isEmpty();
        assertThat(u.withdrawn()).extracting(Route::toString).containsExactly("203.0.113.0/24");
        assertThat(u.treatAsWithdraw().routes()).extracting(Route::toString)
                .containsExactly("2001:db8:100::/40", "198.51.100.0/24");
        assertThat(u.treatAsWithdraw().reason()).contains("ONLY_TO_CUSTOMER length 3");
        assertThat(u.attributes().onlyToCustomer()).isNull();
    }

    @Test
    void hostBitsOfAPrefixAreZeroed() throws BmpDecodeException {
        byte[] nlri = BmpBytes.hex("0c 0a1f"); // 10.31.0.0/12 on the wire, 10.16.0.0/12 once masked
        assertThat(decode(BmpBytes.update(NONE, NONE, nlri)).announced()).extracting(Route::toString).containsExactly("10.16.0.0/12");
    }

    @Test
    void asPathDisplayAndOriginAs() {
        AsPath endsInSet = new AsPath(List.of(
                new AsPath.Segment(AsPath.SegmentType.AS_SEQUENCE, List.of(65001L, 65002L)),
                new AsPath.Segment(AsPath.SegmentType.AS_SET, List.of(65003L, 65004L))));
        AsPath withConfed = new AsPath(List.of(
                new AsPath.Segment(AsPath.SegmentType.AS_CONFED_SEQUENCE, List.of(64512L)),
                new AsPath.Segment(AsPath.SegmentType.AS_SEQUENCE, List.of(65001L, 65009L))));

        assertThat(endsInSet).hasToString("65001 65002 {65003,65004}");
        assertThat(endsInSet.originAs()).isZero();
        assertThat(withConfed).hasToString("(64512) 65001 65009");
        assertThat(withConfed.originAs()).isEqualTo(65009L);
        assertThat(AsPath.EMPTY.originAs()).isZero();
        assertThat(AsPath.EMPTY).hasToString("");
    }

    @Test
    void aTwoByteAsPathIsToleratedWhenFourByteWasExpected() throws BmpDecodeException {
        byte[] update = BmpBytes.update(NONE, asPath(segment(2, 2, 65001, 65002, 65003)), prefix("198.51.100.0/24"));

        assertThat(decode(update, true, Set.of()).attributes().asPath()).hasToString("65001 65002 65003");
    }

    @Test
    void prefixesPrintAsCanonicalCidr() {
        assertThat(IpPrefix.parse("2001:0db8:0:0::/32")).hasToString("2001:db8::/32");
        assertThat(IpPrefix.parse("2001:db8:0:1:0:0:0:1/128")).hasToString("2001:db8:0:1::1/128");
        assertThat(IpPrefix.masking(IpAddresses.parse("192.0.2.77"), 24)).hasToString("192.0.2.0/24");
        assertThat(IpPrefix.parse("::/0")).hasToString("::/0");
        assertThat(IpPrefix.parse("::ffff:0:0/96").isIpv4()).isFalse();
    }

    @Test
    void malformedAttributesAreDecodeErrors() {
        assertThatThrownBy(() -> decode(BmpBytes.update(NONE, attr(0x40, 1, BmpBytes.hex("07")), NONE)))
                .isInstanceOf(BmpDecodeException.class).hasMessageContaining("ORIGIN");
        assertThatThrownBy(() -> decode(BmpBytes.update(NONE, attr(0x40, 3, BmpBytes.hex("0102")), NONE)))
                .isInstanceOf(BmpDecodeException.class).hasMessageContaining("NEXT_HOP");
        assertThatThrownBy(() -> decode(BmpBytes.update(NONE, NONE, BmpBytes.hex("21 0a000000"))))
                .isInstanceOf(BmpDecodeException.class).hasMessageContaining("prefix length 33");
        assertThatThrownBy(() -> decode(BmpBytes.update(NONE, asPath(BmpBytes.hex("0203 0001")), NONE)))
                .isInstanceOf(BmpDecodeException.class).hasMessageContaining("AS_PATH");
    }
}
