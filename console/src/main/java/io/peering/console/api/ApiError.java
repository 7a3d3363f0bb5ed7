package io.peering.console.api;

import com.google.gson.JsonObject;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * What the pages get when a call fails: the gRPC status code and the service's own message (which
 * says what to fix), with the HTTP status that fits, as {@code {"code": ..., "message": ...}}.
 */
public final class ApiError {

    private ApiError() {
    }

    public static Response of(Throwable failure, String rpc) {
        if (failure instanceof StatusRuntimeException e) {
            Status s = e.getStatus();
            String message = s.getDescription() != null ? s.getDescription()
                    : s.getCause() != null ? s.getCause().getMessage() : s.getCode().name();
            if (s.getCode() == Status.Code.UNAVAILABLE) {
                message = serviceOf(rpc) + " is unavailable (" + message + ")";
            }
            return response(httpStatus(s.getCode()), s.getCode().name(), message);
        }
        return response(502, "UNKNOWN", rpc + " failed: " + failure);
    }

    public static Response response(int httpStatus, String code, String message) {
        JsonObject body = new JsonObject();
        body.addProperty("code", code);
        body.addProperty("message", message);
        return Response.status(httpStatus).type(MediaType.APPLICATION_JSON).entity(body.toString()).build();
    }

    static String serviceOf(String rpc) {
        int slash = rpc.indexOf('/');
        String service = slash > 0 ? rpc.substring(0, slash) : rpc;
        return switch (service) {
            case "RoutesService" -> "routes-service";
            case "MetricsService" -> "metrics-service";
            case "LatencyService" -> "latency-service";
            case "EventsService" -> "events-service";
            default -> service;
        };
    }

    private static int httpStatus(Status.Code code) {
        return switch (code) {
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND -> 404;
            case RESOURCE_EXHAUSTED -> 429;
            case UNAVAILABLE -> 503;
            case DEADLINE_EXCEEDED -> 504;
            default -> 502;
        };
    }
}
