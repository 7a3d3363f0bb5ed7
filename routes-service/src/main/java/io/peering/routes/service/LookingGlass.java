package io.peering.routes.service;

import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.peering.routes.config.LookingGlassConfig;
import io.peering.routes.probe.PingReport;
import io.peering.routes.probe.ProbeCommand;
import io.peering.routes.probe.ProbeException;
import io.peering.routes.probe.TraceReport;
import io.peering.support.auth.Caller;
import io.peering.support.grpc.ApiErrors;
import io.peering.support.limits.TokenBucket;
import io.peering.support.net.IpAddresses;
import io.peering.support.net.IpPrefix;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ping and Traceroute from the collector's host: the request checked (an address literal, bounds), the target
 * allowed by {@code peering.looking-glass.allowed-targets}, the caller under its rate; only then is the system
 * command run, on a worker thread.
 */
@ApplicationScoped
public class LookingGlass {

    static final int DEFAULT_COUNT = 4;
    static final int MAX_COUNT = 10;
    static final int DEFAULT_MAX_HOPS = 30;
    static final int MAX_HOPS = 30;
    static final int DEFAULT_PROBES = 3;
    static final int MAX_PROBES = 5;
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    static final Duration MIN_TIMEOUT = Duration.ofMillis(100);
    static final Duration MAX_TIMEOUT = Duration.ofSeconds(5);

    private final LookingGlassConfig config;
    private final MeterRegistry meters;
    private final List<IpPrefix> allowedTargets;
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    public LookingGlass(LookingGlassConfig config, MeterRegistry meters) {
        this.config = config;
        this.meters = meters;
        this.allowedTargets = config.allowedTargets().stream().map(text -> {
            try {
                return IpPrefix.parse(text.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("peering.looking-glass.allowed-targets: " + e.getMessage(), e);
            }
        }).toList();
    }

    /** A checked Ping: its target is an allowed address and the caller may send it now. */
    public Uni<PingReport> ping(String target, int count, Duration timeout) {
        InetAddress address = target(target);
        int requests = bounded("count", count, DEFAULT_COUNT, MAX_COUNT);
        Duration wait = timeout("timeout", timeout);
        admit(address);
        return onWorker("ping", () -> ProbeCommand.ping(address, requests, wait));
    }

    /** A checked Traceroute: its target is an allowed address and the caller may send it now. */
    public Uni<TraceReport> traceroute(String target, int maxHops, int probesPerHop, Duration timeout) {
        InetAddress address = target(target);
        int hops = bounded("max_hops", maxHops, DEFAULT_MAX_HOPS, MAX_HOPS);
        int probes = bounded("probes_per_hop", probesPerHop, DEFAULT_PROBES, MAX_PROBES);
        Duration wait = timeout("timeout", timeout);
        admit(address);
        return onWorker("traceroute", () -> ProbeCommand.traceroute(address, hops, probes, wait));
    }

    /** Runs the probe on a worker thread when subscribed, counted in {@code peering_looking_glass_probes_total{command}}. */
    private <T> Uni<T> onWorker(String command, java.util.function.Supplier<T> probe) {
        return Uni.createFrom().item(() -> {
                    meters.counter("peering_looking_glass_probes_total", "command", command).increment();
                    try {
                        return probe.get();
                    } catch (ProbeException e) {
                        throw Status.UNAVAILABLE.withDescription(e.getMessage()).withCause(e).asRuntimeException();
                    }
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** The target as an address: a literal only, never a name. */
    static InetAddress target(String target) {
        if (target == null || target.isBlank()) {
            throw ApiErrors.invalidArgument("target is required: an IPv4 or IPv6 address like \"127.0.0.1\" or \"::1\"");
        }
        try {
            return IpAddresses.parse(target.trim());
        } catch (IllegalArgumentException e) {
            throw ApiErrors.invalidArgument("target must be an IPv4 or IPv6 address literal (names are not resolved): "
                    + e.getMessage());
        }
    }

    /** 0 means the default; else 1..max. */
    static int bounded(String field, int value, int defaultValue, int max) {
        if (value == 0) {
            return defaultValue;
        }
        if (value < 1 || value > max) {
            throw ApiErrors.invalidArgument(field + " must be 1.." + max + " (0 means " + defaultValue + "); got " + value);
        }
        return value;
    }

    /** null means the default; else within [MIN_TIMEOUT, MAX_TIMEOUT]. */
    static Duration timeout(String field, Duration value) {
        if (value == null) {
            return DEFAULT_TIMEOUT;
        }
        if (value.compareTo(MIN_TIMEOUT) < 0 || value.compareTo(MAX_TIMEOUT) > 0) {
            throw ApiErrors.invalidArgument(field + " must be 100ms..5s (unset means 1s); got " + value.toMillis() + "ms");
        }
        return value;
    }

    /** PERMISSION_DENIED for a target outside the allowed ranges, RESOURCE_EXHAUSTED for a caller over its rate. */
    private void admit(InetAddress address) {
        IpPrefix host = IpPrefix.host(address);
        if (allowedTargets.stream().noneMatch(range -> range.contains(host))) {
            throw Status.PERMISSION_DENIED.withDescription("target " + IpAddresses.format(address) + " is not in"
                    + " peering.looking-glass.allowed-targets " + config.allowedTargets()
                    + ": the looking glass probes only the ranges the operator configured").asRuntimeException();
        }
        String subject = Caller.current().subject();
        TokenBucket bucket = buckets.computeIfAbsent(subject,
                s -> new TokenBucket(config.probesPerMinute() / 60.0, config.probesBurst()));
        if (!bucket.take()) {
            throw ApiErrors.resourceExhausted("'" + subject + "' sent more than " + config.probesPerMinute() + " Ping and"
                    + " Traceroute calls per minute (peering.looking-glass.probes-per-minute, bursts to "
                    + config.probesBurst() + "): wait and retry");
        }
    }
}
