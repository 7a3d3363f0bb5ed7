package io.peering.routes.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the output of iputils {@code ping -n}: the reply lines and the statistics line. */
public final class PingOutput {

    // 64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.038 ms
    private static final Pattern REPLY = Pattern.compile("^\\d+ bytes from ([0-9A-Fa-f.:]+): icmp_seq=(\\d+) .*time=([0-9.]+) ms");
    // 4 packets transmitted, 3 received, 25% packet loss, time 3003ms   (", +1 errors" may follow "received")
    private static final Pattern STATISTICS = Pattern.compile("^(\\d+) packets transmitted, (\\d+) received");

    private PingOutput() {
    }

    /**
     * @param sent the echo requests asked for: sequences 1..sent with no reply line are reported unanswered
     * @throws IllegalArgumentException when the output has no statistics line (ping did not run to its end)
     */
    public static PingReport parse(String output, int sent) {
        Map<Integer, PingReport.Echo> replies = new TreeMap<>();
        Integer transmitted = null;
        int received = 0;
        for (String line : output.split("\n")) {
            Matcher reply = REPLY.matcher(line.trim());
            if (reply.find()) {
                int sequence = Integer.parseInt(reply.group(2));
                replies.putIfAbsent(sequence, new PingReport.Echo(sequence, reply.group(1), Double.parseDouble(reply.group(3))));
                continue;
            }
            Matcher statistics = STATISTICS.matcher(line.trim());
            if (statistics.find()) {
                transmitted = Integer.parseInt(statistics.group(1));
                received = Integer.parseInt(statistics.group(2));
            }
        }
        if (transmitted == null) {
            throw new IllegalArgumentException("ping printed no statistics line: " + output.strip());
        }
        List<PingReport.Echo> echoes = new ArrayList<>();
        for (int sequence = 1; sequence <= Math.max(sent, transmitted); sequence++) {
            echoes.add(replies.getOrDefault(sequence, new PingReport.Echo(sequence, null, null)));
        }
        return new PingReport(echoes, transmitted, received);
    }
}
