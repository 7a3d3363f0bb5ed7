package io.peering.deploy.soak;

import io.grpc.Status;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** What the soak run measures: durations with their percentiles, and failed calls by RPC and status code. */
final class Figures {

    private Figures() {
    }

    /** Durations (nanoseconds) of one kind; every value is kept, so percentiles are exact. */
    static final class Durations {
        private long[] values = new long[1024];
        private int count;

        synchronized void add(long nanos) {
            if (count == values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            values[count++] = nanos;
        }

        synchronized void reset() {
            values = new long[1024];
            count = 0;
        }

        synchronized int count() {
            return count;
        }

        /** p50, p95, p99 and max, in milliseconds (nearest rank); null when nothing was recorded. */
        synchronized double[] percentilesMillis() {
            if (count == 0) {
                return null;
            }
            long[] sorted = Arrays.copyOf(values, count);
            Arrays.sort(sorted);
            return new double[] {rank(sorted, 0.50), rank(sorted, 0.95), rank(sorted, 0.99), sorted[count - 1] / 1e6};
        }

        private static double rank(long[] sorted, double p) {
            int i = (int) Math.ceil(p * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
        }

        /** "p50 12.3 / p95 45.6 / p99 78.9 / max 123.4 ms (n 1,234)". */
        String summary() {
            double[] p = percentilesMillis();
            if (p == null) {
                return "no samples";
            }
            return String.format("p50 %s / p95 %s / p99 %s / max %s ms (n %,d)", ms(p[0]), ms(p[1]), ms(p[2]), ms(p[3]), count());
        }

        private static String ms(double v) {
            return v >= 100 ? String.format("%.0f", v) : String.format("%.1f", v);
        }
    }

    /** Calls that ended in a status other than OK, per RPC and code, over the whole run. */
    static final class Errors {
        private final Map<String, Map<Status.Code, LongAdder>> counts = new ConcurrentHashMap<>();
        private final Map<String, String> firstMessage = new ConcurrentHashMap<>();

        void add(String rpc, Throwable t) {
            Status status = Status.fromThrowable(t);
            counts.computeIfAbsent(rpc, r -> new ConcurrentHashMap<>())
                    .computeIfAbsent(status.getCode(), c -> new LongAdder()).increment();
            firstMessage.putIfAbsent(rpc + " " + status.getCode(), String.valueOf(status.getDescription()));
        }

        long total() {
            return counts.values().stream().flatMap(m -> m.values().stream()).mapToLong(LongAdder::sum).sum();
        }

        long count(Status.Code code) {
            return counts.values().stream().map(m -> m.get(code)).filter(a -> a != null).mapToLong(LongAdder::sum).sum();
        }

        /** One line per RPC and code with the first message seen, sorted; "none" when there were none. */
        String describe() {
            TreeMap<String, String> lines = new TreeMap<>();
            counts.forEach((rpc, byCode) -> byCode.forEach((code, n) -> lines.put(rpc + " " + code,
                    String.format("  %s %s: %,d (first: %s)", rpc, code, n.sum(), firstMessage.get(rpc + " " + code)))));
            return lines.isEmpty() ? "  none" : String.join("\n", lines.values());
        }
    }
}
