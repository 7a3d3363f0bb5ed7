package io.peering.latency.probe;

import io.peering.support.net.IpAddresses;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ICMP probe: one echo request sent by the system's {@code ping} (iputils), its round-trip time as
 * ping reports it ("time=0.189 ms"). Run with fixed arguments and an address literal, no shell:
 * {@code ping -n -c 1 -W <timeout seconds> <address>}. Not {@code InetAddress.isReachable}: it sends
 * ICMP only when the process may open raw sockets, and otherwise connects to TCP port 7, where a
 * refused connection counts as reachable, so a probe would report an answer no echo gave. iputils
 * ping works unprivileged (cap_net_raw or ping sockets), and its RTT excludes the process start.
 */
public final class IcmpProbe {

    private static final Pattern TIME = Pattern.compile("time[=<]([0-9]+(?:\\.[0-9]+)?) ms");

    private IcmpProbe() {
    }

    /** The command for an endpoint: fixed arguments, the address as a literal. */
    static List<String> command(ProbeEndpoint e) {
        String seconds = String.format(Locale.ROOT, "%.3f", e.timeout().toMillis() / 1000.0);
        return List.of("ping", "-n", "-c", "1", "-W", seconds, IpAddresses.format(e.address()));
    }

    /** The RTT in a line of ping's output, or null. */
    static Double rttMs(String output) {
        Matcher m = TIME.matcher(output);
        return m.find() ? Double.parseDouble(m.group(1)) : null;
    }

    public static ProbeResult probe(ProbeEndpoint e) {
        Instant time = Instant.now();
        Process process;
        try {
            process = new ProcessBuilder(command(e)).redirectErrorStream(true).start();
        } catch (IOException ex) {
            return ProbeResult.failed(time, "could not run ping: " + ex);
        }
        try (InputStream out = process.getInputStream()) {
            // ping waits at most its -W; one more second before it is killed
            if (!process.waitFor(e.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return ProbeResult.failed(time, "ping did not end within " + e.timeout() + " plus a second");
            }
            String output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            Double rtt = process.exitValue() == 0 ? rttMs(output) : null;
            if (rtt == null) {
                return ProbeResult.failed(time, "no echo reply (ping exit " + process.exitValue() + "): " + output.strip());
            }
            return ProbeResult.success(time, rtt);
        } catch (IOException ex) {
            return ProbeResult.failed(time, "reading ping's output: " + ex);
        } catch (InterruptedException ex) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return ProbeResult.failed(time, "interrupted");
        }
    }
}
