package io.peering.routes.rpki;

import java.io.IOException;

/** A ROA file that cannot be used as a whole: not JSON, no "roas" array, truncated, unreadable. */
public class RoaFileException extends IOException {

    private static final long serialVersionUID = 1L;

    public RoaFileException(String message) {
        super(message);
    }

    public RoaFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
