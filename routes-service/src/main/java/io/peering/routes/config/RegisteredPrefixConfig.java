package io.peering.routes.config;

import io.peering.routes.validation.PrefixRules;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.List;
import java.util.Optional;

/** The rules registered prefixes are validated by ({@code peering.registered-prefixes.*}). */
@ConfigMapping(prefix = "peering.registered-prefixes")
public interface RegisteredPrefixConfig {

    /** Longest AS path (RFC 4271 length: an AS_SET counts 1) an announcement may have. */
    @WithDefault("5")
    int maxAsPathLength();

    /** Standard community "asn:value" every announcement must carry (Azure: 8075:8007); unset: none required. */
    Optional<String> requiredCommunity();

    /**
     * Ranges a registered prefix may not overlap: RFC 1918 private, RFC 6598 shared (CGN), loopback, link-local,
     * multicast, unspecified, reserved (240/4), IPv6 unique-local.
     */
    @WithDefault("0.0.0.0/8,10.0.0.0/8,100.64.0.0/10,127.0.0.0/8,169.254.0.0/16,172.16.0.0/12,192.168.0.0/16,224.0.0.0/4,"
            + "240.0.0.0/4,::/128,::1/128,fc00::/7,fe80::/10,ff00::/8")
    List<String> reservedPrefixes();

    /** The documentation ranges (RFC 5737, RFC 3849). */
    @WithDefault("192.0.2.0/24,198.51.100.0/24,203.0.113.0/24,2001:db8::/32")
    List<String> documentationRanges();

    /** What a registered prefix in a documentation range is: allowed, warning or failed. */
    @WithDefault("warning")
    PrefixRules.DocumentationPrefixes documentationPrefixes();
}
