package io.peering.support.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared BMP capture fixtures: walks up from the working directory looking for
 * {@code shared/fixtures/bmp} (from the repository root that is {@code ../shared/fixtures/bmp}).
 * Tests that need them are skipped, saying why, when the folder is absent.
 */
public final class Fixtures {
    private static final String RELATIVE = "shared/fixtures/bmp";

    private Fixtures() {
    }

    /** The fixtures folder, or null when no ancestor of the working directory has one. */
    public static Path find() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(RELATIVE);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The fixtures folder; skips the calling test when it is absent. */
    public static Path require() {
        Path dir = find();
        assumeTrue(dir != null, "BMP capture fixtures folder '" + RELATIVE + "' is absent (looked in every parent of "
                + Path.of("").toAbsolutePath() + "); skipping tests that replay real captures");
        return dir;
    }

    /** A capture file under the fixtures folder, e.g. {@code netgauze/evpn/evpn.pcap}; skips when absent. */
    public static Path file(String relative) {
        Path file = require().resolve(relative);
        assumeTrue(Files.isRegularFile(file), "fixture " + file + " is absent; skipping");
        return file;
    }
}
