package io.peering.support.auth;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/** Reads the {@code peer_asn} claim: one ASN or a list, as numbers or decimal strings. */
final class PeerAsnClaim {

    private static final long MAX_ASN = 4_294_967_295L;

    private PeerAsnClaim() {
    }

    static Set<Long> read(Object claim) {
        Set<Long> asns = new HashSet<>();
        add(claim, asns);
        return asns;
    }

    private static void add(Object value, Set<Long> into) {
        if (value == null || value == JsonValue.NULL) {
            return;
        }
        if (value instanceof JsonArray array) {
            array.forEach(v -> add(v, into));
        } else if (value instanceof Collection<?> list) {
            list.forEach(v -> add(v, into));
        } else if (value instanceof JsonNumber n) {
            into.add(check(n.isIntegral() ? n.longValue() : -1));
        } else if (value instanceof Number n) {
            into.add(check(n.longValue()));
        } else if (value instanceof JsonString s) {
            into.add(parse(s.getString()));
        } else if (value instanceof String s) {
            into.add(parse(s));
        } else {
            throw new IllegalArgumentException("peer_asn must be an ASN or a list of ASNs, not " + value);
        }
    }

    private static long parse(String s) {
        try {
            return check(Long.parseLong(s.trim().replaceFirst("^(?i)AS", "")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("peer_asn '" + s + "' is not an ASN");
        }
    }

    private static long check(long asn) {
        if (asn < 0 || asn > MAX_ASN) {
            throw new IllegalArgumentException("peer_asn " + asn + " is outside 0..4294967295");
        }
        return asn;
    }
}
