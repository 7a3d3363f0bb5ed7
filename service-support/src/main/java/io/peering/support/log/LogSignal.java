package io.peering.support.log;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Wakes Watch streams when a log grows. Writers in this process signal after commit; streams also
 * poll at {@link #POLL} so that rows written by another replica are seen too.
 */
@ApplicationScoped
public class LogSignal {

    public static final Duration POLL = Duration.ofMillis(500);

    private volatile CompletableFuture<Void> next = new CompletableFuture<>();

    /** Called after a commit that appended to a log. */
    public void signal() {
        CompletableFuture<Void> current = next;
        next = new CompletableFuture<>();
        current.complete(null);
    }

    /** Completes at the next signal, or after the poll interval, whichever comes first. */
    public Uni<Void> awaitNext() {
        // a copy: when the poll timeout cancels this wait, the shared future must stay pending for the others
        return Uni.createFrom().completionStage(next.copy())
                .ifNoItem().after(POLL).recoverWithItem((Void) null);
    }
}
