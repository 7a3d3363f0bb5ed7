package io.peering.support.testing;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;

import java.util.concurrent.TimeUnit;

/**
 * One gRPC call made by hand over HTTP/2 cleartext (prior knowledge), as a client that is not
 * grpc-java sees it: the end of the call (grpc-status and grpc-message) exactly as sent, from the
 * headers of a trailers-only answer or from the trailers.
 */
public final class RawGrpcCall {

    /** How a call ended on the wire; {@code message} is the grpc-message value undecoded (null when absent). */
    public record End(boolean trailersOnly, String status, String message) {
    }

    private RawGrpcCall() {
    }

    /** Calls {@code /fullMethodName} on 127.0.0.1:{@code port} with one request message (its serialized bytes). */
    public static End call(int port, String fullMethodName, byte[] request) {
        Vertx vertx = Vertx.vertx();
        try {
            Buffer frame = Buffer.buffer().appendByte((byte) 0).appendInt(request.length).appendBytes(request);
            HttpClientResponse response = await(vertx
                    .createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false))
                    .request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
                            .setURI("/" + fullMethodName))
                    .compose(r -> r.putHeader("content-type", "application/grpc").putHeader("te", "trailers").send(frame)));
            await(response.body());
            if (response.version() != HttpVersion.HTTP_2) {
                throw new AssertionError("the call was answered over " + response.version() + ", not HTTP/2");
            }
            boolean trailersOnly = response.headers().contains("grpc-status");
            MultiMap end = trailersOnly ? response.headers() : response.trailers();
            return new End(trailersOnly, end.get("grpc-status"), end.get("grpc-message"));
        } finally {
            await(vertx.close());
        }
    }

    private static <T> T await(Future<T> future) {
        return future.toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
}
