package io.peering.routes.probe;

import io.peering.support.net.IpAddresses;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs the system {@code ping} or {@code traceroute} to an address with fixed arguments: no shell, the target
 * given as the address's numeric text (the caller parsed it as a literal; never a name), names never resolved
 * ({@code -n}), the process killed when it outlives its hard limit.
 */
public final class ProbeCommand {

    private ProbeCommand() {
    }

    /** The arguments of {@code ping} for {@code count} requests 200 ms apart, each waited for {@code timeout}. */
    public static List<String> pingArguments(InetAddress target, int count, Duration timeout) {
        return List.of("ping", target instanceof Inet6Address ? "-6" : "-4", "-n", "-c", Integer.toString(count),
                "-i", "0.2", "-W", seconds(timeout), "-w", Long.toString(pingDeadline(count, timeout).toSeconds()),
                "--", numeric(target));
    }

    /** ping's own deadline: every request sent, and the last one waited for. */
    static Duration pingDeadline(int count, Duration timeout) {
        return Duration.ofMillis(200L * count + timeout.toMillis()).plusSeconds(1);
    }

    /** The arguments of {@code traceroute} for TTLs 1..maxHops, {@code probes} per hop, each waited for {@code timeout}. */
    public static List<String> tracerouteArguments(InetAddress target, int maxHops, int probes, Duration timeout) {
        return List.of("traceroute", target instanceof Inet6Address ? "-6" : "-4", "-n", "-m", Integer.toString(maxHops),
                "-q", Integer.toString(probes), "-w", seconds(timeout), numeric(target));
    }

    public static PingReport ping(InetAddress target, int count, Duration timeout) {
        String output = run(pingArguments(target, count, timeout), pingDeadline(count, timeout).plusSeconds(2));
        try {
            return PingOutput.parse(output, count);
        } catch (IllegalArgumentException e) {
            throw new ProbeException("ping's output was not understood: " + e.getMessage(), e);
        }
    }

    public static TraceReport traceroute(InetAddress target, int maxHops, int probes, Duration timeout) {
        // every probe unanswered, one after another, is the worst case
        Duration limit = timeout.multipliedBy((long) maxHops * probes).plusSeconds(5);
        String output = run(tracerouteArguments(target, maxHops, probes, timeout), limit);
        try {
            return TracerouteOutput.parse(output);
        } catch (IllegalArgumentException e) {
            throw new ProbeException("traceroute's output was not understood: " + e.getMessage(), e);
        }
    }

    /**
     * Runs the command and returns its standard output; stderr is merged into it. ping exits 1 when some requests
     * got no reply, which is a result, not a failure: only a missing or killed process is one.
     *
     * @throws ProbeException when the command cannot start, or runs past {@code limit} (it is killed)
     */
    static String run(List<String> command, Duration limit) {
        Path output = null;
        Process process = null;
        try {
            output = Files.createTempFile("peering-probe-", ".txt");
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            process.getOutputStream().close();
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ProbeException(command.get(0) + " ran longer than its limit of " + limit.toSeconds() + " s and was killed");
            }
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ProbeException(command.get(0) + " could not be run on the collector's host: " + e.getMessage()
                    + " (install iputils-ping and traceroute)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProbeException(command.get(0) + " was interrupted", e);
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
            delete(output);
        }
    }

    private static void delete(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the probe's output file " + file, e);
        }
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }

    private static String numeric(InetAddress address) {
        return IpAddresses.format(address);
    }
}
