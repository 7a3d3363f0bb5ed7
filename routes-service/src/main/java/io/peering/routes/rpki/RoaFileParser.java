package io.peering.routes.rpki;

import io.peering.support.net.IpPrefix;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads the VRP JSON export of rpki-client ({@code -j}) or Routinator ({@code vrps --format json / jsonext}).
 *
 * <p>Both shapes are accepted: {@code {"metadata": {...}, "roas": [{"asn": 13335 | "AS13335", "prefix":
 * "1.0.0.0/24", "maxLength": 24, "ta": "apnic", ...}, ...]}}. A missing maxLength means the prefix length, a missing
 * ta means "". Other top-level members and entry fields (metadata, expires, source, aspas, ...) are skipped.
 *
 * <p>An entry that is not usable (host bits set, not an address literal, maxLength out of range, asn outside
 * 0..4294967295, missing field, wrong type) is skipped and counted, and the first few messages are kept. A file that
 * is not JSON, is not a JSON object, or has no "roas" array fails as a whole with a {@link RoaFileException} naming
 * the file.
 *
 * <p>The file is streamed with Jackson's {@link JsonParser} (no data binding, no reflection) straight into a
 * {@link RoaSet.Builder}'s primitive arrays; no tree or per-entry objects are kept. Instances are thread-safe.
 */
public final class RoaFileParser {

    /** How many skipped-entry messages a {@link Result} keeps by default. */
    public static final int DEFAULT_ERROR_EXAMPLES = 10;

    private final JsonFactory factory;
    private final int maxErrorExamples;

    public RoaFileParser() {
        this(DEFAULT_ERROR_EXAMPLES);
    }

    public RoaFileParser(int maxErrorExamples) {
        if (maxErrorExamples < 0) {
            throw new IllegalArgumentException("maxErrorExamples must be >= 0");
        }
        this.maxErrorExamples = maxErrorExamples;
        // the caller of parse(InputStream, ...) owns the stream
        this.factory = JsonFactory.builder().disable(StreamReadFeature.AUTO_CLOSE_SOURCE).build();
    }

    /**
     * The outcome of a parse.
     *
     * @param roaSet the usable ROAs (exact duplicates collapsed)
     * @param entries entries seen in the "roas" array
     * @param skippedEntries entries skipped as unusable
     * @param errorExamples messages for the first few skipped entries, e.g. {@code roas[7]: invalid prefix ...}
     */
    public record Result(RoaSet roaSet, long entries, long skippedEntries, List<String> errorExamples) {
        public Result {
            Objects.requireNonNull(roaSet, "roaSet");
            errorExamples = List.copyOf(errorExamples);
        }
    }

