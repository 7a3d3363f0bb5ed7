package io.peering.support.grpc;

import com.google.protobuf.StringValue;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.peering.support.testing.RawGrpcCall;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServiceBridge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Iterator;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code grpc-message} a client reads off the wire, from the server the services run on (Vert.x
 * gRPC bridging grpc-java services, as Quarkus does with {@code use-separate-server=false}), read
 * raw over h2c: printable ASCII as is, only '%' and bytes outside 0x20..0x7E percent-encoded; and
 * what grpc-java's client decodes from it.
 */
class StatusMessageTrailerTest {

    /** What a service says, with the characters Vert.x alone escapes (: ' / ( < ? ; ~ space), a '%' and non-ASCII. */
    static final String MESSAGE = "prefix: '10.41.1.1/24' has host bits set; did you mean 10.41.1.0/24? (<100% sure> ~ é)";
    /** The spec's encoding of {@link #MESSAGE}, written out by hand. */
    static final String ON_THE_WIRE = "prefix: '10.41.1.1/24' has host bits set; did you mean 10.41.1.0/24? (<100%25 sure> ~ %C3%A9)";

    static final MethodDescriptor.Marshaller<StringValue> STRING_VALUE = ProtoUtils.marshaller(StringValue.getDefaultInstance());
    static final MethodDescriptor<StringValue, StringValue> FAIL = MethodDescriptor.<StringValue, StringValue>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("test.Status/Fail")
            .setRequestMarshaller(STRING_VALUE).setResponseMarshaller(STRING_VALUE).build();
    static final MethodDescriptor<StringValue, StringValue> REPLY_THEN_FAIL = MethodDescriptor.<StringValue, StringValue>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING).setFullMethodName("test.Status/ReplyThenFail")
            .setRequestMarshaller(STRING_VALUE).setResponseMarshaller(STRING_VALUE).build();

    /** A unary call refused before any reply (a trailers-only answer) and a stream that fails after one reply. */
    static final ServerServiceDefinition SERVICE = ServerServiceDefinition.builder("test.Status")
            .addMethod(FAIL, ServerCalls.asyncUnaryCall((request, replies) ->
                    replies.onError(Status.INVALID_ARGUMENT.withDescription(MESSAGE).asRuntimeException())))
            .addMethod(REPLY_THEN_FAIL, ServerCalls.asyncServerStreamingCall((request, replies) -> {
                replies.onNext(StringValue.of("first reply"));
                replies.onError(Status.FAILED_PRECONDITION.withDescription(MESSAGE).asRuntimeException());
            }))
            .build();

    Vertx vertx;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void tearDown() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** The service behind the Vert.x gRPC server, as Quarkus runs it; returns the port. */
    int serveOnVertx(ServerInterceptor... interceptors) {
        GrpcServer grpc = GrpcServer.server(vertx);
        GrpcServiceBridge.bridge(ServerInterceptors.intercept(SERVICE, interceptors)).bind(grpc);
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)).requestHandler(grpc);
        return server.listen().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join().actualPort();
    }

    static RawGrpcCall.End callRaw(int port, MethodDescriptor<StringValue, StringValue> method) {
        return RawGrpcCall.call(port, method.getFullMethodName(), StringValue.of("hello").toByteArray());
    }

    static ManagedChannel channel(int port) {
        return ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @Test
    void aRefusalBeforeAnyReplyCarriesTheSpecEncodingInItsTrailersOnlyHeaders() {
        int port = serveOnVertx(new StatusMessageTrailer(false));

        assertThat(callRaw(port, FAIL)).isEqualTo(new RawGrpcCall.End(true, "3", ON_THE_WIRE));
    }

    @Test
    void aStreamThatFailsAfterAReplyCarriesTheSpecEncodingInItsTrailers() {
        int port = serveOnVertx(new StatusMessageTrailer(false));

        assertThat(callRaw(port, REPLY_THEN_FAIL)).isEqualTo(new RawGrpcCall.End(false, "9", ON_THE_WIRE));
    }

    @Test
    void grpcJavaClientsStillDecodeTheMessageAsWritten() {
        int port = serveOnVertx(new StatusMessageTrailer(false));
        ManagedChannel channel = channel(port);
        try {
            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, FAIL, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), StringValue.of("hello")))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).isEqualTo(MESSAGE);
                    });
            Iterator<StringValue> replies = ClientCalls.blockingServerStreamingCall(channel, REPLY_THEN_FAIL,
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), StringValue.of("hello"));
            assertThat(replies.next().getValue()).isEqualTo("first reply");
            assertThatThrownBy(replies::hasNext).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                assertThat(e.getStatus().getDescription()).isEqualTo(MESSAGE);
            });
        } finally {
            channel.shutdownNow();
        }
    }

    /**
     * Why {@link StatusMessageTrailer} exists: Vert.x alone escapes printable ASCII. When this fails,
     * the Vert.x on the classpath encodes as the spec says, and the interceptor can go.
     */
    @Test
    void vertxAloneEscapesPrintableAscii() {
        int port = serveOnVertx();

        assertThat(callRaw(port, FAIL).message()).contains("%3A").doesNotContain(":");
    }

    /**
     * grpc-java's own server (use-separate-server=true) writes the status message itself and drops a
     * grpc-message among the trailers: there the interceptor leaves the status alone.
     */
    @Test
    void onGrpcJavasOwnServerTheMessageIsLeftToIt() throws Exception {
        Server server = ServerBuilder.forPort(0)
                .addService(ServerInterceptors.intercept(SERVICE, new StatusMessageTrailer(true))).build().start();
        ManagedChannel channel = channel(server.getPort());
        try {
            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, FAIL, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), StringValue.of("hello")))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription()).isEqualTo(MESSAGE));
        } finally {
            channel.shutdownNow();
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void onlyPercentAndBytesOutsidePrintableAsciiAreEncoded() {
        assertThat(StatusMessageTrailer.percentEncode(MESSAGE)).isEqualTo(ON_THE_WIRE);
        assertThat(StatusMessageTrailer.percentEncode(" !\"#$&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~"))
                .isEqualTo(" !\"#$&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~");
        assertThat(StatusMessageTrailer.percentEncode("%\t\n\r\u007f\u0000")).isEqualTo("%25%09%0A%0D%7F%00");
        assertThat(StatusMessageTrailer.percentEncode("µ 日 😀")).isEqualTo("%C2%B5 %E6%97%A5 %F0%9F%98%80");
    }
}
