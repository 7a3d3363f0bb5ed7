package io.peering.tools.pcap;

import java.io.IOException;

/** The file is not a readable libpcap or pcapng capture. */
public class CaptureFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public CaptureFormatException(String message) {
        super(message);
    }
}
