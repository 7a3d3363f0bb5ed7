package io.peering.latency;

import io.peering.support.net.IpPrefix;

import java.time.Instant;

/**
 * One accepted round-trip sample. {@code prefix} is where it is reported: the target at /24
 * (IPv4) or /48 (IPv6), or the target itself when it is a shorter prefix.
 */
public record Sample(Instant time, IpPrefix target, IpPrefix prefix, double rttMs, String probeLocation, Long originAsn) {

    public static final int IPV4_REPORTING_LENGTH = 24;
    public static final int IPV6_REPORTING_LENGTH = 48;

    /** The prefix a target (or a queried prefix) is reported at. */
    public static IpPrefix reportingPrefix(IpPrefix target) {
        return target.truncate(target.isIpv4() ? IPV4_REPORTING_LENGTH : IPV6_REPORTING_LENGTH);
    }
}
