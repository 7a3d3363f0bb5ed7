package io.peering.routes.bmp;

/**
 * A BMP message (or the BGP PDU inside it) is malformed. When thrown by {@link BmpSession#decode},
 * only that one message is lost: the caller logs, counts and goes on with the next message.
 */
public class BmpDecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    public BmpDecodeException(String message) {
        super(message);
    }
}
