package io.peering.support.testing;

import java.lang.management.ManagementFactory;

/**
 * Runs one fuzz input under a time and allocation budget. The fuzzers cannot see either by themselves:
 * libFuzzer only notices a hang after its {@code -timeout}, and a decoder that allocates what a length
 * field declares (2^32 bytes) instead of what the input holds only shows up when the heap runs out.
 * Here the bytes the thread allocated while handling the input are measured
 * ({@link com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}) and must stay within
 * {@code fixedBytes + bytesPerInputByte * input.length}.
 *
 * <p>A first-time cost (class loading, a lambda or record {@code toString} being linked, a GC pause, the JIT)
 * can push one run over; so an input over budget is run a second time and fails only if it is over again.
 */
public final class InputBudget {
    /** A decode takes microseconds; a second means a hang or a blow-up, not a slow machine. */
    public static final long MAX_NANOS = 1_000_000_000L;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Work on one input; expected rejections are caught inside, anything thrown is a finding. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    private final long fixedBytes;
    private final long bytesPerInputByte;

    public InputBudget(long fixedBytes, long bytesPerInputByte) {
        this.fixedBytes = fixedBytes;
        this.bytesPerInputByte = bytesPerInputByte;
    }

    /** Runs {@code work} on {@code input}; throws AssertionError when it is over budget twice. */
    public void run(byte[] input, Work work) throws Exception {
        long allowed = fixedBytes + bytesPerInputByte * input.length;
        long[] first = measure(work);
        if (first[0] <= MAX_NANOS && first[1] <= allowed) {
            return;
        }
        long[] second = measure(work);
        if (second[0] > MAX_NANOS) {
            throw new AssertionError("a " + input.length + "-byte input took " + second[0] / 1_000_000 + " ms (twice over "
                    + MAX_NANOS / 1_000_000 + " ms)");
        }
        if (second[1] > allowed) {
            throw new AssertionError("a " + input.length + "-byte input made the decoder allocate " + second[1]
                    + " bytes (twice over the budget of " + allowed + ")");
        }
    }

    /** Nanoseconds and bytes allocated by this thread while running {@code work}. */
    public static long[] measure(Work work) throws Exception {
        long bytes = THREADS.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        work.run();
        long nanos = System.nanoTime() - start;
        return new long[] {nanos, THREADS.getCurrentThreadAllocatedBytes() - bytes};
    }

    /** Bytes this thread allocated while running {@code work}. */
    public static long allocatedBy(Work work) throws Exception {
        return measure(work)[1];
    }
}
