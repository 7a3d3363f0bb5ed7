package io.peering.latency.service;

import io.peering.latency.LatencyStats;
import io.peering.latency.Sample;
import io.peering.latency.config.LatencyConfig;
import io.peering.latency.repository.LatencyQueries;
import io.peering.latency.repository.SampleStore;
import io.peering.support.auth.Caller;
import io.peering.support.grpc.ApiErrors;
import io.peering.support.ingest.IngestStream;
import io.peering.support.inventory.Inventory;
import io.peering.support.inventory.InventoryIndex;
import io.peering.support.net.Cidr;
import io.peering.support.retention.RetentionConfig;
import io.peering.support.time.Grain;
import io.peering.support.time.TimeRanges;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The latency API's logic: sample checks, batching, request checks and inventory resolution. */
@ApplicationScoped
public class LatencyService {

    public static final double MAX_RTT_MS = 60_000;

    private final SampleStore store;
    private final LatencyQueries queries;
    private final InventoryIndex inventory;
    private final RouteOrigins routeOrigins;
    private final LatencyConfig config;
    private final Duration retention;

    public LatencyService(SampleStore store, LatencyQueries queries, InventoryIndex inventory, RouteOrigins routeOrigins,
                          LatencyConfig config, RetentionConfig retention) {
        this.routeOrigins = routeOrigins;
        this.store = store;
        this.queries = queries;
        this.inventory = inventory;
        this.config = config;
        this.retention = retention.period();
    }

    /**
     * A sample as received, before its checks; {@code time} null when absent, {@code originAsn} 0 when unknown,
     * {@code timeRefusal} why the time as sent is not a time at all (null when it is one).
     */
    public record IncomingSample(String target, Instant time, double rttMs, String probeLocation, long originAsn,
                                 String timeRefusal) {

        public IncomingSample(String target, Instant time, double rttMs, String probeLocation, long originAsn) {
            this(target, time, rttMs, probeLocation, originAsn, null);
        }
    }

    /** A registered prefix of a peering with its series. */
    public record RegisteredPrefixSeries(String name, String prefix, String reportedPrefix, List<LatencyStats> points) {
    }

    public record PrefixSeries(String reportedPrefix, List<LatencyStats> points) {
    }

    public record AsnLatency(long asn, LatencyQueries.AsnSeries series) {
    }

    /**
     * Checks every sample of the stream ({@link #check}) and stores the good ones through the one
     * {@link IngestStream} (refusals by index, batches in flight while checking goes on, duplicates,
     * the statuses of an all-refused stream and of a store failure).
     */
    public Uni<IngestStream.Outcome> ingest(Multi<IncomingSample> samples) {
        return new IngestStream<IncomingSample, Sample>("samples", config.batchSize(), config.concurrentBatches(),
                in -> check(in, Instant.now()), store::insert) // streams may stay open for hours: now is read per sample
                .store(samples);
    }

    /** The checked sample, or an IllegalArgumentException saying what is wrong with it. */
    Sample check(IncomingSample in, Instant now) {
        Cidr target;
        try {
            target = Cidr.parse(in.target());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("target: " + e.getMessage());
        }
        if (!Double.isFinite(in.rttMs()) || in.rttMs() < 0 || in.rttMs() > MAX_RTT_MS) {
            throw new IllegalArgumentException("rtt_ms " + in.rttMs() + " is outside 0.." + (long) MAX_RTT_MS
                    + " milliseconds");
        }
        if (in.timeRefusal() != null) {
            throw new IllegalArgumentException(in.timeRefusal());
        }
        if (in.time() == null) {
            throw new IllegalArgumentException("time is required: when the sample was measured");
        }
        if (in.time().isAfter(now.plus(TimeRanges.FUTURE_TOLERANCE))) {
            throw new IllegalArgumentException("time " + in.time() + " is more than " + TimeRanges.FUTURE_TOLERANCE.toMinutes()
                    + " minute in the future (now is " + now + "); check the probe's clock");
        }
        if (in.time().isBefore(now.minus(retention))) {
            throw new IllegalArgumentException("time " + in.time() + " is older than the retention period of " + retention
                    + " and would be dropped at once; check the probe's clock");
        }
        if (in.originAsn() < 0 || in.originAsn() > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("origin_asn " + in.originAsn() + " is outside 0..4294967295");
        }
        return new Sample(in.time(), target, Sample.reportingPrefix(target), in.rttMs(),
                in.probeLocation() == null ? "" : in.probeLocation(), in.originAsn() == 0 ? null : in.originAsn());
    }

