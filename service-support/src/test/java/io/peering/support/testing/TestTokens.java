package io.peering.support.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Tokens for the tests: an RSA key pair generated once per test JVM (the public key written to
 * target/ for the service to verify with), and RS256 JWTs minted with the JDK's own crypto.
 * Nothing here is a secret: the keys live as long as the test run.
 */
public final class TestTokens {

    public static final String ISSUER = "peering-telemetry";

    private static final KeyPair KEYS = generate();
    private static final KeyPair STRANGER = generate();
    private static final Path PUBLIC_KEY = writePublicKey();

    private TestTokens() {
    }

    /** The PEM file the service under test verifies tokens with. */
    public static Path publicKeyFile() {
        return PUBLIC_KEY;
    }

    public static String reader(long... asns) {
        return mint("reader-" + (asns.length == 0 ? "none" : asns[0]), List.of("reader"), asns, Duration.ofHours(1), KEYS.getPrivate(), ISSUER);
    }

    public static String collector() {
        return mint("collector-1", List.of("collector"), new long[0], Duration.ofHours(1), KEYS.getPrivate(), ISSUER);
    }

    public static String operator() {
        return mint("operator-1", List.of("operator"), new long[0], Duration.ofHours(1), KEYS.getPrivate(), ISSUER);
    }

    /** An operator token that expired an hour ago (past smallrye-jwt's default clock skew). */
    public static String expiredOperator() {
        return mint("operator-expired", List.of("operator"), new long[0], Duration.ofHours(-1), KEYS.getPrivate(), ISSUER);
    }

    /** An operator token signed by a key the service does not know. */
    public static String foreignOperator() {
        return mint("operator-foreign", List.of("operator"), new long[0], Duration.ofHours(1), STRANGER.getPrivate(), ISSUER);
    }

    public static String mint(String subject, List<String> roles, long[] peerAsns, Duration validFor, PrivateKey key, String issuer) {
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String payload = "{\"iss\":\"" + issuer + "\",\"sub\":\"" + subject + "\",\"iat\":" + Math.min(now, now + validFor.toSeconds() - 60)
                + ",\"exp\":" + (now + validFor.toSeconds())
                + ",\"groups\":" + roles.stream().map(r -> "\"" + r + "\"").collect(Collectors.joining(",", "[", "]"))
                + ",\"peer_asn\":" + java.util.Arrays.stream(peerAsns).mapToObj(Long::toString).collect(Collectors.joining(",", "[", "]"))
                + "}";
        String signingInput = b64(header.getBytes(StandardCharsets.UTF_8)) + "." + b64(payload.getBytes(StandardCharsets.UTF_8));
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(key);
            rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64(rs256.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path writePublicKey() {
        try {
            Path dir = Files.createDirectories(Path.of("target", "test-jwt"));
            Path file = dir.resolve("public-key-" + ProcessHandle.current().pid() + ".pem");
            String pem = "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(KEYS.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n";
            Files.writeString(file, pem);
            return file.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
