package io.peering.deploy.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL 15 + TimescaleDB cluster of one test's own, so the test may stop and start it at
 * will (the shared cluster on 55432 is never touched). Created like deploy/local/db-start.sh does:
 * initdb as the 'postgres' OS user when we are root, trust authentication on 127.0.0.1, a free
 * port, {@code shared_preload_libraries = timescaledb}, the role and database the services use
 * ({@code peering}/{@code peering}, extension created by the superuser {@code peering_admin}).
 *
 * <p>Where its files live: PostgreSQL refuses to run as root, so as root the cluster runs as
 * 'postgres', which must reach its data directory, and the clone (and so the test's directory) may
 * be anywhere, e.g. in root's home of mode 700. So, as root, the data directory and the log are in
 * a directory of 'postgres' outside the clone, {@code /var/lib/postgresql/peering-local/test-*}
 * (as deploy/local/db-start.sh keeps its clusters there; {@code PEERING_PG_CLUSTERS_DIR} moves
 * both), and the log is copied into the test's directory when the cluster closes. Not root: both
 * are in the test's directory, as {@code pgdata/} and {@code server.log}.
 *
 * <p>{@code fsync} is off to spare the shared machine's disk: the cluster is only ever stopped
 * cleanly ({@code -m fast} writes a shutdown checkpoint), so committed data survives every restart.
 * {@link #close()} stops it and deletes its data directory (its log, {@code server.log}, stays in
 * the test's directory); a shutdown hook does the same if the JVM exits without reaching it. A
 * cluster of a run killed before either, whose test directory is gone since (a {@code mvn clean}),
 * is stopped and deleted by the next {@link #start}.
 */
public final class PrivateCluster implements AutoCloseable {

    static final String PG_BIN = "/usr/lib/postgresql/15/bin/";
    static final String SUPERUSER = "peering_admin";
    static final String DATABASE = "peering";
    /** As root: where the clusters' files are (as in deploy/local/env.sh), each in its own test-* directory. */
    static final Path CLUSTERS_DIR = Path.of(System.getenv().getOrDefault("PEERING_PG_CLUSTERS_DIR",
            "/var/lib/postgresql/peering-local")).toAbsolutePath();
    /** In a cluster's test-* directory under {@link #CLUSTERS_DIR}: the test directory it belongs to. */
    private static final String OWNER_FILE = "test-dir";

    private final Path dir;
    /** Holds the data directory and the server's log: {@link #dir} itself, or (as root) a directory of 'postgres'. */
    private final Path home;
    private final Path data;
    private final Path serverLog;
    private final int port;
    private final Thread cleanup = new Thread(this::close, "private-cluster-cleanup");
    private boolean closed;
    /** The hot standby's data directory, once {@link #startReplica} made one. */
    private Path replicaData;

    private PrivateCluster(Path dir, Path home, int port) {
        this.dir = dir;
        this.home = home;
        this.data = home.resolve("pgdata");
        this.serverLog = home.resolve("server.log");
        this.port = port;
    }

    /**
     * Makes and starts a hot standby of this cluster with deploy/local/db-replica.sh, the script that makes the local
     * cluster's ({@code pg_basebackup -R}, WAL streamed, {@code hot_standby_feedback}), pointed at this cluster; yields its
     * port. Its files are beside this cluster's ({@code pgdata-replica}); closed with the cluster, its log then copied
     * to {@code replica.log} in the test's directory.
     */
    public synchronized int startReplica() {
        if (replicaData != null) {
            throw new IllegalStateException("this cluster has a replica already");
        }
        int replicaPort = Local.freePort();
        replicaData = Path.of(data + "-replica"); // where the script puts it
        run(Map.of("PEERING_PGDATA", data.toString(), "PEERING_PGPORT", String.valueOf(port),
                "PEERING_REPLICA_PORT", String.valueOf(replicaPort)),
                "bash", Local.repo().resolve("deploy/local/db-replica.sh").toString(), "start");
        return replicaPort;
    }

    /** Creates and starts a cluster of the test whose files are in {@code dir} (anywhere: the 'postgres' user need not reach it). */
    public static PrivateCluster start(Path dir) {
        PrivateCluster cluster;
        try {
            dir = Files.createDirectories(dir.toAbsolutePath());
            Path home = dir;
            if (asRoot()) {
                sweepAbandoned();
                if (!Files.isDirectory(CLUSTERS_DIR)) {
                    Files.createDirectories(CLUSTERS_DIR);
                    run("chown", "postgres:postgres", CLUSTERS_DIR.toString());
                }
                home = Files.createTempDirectory(CLUSTERS_DIR, "test-");
                Files.writeString(home.resolve(OWNER_FILE), dir + "\n");
                run("chown", "postgres:postgres", home.toString());
            }
            cluster = new PrivateCluster(dir, home, Local.freePort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(cluster.cleanup);
        try {
            cluster.create();
            cluster.startServer();
            cluster.execute("postgres", "CREATE ROLE peering LOGIN PASSWORD 'peering'");
            cluster.execute("postgres", "CREATE DATABASE " + DATABASE + " OWNER peering");
            cluster.execute(DATABASE, "CREATE EXTENSION timescaledb");
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    public int port() {
        return port;
    }

    /** Environment that points a service at this cluster. */
    public Map<String, String> serviceEnvironment() {
        return Map.of("PEERING_DB_HOST", "127.0.0.1", "PEERING_DB_PORT", String.valueOf(port),
                "PEERING_DB_NAME", DATABASE);
    }

    private void create() {
        try {
            Files.createDirectories(data);
            if (asRoot()) {
                run("chown", "postgres:postgres", data.toString());
            }
            run("chmod", "700", data.toString());
            runAsOwner(PG_BIN + "initdb", "-D", data.toString(), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                    "--locale=C.UTF-8", "--no-sync");
            Files.writeString(data.resolve("postgresql.conf"), """

                    # --- private cluster of a fault test (deploy/tests faults) ---
                    listen_addresses = '127.0.0.1'
                    port = %d
                    unix_socket_directories = '%s'
                    shared_preload_libraries = 'timescaledb'
                    timescaledb.telemetry_level = off
                    timescaledb.max_background_workers = 2
                    max_connections = 150
                    shared_buffers = 128MB
                    fsync = off
                    full_page_writes = off
                    log_min_messages = warning
                    """.formatted(port, data), StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startServer() {
        runAsOwner(PG_BIN + "pg_ctl", "-D", data.toString(), "-l", serverLog.toString(), "-w", "-t", "60", "start");
    }

    /** Fast restart: open connections are terminated, the server stops cleanly and starts again. */
    void restart() {
        runAsOwner(PG_BIN + "pg_ctl", "-D", data.toString(), "-l", serverLog.toString(), "-m", "fast", "-w",
                "-t", "60", "restart");
    }

    /** Fast stop: open connections are terminated, in-flight transactions roll back. */
    void stop() {
        runAsOwner(PG_BIN + "pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop");
    }

    void startAgain() {
        startServer();
    }

    // ---- queries (a fresh connection each time: the server may have restarted since) ----------

    Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE, SUPERUSER, "");
    }

    /** The first column of the first row, as a long. */
    public long count(String sql, Object... params) {
        List<String> rows = strings(sql, params);
        return rows.isEmpty() || rows.get(0) == null ? 0 : Long.parseLong(rows.get(0));
    }

    /** Every row, its columns joined by '|'. */
    public List<String> strings(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            List<String> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                int columns = r.getMetaData().getColumnCount();
                while (r.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= columns; i++) {
                        row.append(i > 1 ? "|" : "").append(r.getString(i));
                    }
                    rows.add(row.toString());
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** COPY ... FROM STDIN of {@code rows} (COPY's text format); yields the rows copied. */
    public long copyIn(String copySql, java.io.Reader rows) {
        try (Connection c = connect()) {
            return c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyIn(copySql, rows);
        } catch (SQLException | IOException e) {
            throw new IllegalStateException(copySql + ": " + e.getMessage(), e);
        }
    }

    private void execute(String database, String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, SUPERUSER, "");
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stops the server (immediately: nothing more is needed from it) and deletes its data directory;
     * its log stays in the test's directory, for reading after a failure.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (replicaData != null) {
            try {
                if (Files.isRegularFile(replicaData.resolve("server.log"))) {
                    Files.copy(replicaData.resolve("server.log"), dir.resolve("replica.log"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                System.err.println("copying the replica's log to " + dir + ": " + e.getMessage());
            }
            stopAndDelete(replicaData);
        }
        stopAndDelete(data);
        if (!home.equals(dir)) {
            try {
                if (Files.isRegularFile(serverLog)) {
                    Files.copy(serverLog, dir.resolve("server.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                System.err.println("copying " + serverLog + " to " + dir + ": " + e.getMessage());
            }
            deleteTree(home);
        }
        if (Thread.currentThread() != cleanup) {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // the JVM is shutting down already
            }
        }
    }

    /** Stops the server of {@code data} if it runs, then deletes the directory. */
    private static void stopAndDelete(Path data) {
        try {
            if (Files.isRegularFile(data.resolve("postmaster.pid"))) {
                runAsOwner(PG_BIN + "pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "-t", "60", "stop");
            }
        } catch (RuntimeException e) {
            System.err.println("stopping the private cluster in " + data + ": " + e.getMessage());
        }
        deleteTree(data);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("deleting " + root + ": " + e.getMessage());
        }
    }

    /**
     * Clusters of runs that were killed before their cleanup (SIGKILL, a forked JVM timing out) and
     * whose test directory is gone since: stopped and deleted. A cluster whose test directory still
     * exists may be another run's, and stays.
     */
    private static void sweepAbandoned() {
        if (!Files.isDirectory(CLUSTERS_DIR)) {
            return;
        }
        try (Stream<Path> homes = Files.list(CLUSTERS_DIR)) {
            for (Path home : homes.filter(p -> p.getFileName().toString().startsWith("test-")).toList()) {
                Path owner = home.resolve(OWNER_FILE);
                if (!Files.isRegularFile(owner) || Files.exists(Path.of(Files.readString(owner).strip()))) {
                    continue;
                }
                System.err.println("a test's private cluster in " + home + " outlived its run and its directory: deleting it");
                stopAndDelete(home.resolve("pgdata-replica"));
                stopAndDelete(home.resolve("pgdata"));
                deleteTree(home);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("looking for abandoned test clusters in " + CLUSTERS_DIR + ": " + e.getMessage());
        }
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void runAsOwner(String... command) {
        if (asRoot()) {
            String[] full = new String[command.length + 4];
            full[0] = "runuser";
            full[1] = "-u";
            full[2] = "postgres";
            full[3] = "--";
            System.arraycopy(command, 0, full, 4, command.length);
            run(full);
        } else {
            run(command);
        }
    }

    static String run(String... command) {
        return run(Map.of(), command);
    }

    /** Runs the command with these variables added to the environment; fails with its output unless it exits 0. */
    static String run(Map<String, String> environment, String... command) {
        try {
            // from /: our working directory may be where 'postgres' cannot go
            ProcessBuilder builder = new ProcessBuilder(command).directory(new java.io.File("/")).redirectErrorStream(true);
            builder.environment().putAll(environment);
            Process p = builder.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 120 s:\n" + out);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "):\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
