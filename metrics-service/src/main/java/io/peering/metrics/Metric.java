package io.peering.metrics;

import io.peering.common.v1.Aggregation;
import io.peering.metrics.v1.Unit;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The metrics this service answers for: the single source of names, units, aggregations, grains
 * and dimensions, served as is by ListMetricDefinitions and enforced by QueryConnectionMetrics.
 */
public enum Metric {
    SESSION_AVAILABILITY_V4("SessionAvailabilityV4", Unit.UNIT_PERCENT,
            "Percent of the bucket's known time during which the connection's IPv4 BGP sessions were Established, from"
                    + " session transitions (time-weighted over the session addresses; time before a session's first"
                    + " known transition and after now is not known and does not count).",
            Aggregation.AGGREGATION_AVERAGE),
    SESSION_AVAILABILITY_V6("SessionAvailabilityV6", Unit.UNIT_PERCENT,
            "As SessionAvailabilityV4, for the IPv6 sessions.", Aggregation.AGGREGATION_AVERAGE),
    INGRESS_TRAFFIC_RATE("IngressTrafficRate", Unit.UNIT_BITS_PER_SECOND,
            "Traffic received from the peer, from the in-octet counter: increase times 8 divided by the seconds between"
                    + " consecutive samples, attributed to the bucket of the later sample; counter wraps are followed,"
                    + " resets and rates above the connection's bandwidth give no value. Average is time-weighted.",
            Aggregation.AGGREGATION_AVERAGE, Aggregation.AGGREGATION_MINIMUM, Aggregation.AGGREGATION_MAXIMUM,
            Aggregation.AGGREGATION_COUNT),
    EGRESS_TRAFFIC_RATE("EgressTrafficRate", Unit.UNIT_BITS_PER_SECOND,
            "As IngressTrafficRate, from the out-octet counter (traffic sent to the peer).",
            Aggregation.AGGREGATION_AVERAGE, Aggregation.AGGREGATION_MINIMUM, Aggregation.AGGREGATION_MAXIMUM,
            Aggregation.AGGREGATION_COUNT),
    FLAP_COUNTS("FlapCounts", Unit.UNIT_COUNT,
            "Transitions of the connection's BGP sessions out of Established within the bucket; present for buckets in"
                    + " which a session state is known, absent otherwise.",
            Aggregation.AGGREGATION_SUM),
    PACKET_DROP_RATE("PacketDropRate", Unit.UNIT_PACKETS_PER_SECOND,
            "Inbound plus outbound discarded packets per second between consecutive samples, attributed like the"
                    + " traffic rates; an interval in which either counter was reset gives no value.",
            Aggregation.AGGREGATION_AVERAGE, Aggregation.AGGREGATION_MINIMUM, Aggregation.AGGREGATION_MAXIMUM,
            Aggregation.AGGREGATION_COUNT),
    SESSION_AVAILABILITY("SessionAvailability", Unit.UNIT_PERCENT,
            "As SessionAvailabilityV4, over all the connection's BGP sessions, IPv4 and IPv6 together: their Established"
                    + " times summed over their known times summed.",
            Aggregation.AGGREGATION_AVERAGE);

    /** Dimensions a series can be split by: one series per resource (a connection, or a peering combined). */
    public static final List<String> DIMENSIONS = List.of("connection");

    /** The dimension of the per-session-address split, offered by the metrics from session transitions. */
    public static final String SESSION_IP = "sessionIp";

    public final String apiName;
    public final Unit unit;
    public final String description;
    /** The first one is the primary aggregation. */
    public final List<Aggregation> aggregations;

    Metric(String apiName, Unit unit, String description, Aggregation... aggregations) {
        this.apiName = apiName;
        this.unit = unit;
        this.description = description;
        this.aggregations = List.of(aggregations);
    }

    public Aggregation primaryAggregation() {
        return aggregations.get(0);
    }

    /** Minimum and maximum pick one interval's rate: they are offered for a single connection only. */
    public boolean allowsAtPeeringScope(Aggregation aggregation) {
        return aggregation != Aggregation.AGGREGATION_MINIMUM && aggregation != Aggregation.AGGREGATION_MAXIMUM;
    }

    public boolean isRate() {
        return this == INGRESS_TRAFFIC_RATE || this == EGRESS_TRAFFIC_RATE || this == PACKET_DROP_RATE;
    }

    /** Session metrics come from transitions keyed by session address and can be split by it; rates cannot. */
    public List<String> dimensions() {
        return isRate() ? DIMENSIONS : List.of(DIMENSIONS.get(0), SESSION_IP);
    }

    /** The session families a session metric counts: 0 both, 1 IPv4, 2 IPv6. */
    public int family() {
        return switch (this) {
            case SESSION_AVAILABILITY_V4 -> 1;
            case SESSION_AVAILABILITY_V6 -> 2;
            default -> 0;
        };
    }

    public static Optional<Metric> byName(String name) {
        return Arrays.stream(values()).filter(m -> m.apiName.equals(name)).findFirst();
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(m -> m.apiName).toList();
    }
}
