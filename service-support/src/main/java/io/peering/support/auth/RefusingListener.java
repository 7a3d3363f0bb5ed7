package io.peering.support.auth;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The listener of a refused call: closes it with the refusal at its first event rather than inside
 * {@code startCall}. Quarkus starts a call lazily from a listener event, and a close from within
 * that start would re-enter its context interceptor before the listener exists.
 */
public final class RefusingListener<Q, R> extends ServerCall.Listener<Q> {
    private final ServerCall<Q, R> call;
    private final Status status;
    private final AtomicBoolean closed = new AtomicBoolean();

    public RefusingListener(ServerCall<Q, R> call, Status status) {
        this.call = call;
        this.status = status;
    }

    private void closeOnce() {
        if (closed.compareAndSet(false, true)) {
            call.close(status, new Metadata());
        }
    }

    @Override
    public void onReady() {
        closeOnce();
    }

    @Override
    public void onMessage(Q message) {
        closeOnce();
    }

    @Override
    public void onHalfClose() {
        closeOnce();
    }
}
