package io.peering.routes.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real BGP routers on loopback (GoBGP, and FRR's bgpd) exporting BMP, driven through
 * deploy/local/routers/routers.sh. Tests using them skip, saying why, where the daemons are not
 * installed (deploy/local/install.sh installs them).
 */
final class Routers {

    static final Path SCRIPT = locate();
    /** The routers' BMP sessions come from here (their connection to the collector's loopback port). */
    static final String ROUTER = "127.0.0.1";
    static final String P1 = "127.0.0.11"; // GoBGP peer of R1, AS 64500: contoso-ams ams-1
    static final String P2 = "127.0.0.12"; // GoBGP peer of R1, AS 64500: contoso-ams ams-2
    static final String P1_V6 = "fd00:64:500::11";
    static final String P2_V6 = "fd00:64:500::12";
    /** The state directory and BMP port of the last {@link #start}; null once stopped. */
    private static Path state;
    private static Integer bmpPort;

    private Routers() {
    }

    private static Path locate() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path script = dir.resolve("deploy/local/routers/routers.sh");
            if (Files.isRegularFile(script)) {
                return script;
            }
        }
        return null;
    }

    static void requireDaemons(boolean frr) {
        assumeTrue(SCRIPT != null, "deploy/local/routers/routers.sh not found from " + Path.of("").toAbsolutePath());
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gobgpd")), "gobgpd is not installed (deploy/local/install.sh installs it)");
        if (frr) {
            assumeTrue(Files.isExecutable(Path.of("/usr/lib/frr/bgpd")), "FRR's bgpd is not installed (deploy/local/install.sh installs it)");
        }
    }

    /**
     * Stops routers left running, then starts R1 (GoBGP, peers P1 and P2) and, with {@code frr}, R2 (FRR, peer P3), in a new
     * state directory, exporting BMP to the collector's port on 127.0.0.1; returns once every BGP session is Established.
     */
    static void start(int bmpPort, boolean frr) throws IOException {
        stop();
        state = Files.createTempDirectory("routers");
        List<String> args = new ArrayList<>(List.of("start", "--bmp", "127.0.0.1:" + bmpPort, "--state", state.toString()));
        if (frr) {
            args.add("--frr");
        }
        run(args.toArray(String[]::new));
        Routers.bmpPort = bmpPort;
    }

    /** Whether {@link #start} started the routers with this BMP port and they have not been stopped since. */
    static boolean exportingTo(int bmpPort) {
        return Integer.valueOf(bmpPort).equals(Routers.bmpPort);
    }

    /** Whether routers {@link #start} started are running. */
    static boolean started() {
        return bmpPort != null;
    }

    static void stop() {
        run("stop");
        bmpPort = null;
    }

    /** Whether the running routers have IPv6 sessions (fd00:64:500::/64 on lo) rather than IPv6 routes over IPv4 sessions. */
    static boolean ipv6Sessions() throws IOException {
        return state != null && Files.readString(state.resolve("ipv6-mode")).trim().equals("sessions");
    }

    /** Runs routers.sh with the arguments; returns its standard output, fails with its output on a non-zero exit. */
    static String run(String... args) {
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.add(SCRIPT.toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("routers.sh " + String.join(" ", args) + " failed:\n"
                        + new String(out, StandardCharsets.UTF_8) + new String(err, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot run routers.sh", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The router's Adj-RIB-In for a neighbor as prefix → AS path text, read with the router's own CLI (JSON). */
    static Map<String, String> adjRibIn(String neighbor, String family) throws IOException {
        JsonNode root = new ObjectMapper().readTree(run("rib", neighbor, "--family", family));
        Map<String, String> routes = new TreeMap<>();
        collect(root, routes);
        return routes;
    }

    private static void collect(JsonNode node, Map<String, String> routes) {
        if (node == null) {
            return;
        }
        if (node.isObject() && node.has("nlri") && node.has("attrs")) { // GoBGP path
            routes.put(node.get("nlri").get("prefix").asText(), gobgpAsPath(node.get("attrs")));
            return;
        }
        if (node.isObject() && node.has("receivedRoutes")) { // FRR "received-routes json"
            node.get("receivedRoutes").fields().forEachRemaining(e ->
                    routes.put(e.getKey(), e.getValue().path("path").asText("")));
            return;
        }
        node.elements().forEachRemaining(child -> collect(child, routes));
    }

    private static String gobgpAsPath(JsonNode attrs) {
        for (JsonNode a : attrs) {
            if (a.path("type").asInt() == 2) {
                List<String> parts = new ArrayList<>();
                for (JsonNode segment : a.path("as_paths")) {
                    List<String> asns = new ArrayList<>();
                    segment.path("asns").forEach(asn -> asns.add(asn.asText()));
                    parts.add(segment.path("segment_type").asInt() == 1 ? "{" + String.join(",", asns) + "}" : String.join(" ", asns));
                }
                return String.join(" ", parts);
            }
        }
        return "";
    }
}
