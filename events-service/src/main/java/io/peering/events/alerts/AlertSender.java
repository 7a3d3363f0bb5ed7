package io.peering.events.alerts;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Delivers the outbox: every {@code peering.alerts.send-every} it claims the due rows (FOR UPDATE SKIP
 * LOCKED, so replicas never send the same row at once), sends each row's next delivery, and records the
 * outcome in the same transaction. A failed attempt gets a log line, a count in
 * {@code peering.alerts.delivery.failures{receiver}} and a retry after a delay that doubles with each
 * failure in a row, up to a maximum. Delivery is at least once; each delivery keeps its id on every attempt.
 */
@ApplicationScoped
public class AlertSender {

    private static final Logger LOG = Logger.getLogger(AlertSender.class);
    private static final String JSON = "application/json";

    private final Pool pool;
    private final AlertOutbox outbox;
    private final AlertRules rules;
    private final AlertsConfig config;
    private final MeterRegistry registry;
    private final HttpClient http;

    private boolean running = true;
    private CompletableFuture<Void> lastRun = CompletableFuture.completedFuture(null);

    public AlertSender(Pool pool, AlertOutbox outbox, AlertRules rules, MeterRegistry registry, Vertx vertx) {
        this.pool = pool;
        this.outbox = outbox;
        this.rules = rules;
        this.config = rules.config();
        this.registry = registry;
        int timeout = (int) config.requestTimeout().toMillis();
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(timeout));
    }

    @Scheduled(identity = "alerts-sender", every = "${peering.alerts.send-every:PT1S}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (this) {
            if (!running || rules.receivers().isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            lastRun = done;
        }
        return sendDue()
                .flatMap(sent -> pool.withConnection(conn -> outbox.prune(conn, config.keepDelivered())))
                .replaceWithVoid()
                .onFailure().invoke(e -> {
                    LOG.errorf(e, "alerts: sending the outbox failed; the next run tries again");
                    registry.counter("peering.alerts.sender.failures").increment();
                })
                .onFailure().recoverWithNull()
                .eventually(() -> done.complete(null));
    }

    /** Stops sending; completes when the run in flight, if any, has committed. */
    public synchronized CompletionStage<Void> stop() {
        running = false;
        return lastRun;
    }

    /** Sends again from the next scheduled run. */
    public synchronized void start() {
        running = true;
    }

    /** Sends every due delivery, a batch per transaction; yields how many attempts were made. */
    public Uni<Integer> sendDue() {
        List<String> receivers = List.copyOf(rules.receivers().keySet());
        return Multi.createBy().repeating().uni(() -> pool.withTransaction(conn -> outbox.claimDue(conn, receivers, config.batchSize())
                        .flatMap(claimed -> attemptAll(claimed)
                                .flatMap(outcomes -> outbox.record(conn, outcomes))
                                .replaceWith(claimed.size()))))
                .whilst(n -> n == config.batchSize())
                .collect().with(Collectors.summingInt(Integer::intValue));
    }

    private Uni<List<AlertOutbox.Outcome>> attemptAll(List<OutboxRow> claimed) {
        if (claimed.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<Uni<AlertOutbox.Outcome>> attempts = new ArrayList<>(claimed.size());
        claimed.forEach(row -> attempts.add(attempt(row)));
        return Uni.join().all(attempts).andFailFast();
    }

    /** Sends the row's next delivery; never fails: a failure is an outcome with a retry delay. */
    private Uni<AlertOutbox.Outcome> attempt(OutboxRow row) {
        Receiver receiver = rules.receivers().get(row.receiver());
        OutboxRow.Delivery delivery = row.next();
        String id = row.deliveryId(delivery);
        return post(receiver, row, delivery)
                .map(v -> {
                    registry.counter("peering.alerts.delivered", "receiver", receiver.name()).increment();
                    return delivered(row, delivery, receiver);
                })
                .onFailure().recoverWithItem(e -> {
                    int failures = row.failures() + 1;
                    Duration retry = backoff(failures);
                    String why = e instanceof TimeoutException ? "no answer within " + config.requestTimeout() : String.valueOf(e.getMessage());
                    LOG.warnf("alerts: delivery %s (%s) to receiver %s at %s failed (%d in a row): %s; retrying in %s",
                            id, delivery, receiver.name(), receiver.endpoint(), failures, why, retry);
                    registry.counter("peering.alerts.delivery.failures", "receiver", receiver.name()).increment();
                    return new AlertOutbox.Outcome(row.id(), false, false, retry, failures, why);
                });
    }

    private AlertOutbox.Outcome delivered(OutboxRow row, OutboxRow.Delivery delivery, Receiver receiver) {
        if (delivery == OutboxRow.Delivery.RESOLVED || !row.incident()) {
            return new AlertOutbox.Outcome(row.id(), true, true, Duration.ZERO, 0, null);
        }
        if (row.endsAt() != null) {
            return new AlertOutbox.Outcome(row.id(), true, false, Duration.ZERO, 0, null); // resolved meanwhile: send it next
        }
        Duration next = receiver.kind() == Receiver.Kind.ALERTMANAGER ? config.resendEvery() : AlertOutbox.Outcome.NEVER;
        return new AlertOutbox.Outcome(row.id(), true, false, next, 0, null);
    }

    Duration backoff(int failuresInARow) {
        long initial = Math.max(1, config.retryInitialDelay().toMillis());
        long delay = Math.min(config.retryMaxDelay().toMillis(), initial << Math.min(failuresInARow - 1, 20));
        return Duration.ofMillis(delay);
    }

    private Uni<Void> post(Receiver receiver, OutboxRow row, OutboxRow.Delivery delivery) {
        long timeout = config.requestTimeout().toMillis();
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(receiver.endpoint().toString())
                .setConnectTimeout(timeout).setIdleTimeout(timeout).putHeader("Content-Type", JSON);
        byte[] body;
        if (receiver.kind() == Receiver.Kind.ALERTMANAGER) {
            body = AlertMessages.alertmanagerBody(row, delivery, config.generatorUrl().orElse(null)).encode()
                    .getBytes(StandardCharsets.UTF_8);
        } else {
            body = AlertMessages.webhookBody(row, delivery).encode().getBytes(StandardCharsets.UTF_8);
            request.putHeader("X-Peering-Alert-Id", row.deliveryId(delivery))
                    .putHeader("X-Peering-Signature", AlertMessages.signature(receiver.secret(), body));
        }
        return http.request(request)
                .flatMap(r -> r.send(Buffer.buffer(body)))
                .flatMap(response -> response.body().map(answer -> {
                    if (response.statusCode() / 100 != 2) {
                        String text = answer.toString();
                        throw new IllegalStateException("HTTP " + response.statusCode() + ": "
                                + (text.length() > 300 ? text.substring(0, 300) + "..." : text));
                    }
                    return (Void) null;
                }))
                .ifNoItem().after(config.requestTimeout()).failWith(TimeoutException::new);
    }
}
