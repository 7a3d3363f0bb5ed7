package io.peering.routes.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.List;

/** The looking glass's probes ({@code peering.looking-glass.*}): where Ping and Traceroute may go, and how often. */
@ConfigMapping(prefix = "peering.looking-glass")
public interface LookingGlassConfig {

    /**
     * Address ranges (CIDR) Ping and Traceroute may probe; any other target is refused with PERMISSION_DENIED before
     * anything is sent. Loopback only unless configured: list the peers' session ranges.
     */
    @WithDefault("127.0.0.0/8,::1/128")
    List<String> allowedTargets();

    /** Ping and Traceroute calls per minute per caller (token subject), the two together. */
    @WithDefault("6")
    int probesPerMinute();

    /** Calls a caller may make at once before probes-per-minute applies. */
    @WithDefault("3")
    int probesBurst();
}
