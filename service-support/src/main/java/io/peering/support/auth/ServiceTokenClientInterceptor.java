package io.peering.support.auth;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/** Adds this service's own token ({@code peering.auth.service-token}) to its calls to other services. */
@ApplicationScoped
@GlobalInterceptor
public class ServiceTokenClientInterceptor implements ClientInterceptor {

    private final Optional<String> header;

    public ServiceTokenClientInterceptor(AuthConfig config) {
        this.header = config.serviceToken().filter(t -> !t.isBlank()).map(t -> "Bearer " + t.trim());
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        ClientCall<Q, R> call = next.newCall(method, options);
        if (header.isEmpty()) {
            return call;
        }
        return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                headers.put(BearerAuthInterceptor.AUTHORIZATION, header.get());
                super.start(listener, headers);
            }
        };
    }
}
