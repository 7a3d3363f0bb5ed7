package io.peering.latency.service;

import io.grpc.StatusRuntimeException;
import io.peering.latency.Sample;
import io.peering.routes.v1.ListReceivedRoutesRequest;
import io.peering.routes.v1.MutinyRoutesServiceGrpc;
import io.peering.routes.v1.ReceivedRoute;
import io.peering.support.net.IpPrefix;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import io.peering.latency.config.LatencyConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The customer prefixes of an ASN according to routes-service: the prefixes of the peering's
 * received routes (current Adj-RIB-In) whose origin AS is the ASN. Used for samples that carry
 * no origin ASN.
 */
@ApplicationScoped
public class RouteOrigins {

    @GrpcClient("routes")
    MutinyRoutesServiceGrpc.MutinyRoutesServiceStub routes;

    private final Duration timeout;

    public RouteOrigins(LatencyConfig config) {
        this.timeout = config.routesTimeout();
    }

    /**
     * The reporting prefixes (/24, /48 or shorter) of the routes of {@code peering} originated by
     * {@code asn}, without any that lies inside another, so no sample matches two of them.
     */
    public Uni<List<String>> reportingPrefixes(String peering, long asn) {
        // origin_asn selects exactly the routes wanted; the AS-path filter and the origin check below only
        // matter to a routes-service older than origin_asn, which ignores the field
        ListReceivedRoutesRequest first = ListReceivedRoutesRequest.newBuilder().setParent("peerings/" + peering)
                .setOriginAsn((int) asn).setAsPath(Long.toString(asn)).setPageSize(1000).build();
        return Multi.createBy().repeating()
                .uni(() -> new String[]{""}, token -> routes.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .listReceivedRoutes(first.toBuilder().setPageToken(token[0]).build())
                        .invoke(page -> token[0] = page.getNextPageToken()))
                .whilst(page -> !page.getNextPageToken().isEmpty())
                .onItem().transformToIterable(page -> page.getRoutesList())
                .select().where(route -> Integer.toUnsignedLong(route.getOriginAsn()) == asn)
                .map(ReceivedRoute::getPrefix)
                .collect().asList()
                .map(RouteOrigins::outermost)
                .onFailure(StatusRuntimeException.class).transform(e -> Status.UNAVAILABLE.withDescription(
                        "samples without an origin ASN are attributed through routes-service's received routes, and"
                                + " routes-service did not answer (" + ((StatusRuntimeException) e).getStatus() + "); retry, or"
                                + " have the probes report origin_asn").asRuntimeException());
    }

    /** Reporting prefixes of the routes, keeping only those not inside another. */
    static List<String> outermost(List<String> routePrefixes) {
        TreeSet<IpPrefix> sorted = new TreeSet<>(Comparator.comparing((IpPrefix c) -> c.isIpv4() ? 0 : 1)
                .thenComparing(IpPrefix::addressBytes, java.util.Arrays::compareUnsigned)
                .thenComparingInt(IpPrefix::length));
        for (String p : routePrefixes) {
            sorted.add(Sample.reportingPrefix(IpPrefix.parse(p)));
        }
        List<String> kept = new ArrayList<>();
        IpPrefix last = null;
        for (IpPrefix c : sorted) {
            if (last == null || !last.contains(c)) {
                kept.add(c.toString());
                last = c;
            }
        }
        return kept;
    }
}
