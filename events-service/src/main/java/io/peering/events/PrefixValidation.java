package io.peering.events;

import java.time.Instant;
import java.util.List;

/**
 * A registered prefix in one validation state, as routes-service computed it at {@code checkedTime}: what the
 * poller observes and what events.registered_prefix_states keeps.
 *
 * @param registeredPrefix "peerings/{peering}/registeredPrefixes/{registered_prefix}"
 * @param peering          "peerings/{peering}"
 * @param prefix           the registered prefix, CIDR
 * @param reasons          why the state is not Verified (routes-service's sentences); empty for Verified
 */
public record PrefixValidation(String registeredPrefix, String peering, String prefix, ValidationState state,
                               List<String> reasons, Instant checkedTime) {

    public PrefixValidation {
        reasons = List.copyOf(reasons);
    }
}
