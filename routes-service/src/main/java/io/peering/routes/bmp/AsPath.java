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