    public Uni<PrefixSeries> prefixLatency(String prefix, Instant from, Instant to, Grain grain) {
        if (prefix == null || prefix.isBlank()) {
            throw ApiErrors.invalidArgument("prefix is required, e.g. \"198.51.100.0/24\" or \"2001:db8::/48\"");
        }
        Cidr asked = parse(prefix, "prefix");
        requireReadable(asked, prefix);
        Cidr reported = Sample.reportingPrefix(asked);
        checkRange(from, to, grain);
        return queries.prefixSeries(reported.toString(), from, to, grain)
                .map(points -> new PrefixSeries(reported.toString(), points));
    }

    /** Each registered prefix of the peering, in inventory order, with its series. */
    public Uni<List<RegisteredPrefixSeries>> registeredPrefixLatency(String parent, Instant from, Instant to, Grain grain) {
        Inventory.Peering peering = peering(parent, "parent");
        checkRange(from, to, grain);
        return Multi.createFrom().iterable(peering.registeredPrefixes().orElse(List.of()))
                .onItem().transformToUniAndConcatenate(rp -> {
                    Cidr reported = Sample.reportingPrefix(Cidr.parse(rp.prefix()));
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
        String[] parts = name == null ? new String[0] : name.split("/", -1);
        if (parts.length != 4 || !parts[0].equals("peerings") || !parts[2].equals("registeredAsns") || parts[3].isEmpty()) {
            throw ApiErrors.invalidArgument("name must look like \"peerings/{peering}/registeredAsns/{registered_asn}\"; got \""
                    + name + "\"");
        }
        Inventory.Peering peering = peering("peerings/" + parts[1], "name");
        Inventory.RegisteredAsn asn = peering.registeredAsns().orElse(List.of()).stream()
                .filter(a -> a.name().equals(parts[3])).findFirst()
                .orElseThrow(() -> ApiErrors.notFound(name + " does not exist: peering " + peering.name()
                        + " has no registered ASN named \"" + parts[3] + "\""));
        checkRange(from, to, grain);
        return queries.hasSamplesWithoutOrigin(from, to)
                .flatMap(needRoutes -> needRoutes ? routeOrigins.reportingPrefixes(peering.name(), asn.asn())
                        : Uni.createFrom().item(List.<String>of()))
                .flatMap(routePrefixes -> queries.asnSeries(asn.asn(), routePrefixes, from, to, grain))
                .map(series -> new AsnLatency(asn.asn(), series));
    }

    private Inventory.Peering peering(String resourceName, String field) {
        if (resourceName == null || !resourceName.startsWith("peerings/") || resourceName.length() == "peerings/".length()
                || resourceName.indexOf('/', "peerings/".length()) >= 0) {
            throw ApiErrors.invalidArgument(field + " must look like \"peerings/{peering}\"; got \"" + resourceName + "\"");
        }
        String id = resourceName.substring("peerings/".length());
        Inventory.Peering peering = inventory.peering(id).orElseThrow(() -> ApiErrors.notFound("peerings/" + id
                + " does not exist in the inventory"));
        Caller.current().requirePeering(peering, resourceName);
        return peering;
    }

    /**
     * A reader may ask for a prefix inside a registered prefix (or a peering service's prefix) of
     * one of its peerings; anything else could show another peer's customers.
     */
    private void requireReadable(Cidr asked, String text) {
        Caller caller = Caller.current();
        if (caller.seesAllPeerings()) {
            return;
        }
        List<String> covering = new ArrayList<>();
        for (Inventory.Peering p : caller.visible(inventory.peerings())) {
            p.registeredPrefixes().orElse(List.of()).forEach(rp -> covering.add(rp.prefix()));
            inventory.peeringServices().stream().filter(ps -> ps.peering().equals(p.name()))
                    .forEach(ps -> covering.addAll(ps.prefixes()));
        }
        if (covering.stream().noneMatch(c -> Cidr.parse(c).contains(asked))) {
            throw caller.permissionDenied("prefix " + text + " is not inside a registered prefix of those peerings "
                    + covering);
        }
    }

    private void checkRange(Instant from, Instant to, Grain grain) {
        TimeRanges.check(from, to, grain, config.maxBuckets(), Instant.now());
    }

    private static Cidr parse(String text, String field) {
        try {
            return Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiErrors.invalidArgument(field + ": " + e.getMessage());
        }
    }
}
