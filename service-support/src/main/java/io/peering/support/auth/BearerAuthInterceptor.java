package io.peering.support.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GlobalInterceptor;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies the bearer JWT of every gRPC call (Watch streams and client streams included) before
 * the call reaches a service, and checks the caller's role against {@link RpcAccess}.
 * <ul>
 *   <li>no token, a token that does not verify, an expired token: UNAUTHENTICATED;</li>
 *   <li>a verified token whose roles may not call the RPC: PERMISSION_DENIED.</li>
 * </ul>
 * The verified {@link Caller} goes into the call's gRPC context; services narrow each answer to
 * the caller's peerings. Health and reflection need no token.
 */
@ApplicationScoped
@GlobalInterceptor
public class BearerAuthInterceptor implements ServerInterceptor, Prioritized {

    private static final Logger LOG = Logger.getLogger(BearerAuthInterceptor.class);
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String HOW_TO = "send the header 'authorization: Bearer <JWT>' (deploy/local/mint-token makes one for the local stack)";

    private final boolean enabled;
    private final Instance<JWTParser> parser;
    private final MeterRegistry meters;

    @Inject
    public BearerAuthInterceptor(AuthConfig config, Instance<JWTParser> parser, MeterRegistry meters) {
        this.enabled = config.enabled();
        this.parser = parser;
        this.meters = meters;
        if (!enabled) {
            LOG.warn("peering.auth.enabled=false: every caller is an operator; never run a shared deployment like this");
        }
    }

    /** Quarkus orders global interceptors by {@link Prioritized} (higher runs first): authentication before everything else. */
    @Override
    public int getPriority() {
        return 1000;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (RpcAccess.isPublic(method)) {
            return next.startCall(call, headers);
        }
        Caller caller;
        if (!enabled) {
            caller = Caller.UNAUTHENTICATED_OPERATOR;
        } else {
            try {
                caller = verify(headers.get(AUTHORIZATION));
            } catch (Refused r) {
                return refuse(call, method, r.status);
            }
            Set<Role> allowed = RpcAccess.rolesFor(method);
            if (caller.roles().stream().noneMatch(allowed::contains)) {
                return refuse(call, method, Status.PERMISSION_DENIED.withDescription(
                        "the token of '" + caller.subject() + "' has roles " + names(caller.roles()) + "; "
                                + method.substring(method.indexOf('/') + 1) + " needs one of " + names(allowed)));
            }
        }
        return Contexts.interceptCall(caller.attachTo(Context.current()), call, headers, next);
    }

    private Caller verify(String authorization) throws Refused {
        if (authorization == null || authorization.isBlank()) {
            throw new Refused(Status.UNAUTHENTICATED.withDescription("no bearer token: " + HOW_TO));
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new Refused(Status.UNAUTHENTICATED.withDescription("the authorization header is not a bearer token: " + HOW_TO));
        }
        JsonWebToken jwt;
        try {
            jwt = parser.get().parse(authorization.substring(7).trim());
        } catch (ParseException e) {
            throw new Refused(Status.UNAUTHENTICATED.withDescription("bearer token rejected: " + reason(e)));
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String group : jwt.getGroups() == null ? Set.<String>of() : jwt.getGroups()) {
            Role.fromClaim(group).ifPresent(roles::add);
        }
        if (roles.isEmpty()) {
            throw new Refused(Status.PERMISSION_DENIED.withDescription("the token of '" + jwt.getSubject()
                    + "' has no role: its 'groups' claim needs reader, collector or operator"));
        }
        Set<Long> asns;
        try {
            asns = PeerAsnClaim.read(jwt.getClaim("peer_asn"));
        } catch (IllegalArgumentException e) {
            throw new Refused(Status.UNAUTHENTICATED.withDescription("bearer token rejected: " + e.getMessage()));
        }
        return new Caller(jwt.getSubject() == null ? "(no subject)" : jwt.getSubject(), roles, asns);
    }

    private static String reason(ParseException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidJwtException invalid) {
                if (invalid.hasExpired()) {
                    return "it has expired; mint a new one";
                }
                if (invalid.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
                    return "its signature does not verify with this deployment's public key";
                }
                if (invalid.hasErrorCode(ErrorCodes.ISSUER_INVALID) || invalid.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
                    return "its issuer ('iss') is not the one this deployment expects";
                }
                return invalid.getErrorDetails().isEmpty() ? String.valueOf(invalid.getMessage())
                        : invalid.getErrorDetails().get(0).getErrorMessage();
            }
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String method, Status status) {
        meters.counter("peering_auth_refused_total", "code", status.getCode().name()).increment();
        LOG.debugf("refused %s: %s %s", method, status.getCode(), status.getDescription());
        return new RefusingListener<>(call, status);
    }

    private static String names(Set<Role> roles) {
        return roles.stream().sorted().map(Role::claimValue).collect(Collectors.joining(", ", "[", "]"));
    }

    /** A refusal with its status; checked, so every path of {@link #verify} must decide. */
    private static final class Refused extends Exception {
        final Status status;

        Refused(Status status) {
            super(status.getDescription(), null, false, false);
            this.status = status;
        }
    }
}
