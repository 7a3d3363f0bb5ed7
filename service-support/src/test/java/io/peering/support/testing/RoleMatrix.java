package io.peering.support.testing;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every RPC of a service called as every kind of caller, against the expected outcome. A service's
 * test lists its RPCs (one valid request each, naming a resource of {@link #OWN_ASN}'s peering)
 * and calls {@link #run}; the matrix is printed, and every cell that differs is reported at once.
 */
public final class RoleMatrix {

    /** The peer ASN of the sample inventory's peering "contoso-ams". */
    public static final long OWN_ASN = 64500;
    /** The peer ASN of "fabrikam-lon": a reader of it must see nothing of contoso-ams. */
    public static final long OTHER_ASN = 4200000002L;

    public enum Who {
        NO_TOKEN, EXPIRED_TOKEN, FOREIGN_KEY, READER_OWN_ASN, READER_OTHER_ASN, COLLECTOR, OPERATOR;

        String token() {
            return switch (this) {
                case NO_TOKEN -> null;
                case EXPIRED_TOKEN -> TestTokens.expiredOperator();
                case FOREIGN_KEY -> TestTokens.foreignOperator();
                case READER_OWN_ASN -> TestTokens.reader(OWN_ASN);
                case READER_OTHER_ASN -> TestTokens.reader(OTHER_ASN);
                case COLLECTOR -> TestTokens.collector();
                case OPERATOR -> TestTokens.operator();
            };
        }
    }

    /** What a call ended with. A stream that stays open until its deadline counts as OK: it was admitted. */
    public enum Outcome { OK, UNAUTHENTICATED, PERMISSION_DENIED, OTHER }

    /**
     * One RPC: its name, how to call it on a channel (throwing the StatusRuntimeException it
     * ends with), and the outcome expected per caller.
     */
    public record Rpc(String name, Function<Channel, Object> call, Map<Who, Outcome> expected) {
    }

    /** A query of one peering's data: readers of the peering and operators only. */
    public static Rpc query(String name, Function<Channel, Object> call) {
        return rpc(name, call, Outcome.OK, Outcome.PERMISSION_DENIED, Outcome.PERMISSION_DENIED, Outcome.OK);
    }

    /** A query that holds no peering's data (a catalogue): any reader. */
    public static Rpc catalogue(String name, Function<Channel, Object> call) {
        return rpc(name, call, Outcome.OK, Outcome.OK, Outcome.PERMISSION_DENIED, Outcome.OK);
    }

    /** An ingest RPC: collectors and operators only. */
    public static Rpc ingest(String name, Function<Channel, Object> call) {
        return rpc(name, call, Outcome.PERMISSION_DENIED, Outcome.PERMISSION_DENIED, Outcome.OK, Outcome.OK);
    }

    private static Rpc rpc(String name, Function<Channel, Object> call, Outcome readerOwn, Outcome readerOther,
                           Outcome collector, Outcome operator) {
        Map<Who, Outcome> e = new EnumMap<>(Who.class);
        e.put(Who.NO_TOKEN, Outcome.UNAUTHENTICATED);
        e.put(Who.EXPIRED_TOKEN, Outcome.UNAUTHENTICATED);
        e.put(Who.FOREIGN_KEY, Outcome.UNAUTHENTICATED);
        e.put(Who.READER_OWN_ASN, readerOwn);
        e.put(Who.READER_OTHER_ASN, readerOther);
        e.put(Who.COLLECTOR, collector);
        e.put(Who.OPERATOR, operator);
        return new Rpc(name, call, e);
    }

    private RoleMatrix() {
    }

    /** Runs every RPC as every caller against the service on {@code port}; fails listing every wrong cell. */
    public static void run(int port, List<Rpc> rpcs, Set<String> serviceMethods) {
        assertThat(rpcs.stream().map(Rpc::name).toList())
                .as("the matrix covers every RPC of the service")
                .containsExactlyInAnyOrderElementsOf(serviceMethods);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        List<String> wrong = new ArrayList<>();
        StringBuilder table = new StringBuilder(String.format("%-34s", "RPC \\ caller"));
        for (Who who : Who.values()) {
            table.append(String.format(" %-17s", who));
        }
        table.append('\n');
        try {
            for (Rpc rpc : rpcs) {
                table.append(String.format("%-34s", rpc.name()));
                for (Who who : Who.values()) {
                    Outcome[] got = {null};
                    String detail = call(channel, who, rpc, got);
                    table.append(String.format(" %-17s", got[0]));
                    if (got[0] != rpc.expected().get(who)) {
                        wrong.add(rpc.name() + " as " + who + ": expected " + rpc.expected().get(who) + ", got " + got[0]
                                + " (" + detail + ")");
                    }
                }
                table.append('\n');
            }
        } finally {
            channel.shutdownNow();
        }
        System.out.println(table);
        assertThat(wrong).as("cells of the role matrix that differ from the expected outcome").isEmpty();
    }

    private static String call(ManagedChannel channel, Who who, Rpc rpc, Outcome[] got) {
        String token = who.token();
        Channel ch = token == null ? channel : withToken(channel, token);
        try {
            rpc.call().apply(ch);
            got[0] = Outcome.OK;
            return "ok";
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            got[0] = switch (code) {
                case DEADLINE_EXCEEDED -> Outcome.OK; // an open stream, admitted and waiting for data
                case UNAUTHENTICATED -> Outcome.UNAUTHENTICATED;
                case PERMISSION_DENIED -> Outcome.PERMISSION_DENIED;
                default -> Outcome.OTHER;
            };
            return code + ": " + e.getStatus().getDescription();
        }
    }

    /** The channel with {@code authorization: Bearer <token>} on every call. */
    public static Channel withToken(Channel channel, String token) {
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md));
    }

    /** The fully qualified method names of a generated service, from its descriptor. */
    public static Set<String> methodsOf(io.grpc.ServiceDescriptor service) {
        Set<String> names = new LinkedHashSet<>();
        service.getMethods().forEach(m -> names.add(m.getBareMethodName()));
        return names;
    }

    /** Waits for the first message of a server stream (or its end) for at most {@code seconds}. */
    public static <T> Object firstOf(java.util.Iterator<T> stream) {
        return stream.hasNext() ? stream.next() : "end of stream";
    }

    /**
     * Sends {@code messages} on a client stream opened by {@code open} (an async stub's method),
     * half-closes, and returns the reply, or throws the StatusRuntimeException the call ended with.
     */
    public static <Q, R> R clientStream(Function<io.grpc.stub.StreamObserver<R>, io.grpc.stub.StreamObserver<Q>> open, List<Q> messages) {
        java.util.concurrent.CompletableFuture<R> reply = new java.util.concurrent.CompletableFuture<>();
        io.grpc.stub.StreamObserver<Q> out = open.apply(new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(R value) {
                reply.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                reply.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        messages.forEach(out::onNext);
        out.onCompleted();
        try {
            return reply.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof StatusRuntimeException s) {
                throw s;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no reply to the client stream in 30 s", e);
        }
    }

    public static long deadlineMillis() {
        return TimeUnit.SECONDS.toMillis(3);
    }
}
