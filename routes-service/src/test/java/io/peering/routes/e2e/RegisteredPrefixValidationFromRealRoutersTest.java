package io.peering.routes.e2e;

import io.peering.routes.testing.Await;
import io.peering.routes.testing.RoaFiles;
import io.peering.routes.v1.GetRegisteredPrefixRequest;
import io.peering.routes.v1.RegisteredPrefix;
import io.peering.routes.v1.RegisteredPrefixValidationState;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static io.peering.routes.v1.RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_FAILED;
import static io.peering.routes.v1.RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_PENDING;
import static io.peering.routes.v1.RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED;
import static io.peering.routes.v1.RegisteredPrefixValidationState.REGISTERED_PREFIX_VALIDATION_STATE_WARNING;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Registered-prefix validation on what real BGP sessions carried: GoBGP peers P1 (ams-1) and P2 (ams-2) of contoso-ams
 * announce its registered prefixes to GoBGP router R1, which reports them over BMP. The rules as a deployment would set
 * them: ROAs let AS 64500 originate the prefixes, every announcement must carry community 8075:8007, AS paths at most 5
 * long (the default).
 */
@QuarkusTest
@TestProfile(RegisteredPrefixValidationFromRealRoutersTest.Rules.class)
class RegisteredPrefixValidationFromRealRoutersTest extends WithRealRouters {

    static final String CONTOSO_WEB = "peerings/contoso-ams/registeredPrefixes/contoso-web"; // 198.51.100.0/24
    static final String CONTOSO_V6 = "peerings/contoso-ams/registeredPrefixes/contoso-v6";   // 2001:db8:100::/48
    static final String PREFIX = "198.51.100.0/24";
    static final String REQUIRED = "8075:8007";
    static final List<String> CLEAN = List.of("--community", REQUIRED);

