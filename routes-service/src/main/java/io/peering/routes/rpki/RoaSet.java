package io.peering.routes.rpki;

import io.peering.support.net.IpPrefix;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An immutable, thread-safe set of ROAs (VRPs) answering RFC 6811 route origin validation.
 *
 * <p>Layout, per address family: the distinct ROA prefixes sorted by (network address, length) in primitive arrays,
 * each with the index of its nearest enclosing ROA prefix ({@code parent}), and the ROAs of each prefix in a
 * contiguous slice sorted by (trust anchor name, asn, maxLength). Prefixes nest or are disjoint, so the ROA prefixes
 * covering a route are the route's "floor" (the last prefix not after the route in that order) or ancestors of it:
 * a lookup is one binary search (through a small sampled top level, to save cache misses) plus a walk up a parent
 * chain no deeper than the address width. Exact duplicates are dropped.
 *
 * <p>Memory is about 28 bytes per IPv4 ROA and 36 per IPv6 ROA; no per-ROA objects are kept. Build cost is one sort.
 */
public final class RoaSet {

    private static final int MAX_TRUST_ANCHORS = 1 << 24; // a trust anchor index shares an int with maxLength

    private static final RoaSet EMPTY = new Builder().build();

    private final Table ipv4;
    private final Table ipv6;
    private final String[] trustAnchors; // sorted; a ROA's ta is an index in here
    private final RpkiVerdict[] validByTa;
    private final RpkiVerdict[] invalidByTa;

    private RoaSet(Table ipv4, Table ipv6, String[] trustAnchors) {
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
        this.trustAnchors = trustAnchors;
        this.validByTa = new RpkiVerdict[trustAnchors.length];
        this.invalidByTa = new RpkiVerdict[trustAnchors.length];
        for (int i = 0; i < trustAnchors.length; i++) {
            validByTa[i] = new RpkiVerdict(RpkiVerdict.State.VALID, trustAnchors[i]);
            invalidByTa[i] = new RpkiVerdict(RpkiVerdict.State.INVALID, trustAnchors[i]);
        }
    }

    /** The set with no ROAs: every route is NOT_FOUND. */
    public static RoaSet empty() {
        return EMPTY;
    }

