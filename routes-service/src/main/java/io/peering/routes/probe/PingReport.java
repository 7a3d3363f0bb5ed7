package io.peering.routes.probe;

import java.util.List;

/** What {@code ping} reported: one echo per request sent, in sequence order, and the totals. */
public record PingReport(List<Echo> echoes, int transmitted, int received) {

    /** One echo request; {@code from} and {@code rttMillis} are null when no reply came. */
    public record Echo(int sequence, String from, Double rttMillis) {

        public boolean replied() {
            return rttMillis != null;
        }
    }

    /** Share of requests with no reply, in percent. */
    public double lossPercent() {
        return transmitted == 0 ? 0 : 100.0 * (transmitted - received) / transmitted;
    }
}
