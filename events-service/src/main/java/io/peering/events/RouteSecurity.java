package io.peering.events;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * What a person needs to act on a route-security event: the offending route, the session it came
 * over, the origins the prefix may have, its RPKI verdict with the ROAs covering it, and why it
 * offends. Stored as JSON beside the event ({@link #toJson()}); the API's {@code RouteSecurity}.
 *
 * @param rpkiState       the v1 RpkiValidationState number (0 unknown, 1 valid, 2 invalid, 3 not found)
 * @param onlyToCustomer  the route's RFC 9234 Only-To-Customer ASN, null when it carries none
 * @param transitAsn      for a leak through a transit provider, that provider; 0 otherwise
 */
public record RouteSecurity(String routePrefix, String router, String peerAddress, long peerAsn, long pathId,
                            String asPath, long originAsn, List<Long> expectedOriginAsns, int rpkiState,
                            List<MatchedRoa> matchedRoas, String reason, Long onlyToCustomer, long transitAsn) {

    /** A ROA covering the route's prefix. */
    public record MatchedRoa(String prefix, int maxLength, long originAsn, String trustAnchor) {
    }

    public RouteSecurity {
        expectedOriginAsns = List.copyOf(expectedOriginAsns);
        matchedRoas = List.copyOf(matchedRoas);
    }

    public JsonObject toJson() {
        JsonArray roas = new JsonArray();
        matchedRoas.forEach(r -> roas.add(new JsonObject().put("prefix", r.prefix()).put("maxLength", r.maxLength())
                .put("originAsn", r.originAsn()).put("trustAnchor", r.trustAnchor())));
        return new JsonObject().put("routePrefix", routePrefix).put("router", router).put("peerAddress", peerAddress)
                .put("peerAsn", peerAsn).put("pathId", pathId).put("asPath", asPath).put("originAsn", originAsn)
                .put("expectedOriginAsns", new JsonArray(new ArrayList<>(expectedOriginAsns))).put("rpkiState", rpkiState)
                .put("matchedRoas", roas).put("reason", reason).put("onlyToCustomer", onlyToCustomer)
                .put("transitAsn", transitAsn);
    }

    public static RouteSecurity fromJson(JsonObject j) {
        List<Long> expected = new ArrayList<>();
        j.getJsonArray("expectedOriginAsns", new JsonArray()).forEach(a -> expected.add(((Number) a).longValue()));
        List<MatchedRoa> roas = new ArrayList<>();
        j.getJsonArray("matchedRoas", new JsonArray()).forEach(o -> {
            JsonObject r = (JsonObject) o;
            roas.add(new MatchedRoa(r.getString("prefix"), r.getInteger("maxLength"), r.getLong("originAsn"),
                    r.getString("trustAnchor", "")));
        });
        return new RouteSecurity(j.getString("routePrefix", ""), j.getString("router", ""), j.getString("peerAddress", ""),
                j.getLong("peerAsn", 0L), j.getLong("pathId", 0L), j.getString("asPath", ""), j.getLong("originAsn", 0L),
                expected, j.getInteger("rpkiState", 0), roas, j.getString("reason", ""), j.getLong("onlyToCustomer"),
                j.getLong("transitAsn", 0L));
    }
}
