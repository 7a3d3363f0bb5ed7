package io.peering.routes.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Parses the output of Linux {@code traceroute -n} (the traceroute package): a header line, then per TTL
 * " 3  192.0.2.1  0.512 ms  0.498 ms *  192.0.2.9  0.7 ms". An address applies to the times after it;
 * annotations like "!H" or "!N" after a time are skipped.
 */
public final class TracerouteOutput {

    private static final Pattern HOP = Pattern.compile("^\\s*\\d+\\s.*");
    private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f.:]*[.:][0-9A-Fa-f.:]*");
    private static final Pattern TIME = Pattern.compile("[0-9]+(\\.[0-9]+)?");

    private TracerouteOutput() {
    }

    /** @throws IllegalArgumentException on a hop line this parser does not understand */
    public static TraceReport parse(String output) {
        List<TraceReport.Hop> hops = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (!HOP.matcher(line).matches()) {
                continue; // the "traceroute to ..." header
            }
            String[] tokens = line.trim().split("\\s+");
            int ttl = Integer.parseInt(tokens[0]);
            List<TraceReport.Answer> answers = new ArrayList<>();
            String address = null;
            for (int i = 1; i < tokens.length; i++) {
                String t = tokens[i];
                if (t.equals("*")) {
                    answers.add(new TraceReport.Answer(null, null));
                } else if (TIME.matcher(t).matches() && i + 1 < tokens.length && tokens[i + 1].equals("ms")) {
                    if (address == null) {
                        throw new IllegalArgumentException("traceroute hop line with a time before any address: " + line);
                    }
                    answers.add(new TraceReport.Answer(address, Double.parseDouble(t)));
                    i++;
                } else if (ADDRESS.matcher(t).matches()) {
                    address = t;
                } else if (!t.startsWith("!")) {
                    throw new IllegalArgumentException("traceroute hop line not understood at \"" + t + "\": " + line);
                }
            }
            hops.add(new TraceReport.Hop(ttl, answers));
        }
        return new TraceReport(hops);
    }
}
