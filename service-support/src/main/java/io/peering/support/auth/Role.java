package io.peering.support.auth;

import java.util.Locale;
import java.util.Optional;

/** What a caller may do, from the {@code groups} claim of its token. */
public enum Role {
    /** Queries and Watch streams, limited to the peerings of the ASNs in its {@code peer_asn} claim. */
    READER,
    /** Ingest RPCs only (counter and latency samples, session transition reports). */
    COLLECTOR,
    /** Everything, on every peering. The services use it among themselves. */
    OPERATOR;

    public String claimValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> fromClaim(String value) {
        for (Role r : values()) {
            if (r.claimValue().equals(value)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
