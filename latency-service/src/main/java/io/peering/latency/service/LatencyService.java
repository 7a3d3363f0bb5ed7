package io.peering.latency.service;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.peering.latency.LatencyStats;
import io.peering.latency.Sample;
import io.peering.latency.config.LatencyConfig;
import io.peering.latency.repository.LatencyQueries;
import io.peering.latency.repository.SampleStore;
import io.peering.support.auth.Caller;
import io.peering.support.grpc.ApiErrors;
import io.peering.support.inventory.Inventory;
import io.peering.support.inventory.InventoryIndex;
import io.peering.support.net.Cidr;
import io.peering.support.retention.RetentionConfig;
import io.peering.support.time.Grain;
import io.peering.support.time.TimeRanges;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** The latency API's logic: sample checks, batching, request checks and inventory resolution. */
@ApplicationScoped
public class LatencyService {

    /** Reasons kept in an ingest reply; the count covers all. */
    public static final int MAX_REJECTIONS = 100;
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

    public record Rejection(long index, String reason) {
    }

    public record IngestResult(long accepted, long rejected, List<Rejection> rejections) {
    }

    /** A registered prefix of a peering with its series. */
    public record RegisteredPrefixSeries(String name, String prefix, String reportedPrefix, List<LatencyStats> points) {
    }

    public record PrefixSeries(String reportedPrefix, List<LatencyStats> points) {
    }

    public record AsnLatency(long asn, LatencyQueries.AsnSeries series) {
    }

    /**
     * Checks every sample of the stream, stores the good ones in batches as they come (a few
     * batches in flight, so checking overlaps writing), and answers when the stream ends. A
     * refused sample does not stop the stream: the reply lists it by its index in the stream, with
     * a reason that starts with the offending field. A stream whose every sample is refused stores
     * nothing and ends with INVALID_ARGUMENT naming the first refused sample's index and reason. A
     * batch that cannot be written refuses the stream (UNAVAILABLE when the database is unreachable
     * or went away); batches written before stay.
     */
    public Uni<IngestResult> ingest(Multi<IncomingSample> samples) {
        long[] index = {0};
        long[] rejected = {0};
        long[] stored = {0};
        List<Rejection> rejections = new ArrayList<>();
        return samples
                .map(incoming -> {
                    long i = index[0]++;
                    try {
                        return Optional.of(check(incoming, Instant.now())); // streams may stay open for hours
                    } catch (IllegalArgumentException e) {
                        rejected[0]++;
                        if (rejections.size() < MAX_REJECTIONS) {
                            rejections.add(new Rejection(i, e.getMessage()));
                        }
                        return Optional.<Sample>empty();
                    }
                })
                .select().where(Optional::isPresent).map(Optional::get)
                .group().intoLists().of(config.batchSize())
                .onItem().transformToUni(store::insert).merge(config.concurrentBatches())
                .invoke(n -> stored[0] += n)
                .onFailure().transform(e -> storeFailed(e, stored[0]))
                .collect().with(Collectors.summingLong(Integer::longValue))
                .map(accepted -> {
                    if (index[0] > 0 && rejected[0] == index[0]) {
                        throw allRefused(index[0], rejections.get(0));
                    }
                    return new IngestResult(accepted, rejected[0], List.copyOf(rejections));
                });
    }

    /** The status of a stream whose every sample was refused (so nothing of it was stored). */
    static StatusRuntimeException allRefused(long count, Rejection first) {
        return ApiErrors.invalidArgument("every sample of the stream was refused (" + count + " of " + count
                + "), nothing was stored; the first refused is index " + first.index() + ": " + first.reason());
    }

    /**
     * The status of a stream whose batch could not be written: UNAVAILABLE when the database could
     * not be reached, went away or is overloaded (sending the stream again is safe and will succeed
     * once it is back), INTERNAL for anything else.
     */
    static StatusRuntimeException storeFailed(Throwable failure, long storedBefore) {
        if (failure instanceof StatusRuntimeException status) {
            return status;
        }
        String sqlState = failure instanceof PgException pg ? pg.getSqlState() : null;
        boolean transientFailure = sqlState == null || sqlState.startsWith("08") || sqlState.startsWith("53")
                || sqlState.startsWith("57P") || sqlState.startsWith("40");
        String stored = storedBefore + " samples of this stream were stored before it failed (and batches in flight may"
                + " have been)";
        return (transientFailure
                ? Status.UNAVAILABLE.withDescription("could not store the samples: the database is unavailable ("
                        + failure.getMessage() + "); " + stored + ". Send the stream again: a sample already stored"
                        + " is not stored twice")
                : Status.INTERNAL.withDescription("could not store the samples: " + failure.getMessage() + "; " + stored))
                .withCause(failure).asRuntimeException();
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
