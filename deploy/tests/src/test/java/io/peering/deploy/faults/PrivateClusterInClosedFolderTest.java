package io.peering.deploy.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Issue 14: with the clone in a folder the 'postgres' user cannot enter (root's home is mode 700),
 * every private cluster failed at once, as root runs it as 'postgres': initdb "could not access
 * directory .../pgdata: Permission denied". The fault tests' and the soak's {@link PrivateCluster}
 * must work from such a clone; here the test's directory is below a folder of mode 700. (Not root,
 * the cluster runs as us and the folder is ours: it must work all the same.)
 */
class PrivateClusterInClosedFolderTest {

    @Test
    void aClusterOfATestBelowAFolderOfMode700StartsRestartsAndLeavesOnlyItsLog() throws IOException {
        Path target = Local.repo().resolve("deploy/tests/target");
        Files.createDirectories(target);
        Path closed = Files.createTempDirectory(target, "closed-folder-");
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        Path dir = Files.createDirectories(closed.resolve("faults/cluster")); // as Local.workDir makes it, but below the closed folder
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            int port;
            try (PrivateCluster db = PrivateCluster.start(dir)) {
                port = db.port();
                assertThat(db.strings("SELECT extname FROM pg_extension WHERE extname = 'timescaledb'")).containsExactly("timescaledb");
                execute(db, "CREATE TABLE t (at timestamptz NOT NULL, v int)",
                        "SELECT create_hypertable('t', 'at')",
                        "INSERT INTO t VALUES (now(), 42)");
                db.restart();
                assertThat(db.count("SELECT v FROM t")).as("a committed row, after a restart").isEqualTo(42);
                db.stop();
                db.startAgain();
                assertThat(db.count("SELECT count(*) FROM t")).as("after a stop and a start").isEqualTo(1);
            }
            assertThatThrownBy(() -> new PrivateClusterProbe(port).connect()).as("the server, stopped on close").isInstanceOf(SQLException.class);
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString()).toList())
                        .as("what stays in the test's directory: the server's log only").containsExactly("server.log");
            }
            assertThat(clusterHomesOf(dir)).as("the cluster's own directory outside the clone, deleted on close").isEmpty();
        } finally {
            try (Stream<Path> files = Files.walk(closed)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Directories under the clusters' directory (as root) still saying they belong to {@code dir}. */
    private static List<Path> clusterHomesOf(Path dir) throws IOException {
        Path clusters = Path.of(System.getenv().getOrDefault("PEERING_PG_CLUSTERS_DIR", "/var/lib/postgresql/peering-local"));
        if (!Files.isDirectory(clusters)) {
            return List.of();
        }
        try (Stream<Path> homes = Files.list(clusters)) {
            return homes.filter(h -> {
                try {
                    Path owner = h.resolve("test-dir");
                    return Files.isRegularFile(owner) && Files.readString(owner).strip().equals(dir.toString());
                } catch (IOException e) {
                    return false;
                }
            }).toList();
        }
    }

    private static void execute(PrivateCluster db, String... statements) {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private record PrivateClusterProbe(int port) {
        Connection connect() throws SQLException {
            return java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + PrivateCluster.DATABASE,
                    PrivateCluster.SUPERUSER, "");
        }
    }
}
