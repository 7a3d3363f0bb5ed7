package io.peering.routes.probe;

/** A probe command could not be run to its end (not there, killed at its time limit, output unreadable). */
public class ProbeException extends RuntimeException {

    public ProbeException(String message) {
        super(message);
    }

    public ProbeException(String message, Throwable cause) {
        super(message, cause);
    }
}
