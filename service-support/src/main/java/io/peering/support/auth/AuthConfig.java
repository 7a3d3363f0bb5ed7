package io.peering.support.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * {@code peering.auth.*}. The public key that verifies tokens is smallrye-jwt's
 * {@code mp.jwt.verify.publickey.location} (env {@code PEERING_AUTH_PUBLIC_KEY} in our properties)
 * and the expected issuer {@code mp.jwt.verify.issuer}.
 */
@ConfigMapping(prefix = "peering.auth")
public interface AuthConfig {

    /** Verify a bearer JWT on every RPC but health and reflection. Off only for tests and trusted set-ups. */
    @WithDefault("true")
    boolean enabled();

    /**
     * The token this service presents when it calls another service (metrics- and events-service
     * follow routes-service's Watch streams): an operator token, from a Secret in Kubernetes.
     */
    Optional<String> serviceToken();
}
