package io.peering.support.auth;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Fails the start when authentication is on and the verification key is missing, so a
 * misconfigured pod never becomes ready instead of refusing every call later.
 */
@ApplicationScoped
public class PublicKeyCheck {

    static final String KEY_LOCATION = "mp.jwt.verify.publickey.location";

    void onStart(@Observes StartupEvent event, AuthConfig config) {
        if (!config.enabled()) {
            return;
        }
        var cfg = ConfigProvider.getConfig();
        Optional<String> location = cfg.getOptionalValue(KEY_LOCATION, String.class);
        boolean inline = cfg.getOptionalValue("mp.jwt.verify.publickey", String.class).isPresent();
        if (inline) {
            return;
        }
        String how = "set PEERING_AUTH_PUBLIC_KEY to the PEM public key that verifies the tokens "
                + "(deploy/local/mint-token creates a dev key pair), or PEERING_AUTH_ENABLED=false for a trusted set-up";
        if (location.isEmpty()) {
            throw new IllegalStateException("peering.auth.enabled=true but " + KEY_LOCATION + " is not set: " + how);
        }
        String loc = location.get();
        boolean remoteOrClasspath = loc.startsWith("http:") || loc.startsWith("https:") || loc.startsWith("classpath:");
        Path path = Path.of(loc.startsWith("file:") ? loc.substring(5) : loc);
        if (!remoteOrClasspath && !Files.isReadable(path)) {
            throw new IllegalStateException("peering.auth.enabled=true but the public key " + path.toAbsolutePath()
                    + " cannot be read: " + how);
        }
    }
}
