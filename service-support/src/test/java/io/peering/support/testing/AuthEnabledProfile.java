package io.peering.support.testing;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** Runs a Quarkus test with bearer-token authentication on, verifying with {@link TestTokens}' key. */
public class AuthEnabledProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "peering.auth.enabled", "true",
                "mp.jwt.verify.publickey.location", TestTokens.publicKeyFile().toString(),
                "mp.jwt.verify.issuer", TestTokens.ISSUER);
    }
}
