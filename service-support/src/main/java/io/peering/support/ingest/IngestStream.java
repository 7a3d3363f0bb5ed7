package io.peering.support.ingest;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.peering.support.grpc.ApiErrors;
import io.peering.support.sql.DatabaseFailures;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One client stream of items to store (counter samples, session transitions, latency samples): each
 * item is checked on its own (a bad one is refused with its index in the stream and a reason that
 * starts with the offending field; the others are kept), the good ones are written in batches of
 * {@code batchSize}, up to {@code concurrentBatches} at once so checking and writing overlap, and
 * items already stored are counted as duplicates. A stream in which every item is refused stores
 * nothing and ends with INVALID_ARGUMENT naming the first refused item, so a client that sends only
 * bad items (a wrong name, a device clock in the future) learns it from the status. A batch that
 * cannot be written refuses the stream (UNAVAILABLE when the database is unreachable or went away):
 * batches written before stay, and sending the stream again stores each item once.
 *
 * <p>{@code check} refuses an item with an IllegalArgumentException, or an INVALID_ARGUMENT status (as
 * the resource-name parser gives), whose message is the reason.
 *
 * @param <I> an item as received
 * @param <T> an item as checked, ready to store
 */
public final class IngestStream<I, T> {

    /** Refusal reasons kept in a reply. */
    public static final int MAX_REFUSALS = 100;

    public record Refusal(long index, String reason) {
    }

    /** What became of a stream: items stored now, items found already stored, items refused and the first reasons. */
    public record Outcome(long accepted, long duplicates, long refused, List<Refusal> refusals) {
    }

    private final String noun;
    private final int batchSize;
    private final int concurrentBatches;
    private final Function<I, T> check;
    private final Function<List<T>, Uni<Integer>> write;

    /**
     * @param noun   the items, plural ("samples"), as statuses name them
     * @param check  the checked item, or an IllegalArgumentException saying what is wrong with it
     * @param write  stores a batch; answers how many of it were new (the rest were stored before)
     */
    public IngestStream(String noun, int batchSize, int concurrentBatches, Function<I, T> check,
                        Function<List<T>, Uni<Integer>> write) {
        if (batchSize < 1 || concurrentBatches < 1) {
            throw new IllegalArgumentException("batch size and concurrent batches must be at least 1");
        }
        this.noun = noun;
        this.batchSize = batchSize;
        this.concurrentBatches = concurrentBatches;
        this.check = check;
        this.write = write;
    }

    /** Checks and stores the items as they arrive; answers when the stream has ended and everything is stored. */
    public Uni<Outcome> store(Multi<I> items) {
        AtomicLong seen = new AtomicLong();
        AtomicLong accepted = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        List<Refusal> refusals = Collections.synchronizedList(new ArrayList<>());
        return items
                .map(item -> {
                    long index = seen.getAndIncrement();
                    try {
                        return Optional.of(check.apply(item));
                    } catch (IllegalArgumentException | StatusRuntimeException e) {
                        if (e instanceof StatusRuntimeException s && s.getStatus().getCode() != Status.Code.INVALID_ARGUMENT) {
                            throw s;
                        }
                        refused.incrementAndGet();
                        if (refusals.size() < MAX_REFUSALS) {
                            refusals.add(new Refusal(index, e instanceof StatusRuntimeException s
                                    ? s.getStatus().getDescription() : e.getMessage()));
                        }
                        return Optional.<T>empty();
                    }
                })
                .select().where(Optional::isPresent).map(Optional::get)
                .group().intoLists().of(batchSize)
                .onItem().transformToUni(batch -> write.apply(batch).invoke(inserted -> {
                    accepted.addAndGet(inserted);
                    duplicates.addAndGet(batch.size() - inserted);
                })).merge(concurrentBatches)
                .onFailure().transform(e -> storeFailed(e, noun, accepted.get() + duplicates.get()))
                .collect().last()
                .map(ignored -> {
                    if (seen.get() > 0 && refused.get() == seen.get()) {
                        throw allRefused(noun, seen.get(), refusals.get(0));
                    }
                    return new Outcome(accepted.get(), duplicates.get(), refused.get(), List.copyOf(refusals));
                });
    }

    /** The status of a stream whose every item was refused (so nothing of it was stored). */
    public static StatusRuntimeException allRefused(String noun, long count, Refusal first) {
        return ApiErrors.invalidArgument("every " + noun.substring(0, noun.length() - 1) + " of the stream was refused ("
                + count + " of " + count + "), nothing was stored; the first refused is index " + first.index() + ": "
                + first.reason());
    }

    /**
     * The status of a stream whose batch could not be written: UNAVAILABLE when the database could
     * not be reached, went away or is overloaded (sending the stream again is safe and will succeed
     * once it is back), INTERNAL for anything else.
     */
    public static StatusRuntimeException storeFailed(Throwable failure, String noun, long storedBefore) {
        if (failure instanceof StatusRuntimeException status) {
            return status;
        }
        boolean transientFailure = DatabaseFailures.isTransient(failure);
        String stored = storedBefore + " " + noun + " of this stream were stored before it failed (and batches in flight may"
                + " have been)";
        return (transientFailure
                ? Status.UNAVAILABLE.withDescription("could not store the " + noun + ": the database is unavailable ("
                        + failure.getMessage() + "); " + stored + ". Send the stream again: " + noun
                        + " already stored are counted as duplicates, not stored twice")
                : Status.INTERNAL.withDescription("could not store the " + noun + ": " + failure.getMessage() + "; " + stored))
                .withCause(failure).asRuntimeException();
    }
}