    public static RoaSet of(Collection<Roa> roas) {
        Builder builder = new Builder();
        for (Roa roa : roas) {
            builder.add(roa);
        }
        return builder.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Number of distinct ROAs (asn, prefix, maxLength, trust anchor). */
    public int size() {
        return ipv4.roaCount() + ipv6.roaCount();
    }

    public int ipv4Size() {
        return ipv4.roaCount();
    }

    public int ipv6Size() {
        return ipv6.roaCount();
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** The distinct trust anchor names, sorted. */
    public List<String> trustAnchors() {
        return List.of(trustAnchors);
    }

    /** Visits every ROA, IPv4 first, in prefix order. Allocates one {@link Roa} per call of {@code action}. */
    public void forEach(Consumer<? super Roa> action) {
        ipv4.forEach(false, trustAnchors, action);
        ipv6.forEach(true, trustAnchors, action);
    }

    /**
     * Validates a route given as a raw 4- or 16-byte network address. Host bits beyond {@code prefixLength} are
     * ignored.
     *
     * @param originAsn the origin AS of the route's AS_PATH; pass 0 when the path ends in an AS_SET or is empty (such
     *     a route can never be VALID). Values outside 0..4294967295 never match either.
     * @throws IllegalArgumentException if the address is not 4 or 16 bytes or the length is out of range
     */
    public RpkiVerdict validate(byte[] prefixAddress, int prefixLength, long originAsn) {
        return validate(IpPrefix.masking(Objects.requireNonNull(prefixAddress, "prefixAddress"), prefixLength), originAsn);
    }

    /** See {@link #validate(byte[], int, long)}. */
    public RpkiVerdict validate(InetAddress prefixAddress, int prefixLength, long originAsn) {
        return validate(Objects.requireNonNull(prefixAddress, "prefixAddress").getAddress(), prefixLength, originAsn);
    }

    /** See {@link #validate(byte[], int, long)}. */
    public RpkiVerdict validate(IpPrefix prefix, long originAsn) {
        return validate(prefix.isIpv6(), prefix.high(), prefix.low(), prefix.length(), originAsn);
    }

    private RpkiVerdict validate(boolean v6, long high, long low, int length, long originAsn) {
        high = IpPrefix.maskHigh(high, length);
        low = IpPrefix.maskLow(low, length);
        Table t = v6 ? ipv6 : ipv4;
        int p = t.mostSpecificCovering(high, low, length);
        if (p < 0) {
            return RpkiVerdict.NOT_FOUND;
        }
        int[] meta = t.meta;
        int[] roas = t.roas;
        // The most specific covering prefix; its ROAs are sorted by trust anchor, so the first has the lowest name.
        int invalidTa = roas[2 * meta[3 * p] + 1] >>> 8;
        int bestTa = Integer.MAX_VALUE;
        // RFC 6811: origin AS "NONE" (AS_SET / empty path, passed as 0) matches no ROA; RFC 6483: AS 0 ROAs match
        // nothing. A ROA's asn equals the origin only if both are the same non-zero value in range.
        if (originAsn > 0 && originAsn <= Roa.MAX_ASN) {
            int origin = (int) originAsn;
            for (; p >= 0 && bestTa != 0; p = meta[3 * p + 1]) {
                for (int r = meta[3 * p], end = meta[3 * p + 3]; r < end; r++) {
                    int packed = roas[2 * r + 1];
                    if (roas[2 * r] == origin && length <= (packed & 0xFF) && (packed >>> 8) < bestTa) {
                        bestTa = packed >>> 8;
                        break; // later ROAs of this prefix have a name at least as high
                    }
                }
            }
        }
        return bestTa != Integer.MAX_VALUE ? validByTa[bestTa] : invalidByTa[invalidTa];
    }

    /**
     * The ROAs covering a route (RFC 6811 "covering": the ROA prefix contains the route's prefix, whatever its
     * maxLength and AS), most specific ROA prefix first, the ROAs of one prefix by (trust anchor, asn, maxLength).
     * Empty exactly when {@link #validate} says NOT_FOUND. One lookup as for validation, then a walk up the covering
     * prefixes: it costs the covering ROAs, never the size of the set. Host bits beyond the prefix length are ignored.
     */
    public List<Roa> covering(IpPrefix prefix) {
        long high = IpPrefix.maskHigh(prefix.high(), prefix.length());
        long low = IpPrefix.maskLow(prefix.low(), prefix.length());
        Table t = prefix.isIpv6() ? ipv6 : ipv4;
        List<Roa> out = new ArrayList<>();
        for (int p = t.mostSpecificCovering(high, low, prefix.length()); p >= 0; p = t.parent(p)) {
            t.addRoas(p, prefix.isIpv6(), trustAnchors, out);
        }
        return out;
    }

    @Override
    public String toString() {
        return "RoaSet[ipv4=" + ipv4Size() + ", ipv6=" + ipv6Size() + ", trustAnchors=" + Arrays.toString(trustAnchors)
                + "]";
    }

    /**
     * One address family's lookup arrays, laid out so that a lookup touches few cache lines: a small sample of every
     * {@value #SAMPLE}th key narrows the binary search to one block, and a prefix's metadata and a ROA's fields each
     * sit together in one array.
     */
    private static final class Table {
        static final int SAMPLE = 16;

        // distinct prefixes, sorted by (high, low) unsigned then length
        final long[] high;
        final long[] low; // null for IPv4, whose low half is always zero
        final int[] meta; // prefix p: [3p] first ROA, [3p+1] parent (nearest enclosing prefix) or -1, [3p+2] length;
                          // [3n] = number of ROAs, so prefix p's ROAs are [meta[3p], meta[3p+3])
        final int[] roas; // ROA r: [2r] asn (unsigned), [2r+1] trust anchor index << 8 | maxLength
        final long[] sample; // high[k * SAMPLE]

        Table(long[] high, long[] low, int[] meta, int[] roas) {
            this.high = high;
            this.low = low;
            this.meta = meta;
            this.roas = roas;
            this.sample = new long[(high.length + SAMPLE - 1) / SAMPLE];
            for (int k = 0; k < sample.length; k++) {
                sample[k] = high[k * SAMPLE];
            }
        }

        int roaCount() {
            return roas.length / 2;
        }

        int length(int p) {
            return meta[3 * p + 2];
        }

        int parent(int p) {
            return meta[3 * p + 1];
        }

        long low(int p) {
            return low == null ? 0L : low[p];
        }

        /** The last prefix whose (address, length) is not after the given one, or -1. */
        int floor(long h, long l, int len) {
            // blocks [a*S, b*S) hold every prefix whose high equals h; before them all are smaller, after all larger
            int lo = 0;
            int hi = sample.length;
            while (lo < hi) { // first sample >= h
                int mid = (lo + hi) >>> 1;
                if (Long.compareUnsigned(sample[mid], h) < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            int b = lo;
            while (b < sample.length && sample[b] == h) {
                b++;
            }
            int from = lo == 0 ? 0 : (lo - 1) * SAMPLE;
            int to = Math.min(high.length, b * SAMPLE) - 1;
            int found = from - 1; // prefixes before the block all sort before the route
            while (from <= to) {
                int mid = (from + to) >>> 1;
                int c = Long.compareUnsigned(high[mid], h);
                if (c == 0) {
                    c = Long.compareUnsigned(low(mid), l);
                    if (c == 0) {
                        c = Integer.compare(length(mid), len);
                    }
                }
                if (c <= 0) {
                    found = mid;
                    from = mid + 1;
                } else {
                    to = mid - 1;
                }
            }
            return found;
        }

        /** The most specific ROA prefix covering the (masked) route, or -1; its parents cover the route too. */
        int mostSpecificCovering(long h, long l, int len) {
            int p = floor(h, l, len);
            while (p >= 0 && !covers(p, h, l, len)) {
                p = parent(p);
            }
            return p;
        }

        /** Adds the ROAs of prefix p to {@code out}. */
        void addRoas(int p, boolean v6, String[] tas, List<Roa> out) {
            IpPrefix prefix = IpPrefix.ofBits(v6, high[p], low(p), length(p));
            for (int r = meta[3 * p]; r < meta[3 * p + 3]; r++) {
                int packed = roas[2 * r + 1];
                out.add(new Roa(Integer.toUnsignedLong(roas[2 * r]), prefix, packed & 0xFF, tas[packed >>> 8]));
            }
        }

        /** Whether prefix p covers the (masked) route. */
        boolean covers(int p, long h, long l, int len) {
            int pl = length(p);
            return pl <= len && IpPrefix.maskHigh(h, pl) == high[p] && IpPrefix.maskLow(l, pl) == low(p);
        }

        void forEach(boolean v6, String[] tas, Consumer<? super Roa> action) {
            List<Roa> ofPrefix = new ArrayList<>();
            for (int p = 0; p < high.length; p++) {
                ofPrefix.clear();
                addRoas(p, v6, tas, ofPrefix);
                ofPrefix.forEach(action);
            }
        }
    }

    /**
     * Collects ROAs into compact primitive arrays; {@link #build()} sorts them once. Not thread-safe; may be used
     * once.
     */
    public static final class Builder {
        private final FamilyBuilder ipv4 = new FamilyBuilder(false);
        private final FamilyBuilder ipv6 = new FamilyBuilder(true);
        private final Map<String, Integer> taIds = new HashMap<>();
        private final List<String> taNames = new ArrayList<>();
        private boolean built;

        private Builder() {
        }

        public Builder add(Roa roa) {
            IpPrefix p = roa.prefix();
            (p.isIpv6() ? ipv6 : ipv4).add(p.high(), p.low(), p.length(), roa.asn(), roa.maxLength(),
                    taId(roa.trustAnchor()));
            return this;
        }

        /** Adds a ROA; arguments are checked as by {@link Roa}'s constructor. */
        public Builder add(IpPrefix prefix, long asn, int maxLength, String trustAnchor) {
            return add(new Roa(asn, prefix, maxLength, trustAnchor));
        }

        /** Number of ROAs added so far (duplicates included). */
        public int count() {
            return ipv4.size + ipv6.size;
        }

        public RoaSet build() {
            if (built) {
                throw new IllegalStateException("build() was already called on this builder");
            }
            built = true;
            String[] names = taNames.toArray(new String[0]);
            String[] sorted = names.clone();
            Arrays.sort(sorted);
            int[] rank = new int[names.length];
            for (int i = 0; i < names.length; i++) {
                rank[i] = Arrays.binarySearch(sorted, names[i]);
            }
            return new RoaSet(ipv4.build(rank), ipv6.build(rank), sorted);
        }

        private int taId(String name) {
            if (built) {
                throw new IllegalStateException("build() was already called on this builder");
            }
            Integer id = taIds.get(name);
            if (id == null) {
                if (taNames.size() == MAX_TRUST_ANCHORS) {
                    throw new IllegalStateException("more than " + MAX_TRUST_ANCHORS + " trust anchor names");
                }
                id = taNames.size();
                taIds.put(name, id);
                taNames.add(name);
            }
            return id;
        }
    }

    private static final class FamilyBuilder {
        final boolean ipv6;
        long[] high = new long[16];
        long[] low = new long[16];
        byte[] length = new byte[16];
        int[] asn = new int[16];
        byte[] maxLength = new byte[16];
        int[] ta = new int[16];
        int size;

        FamilyBuilder(boolean ipv6) {
            this.ipv6 = ipv6;
        }

        void add(long h, long l, int len, long as, int maxLen, int taId) {
            if (size == high.length) {
                int n = size + (size >> 1);
                high = Arrays.copyOf(high, n);
                low = Arrays.copyOf(low, n);
                length = Arrays.copyOf(length, n);
                asn = Arrays.copyOf(asn, n);
                maxLength = Arrays.copyOf(maxLength, n);
                ta = Arrays.copyOf(ta, n);
            }
            high[size] = h;
            low[size] = l;
            length[size] = (byte) len;
            asn[size] = (int) as;
            maxLength[size] = (byte) maxLen;
            ta[size] = taId;
            size++;
        }

        Table build(int[] rank) {
            for (int i = 0; i < size; i++) {
                ta[i] = rank[ta[i]];
            }
            int[] order = new int[size];
            for (int i = 0; i < size; i++) {
                order[i] = i;
            }
            mergeSort(order.clone(), order, 0, size);

            // distinct ROAs, grouped by distinct prefix
            int prefixes = 0;
            int roas = 0;
            for (int k = 0; k < size; k++) {
                if (k == 0 || !samePrefix(order[k - 1], order[k])) {
                    prefixes++;
                    roas++;
                } else if (compare(order[k - 1], order[k]) != 0) {
                    roas++;
                }
            }
            long[] pHigh = new long[prefixes];
            long[] pLow = new long[prefixes];
            byte[] pLength = new byte[prefixes];
            int[] meta = new int[3 * prefixes + 1];
            int[] rData = new int[2 * roas];
            int p = -1;
            int r = 0;
            for (int k = 0; k < size; k++) {
                int i = order[k];
                boolean newPrefix = k == 0 || !samePrefix(order[k - 1], i);
                if (!newPrefix && compare(order[k - 1], i) == 0) {
                    continue; // exact duplicate
                }
                if (newPrefix) {
                    p++;
                    pHigh[p] = high[i];
                    pLow[p] = low[i];
                    pLength[p] = length[i];
                    meta[3 * p] = r;
                    meta[3 * p + 2] = length[i] & 0xFF;
                }
                rData[2 * r] = asn[i];
                rData[2 * r + 1] = ta[i] << 8 | (maxLength[i] & 0xFF);
                r++;
            }
            meta[3 * prefixes] = r;

            // parent links: walk in order keeping the chain of open (enclosing) prefixes on a stack
            int[] stack = new int[130];
            int depth = 0;
            for (int q = 0; q < prefixes; q++) {
                while (depth > 0 && !encloses(pHigh, pLow, pLength, stack[depth - 1], q)) {
                    depth--;
                }
                meta[3 * q + 1] = depth > 0 ? stack[depth - 1] : -1;
                stack[depth++] = q;
            }
            // release the builder's copy
            high = null;
            low = null;
            length = null;
            asn = null;
            maxLength = null;
            ta = null;
            return new Table(pHigh, ipv6 ? pLow : null, meta, rData);
        }

        private static boolean encloses(long[] h, long[] l, byte[] len, int outer, int inner) {
            int ol = len[outer] & 0xFF;
            return ol <= (len[inner] & 0xFF) && IpPrefix.maskHigh(h[inner], ol) == h[outer]
                    && IpPrefix.maskLow(l[inner], ol) == l[outer];
        }

        private boolean samePrefix(int a, int b) {
            return high[a] == high[b] && low[a] == low[b] && length[a] == length[b];
        }

        /** Order: address, prefix length, trust anchor rank, asn, maxLength. */
        private int compare(int a, int b) {
            int c = Long.compareUnsigned(high[a], high[b]);
            if (c != 0) {
                return c;
            }
            c = Long.compareUnsigned(low[a], low[b]);
            if (c != 0) {
                return c;
            }
            c = Integer.compare(length[a] & 0xFF, length[b] & 0xFF);
            if (c != 0) {
                return c;
            }
            c = Integer.compare(ta[a], ta[b]);
            if (c != 0) {
                return c;
            }
            c = Integer.compareUnsigned(asn[a], asn[b]);
            if (c != 0) {
                return c;
            }
            return Integer.compare(maxLength[a] & 0xFF, maxLength[b] & 0xFF);
        }

        /** Stable merge sort of indices; {@code src} and {@code dst} start equal, the result ends in {@code dst}. */
        private void mergeSort(int[] src, int[] dst, int from, int to) {
            if (to - from < 24) {
                for (int i = from + 1; i < to; i++) {
                    int v = dst[i];
                    int j = i - 1;
                    while (j >= from && compare(dst[j], v) > 0) {
                        dst[j + 1] = dst[j];
                        j--;
                    }
                    dst[j + 1] = v;
                }
                return;
            }
            int mid = (from + to) >>> 1;
            mergeSort(dst, src, from, mid);
            mergeSort(dst, src, mid, to);
            if (compare(src[mid - 1], src[mid]) <= 0) {
                System.arraycopy(src, from, dst, from, to - from);
                return;
            }
            for (int i = from, a = from, b = mid; i < to; i++) {
                if (b >= to || (a < mid && compare(src[a], src[b]) <= 0)) {
                    dst[i] = src[a++];
                } else {
                    dst[i] = src[b++];
                }
            }
        }
    }
}
