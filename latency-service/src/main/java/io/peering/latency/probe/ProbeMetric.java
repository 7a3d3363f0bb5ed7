package io.peering.latency.probe;

import java.util.Arrays;
import java.util.Optional;

/** The connectivity probe metrics, named as Azure names them. */
public enum ProbeMetric {
    /** Percent of the bucket's probes that succeeded. */
    AVAILABILITY("ConnectivityProbeAvailability"),
    /** Milliseconds: exact median RTT of the bucket's successful probes. */
    LATENCY("ConnectivityProbeLatency"),
    /** Milliseconds: mean absolute difference between consecutive successful RTTs in the bucket. */
    JITTER("ConnectivityProbeJitter");

    public final String apiName;

    ProbeMetric(String apiName) {
        this.apiName = apiName;
    }

    public static Optional<ProbeMetric> byApiName(String name) {
        return Arrays.stream(values()).filter(m -> m.apiName.equals(name)).findFirst();
    }
}
