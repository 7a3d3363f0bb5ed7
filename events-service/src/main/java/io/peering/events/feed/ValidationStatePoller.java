package io.peering.events.feed;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.peering.events.PrefixValidation;
import io.peering.events.ValidationState;
import io.peering.events.config.EventsConfig;
import io.peering.events.service.ValidationChanges;
import io.peering.routes.v1.ListRegisteredPrefixesRequest;
import io.peering.routes.v1.ListRegisteredPrefixesResponse;
import io.peering.routes.v1.MutinyRoutesServiceGrpc;
import io.peering.routes.v1.RegisteredPrefix;
import io.peering.routes.v1.RibView;
import io.peering.support.inventory.ResourceNames;
import io.peering.support.time.ProtoTimes;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Polls the validation state routes-service computes for every registered prefix (ListRegisteredPrefixes of
 * "peerings/-", paging through, with the operator service token; the followed RIB view of the route-change feed)
 * every {@code peering.events.validation.every} (PT15S), and hands the whole observation to
 * {@link ValidationChanges}, which stores a RegisteredPrefixValidationStateChangeEvent per change. A failed poll
 * (routes-service unavailable or slow, the database) is logged, counted in
 * {@code peering.events.validation.failures} and tried again at the next interval; the stored states are only
 * ever changed by a whole poll's transaction. Successful polls count in {@code peering.events.validation.polls}.
 */
@Singleton
public class ValidationStatePoller {

    private static final Logger LOG = Logger.getLogger(ValidationStatePoller.class);
    private static final int PAGE_SIZE = 1000;

    private final MutinyRoutesServiceGrpc.MutinyRoutesServiceStub routes;
    private final ValidationChanges changes;
    private final EventsConfig.Validation config;
    private final RibView ribView;
    private final Counter polls;
    private final Counter failures;
    private final Counter emitted;

    private boolean running;
    private CompletableFuture<Void> lastPoll = CompletableFuture.completedFuture(null);

    public ValidationStatePoller(@GrpcClient("routes") MutinyRoutesServiceGrpc.MutinyRoutesServiceStub routes,
                                 ValidationChanges changes, EventsConfig config, MeterRegistry registry) {
        this.routes = routes;
        this.changes = changes;
        this.config = config.validation();
        // judged on the routes the route-change feed follows (RouteChangeFeed checks the setting)
        this.ribView = "ADJ_RIB_IN_POST_POLICY".equals(config.feed().ribView()) ? RibView.RIB_VIEW_ADJ_RIB_IN_POST_POLICY
                : RibView.RIB_VIEW_ADJ_RIB_IN_PRE_POLICY;
        this.polls = Counter.builder("peering.events.validation.polls")
                .description("Polls of the registered prefixes' validation states that were stored").register(registry);
        this.failures = Counter.builder("peering.events.validation.failures")
                .description("Polls of the registered prefixes' validation states that failed (retried at the next interval)")
                .register(registry);
        this.emitted = Counter.builder("peering.events.validation.changes")
                .description("Validation-state changes of registered prefixes stored as events").register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        if (config.enabled()) {
            LOG.infof("Polling routes-service ListRegisteredPrefixes every %s for validation-state changes", config.every());
            start();
        } else {
            LOG.info("The validation-state poller is disabled (peering.events.validation.enabled=false): no"
                    + " RegisteredPrefixValidationStateChangeEvent is derived");
        }
    }

    void onStop(@Observes ShutdownEvent event) throws Exception {
        stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Scheduled(identity = "validation-states", every = "${peering.events.validation.every:PT15S}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (this) {
            if (!running) {
                return Uni.createFrom().voidItem();
            }
            lastPoll = done;
        }
        return poll().replaceWithVoid().onFailure().recoverWithNull().eventually(() -> done.complete(null));
    }

    /** Polls from the next interval on (nothing when already polling). */
    public synchronized void start() {
        running = true;
    }

    /** Stops polling; completes when the poll in flight, if any, has committed or failed whole. */
    public synchronized CompletionStage<Void> stop() {
        running = false;
        return lastPoll;
    }

    /** One poll: every registered prefix's state from routes-service, compared with and stored over the stored states. */
    public Uni<ValidationChanges.Applied> poll() {
        return listAll(new ArrayList<>(), "")
                .onFailure().transform(e -> new IllegalStateException("routes-service ListRegisteredPrefixes failed: "
                        + e + (e.getCause() == null ? "" : ", caused by " + e.getCause()), e))
                .flatMap(changes::apply)
                .invoke(applied -> {
                    polls.increment();
                    emitted.increment(applied.events());
                    if (applied.events() > 0 || applied.firstSeen() > 0) {
                        LOG.infof("Validation states: %d registered prefixes, %d seen for the first time (stored without an"
                                + " event), %d change(s) stored as events", applied.observed(), applied.firstSeen(), applied.events());
                    }
                })
                .onFailure().invoke(e -> {
                    failures.increment();
                    LOG.warnf("Polling the registered prefixes' validation states failed (%s); the stored states are kept and"
                            + " the next poll, in %s, tries again", e.getMessage(), config.every());
                });
    }

    private Uni<List<PrefixValidation>> listAll(List<PrefixValidation> seen, String pageToken) {
        return routes.listRegisteredPrefixes(ListRegisteredPrefixesRequest.newBuilder().setParent("peerings/-")
                        .setPageSize(PAGE_SIZE).setPageToken(pageToken).setRibView(ribView).build())
                .ifNoItem().after(config.requestTimeout()).failWith(() -> new java.util.concurrent.TimeoutException(
                        "no answer within " + config.requestTimeout() + " (peering.events.validation.request-timeout)"))
                .flatMap((ListRegisteredPrefixesResponse page) -> {
                    page.getRegisteredPrefixesList().forEach(p -> validation(p).ifPresent(seen::add));
                    return page.getNextPageToken().isEmpty() ? Uni.createFrom().item(seen)
                            : listAll(seen, page.getNextPageToken());
                });
    }

    /** The registered prefix's state; empty (and logged) for a state this build does not know. */
    private static Optional<PrefixValidation> validation(RegisteredPrefix p) {
        Optional<ValidationState> state = ValidationState.of(p.getValidationStateValue());
        if (state.isEmpty()) {
            LOG.warnf("routes-service gave %s validation state %s, which this build does not know: it is skipped",
                    p.getName(), p.getValidationState());
            return Optional.empty();
        }
        String name = p.getName();
        String peering;
        try {
            peering = "peerings/" + ResourceNames.registeredPrefixIds("name", name)[0];
        } catch (RuntimeException e) {
            LOG.warnf("routes-service gave a registered prefix named \"%s\", not peerings/{peering}/registeredPrefixes/{name}:"
                    + " it is skipped", name);
            return Optional.empty();
        }
        // to the microsecond, as the database keeps it: the event's time and its checked time then agree
        return Optional.of(new PrefixValidation(name, peering, p.getPrefix(), state.get(), p.getReasonsList(),
                ProtoTimes.instant(p.getCheckedTime()).truncatedTo(ChronoUnit.MICROS)));
    }
}
