package io.peering.support.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;

/**
 * Writes a failed call's status message to the {@code grpc-message} trailer in the percent-encoding
 * of the gRPC HTTP/2 spec: UTF-8, and only bytes outside 0x20..0x7E and {@code %} itself encoded,
 * so every client (grpc-js, gRPC-Web, curl) shows {@code prefix: '10.41.1.1/24' ...} as written.
 * <p>
 * The Vert.x gRPC server that serves gRPC on the HTTP port ({@code use-separate-server=false};
 * vertx-grpc 4.5 up to 4.5.27, Quarkus 3.33) encodes the message like a URL form
 * ({@code GrpcServerResponseImpl} with {@code Utils.utf8PercentEncode}: space, {@code :}, {@code '},
 * {@code /}... all escaped), which only grpc-java clients decode. So this interceptor takes the
 * message out of the status and puts it, encoded here, among the call's trailers, which Vert.x
 * writes unchanged: in the trailers after the replies, or in the headers of a trailers-only answer.
 * It is the outermost interceptor, so every close (by a service, Quarkus's exception handling or
 * another interceptor) passes through it. grpc-java's own server ({@code use-separate-server=true})
 * encodes correctly and would drop a {@code grpc-message} trailer: there it does nothing.
 */
@ApplicationScoped
@GlobalInterceptor
public class StatusMessageTrailer implements ServerInterceptor, Prioritized {

    static final Metadata.Key<String> GRPC_MESSAGE = Metadata.Key.of("grpc-message", Metadata.ASCII_STRING_MARSHALLER);
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final boolean separateServer;

    public StatusMessageTrailer(
            @ConfigProperty(name = "quarkus.grpc.server.use-separate-server", defaultValue = "true") boolean separateServer) {
        this.separateServer = separateServer;
    }

    /** Above every interceptor of Quarkus (the highest is 2147483642) and of this project: the outermost. */
    @Override
    public int getPriority() {
        return Integer.MAX_VALUE;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (separateServer) {
            return next.startCall(call, headers);
        }
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                if (status.isOk() || status.getDescription() == null) {
                    super.close(status, trailers);
                    return;
                }
                trailers.discardAll(GRPC_MESSAGE);
                trailers.put(GRPC_MESSAGE, percentEncode(status.getDescription()));
                super.close(status.withDescription(null), trailers);
            }
        }, headers);
    }

    /** {@code message} as the gRPC spec's Status-Message: its UTF-8 bytes, those outside 0x20..0x7E and '%' as %XX. */
    public static String percentEncode(String message) {
        byte[] utf8 = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(utf8.length);
        for (byte b : utf8) {
            int c = b & 0xFF;
            if (c >= 0x20 && c <= 0x7E && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }
}
