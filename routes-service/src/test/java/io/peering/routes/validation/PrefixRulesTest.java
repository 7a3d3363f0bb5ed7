package io.peering.routes.validation;

import io.peering.support.net.IpPrefix;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Each rule and each state of {@link PrefixRules}, on hand-made sessions and routes. */
class PrefixRulesTest {

    static final IpPrefix PREFIX = IpPrefix.parse("198.51.100.0/24");
    static final List<Long> OWN = List.of(64500L, 4200000001L);
    static final PrefixRules.Session UP_1 = new PrefixRules.Session("127.0.0.11", "peerings/contoso-ams/connections/ams-1", true, true);
    static final PrefixRules.Session UP_2 = new PrefixRules.Session("127.0.0.12", "peerings/contoso-ams/connections/ams-2", true, true);
    static final PrefixRules.Session V6 = new PrefixRules.Session("fd00:64:500::11", "peerings/contoso-ams/connections/ams-1", false, false);

    static PrefixRules.Settings settings() {
        return new PrefixRules.Settings(5, Optional.empty(), List.of(IpPrefix.parse("10.0.0.0/8"), IpPrefix.parse("100.64.0.0/10")),
                List.of(IpPrefix.parse("198.51.100.0/24"), IpPrefix.parse("2001:db8::/32")), PrefixRules.DocumentationPrefixes.ALLOWED);
    }

    static PrefixRules.Route route(String peer, String asPath, short rpki, String... communities) {
        return new PrefixRules.Route(peer, "127.0.0.201", asPath, List.of(communities), rpki);
    }

    static PrefixRules.Verdict judge(List<PrefixRules.Route> routes) {
        return PrefixRules.judge(PREFIX, OWN, List.of(UP_1, UP_2, V6), routes, settings());
    }

    @Test
    void announcedOnEverySessionOfItsFamilyWithCleanRoutesIsVerified() {
        PrefixRules.Verdict v = judge(List.of(route("127.0.0.11", "64500", (short) 1), route("127.0.0.12", "64500 4200000001", (short) 1)));

        assertThat(v.state()).isEqualTo(ValidationState.VERIFIED);
        assertThat(v.reasons()).isEmpty();
    }

    @Test
    void sessionUpWithoutTheAnnouncementIsPendingNamingTheSession() {
        PrefixRules.Verdict v = judge(List.of(route("127.0.0.11", "64500", (short) 1)));

        assertThat(v.state()).isEqualTo(ValidationState.PENDING);
        assertThat(v.reasons()).containsExactly("session 127.0.0.12 (peerings/contoso-ams/connections/ams-2) is up but does not announce 198.51.100.0/24");
    }

    @Test
    void sessionDownWhileAnotherAnnouncesIsAWarning() {
        PrefixRules.Session down = new PrefixRules.Session("127.0.0.12", "peerings/contoso-ams/connections/ams-2", true, false);
        PrefixRules.Verdict v = PrefixRules.judge(PREFIX, OWN, List.of(UP_1, down), List.of(route("127.0.0.11", "64500", (short) 1)), settings());

        assertThat(v.state()).isEqualTo(ValidationState.WARNING);
        assertThat(v.reasons()).singleElement().asString().contains("127.0.0.12").contains("is not up");
    }

    @Test
    void noSessionUpIsPending() {
        PrefixRules.Session down = new PrefixRules.Session("127.0.0.11", "peerings/contoso-ams/connections/ams-1", true, false);
        assertThat(PrefixRules.judge(PREFIX, OWN, List.of(down), List.of(), settings()).state()).isEqualTo(ValidationState.PENDING);
    }

    @Test
    void noSessionDataForTheFamilyIsUnknown() {
        PrefixRules.Verdict v = PrefixRules.judge(IpPrefix.parse("2001:db8:100::/48"), OWN, List.of(UP_1, V6), List.of(), settings());

        assertThat(v.state()).isEqualTo(ValidationState.UNKNOWN);
        assertThat(v.reasons()).singleElement().asString().contains("fd00:64:500::11");
    }

    @Test
    void peeringWithoutASessionOfThePrefixFamilyFails() {
        PrefixRules.Verdict v = PrefixRules.judge(IpPrefix.parse("2001:db8:100::/48"), OWN, List.of(UP_1), List.of(), settings());
        assertThat(v.state()).isEqualTo(ValidationState.FAILED);
        assertThat(v.reasons()).containsExactly("the peering has no IPv6 session to announce 2001:db8:100::/48 on");
    }

    @Test
    void reservedPrefixFailsEvenWithoutSessionData() {
        PrefixRules.Session unseen = new PrefixRules.Session("127.0.0.11", "peerings/contoso-ams/connections/ams-1", false, false);
        PrefixRules.Verdict v = PrefixRules.judge(IpPrefix.parse("100.64.1.0/24"), OWN, List.of(unseen), List.of(), settings());

        assertThat(v.state()).isEqualTo(ValidationState.FAILED);
        assertThat(v.reasons()).singleElement().asString().contains("reserved range 100.64.0.0/10");
    }

