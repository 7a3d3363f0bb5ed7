package io.peering.events;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A change of a registered prefix's validation state, as routes-service computed it: stored as JSON beside the
 * event ({@link #toJson()}); the API's {@code RegisteredPrefixValidation}.
 *
 * @param registeredPrefix "peerings/{peering}/registeredPrefixes/{registered_prefix}"
 * @param reasons          why the new state is not Verified, routes-service's sentences; empty for Verified
 * @param checkedTime      when routes-service computed the new state
 */
public record ValidationChange(String registeredPrefix, ValidationState before, ValidationState after, List<String> reasons,
                               Instant checkedTime) {

    public ValidationChange {
        reasons = List.copyOf(reasons);
    }

    public JsonObject toJson() {
        return new JsonObject().put("registeredPrefix", registeredPrefix).put("before", before.azureName)
                .put("after", after.azureName).put("reasons", new JsonArray(new ArrayList<>(reasons)))
                .put("checkedTime", checkedTime.toString());
    }

    public static ValidationChange fromJson(JsonObject j) {
        List<String> reasons = new ArrayList<>();
        j.getJsonArray("reasons", new JsonArray()).forEach(r -> reasons.add((String) r));
        return new ValidationChange(j.getString("registeredPrefix", ""), state(j.getString("before")),
                state(j.getString("after")), reasons, Instant.parse(j.getString("checkedTime")));
    }

    private static ValidationState state(String azureName) {
        for (ValidationState s : ValidationState.values()) {
            if (s.azureName.equals(azureName)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no validation state \"" + azureName + "\"");
    }
}
