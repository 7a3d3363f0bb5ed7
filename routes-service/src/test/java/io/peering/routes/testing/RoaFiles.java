package io.peering.routes.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** ROA files for test profiles ({@code peering.rpki.roa-file}). */
public final class RoaFiles {

    private RoaFiles() {
    }

    /** A new temporary file holding {@code json} (rpki-client's export format): its path. */
    public static String write(String json) {
        try {
            Path file = Files.createTempFile("roas", ".json");
            Files.writeString(file, json);
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
