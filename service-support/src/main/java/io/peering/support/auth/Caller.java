package io.peering.support.auth;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.peering.support.inventory.Inventory;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who is calling: the verified token's subject, roles and {@code peer_asn} claim. The
 * {@link BearerAuthInterceptor} puts it in the gRPC {@link Context} of every call; services read
 * it with {@link #current()} at the start of a call (before any asynchronous step) and narrow
 * what they return with {@link #requirePeering} and {@link #maySee}.
 *
 * <p>A reader sees a peering when the peering's peer ASN is in its {@code peer_asn} claim; an
 * operator sees every peering.
 */
public record Caller(String subject, Set<Role> roles, Set<Long> peerAsns) {

    static final Context.Key<Caller> CONTEXT_KEY = Context.key("peering-caller");

    /** Calls that did not come through gRPC (start-up work, feeds, tests of the service layer). */
    public static final Caller INTERNAL = new Caller("internal", Set.of(Role.OPERATOR), Set.of());

    /** Every call when authentication is switched off ({@code peering.auth.enabled=false}). */
    public static final Caller UNAUTHENTICATED_OPERATOR = new Caller("anonymous (auth disabled)", Set.of(Role.OPERATOR), Set.of());

    public Caller {
        roles = Set.copyOf(roles);
        peerAsns = Set.copyOf(peerAsns);
    }

    /** The caller of the current gRPC call; {@link #INTERNAL} outside one. */
    public static Caller current() {
        Caller c = CONTEXT_KEY.get();
        return c == null ? INTERNAL : c;
    }

    public Context attachTo(Context context) {
        return context.withValue(CONTEXT_KEY, this);
    }

    public boolean seesAllPeerings() {
        return roles.contains(Role.OPERATOR);
    }

    public boolean maySee(Inventory.Peering peering) {
        return seesAllPeerings() || peerAsns.contains(peering.peerAsn());
    }

    /** The peerings of the list this caller may see, in the list's order. */
    public List<Inventory.Peering> visible(List<Inventory.Peering> peerings) {
        return seesAllPeerings() ? peerings : peerings.stream().filter(this::maySee).toList();
    }

    /** Refuses with PERMISSION_DENIED unless this caller may see the peering that holds {@code resource}. */
    public void requirePeering(Inventory.Peering peering, String resource) {
        if (!maySee(peering)) {
            throw permissionDenied(resource + " belongs to AS" + peering.peerAsn());
        }
    }

    /** PERMISSION_DENIED naming what this token may read, so the caller knows which token to use. */
    public StatusRuntimeException permissionDenied(String why) {
        String scope = peerAsns.isEmpty() ? "no peering (its peer_asn claim is empty)"
                : "only the peerings of " + peerAsns.stream().sorted().map(a -> "AS" + a).collect(Collectors.joining(", "));
        return Status.PERMISSION_DENIED
                .withDescription("the token of '" + subject + "' may read " + scope + "; " + why)
                .asRuntimeException();
    }
}
