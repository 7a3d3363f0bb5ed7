package io.peering.support.limits;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.peering.support.auth.Caller;
import io.peering.support.auth.RefusingListener;
import io.peering.support.auth.RpcAccess;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-caller limits on every RPC but health and reflection: open streams, and the rate of calls
 * plus streamed request messages (a token bucket per token subject). A call over a limit ends
 * with RESOURCE_EXHAUSTED naming the limit and how to stay under it. Runs after
 * {@code BearerAuthInterceptor}, so the caller is the verified one.
 */
@ApplicationScoped
@GlobalInterceptor
public class CallerLimitsInterceptor implements ServerInterceptor, Prioritized {

    private final LimitsConfig config;
    private final MeterRegistry meters;
    private final ConcurrentHashMap<String, AtomicInteger> openStreams = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    public CallerLimitsInterceptor(LimitsConfig config, MeterRegistry meters) {
        this.config = config;
        this.meters = meters;
    }

    /** Streams the caller has open now (for tests and the operator's curiosity). */
    public int openStreams(String subject) {
        AtomicInteger n = openStreams.get(subject);
        return n == null ? 0 : n.get();
    }

    /** After {@code BearerAuthInterceptor} (priority 1000), so the caller is the verified one. */
    @Override
    public int getPriority() {
        return 900;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        if (RpcAccess.isPublic(method)) {
            return next.startCall(call, headers);
        }
        String subject = Caller.current().subject();
        TokenBucket bucket = buckets.computeIfAbsent(subject, s -> new TokenBucket(config.messagesPerSecond(), config.messagesBurst()));
        if (!bucket.take()) {
            return refuse(call, "rate", Status.RESOURCE_EXHAUSTED.withDescription(rateMessage(subject)));
        }
        MethodDescriptor.MethodType type = call.getMethodDescriptor().getType();
        if (type == MethodDescriptor.MethodType.UNARY) {
            return next.startCall(call, headers);
        }
        AtomicInteger streams = openStreams.computeIfAbsent(subject, s -> new AtomicInteger());
        if (streams.incrementAndGet() > config.streamsPerCaller()) {
            streams.decrementAndGet();
            return refuse(call, "streams", Status.RESOURCE_EXHAUSTED.withDescription("'" + subject + "' has "
                    + config.streamsPerCaller() + " streams open on this service, the limit per caller"
                    + " (peering.limits.streams-per-caller): close one, or follow several resources on one Watch stream"));
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                streams.decrementAndGet();
            }
        };
        ServerCall.Listener<Q> listener;
        try {
            listener = next.startCall(call, headers);
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
        boolean clientStreams = type == MethodDescriptor.MethodType.CLIENT_STREAMING || type == MethodDescriptor.MethodType.BIDI_STREAMING;
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            private boolean over;

            @Override
            public void onMessage(Q message) {
                if (over) {
                    return;
                }
                if (clientStreams && !bucket.take()) {
                    over = true;
                    meters.counter("peering_limits_refused_total", "limit", "rate").increment();
                    call.close(Status.RESOURCE_EXHAUSTED.withDescription(rateMessage(subject)
                            + "; the stream was ended here: resend it (what it stored already is recognised as duplicates)"),
                            new Metadata());
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!over) {
                    super.onHalfClose();
                }
            }

            @Override
            public void onComplete() {
                release.run();
                super.onComplete();
            }

            @Override
            public void onCancel() {
                release.run();
                super.onCancel();
            }
        };
    }

    private String rateMessage(String subject) {
        return "'" + subject + "' sent more than " + config.messagesPerSecond() + " calls and stream messages per second"
                + " (peering.limits.messages-per-second, bursts to " + config.messagesBurst() + "): put more samples in each"
                + " message (up to the 4 MiB message limit) or slow down and retry";
    }

    private <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String limit, Status status) {
        meters.counter("peering_limits_refused_total", "limit", limit).increment();
        return new RefusingListener<>(call, status);
    }
}
