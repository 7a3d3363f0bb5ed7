package io.peering.support.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every RPC of a service called with malformed requests, each expected to be refused with a status
 * a client can act on. A service's test lists, per RPC, named cases (one malformed field each) and
 * calls {@link #run}: every case must end with its expected code (INVALID_ARGUMENT for malformed
 * input, RESOURCE_EXHAUSTED for a message over the size limit) and a description that is not empty,
 * names the offending field, and says what is accepted. The matrix (RPC × case → status) is
 * printed, and every cell that differs is reported at once.
 */
public final class MalformedInputMatrix {

    /** The services' inbound message limit ({@code quarkus.grpc.server.max-inbound-message-size}). */
    public static final int MAX_INBOUND_BYTES = 4 * 1024 * 1024;

    /**
     * One malformed request: its name in the table, how to call it on a channel (throwing the
     * StatusRuntimeException it ends with), the code expected, and two texts the status
     * description must contain (case-insensitive): the offending field, and what is accepted
     * there. Either may be null where it does not apply (a size limit names no field). {@code also}:
     * further texts the description must contain (the index of a refused sample).
     */
    public record Case(String name, Status.Code expected, String field, String accepts, List<String> also,
                       Function<Channel, Object> call) {

        /** This case, also expecting {@code text} in the description. */
        public Case mentioning(String text) {
            List<String> more = new ArrayList<>(also);
            more.add(text);
            return new Case(name, expected, field, accepts, List.copyOf(more), call);
        }
    }

    /** One RPC and its malformed requests. */
    public record Rpc(String name, List<Case> cases) {
    }

    /** A request with a malformed field: INVALID_ARGUMENT naming {@code field} and saying {@code accepts}. */
    public static Case invalid(String name, String field, String accepts, Function<Channel, Object> call) {
        return new Case(name, Status.Code.INVALID_ARGUMENT, field, accepts, List.of(), call);
    }

    /** A request over the inbound size limit: RESOURCE_EXHAUSTED saying the limit. */
    public static Case tooLarge(String name, Function<Channel, Object> call) {
        return new Case(name, Status.Code.RESOURCE_EXHAUSTED, null, String.valueOf(MAX_INBOUND_BYTES), List.of(), call);
    }

    public static Rpc rpc(String name, Case... cases) {
        return new Rpc(name, Arrays.asList(cases));
    }

    /**
     * Unknown fields that make any message longer than the inbound limit: a receiver that accepted
     * the message would ignore them, so only the size can refuse it.
     */
    public static UnknownFieldSet oversize() {
        return UnknownFieldSet.newBuilder()
                .addField(536_870_911, UnknownFieldSet.Field.newBuilder()
                        .addLengthDelimited(ByteString.copyFrom(new byte[MAX_INBOUND_BYTES + 1024])).build())
                .build();
    }

    private MalformedInputMatrix() {
    }

    /**
     * Runs every case of every RPC against the service on {@code port}; fails listing every cell
     * that differs, and when an RPC of {@code serviceMethods} has no case (or a case names none).
     */
    public static void run(int port, List<Rpc> rpcs, Set<String> serviceMethods) {
        assertThat(rpcs.stream().map(Rpc::name).toList())
                .as("the malformed-input matrix covers every RPC of the service")
                .containsExactlyInAnyOrderElementsOf(serviceMethods);
        assertThat(rpcs).as("every RPC has at least one malformed case").allSatisfy(r -> assertThat(r.cases()).isNotEmpty());
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                .maxInboundMessageSize(2 * MAX_INBOUND_BYTES).build();
        List<String> wrong = new ArrayList<>();
        StringBuilder table = new StringBuilder(String.format("%-34s %-46s %-20s %s%n", "RPC", "case", "status", "check"));
        int cells = 0;
        try {
            for (Rpc rpc : rpcs) {
                for (Case c : rpc.cases()) {
                    cells++;
                    Status status = call(channel, c);
                    String problem = problem(c, status);
                    table.append(String.format("%-34s %-46s %-20s %s%n", rpc.name(), c.name(), status.getCode(),
                            problem == null ? "ok" : "WRONG"));
                    if (problem != null) {
                        wrong.add(rpc.name() + " / " + c.name() + ": " + problem + " (got " + status.getCode() + ": "
                                + status.getDescription() + ")");
                    }
                }
            }
        } finally {
            channel.shutdownNow();
        }
        table.append(String.format("%d RPCs, %d cases: %s%n", rpcs.size(), cells,
                rpcs.stream().map(r -> r.name() + " " + r.cases().size()).toList()));
        System.out.println(table);
        assertThat(wrong).as("cells of the malformed-input matrix that differ from the expected status").isEmpty();
    }

    private static Status call(ManagedChannel channel, Case c) {
        try {
            Object reply = c.call().apply(channel);
            return Status.OK.withDescription("answered " + String.valueOf(reply).replace('\n', ' '));
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
    }

    /** What is wrong with the status a case ended with; null when it is as expected. */
    private static String problem(Case c, Status status) {
        if (status.getCode() != c.expected()) {
            return "expected " + c.expected();
        }
        String description = status.getDescription();
        if (description == null || description.isBlank()) {
            return "the description is empty";
        }
        String lower = description.toLowerCase(Locale.ROOT);
        if (c.field() != null && !lower.contains(c.field().toLowerCase(Locale.ROOT))) {
            return "the description does not name the field " + c.field();
        }
        if (c.accepts() != null && !lower.contains(c.accepts().toLowerCase(Locale.ROOT))) {
            return "the description does not say what is accepted (\"" + c.accepts() + "\")";
        }
        for (String text : c.also()) {
            if (!lower.contains(text.toLowerCase(Locale.ROOT))) {
                return "the description does not say \"" + text + "\"";
            }
        }
        return null;
    }

    /** How long a Watch call may take to be refused; a stream still open after it was admitted. */
    public static long deadlineMillis() {
        return TimeUnit.SECONDS.toMillis(5);
    }
}
