package io.peering.routes.validation;

import io.peering.routes.bmp.AsPath;
import io.peering.support.net.IpPrefix;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The rules a registered prefix is validated by (the Azure Peering RegisteredPrefixes_Validate), on what BMP shows.
 * Plain Java: the caller passes the prefix, the peering's sessions and the routes found for the prefix.
 *
 * <ul>
 *   <li>The prefix overlaps no reserved range (private, CGN, loopback, link-local, multicast, unspecified): FAILED.
 *       Documentation ranges: as {@link Settings#documentationPrefixes} says (default WARNING).</li>
 *   <li>Every session of the prefix's address family announces it (the exact prefix): a session that is up and does not
 *       is PENDING; a session that is down is a WARNING; a peering with no session of the family FAILS.</li>
 *   <li>Each announcement: AS path at most {@link Settings#maxAsPathLength} long, no private ASN other than the
 *       peering's own ASNs, the required community if one is configured: else FAILED.</li>
 *   <li>RPKI: INVALID is FAILED, NOT_FOUND (or not validated) a WARNING.</li>
 * </ul>
 * The state is the worst finding; UNKNOWN when no session of the family has any BMP data (and no data-free rule fails).
 */
public final class PrefixRules {

    private PrefixRules() {
    }

    /** What a documentation range (RFC 5737, RFC 3849) is held to be. */
    public enum DocumentationPrefixes { ALLOWED, WARNING, FAILED }

    /**
     * @param reservedPrefixes      ranges a registered prefix may not overlap
     * @param documentationRanges   the documentation ranges, judged as {@code documentationPrefixes} says
     * @param requiredCommunity     "asn:value" every announcement must carry; empty: none required
     */
    public record Settings(int maxAsPathLength, Optional<String> requiredCommunity, List<IpPrefix> reservedPrefixes,
                           List<IpPrefix> documentationRanges, DocumentationPrefixes documentationPrefixes) {
    }

    /**
     * One session address of the peering, as the inventory names it, and what BMP says of it.
     *
     * @param reported    some router reported a session with this peer address
     * @param established some router reports it Established now
     */
    public record Session(String address, String connection, boolean reported, boolean established) {
        boolean ipv6() {
            return address.contains(":");
        }
    }

    /**
     * One route for the prefix received on a session of the peering.
     *
     * @param asPath    display form, "64500 64501 {64502,64503}"
     * @param rpkiState RpkiValidationState number: 1 valid, 2 invalid, 3 not found, 0 not validated
     */
    public record Route(String peerAddress, String router, String asPath, List<String> communities, short rpkiState) {
    }

    /** The state and, unless VERIFIED, the sentences saying why. */
    public record Verdict(ValidationState state, List<String> reasons) {
    }

    /** @param ownAsns the peering's peer ASN and registered ASNs: never counted as private ASNs in a path */
    public static Verdict judge(IpPrefix prefix, List<Long> ownAsns, List<Session> sessions, List<Route> routes, Settings settings) {
        Findings f = new Findings();
        for (IpPrefix reserved : settings.reservedPrefixes()) {
            if (overlaps(prefix, reserved)) {
                f.add(ValidationState.FAILED, prefix + " is in reserved range " + reserved + " (private, shared, loopback,"
                        + " link-local, multicast or unspecified addresses); it cannot be a registered prefix");
            }
        }
        for (IpPrefix documentation : settings.documentationRanges()) {
            if (overlaps(prefix, documentation) && settings.documentationPrefixes() != DocumentationPrefixes.ALLOWED) {
                f.add(settings.documentationPrefixes() == DocumentationPrefixes.FAILED ? ValidationState.FAILED : ValidationState.WARNING,
                        prefix + " is in documentation range " + documentation + ", which is not routed on the Internet");
            }
        }
        List<Session> family = sessions.stream().filter(s -> s.ipv6() == prefix.isIpv6()).toList();
        if (family.isEmpty()) {
            f.add(ValidationState.FAILED, "the peering has no " + (prefix.isIpv6() ? "IPv6" : "IPv4") + " session to announce "
                    + prefix + " on");
            return f.verdict();
        }
        if (family.stream().noneMatch(Session::reported)) {
            return f.state == ValidationState.FAILED ? f.verdict()
                    : new Verdict(ValidationState.UNKNOWN, List.of("no router has reported any of the sessions " + addresses(family)
                    + " over BMP, so nothing is known of " + prefix));
        }
        for (Session s : family) {
            boolean announced = routes.stream().anyMatch(r -> r.peerAddress().equals(s.address()));
            if (announced) {
                continue;
            }
            if (s.established()) {
                f.add(ValidationState.PENDING, "session " + s.address() + " (" + s.connection() + ") is up but does not announce "
                        + prefix);
            } else if (family.stream().noneMatch(Session::established)) {
                f.add(ValidationState.PENDING, "session " + s.address() + " (" + s.connection() + ") is not up, and no session of the"
                        + " peering is: waiting for " + prefix + " to be announced");
            } else {
                f.add(ValidationState.WARNING, "session " + s.address() + " (" + s.connection() + ") is "
                        + (s.reported() ? "not up" : "reported by no router") + ", so it does not announce " + prefix);
            }
        }
        for (Route r : routes) {
            judgeRoute(prefix, r, ownAsns, settings, f);
        }
        return f.verdict();
    }

    private static void judgeRoute(IpPrefix prefix, Route r, List<Long> ownAsns, Settings settings, Findings f) {
        String route = "the route for " + prefix + " from " + r.peerAddress() + " (router " + r.router() + ", AS path \""
                + r.asPath() + "\")";
        AsPath path = AsPath.parse(r.asPath());
        if (path.pathLength() > settings.maxAsPathLength()) {
            f.add(ValidationState.FAILED, route + " has an AS path of length " + path.pathLength() + ", longer than the "
                    + settings.maxAsPathLength() + " allowed");
        }
        Set<Long> privateAsns = new LinkedHashSet<>();
        for (AsPath.Segment s : path.segments()) {
            if (s.type() == AsPath.SegmentType.AS_SEQUENCE || s.type() == AsPath.SegmentType.AS_SET) {
                s.asns().stream().filter(asn -> isPrivateAsn(asn) && !ownAsns.contains(asn)).forEach(privateAsns::add);
            }
        }
        if (!privateAsns.isEmpty()) {
            f.add(ValidationState.FAILED, route + " has private ASN" + (privateAsns.size() > 1 ? "s " : " ")
                    + privateAsns.stream().map(String::valueOf).reduce((a, b) -> a + ", " + b).orElseThrow()
                    + " in its AS path");
        }
        settings.requiredCommunity().filter(c -> !r.communities().contains(c)).ifPresent(c ->
                f.add(ValidationState.FAILED, route + " does not carry the required community " + c));
        switch (r.rpkiState()) {
            case 1 -> { }
            case 2 -> f.add(ValidationState.FAILED, route + " is RPKI INVALID: ROAs cover the prefix but none allows its origin"
                    + " AS and length");
            case 3 -> f.add(ValidationState.WARNING, route + " is RPKI NOT_FOUND: no ROA covers the prefix");
            default -> f.add(ValidationState.WARNING, route + " has not been RPKI validated");
        }
    }

    /** RFC 6996 private-use ASNs: 64512–65534 and 4200000000–4294967294. */
    public static boolean isPrivateAsn(long asn) {
        return (asn >= 64512 && asn <= 65534) || (asn >= 4_200_000_000L && asn <= 4_294_967_294L);
    }

    static boolean overlaps(IpPrefix a, IpPrefix b) {
        return a.isIpv6() == b.isIpv6() && (a.contains(b) || b.contains(a));
    }

    private static String addresses(List<Session> sessions) {
        return String.join(", ", sessions.stream().map(Session::address).toList());
    }

    /** The worst state found so far and every reason. */
    private static final class Findings {
        ValidationState state = ValidationState.VERIFIED;
        final List<String> reasons = new ArrayList<>();

        void add(ValidationState found, String reason) {
            state = state.worse(found);
            reasons.add(reason);
        }

        Verdict verdict() {
            return new Verdict(state, List.copyOf(reasons));
        }
    }
}