    /**
     * Parses a ROA file.
     *
     * @throws NoSuchFileException if the file does not exist
     * @throws RoaFileException if the file is unreadable, not JSON, or has no "roas" array
     */
    public Result parse(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new RoaFileException("cannot read ROA file " + file + ": " + e, e);
        }
        try (in) {
            return parse(in, file.toString());
        }
    }

    /**
     * Parses ROA JSON from a stream (not closed here).
     *
     * @param source names the data in error messages, typically the file path
     * @throws RoaFileException if the data is not JSON or has no "roas" array
     */
    public Result parse(InputStream in, String source) throws IOException {
        Objects.requireNonNull(in, "in");
        try (JsonParser parser = factory.createParser(in)) {
            return parse(parser, source);
        } catch (RoaFileException e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw new RoaFileException("ROA file " + source + " is not valid JSON: " + describe(e), e);
        } catch (IOException e) {
            throw new RoaFileException("cannot read ROA file " + source + ": " + e, e);
        }
    }

    private Result parse(JsonParser parser, String source) throws IOException {
        JsonToken token = parser.nextToken();
        if (token == null) {
            throw new RoaFileException("ROA file " + source + " is empty, expected a JSON object with a \"roas\" array");
        }
        if (token != JsonToken.START_OBJECT) {
            throw new RoaFileException("ROA file " + source + " is not a JSON object (starts with " + token.asString()
                    + "), expected a JSON object with a \"roas\" array");
        }
        Entries entries = new Entries();
        boolean sawRoas = false;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            token = parser.nextToken();
            if ("roas".equals(name)) {
                if (token != JsonToken.START_ARRAY) {
                    throw new RoaFileException("ROA file " + source + ": \"roas\" is not an array (found "
                            + describe(token) + ")");
                }
                sawRoas = true;
                readRoas(parser, entries);
            } else {
                parser.skipChildren();
            }
        }
        if (token != JsonToken.END_OBJECT) {
            throw new RoaFileException("ROA file " + source + " is not valid JSON: unexpected " + describe(token));
        }
        if (parser.nextToken() != null) {
            throw new RoaFileException("ROA file " + source + " is not valid JSON: unexpected content after the "
                    + "top-level object at " + position(parser.currentTokenLocation()));
        }
        if (!sawRoas) {
            throw new RoaFileException("ROA file " + source + " has no \"roas\" array");
        }
        return new Result(entries.builder.build(), entries.index, entries.skipped, entries.examples);
    }

    private final class Entries {
        final RoaSet.Builder builder = RoaSet.builder();
        final List<String> examples = new ArrayList<>();
        long index;
        long skipped;

        void skip(String message) {
            skipped++;
            if (examples.size() < maxErrorExamples) {
                examples.add("roas[" + index + "]: " + message);
            }
        }
    }

    private static void readRoas(JsonParser parser, Entries entries) throws IOException {
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == null) { // Jackson normally reports this itself
                throw new JsonEOFException(parser, null, "unexpected end of input inside the \"roas\" array");
            }
            if (token != JsonToken.START_OBJECT) {
                parser.skipChildren();
                entries.skip("entry is not an object but " + describe(token));
            } else {
                readEntry(parser, entries);
            }
            entries.index++;
        }
    }

    private static void readEntry(JsonParser parser, Entries entries) throws IOException {
        String problem = null;
        long asn = -1;
        String prefixText = null;
        long maxLength = -1;
        String ta = "";
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            token = parser.nextToken();
            switch (field) {
                case "asn" -> {
                    asn = readAsn(parser, token);
                    if (asn < 0 && problem == null) {
                        problem = "asn " + valueText(parser, token) + " is not an AS number in 0..4294967295";
                    }
                }
                case "prefix" -> {
                    if (token == JsonToken.VALUE_STRING) {
                        prefixText = parser.getText();
                    } else if (problem == null) {
                        problem = "prefix is not a string but " + describe(token);
                    }
                }
                case "maxLength" -> {
                    if (token == JsonToken.VALUE_NULL) {
                        maxLength = -1;
                    } else {
                        maxLength = readSmallInt(parser, token);
                        if (maxLength < 0 && problem == null) {
                            problem = "maxLength " + valueText(parser, token) + " is not a prefix length";
                        }
                    }
                }
                case "ta" -> {
                    if (token == JsonToken.VALUE_STRING) {
                        ta = parser.getText();
                    } else if (token == JsonToken.VALUE_NULL) {
                        ta = "";
                    } else if (problem == null) {
                        problem = "ta is not a string but " + describe(token);
                    }
                }
                default -> {
                    // expires, source, tal, ...
                }
            }
            parser.skipChildren(); // no-op for scalars; keeps us in step after unexpected objects/arrays
        }
        if (token != JsonToken.END_OBJECT) {
            throw new JsonEOFException(parser, token,
                    "unexpected end of input inside a \"roas\" entry");
        }
        if (problem == null && prefixText == null) {
            problem = "missing prefix";
        }
        if (problem == null && asn < 0) {
            problem = "missing asn";
        }
        if (problem != null) {
            entries.skip(problem);
            return;
        }
        IpPrefix prefix;
        try {
            prefix = IpPrefix.parse(prefixText.strip());
        } catch (IllegalArgumentException e) {
            entries.skip(e.getMessage());
            return;
        }
        int max = maxLength < 0 ? prefix.length() : (int) maxLength;
        if (max < prefix.length()) {
            entries.skip("maxLength " + max + " is less than the prefix length of " + prefix);
            return;
        }
        if (max > prefix.addressBits()) {
            entries.skip("maxLength " + max + " exceeds " + prefix.addressBits() + " for " + prefix);
            return;
        }
        entries.builder.add(new Roa(asn, prefix, max, ta));
    }

    /** The AS number, or -1 if unusable. Accepts 13335, "13335", "AS13335", "as13335". */
    private static long readAsn(JsonParser parser, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_NUMBER_INT) {
            if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                return -1;
            }
            long v = parser.getLongValue();
            return v >= 0 && v <= Roa.MAX_ASN ? v : -1;
        }
        if (token == JsonToken.VALUE_STRING) {
            String s = parser.getText().strip();
            if (s.regionMatches(true, 0, "AS", 0, 2)) {
                s = s.substring(2);
            }
            return parseDecimal(s, 10, Roa.MAX_ASN);
        }
        return -1;
    }

    /** A non-negative int up to 255 from a JSON integer or numeric string, or -1. */
    private static long readSmallInt(JsonParser parser, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_NUMBER_INT) {
            if (parser.getNumberType() != JsonParser.NumberType.INT) {
                return -1;
            }
            int v = parser.getIntValue();
            return v >= 0 && v <= 255 ? v : -1;
        }
        if (token == JsonToken.VALUE_STRING) {
            return parseDecimal(parser.getText().strip(), 3, 255);
        }
        return -1;
    }

    private static long parseDecimal(String s, int maxDigits, long max) {
        if (s.isEmpty() || s.length() > maxDigits) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= max ? v : -1;
    }

    private static String valueText(JsonParser parser, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_STRING) {
            String s = parser.getText();
            return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
        if (token != null && token.isScalarValue()) {
            return parser.getText();
        }
        return describe(token);
    }

    private static String describe(JsonToken token) {
        if (token == null) {
            return "end of input";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.name();
        };
    }

    private static String describe(JsonProcessingException e) {
        JsonLocation location = e.getLocation();
        String message = e.getOriginalMessage();
        int newline = message.indexOf('\n');
        if (newline >= 0) {
            message = message.substring(0, newline);
        }
        return location == null ? message : message + " at " + position(location);
    }

    private static String position(JsonLocation location) {
        return "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
