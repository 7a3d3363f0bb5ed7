package io.peering.routes.replica;

import io.peering.support.testing.FreePort;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

/**
 * A real PostgreSQL streaming replica of the test cluster for the test's lifetime: {@code deploy/local/db-replica.sh}
 * (pg_basebackup of the running cluster, started as a hot standby on a free loopback port), removed afterwards.
 * Points {@code peering.db.read.url} at it.
 */
public class StreamingReplica implements QuarkusTestResourceLifecycleManager {

    static final Path SCRIPT = Path.of("..", "deploy", "local", "db-replica.sh");

    static int primaryPort() {
        return Integer.parseInt(System.getenv().getOrDefault("PEERING_DB_PORT", "55432"));
    }

    /**
     * Picked once per test JVM. Not the script's default (the cluster's port + 2, 55434): in the ephemeral range, a
     * connection of the build may hold it when the replica binds (CI, 2026-12-07: the resource failed to start).
     */
    private static final int REPLICA_PORT = FreePort.pick();

    static int replicaPort() {
        return REPLICA_PORT;
    }

    @Override
    public Map<String, String> start() {
        run("start");
        return Map.of("peering.db.read.url", "postgresql://127.0.0.1:" + replicaPort() + "/${peering.db.name}");
    }

    @Override
    public void stop() {
        run("stop");
    }

    private static void run(String command) {
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), command).redirectErrorStream(true);
            pb.environment().put("PEERING_PGPORT", Integer.toString(primaryPort()));
            pb.environment().put("PEERING_REPLICA_PORT", Integer.toString(replicaPort()));
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            System.out.print(out);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(SCRIPT + " " + command + " failed (PEERING_PGPORT=" + primaryPort()
                        + ", PEERING_REPLICA_PORT=" + replicaPort() + "):\n" + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + SCRIPT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + SCRIPT, e);
        }
    }

    /** A superuser connection to the replica (replay pause and resume need one). */
    static Connection admin(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + replicaPort() + "/" + database, "peering_admin", "");
    }
}