    @Test
    void prefixCoveringAReservedRangeFailsToo() {
        assertThat(PrefixRules.judge(IpPrefix.parse("0.0.0.0/0"), OWN, List.of(UP_1), List.of(route("127.0.0.11", "64500", (short) 1)),
                settings()).state()).isEqualTo(ValidationState.FAILED);
    }

    @Test
    void documentationPrefixIsWhatTheSettingSays() {
        List<PrefixRules.Route> clean = List.of(route("127.0.0.11", "64500", (short) 1), route("127.0.0.12", "64500", (short) 1));
        for (PrefixRules.DocumentationPrefixes policy : PrefixRules.DocumentationPrefixes.values()) {
            PrefixRules.Settings s = settings();
            s = new PrefixRules.Settings(5, Optional.empty(), s.reservedPrefixes(), s.documentationRanges(), policy);
            ValidationState expected = switch (policy) {
                case ALLOWED -> ValidationState.VERIFIED;
                case WARNING -> ValidationState.WARNING;
                case FAILED -> ValidationState.FAILED;
            };
            assertThat(PrefixRules.judge(PREFIX, OWN, List.of(UP_1, UP_2), clean, s).state()).as(policy.name()).isEqualTo(expected);
        }
    }

    @Test
    void privateAsnInThePathFailsNamingTheAsnAndTheRoute() {
        PrefixRules.Verdict v = judge(List.of(route("127.0.0.11", "64500 64512 64500", (short) 1), route("127.0.0.12", "64500", (short) 1)));

        assertThat(v.state()).isEqualTo(ValidationState.FAILED);
        assertThat(v.reasons()).containsExactly("the route for 198.51.100.0/24 from 127.0.0.11 (router 127.0.0.201, AS path \"64500 64512"
                + " 64500\") has private ASN 64512 in its AS path");
    }

    @Test
    void privateFourByteAsnInAnAsSetFails() {
        assertThat(judge(List.of(route("127.0.0.11", "64500 {4200000099,64501}", (short) 1), route("127.0.0.12", "64500", (short) 1)))
                .state()).isEqualTo(ValidationState.FAILED);
    }

    @Test
    void privateAsnThatIsThePeeringsOwnDoesNotFail() {
        assertThat(judge(List.of(route("127.0.0.11", "64500 4200000001", (short) 1), route("127.0.0.12", "4200000001", (short) 1)))
                .state()).isEqualTo(ValidationState.VERIFIED);
    }

    @Test
    void asPathLongerThanTheLimitFailsAndAnAsSetCountsOne() {
        assertThat(judge(List.of(route("127.0.0.11", "64500 64500 64500 64500 64500 64500", (short) 1), route("127.0.0.12", "64500", (short) 1)))
                .reasons()).singleElement().asString().contains("length 6, longer than the 5 allowed");
        assertThat(judge(List.of(route("127.0.0.11", "64500 64500 64500 64500 {64501,64502,64503}", (short) 1),
                route("127.0.0.12", "64500", (short) 1))).state()).isEqualTo(ValidationState.VERIFIED);
    }

    @Test
    void missingRequiredCommunityFails() {
        PrefixRules.Settings s = settings();
        s = new PrefixRules.Settings(5, Optional.of("8075:8007"), s.reservedPrefixes(), s.documentationRanges(), s.documentationPrefixes());
        PrefixRules.Verdict v = PrefixRules.judge(PREFIX, OWN, List.of(UP_1, UP_2),
                List.of(route("127.0.0.11", "64500", (short) 1, "8075:8007"), route("127.0.0.12", "64500", (short) 1, "64500:100")), s);

        assertThat(v.state()).isEqualTo(ValidationState.FAILED);
        assertThat(v.reasons()).singleElement().asString().contains("from 127.0.0.12").contains("required community 8075:8007");
    }

    @Test
    void rpkiInvalidFailsAndNotFoundWarns() {
        assertThat(judge(List.of(route("127.0.0.11", "64500", (short) 2), route("127.0.0.12", "64500", (short) 1))).state())
                .isEqualTo(ValidationState.FAILED);
        PrefixRules.Verdict notFound = judge(List.of(route("127.0.0.11", "64500", (short) 3), route("127.0.0.12", "64500", (short) 1)));
        assertThat(notFound.state()).isEqualTo(ValidationState.WARNING);
        assertThat(notFound.reasons()).singleElement().asString().contains("127.0.0.11").contains("RPKI NOT_FOUND");
    }

    @Test
    void hardFailureOutranksPendingAndEveryReasonIsKept() {
        PrefixRules.Verdict v = judge(List.of(route("127.0.0.11", "64500 65000", (short) 3)));

        assertThat(v.state()).isEqualTo(ValidationState.FAILED);
        assertThat(v.reasons()).hasSize(3); // 127.0.0.12 missing, private ASN 65000, RPKI not found
    }
}
