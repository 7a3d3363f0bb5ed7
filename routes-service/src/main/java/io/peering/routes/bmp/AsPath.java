package io.peering.routes.bmp;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A BGP AS_PATH as a list of segments. {@link #toString()} gives the usual display form:
 * {@code 65001 65002 {65003,65004}}, confederation sequences in parentheses and confederation sets
 * in brackets.
 */
public record AsPath(List<Segment> segments) {
    public static final AsPath EMPTY = new AsPath(List.of());

    public AsPath {
        segments = List.copyOf(segments);
    }

    public enum SegmentType {
        AS_SET(1), AS_SEQUENCE(2), AS_CONFED_SEQUENCE(3), AS_CONFED_SET(4);

        public final int code;

        SegmentType(int code) {
            this.code = code;
        }

        static SegmentType of(int code) {
            for (SegmentType t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }
    }

    public record Segment(SegmentType type, List<Long> asns) {
        public Segment {
            asns = List.copyOf(asns);
        }

        @Override
        public String toString() {
            String sep = type == SegmentType.AS_SET || type == SegmentType.AS_CONFED_SET ? "," : " ";
            String body = asns.stream().map(String::valueOf).collect(Collectors.joining(sep));
            return switch (type) {
                case AS_SEQUENCE -> body;
                case AS_SET -> "{" + body + "}";
                case AS_CONFED_SEQUENCE -> "(" + body + ")";
                case AS_CONFED_SET -> "[" + body + "]";
            };
        }
    }

    /**
     * The origin AS: the last ASN of the path when the path ends in a non-empty AS_SEQUENCE;
     * 0 when the path is empty or ends in an AS_SET or a confederation segment.
     */
    public long originAs() {
        if (segments.isEmpty()) {
            return 0;
        }
        Segment last = segments.get(segments.size() - 1);
        if (last.type() != SegmentType.AS_SEQUENCE || last.asns().isEmpty()) {
            return 0;
        }
        return last.asns().get(last.asns().size() - 1);
    }

    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("\\{[^}]*}|\\([^)]*\\)|\\[[^\\]]*\\]|\\S+");

    /**
     * The path back from its display form ({@link #toString()}), as the routes tables store it: "64500 64501 {64502,64503}".
     *
     * @throws IllegalArgumentException when the text is not that form
     */
    public static AsPath parse(String text) {
        List<Segment> segments = new ArrayList<>();
        List<Long> sequence = new ArrayList<>();
        java.util.regex.Matcher tokens = TOKEN.matcher(text);
        while (tokens.find()) {
            String token = tokens.group();
            char open = token.charAt(0);
            SegmentType grouped = switch (open) {
                case '{' -> SegmentType.AS_SET;
                case '(' -> SegmentType.AS_CONFED_SEQUENCE;
                case '[' -> SegmentType.AS_CONFED_SET;
                default -> null;
            };
            if (grouped == null) {
                sequence.add(asn(token, text));
                continue;
            }
            if (!sequence.isEmpty()) {
                segments.add(new Segment(SegmentType.AS_SEQUENCE, sequence));
                sequence = new ArrayList<>();
            }
            char close = switch (open) { case '{' -> '}'; case '(' -> ')'; default -> ']'; };
            if (token.length() < 3 || token.charAt(token.length() - 1) != close) {
                throw new IllegalArgumentException("not an AS path: \"" + text + "\"");
            }
            List<Long> members = new ArrayList<>();
            for (String asn : token.substring(1, token.length() - 1).split(grouped == SegmentType.AS_CONFED_SEQUENCE ? " " : ",")) {
                members.add(asn(asn, text));
            }
            segments.add(new Segment(grouped, members));
        }
        if (!sequence.isEmpty()) {
            segments.add(new Segment(SegmentType.AS_SEQUENCE, sequence));
        }
        return new AsPath(segments);
    }

    private static long asn(String token, String text) {
        try {
            long asn = Long.parseLong(token);
            if (asn >= 0 && asn <= 0xFFFF_FFFFL) {
                return asn;
            }
        } catch (NumberFormatException e) {
            // reported below, with the whole path
        }
        throw new IllegalArgumentException("not an AS path: \"" + text + "\" (\"" + token + "\" is not an ASN)");
    }

    /** Path length as RFC 4271/6793 count it: each AS in a sequence is 1, a set is 1, confederation segments 0. */
    public int pathLength() {
        int n = 0;
        for (Segment s : segments) {
            n += switch (s.type()) {
                case AS_SEQUENCE -> s.asns().size();
                case AS_SET -> 1;
                default -> 0;
            };
        }
        return n;
    }

    /**
     * RFC 6793 section 4.2.3: rebuilds the real path of a 2-byte session from AS_PATH (with AS_TRANS)
     * and AS4_PATH. If AS_PATH is shorter than AS4_PATH, AS4_PATH is ignored; otherwise the leading
     * part of AS_PATH is kept and AS4_PATH replaces the rest.
     */
    public static AsPath merge(AsPath asPath, AsPath as4Path) {
        int keep = asPath.pathLength() - as4Path.pathLength();
        if (keep < 0) {
            return asPath;
        }
        List<Segment> out = new ArrayList<>();
        for (Segment s : asPath.segments()) {
            if (keep == 0 && (s.type() == SegmentType.AS_SEQUENCE || s.type() == SegmentType.AS_SET)) {
                break;
            }
            switch (s.type()) {
                case AS_SEQUENCE -> {
                    int take = Math.min(keep, s.asns().size());
                    out.add(new Segment(s.type(), s.asns().subList(0, take)));
                    keep -= take;
                }
                case AS_SET -> {
                    out.add(s);
                    keep -= 1;
                }
                default -> out.add(s); // confederation segments do not count towards the length
            }
        }
        out.addAll(as4Path.segments());
        return new AsPath(out);
    }

    @Override
    public String toString() {
        return segments.stream().map(Segment::toString).collect(Collectors.joining(" "));
    }
}