    public static class Rules implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("peering.rpki.roa-file", RoaFiles.write("""
                            {"roas": [{"asn": 64500, "prefix": "198.51.100.0/24", "maxLength": 24, "ta": "ripe"},
                                      {"asn": 64500, "prefix": "2001:db8:100::/48", "maxLength": 48, "ta": "ripe"}]}
                            """),
                    "peering.registered-prefixes.required-community", REQUIRED,
                    "peering.registered-prefixes.max-as-path-length", "5");
        }
    }

    /**
     * Each test starts with both sessions up and the prefix announced on neither (Pending, naming both). Validation
     * reads every router's view of a session address: {@link WithRealRouters} removed the rows any router left for them.
     */
    @BeforeEach
    void bothSessionsUpAnnouncingNothing() throws Exception {
        clearP1AndP2();
        await(CONTOSO_WEB, p -> p.getValidationState() == REGISTERED_PREFIX_VALIDATION_STATE_PENDING && p.getReasonsList().size() == 2
                && p.getReasonsList().stream().allMatch(r -> r.contains("is up but does not announce")));
    }

    RegisteredPrefix get(String name) {
        return routes().getRegisteredPrefix(GetRegisteredPrefixRequest.newBuilder().setName(name).build()).getRegisteredPrefix();
    }

    RegisteredPrefix await(String name, Predicate<RegisteredPrefix> done) throws InterruptedException {
        return Await.value(name, WAIT, () -> get(name), done);
    }

    RegisteredPrefix awaitState(String name, RegisteredPrefixValidationState state) throws InterruptedException {
        return await(name, p -> p.getValidationState() == state);
    }

    /** P1 and P2 announce the prefix as a deployment expects: their own AS as origin, the required community. */
    static void announceCleanOnBothSessions(String prefix) {
        announce("p1", prefix, CLEAN);
        announce("p2", prefix, CLEAN);
    }

    /** @param options routers.sh announce options: AS path behind the peer's AS, communities */
    static void announce(String peer, String prefix, List<String> options) {
        List<String> args = new ArrayList<>(List.of("announce", peer, prefix));
        args.addAll(options);
        Routers.run(args.toArray(String[]::new));
    }

    /**
     * P1 and P2 announce the prefix with these options; the reasons once it has Failed with one reason: both routes are
     * in (until the second arrives, its session is also reported missing).
     */
    List<String> reasonsOnceFailedAnnouncing(List<String> p1, List<String> p2) throws InterruptedException {
        announce("p1", PREFIX, p1);
        announce("p2", PREFIX, p2);
        return await(CONTOSO_WEB, p -> p.getValidationState() == REGISTERED_PREFIX_VALIDATION_STATE_FAILED
                && p.getReasonsList().size() == 1).getReasonsList();
    }

    /** The prefix announced clean on both sessions, and Verified. */
    void verifiedOnBothSessions() throws InterruptedException {
        announceCleanOnBothSessions(PREFIX);
        awaitState(CONTOSO_WEB, REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED);
    }

    @Test
    void prefixAnnouncedCleanOnEverySessionIsVerified() throws Exception {
        announceCleanOnBothSessions(PREFIX);

        RegisteredPrefix p = awaitState(CONTOSO_WEB, REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED);
        assertThat(p.getPrefix()).isEqualTo(PREFIX);
        assertThat(p.getReasonsList()).isEmpty();
    }

    @Test
    void ipv6PrefixAnnouncedCleanOnEveryIpv6SessionIsVerified() throws Exception {
        Assumptions.assumeTrue(Routers.ipv6Sessions(), "the routers have no IPv6 sessions (fd00:64:500::/64 could not be added to lo)");
        announceCleanOnBothSessions("2001:db8:100::/48");

        RegisteredPrefix p = awaitState(CONTOSO_V6, REGISTERED_PREFIX_VALIDATION_STATE_VERIFIED);
        assertThat(p.getPrefix()).isEqualTo("2001:db8:100::/48");
        assertThat(p.getReasonsList()).isEmpty();
    }

    @Test
    void privateAsnInTheAsPathFailsNamingTheRoute() throws Exception {
        assertThat(reasonsOnceFailedAnnouncing(List.of("--as-path", "65010 64500", "--community", REQUIRED), CLEAN))
                .containsExactly("the route for 198.51.100.0/24 from 127.0.0.11 (router 127.0.0.1, AS path \"64500 65010 64500\")"
                        + " has private ASN 65010 in its AS path");
    }

    @Test
    void asPathLongerThanAllowedFailsNamingTheRoute() throws Exception {
        assertThat(reasonsOnceFailedAnnouncing(CLEAN, List.of("--as-path", "64500 64500 64500 64500 64500", "--community", REQUIRED)))
                .containsExactly("the route for 198.51.100.0/24 from 127.0.0.12 (router 127.0.0.1, AS path"
                        + " \"64500 64500 64500 64500 64500 64500\") has an AS path of length 6, longer than the 5 allowed");
    }

    @Test
    void announcementWithoutTheRequiredCommunityFailsNamingTheRoute() throws Exception {
        assertThat(reasonsOnceFailedAnnouncing(List.of("--community", "64500:100"), CLEAN))
                .containsExactly("the route for 198.51.100.0/24 from 127.0.0.11 (router 127.0.0.1, AS path \"64500\") does not carry"
                        + " the required community 8075:8007");
    }

    @Test
    void verifiedPrefixWithdrawnOnOneSessionIsPendingNamingThatSession() throws Exception {
        verifiedOnBothSessions();
        Routers.run("withdraw", "p2", PREFIX);

        RegisteredPrefix p = awaitState(CONTOSO_WEB, REGISTERED_PREFIX_VALIDATION_STATE_PENDING);
        assertThat(p.getReasonsList()).containsExactly("session 127.0.0.12 (peerings/contoso-ams/connections/ams-2) is up but"
                + " does not announce 198.51.100.0/24");
    }

    @Test
    void verifiedPrefixWhoseSessionGoesDownWhileTheOtherAnnouncesIsAWarning() throws Exception {
        verifiedOnBothSessions();
        Routers.run("session-down", Routers.P2);
        try {
            RegisteredPrefix p = awaitState(CONTOSO_WEB, REGISTERED_PREFIX_VALIDATION_STATE_WARNING);
            assertThat(p.getReasonsList()).containsExactly("session 127.0.0.12 (peerings/contoso-ams/connections/ams-2) is not up,"
                    + " so it does not announce 198.51.100.0/24");
        } finally {
            Routers.run("session-up", Routers.P2);
        }
    }
}
