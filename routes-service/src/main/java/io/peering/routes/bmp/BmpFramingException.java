package io.peering.routes.bmp;

/**
 * The BMP common header is impossible (bad version, length below 6 or above
 * {@link BmpFraming#MAX_MESSAGE_LENGTH}). Message boundaries are lost, so the caller must close
 * the router's session.
 */
public class BmpFramingException extends BmpDecodeException {
    private static final long serialVersionUID = 1L;

    public BmpFramingException(String message) {
        super(message);
    }
}
