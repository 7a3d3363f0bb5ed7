package io.peering.events.repository;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Wakes Watch streams when the event log grows. The feed signals after each commit that added
 * events; streams also poll at {@link #POLL} so that events written by another replica are seen too.
 */
@ApplicationScoped
public class LogSignal {

    static final Duration POLL = Duration.ofMillis(500);

    private volatile CompletableFuture<Void> next = new CompletableFuture<>();

    /** Called after a commit that appended to the log. */
    public void signal() {
        CompletableFuture<Void> current = next;
        next = new CompletableFuture<>();
        current.complete(null);
    }

    /** Completes at the next signal, or after the poll interval, whichever comes first. */
    public Uni<Void> awaitNext() {
        return Uni.createFrom().completionStage(next)
                .ifNoItem().after(POLL).recoverWithItem((Void) null);
    }
}
