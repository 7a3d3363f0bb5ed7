package io.peering.latency.service;

import io.peering.latency.LatencyStats;
import io.peering.latency.Sample;
import io.peering.latency.config.LatencyConfig;
import io.peering.latency.repository.LatencyQueries;
import io.peering.support.grpc.ApiErrors;
import io.peering.support.inventory.Inventory;
import io.peering.support.inventory.ResourceNames;
import io.peering.support.net.IpPrefix;
import io.peering.support.time.Grain;
import io.peering.support.time.TimeRanges;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;

/** The latency queries: request checks, inventory resolution and who may read what ({@link PrefixAccess}). */
@ApplicationScoped
public class LatencyService {

    private final LatencyQueries queries;
    private final ResourceNames names;
    private final RouteOrigins routeOrigins;
    private final PrefixAccess access;
    private final LatencyConfig config;

    public LatencyService(LatencyQueries queries, ResourceNames names, RouteOrigins routeOrigins,
                          PrefixAccess access, LatencyConfig config) {
        this.queries = queries;
        this.names = names;
        this.routeOrigins = routeOrigins;
        this.access = access;
        this.config = config;
    }

    /** A registered prefix of a peering with its series. */
    public record RegisteredPrefixSeries(String name, String prefix, String reportedPrefix, List<LatencyStats> points) {
    }

    public record PrefixSeries(String reportedPrefix, List<LatencyStats> points) {
    }

    public record AsnLatency(long asn, LatencyQueries.AsnSeries series) {
    }

    public Uni<PrefixSeries> prefixLatency(String prefix, Instant from, Instant to, Grain grain) {
        if (prefix == null || prefix.isBlank()) {
            throw ApiErrors.invalidArgument("prefix is required, e.g. \"198.51.100.0/24\" or \"2001:db8::/48\"");
        }
        IpPrefix asked = parse(prefix, "prefix");
        access.requireReadable(asked, prefix);
        IpPrefix reported = Sample.reportingPrefix(asked);
        checkRange(from, to, grain);
        return queries.prefixSeries(reported.toString(), from, to, grain)
                .map(points -> new PrefixSeries(reported.toString(), points));
    }

    /** Each registered prefix of the peering, in inventory order, with its series. */
    public Uni<List<RegisteredPrefixSeries>> registeredPrefixLatency(String parent, Instant from, Instant to, Grain grain) {
        Inventory.Peering peering = names.peering("parent", parent);
        checkRange(from, to, grain);
        return Multi.createFrom().iterable(peering.registeredPrefixes().orElse(List.of()))
                .onItem().transformToUniAndConcatenate(rp -> {
                    IpPrefix reported = Sample.reportingPrefix(IpPrefix.parseAddressOrPrefix(rp.prefix()));
                    return queries.prefixSeries(reported.toString(), from, to, grain).map(points -> new RegisteredPrefixSeries(
                            "peerings/" + peering.name() + "/registeredPrefixes/" + rp.name(), rp.prefix(),
                            reported.toString(), points));
                })
                .collect().asList();
    }

    /**
     * The registered ASN named {@code peerings/{peering}/registeredAsns/{name}}: its average
     * customer-prefix latency. Samples without an origin ASN count when they lie inside a route of
     * the peering that routes-service received with the ASN as origin; routes-service is asked
     * only when such samples exist in the range.
     */
    public Uni<AsnLatency> registeredAsnLatency(String name, Instant from, Instant to, Grain grain) {
        String[] ids = ResourceNames.registeredAsnIds("name", name);
        Inventory.Peering peering = names.peering("name", "peerings/" + ids[0]);
        Inventory.RegisteredAsn asn = peering.registeredAsns().orElse(List.of()).stream()
                .filter(a -> a.name().equals(ids[1])).findFirst()
                .orElseThrow(() -> ApiErrors.notFound(name + " does not exist: peering " + peering.name()
                        + " has no registered ASN named \"" + ids[1] + "\""));
        checkRange(from, to, grain);
        return queries.hasSamplesWithoutOrigin(from, to)
                .flatMap(needRoutes -> needRoutes ? routeOrigins.reportingPrefixes(peering.name(), asn.asn())
                        : Uni.createFrom().item(List.<String>of()))
                .flatMap(routePrefixes -> queries.asnSeries(asn.asn(), routePrefixes, from, to, grain))
                .map(series -> new AsnLatency(asn.asn(), series));
    }

    private void checkRange(Instant from, Instant to, Grain grain) {
        TimeRanges.check(from, to, grain, config.maxBuckets(), Instant.now());
    }

    private static IpPrefix parse(String text, String field) {
        try {
            return IpPrefix.parseAddressOrPrefix(text);
        } catch (IllegalArgumentException e) {
            throw ApiErrors.invalidArgument(field + ": " + e.getMessage());
        }
    }
}
