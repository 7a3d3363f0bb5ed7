package io.peering.routes.probe;

import java.util.List;

/** What {@code traceroute} reported: one hop per TTL tried, in order. */
public record TraceReport(List<Hop> hops) {

    /** One TTL; one answer per probe sent with it. */
    public record Hop(int ttl, List<Answer> answers) {

        /** Share of the hop's probes with no answer, in percent. */
        public double lossPercent() {
            long lost = answers.stream().filter(a -> a.rttMillis() == null).count();
            return answers.isEmpty() ? 0 : 100.0 * lost / answers.size();
        }
    }

    /** One probe: who answered and after how long; both null for "*" (no answer). */
    public record Answer(String address, Double rttMillis) {
    }

    /** Whether the last hop's answers came from the target. */
    public boolean reached(String target) {
        if (hops.isEmpty()) {
            return false;
        }
        return hops.get(hops.size() - 1).answers().stream().anyMatch(a -> target.equals(a.address()));
    }
}
