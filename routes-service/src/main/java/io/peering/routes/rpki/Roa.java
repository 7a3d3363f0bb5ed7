package io.peering.routes.rpki;

import io.peering.support.net.IpPrefix;

import java.util.Objects;

/**
 * One validated ROA payload (VRP): the origin AS allowed to announce {@code prefix} and its more specifics up to
 * {@code maxLength}, as published under {@code trustAnchor}.
 *
 * @param asn origin AS, 0..4294967295; AS 0 (RFC 6483) authorises nothing
 * @param prefix the ROA prefix (no host bits)
 * @param maxLength the longest route length covered, {@code prefix.length() <= maxLength <= 32 or 128}
 * @param trustAnchor the trust anchor name, "" when unknown (never null)
 */
public record Roa(long asn, IpPrefix prefix, int maxLength, String trustAnchor) {

    public static final long MAX_ASN = 0xFFFF_FFFFL;

    public Roa {
        Objects.requireNonNull(prefix, "prefix");
        if (asn < 0 || asn > MAX_ASN) {
            throw new IllegalArgumentException("asn " + asn + " out of range 0.." + MAX_ASN);
        }
        if (maxLength < prefix.length()) {
            throw new IllegalArgumentException("maxLength " + maxLength + " is less than the prefix length of "
                    + prefix);
        }
        if (maxLength > prefix.addressBits()) {
            throw new IllegalArgumentException("maxLength " + maxLength + " exceeds " + prefix.addressBits()
                    + " for " + prefix);
        }
        trustAnchor = trustAnchor == null ? "" : trustAnchor;
    }

    /** A ROA whose maxLength equals the prefix length. */
    public Roa(long asn, IpPrefix prefix, String trustAnchor) {
        this(asn, prefix, prefix.length(), trustAnchor);
    }
}
