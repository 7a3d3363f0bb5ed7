package io.peering.routes.rpki;

import static io.peering.routes.rpki.RpkiVerdict.State.INVALID;
import static io.peering.routes.rpki.RpkiVerdict.State.VALID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.peering.support.net.IpPrefix;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoaFileParserTest {

    @TempDir
    Path dir;

    private final RoaFileParser parser = new RoaFileParser();

    private Path write(String name, String content) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    private static RpkiVerdict check(RoaSet set, String route, long origin) {
        return set.validate(IpPrefix.parse(route), origin);
    }

    @Test
    void readsRpkiClientFormatWithNumericAsnsAndExtraFields() throws Exception {
        Path file = write("rpki-client.json", """
                {
                  "metadata": {
                    "buildmachine": "rpki.example.net",
                    "buildtime": "2024-05-01T10:00:00Z",
                    "elapsedtime": 120,
                    "roas": 3,
                    "tals": ["apnic", "ripe"]
                  },
                  "roas": [
                    { "asn": 13335, "prefix": "1.0.0.0/24", "maxLength": 24, "ta": "apnic", "expires": 1700000000 },
                    { "asn": 4200000000, "prefix": "2001:db8::/32", "maxLength": 48, "ta": "ripe", "expires": 1700000000 },
                    { "asn": 0, "prefix": "192.0.2.0/24", "maxLength": 32, "ta": "ripe", "expires": 1700000000 }
                  ],
                  "aspas": [ { "customer_asid": 15562, "providers": [2914, 8283] } ],
                  "bgpsec_keys": []
                }
                """);
        RoaFileParser.Result result = parser.parse(file);
        assertThat(result.entries()).isEqualTo(3);
        assertThat(result.skippedEntries()).isZero();
        assertThat(result.errorExamples()).isEmpty();
        RoaSet set = result.roaSet();
        assertThat(set.size()).isEqualTo(3);
        assertThat(set.trustAnchors()).containsExactly("apnic", "ripe");
        assertThat(check(set, "1.0.0.0/24", 13335)).isEqualTo(new RpkiVerdict(VALID, "apnic"));
        assertThat(check(set, "2001:db8:1::/48", 4200000000L)).isEqualTo(new RpkiVerdict(VALID, "ripe"));
        assertThat(check(set, "192.0.2.0/24", 64500)).isEqualTo(new RpkiVerdict(INVALID, "ripe"));
    }

    @Test
    void readsRoutinatorFormatWithAsPrefixedStringAsns() throws Exception {
        Path file = write("routinator.json", """
                {"metadata":{"generated":1714557600,"generatedTime":"2024-05-01T10:00:00Z"},"roas":[
                {"asn":"AS13335","prefix":"1.1.1.0/24","maxLength":24,"ta":"apnic"},
                {"asn":"as64500","prefix":"2001:db8::/32","maxLength":32,"ta":"ripe"},
                {"asn":"64501","prefix":"10.0.0.0/8","maxLength":"16","ta":"arin",
                 "source":[{"type":"roa","uri":"rsync://example/x.roa","validity":{"notBefore":"a","notAfter":"b"},
                            "chainValidity":{"notBefore":"a","notAfter":"b"}}]}
                ]}
                """);
        RoaFileParser.Result result = parser.parse(file);
        assertThat(result.skippedEntries()).isZero();
        RoaSet set = result.roaSet();
        assertThat(set.size()).isEqualTo(3);
        assertThat(check(set, "1.1.1.0/24", 13335)).isEqualTo(new RpkiVerdict(VALID, "apnic"));
        assertThat(check(set, "2001:db8::/32", 64500)).isEqualTo(new RpkiVerdict(VALID, "ripe"));
        assertThat(check(set, "10.1.0.0/16", 64501)).isEqualTo(new RpkiVerdict(VALID, "arin"));
        assertThat(check(set, "10.1.1.0/24", 64501)).isEqualTo(new RpkiVerdict(INVALID, "arin"));
    }

    @Test
    void missingMaxLengthMeansThePrefixLengthAndMissingTaMeansEmpty() throws Exception {
        Path file = write("minimal.json", """
                {"roas": [{"asn": 64500, "prefix": "10.0.0.0/16"}, {"asn": 64501, "prefix": "10.1.0.0/16",
                 "maxLength": null, "ta": null}]}
                """);
        RoaFileParser.Result result = parser.parse(file);
        assertThat(result.skippedEntries()).isZero();
        List<Roa> roas = new ArrayList<>();
        result.roaSet().forEach(roas::add);
        assertThat(roas).containsExactly(new Roa(64500, IpPrefix.parse("10.0.0.0/16"), 16, ""),
                new Roa(64501, IpPrefix.parse("10.1.0.0/16"), 16, ""));
        assertThat(check(result.roaSet(), "10.0.0.0/17", 64500)).isEqualTo(new RpkiVerdict(INVALID, ""));
    }

    @Test
    void badEntriesAreSkippedCountedAndExplained() throws Exception {
        Path file = write("bad.json", """
                {"roas": [
                  {"asn": 1, "prefix": "10.0.0.0/8", "maxLength": 8, "ta": "ok"},
                  {"asn": 2, "prefix": "10.0.0.1/24", "maxLength": 24, "ta": "x"},
                  {"asn": 3, "prefix": "example.com/24", "maxLength": 24, "ta": "x"},
                  {"asn": 4, "prefix": "10.0.0.0/16", "maxLength": 8, "ta": "x"},
                  {"asn": 5, "prefix": "10.0.0.0/16", "maxLength": 33, "ta": "x"},
                  {"asn": 6, "prefix": "2001:db8::/32", "maxLength": 129, "ta": "x"},
                  {"asn": 4294967296, "prefix": "10.0.0.0/16", "maxLength": 16, "ta": "x"},
                  {"asn": -1, "prefix": "10.0.0.0/16", "maxLength": 16, "ta": "x"},
                  {"asn": "ASfoo", "prefix": "10.0.0.0/16", "maxLength": 16, "ta": "x"},
                  {"asn": 99999999999999999999999, "prefix": "10.0.0.0/16", "ta": "x"},
                  {"asn": 1.5, "prefix": "10.0.0.0/16", "ta": "x"},
                  {"prefix": "10.0.0.0/16", "ta": "x"},
                  {"asn": 7, "ta": "x"},
                  {"asn": 8, "prefix": ["10.0.0.0/16"], "ta": "x"},
                  {"asn": 9, "prefix": "10.0.0.0/16", "ta": {"name": "x"}},
                  "not an object",
                  [1, 2],
                  {"asn": 10, "prefix": "2001:db8::/32", "maxLength": 48, "ta": "ok"}
                ]}
                """);
        RoaFileParser.Result result = parser.parse(file);
        assertThat(result.entries()).isEqualTo(18);
        assertThat(result.skippedEntries()).isEqualTo(16);
        assertThat(result.roaSet().size()).isEqualTo(2);
        assertThat(result.errorExamples()).hasSize(RoaFileParser.DEFAULT_ERROR_EXAMPLES);
        assertThat(result.errorExamples().get(0)).startsWith("roas[1]: ").contains("host bits set");
        assertThat(result.errorExamples().get(1)).startsWith("roas[2]: ").contains("not an IPv4 address literal");
        assertThat(result.errorExamples().get(2)).contains("maxLength 8 is less than the prefix length");
        assertThat(result.errorExamples().get(3)).contains("maxLength 33 exceeds 32");
        assertThat(result.errorExamples().get(4)).contains("maxLength 129 exceeds 128");
        assertThat(result.errorExamples().get(5)).contains("asn 4294967296 is not an AS number");
        assertThat(result.errorExamples().get(6)).contains("asn -1");
        assertThat(result.errorExamples().get(7)).contains("asn \"ASfoo\"");

        RoaFileParser.Result all = new RoaFileParser(100).parse(file);
        assertThat(all.errorExamples()).hasSize(16);
        assertThat(all.errorExamples().get(8)).startsWith("roas[9]: asn");
        assertThat(all.errorExamples().get(9)).startsWith("roas[10]: asn 1.5");
        assertThat(all.errorExamples().get(10)).isEqualTo("roas[11]: missing asn");
        assertThat(all.errorExamples().get(11)).isEqualTo("roas[12]: missing prefix");
        assertThat(all.errorExamples().get(12)).isEqualTo("roas[13]: prefix is not a string but an array");
        assertThat(all.errorExamples().get(13)).isEqualTo("roas[14]: ta is not a string but an object");
        assertThat(all.errorExamples().get(14)).isEqualTo("roas[15]: entry is not an object but a string");
        assertThat(all.errorExamples().get(15)).isEqualTo("roas[16]: entry is not an object but an array");
    }

    @Test
    void notJsonFailsWithAMessageNamingTheFileAndTheProblem() throws Exception {
        Path file = write("roas.json", "<html><body>502 Bad Gateway</body></html>\n");
        assertThatThrownBy(() -> parser.parse(file)).isInstanceOf(RoaFileException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("is not valid JSON")
                .hasMessageContaining("line 1, column");
    }

    @Test
    void truncatedFileFailsAsNotJson() throws Exception {
        Path file = write("truncated.json", "{\"roas\": [{\"asn\": 1, \"prefix\": \"10.0.0.0/8\"}, {\"asn\": 2, \"pre");
        assertThatThrownBy(() -> parser.parse(file)).isInstanceOf(RoaFileException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("is not valid JSON");
    }

    @Test
    void missingRoasArrayFails() throws Exception {
        Path file = write("aspa-only.json", "{\"metadata\": {}, \"aspas\": []}");
        assertThatThrownBy(() -> parser.parse(file)).isInstanceOf(RoaFileException.class)
                .hasMessage("ROA file " + file + " has no \"roas\" array");
    }

    @Test
    void roasThatIsNotAnArrayFails() throws Exception {
        Path file = write("object.json", "{\"roas\": {\"asn\": 1}}");
        assertThatThrownBy(() -> parser.parse(file)).isInstanceOf(RoaFileException.class)
                .hasMessage("ROA file " + file + ": \"roas\" is not an array (found an object)");
    }

    @Test
    void topLevelArrayEmptyFileAndTrailingGarbageFail() throws Exception {
        Path array = write("array.json", "[{\"asn\": 1, \"prefix\": \"10.0.0.0/8\"}]");
        assertThatThrownBy(() -> parser.parse(array)).isInstanceOf(RoaFileException.class)
                .hasMessageContaining(array.toString()).hasMessageContaining("is not a JSON object");
        Path empty = write("empty.json", "");
        assertThatThrownBy(() -> parser.parse(empty)).isInstanceOf(RoaFileException.class)
                .hasMessageContaining(empty.toString()).hasMessageContaining("is empty");
        Path trailing = write("trailing.json", "{\"roas\": []} {\"roas\": []}");
        assertThatThrownBy(() -> parser.parse(trailing)).isInstanceOf(RoaFileException.class)
                .hasMessageContaining(trailing.toString()).hasMessageContaining("after the top-level object");
    }

    @Test
    void missingFileIsReportedAsNoSuchFile() {
        assertThatThrownBy(() -> parser.parse(dir.resolve("absent.json"))).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void parsingAStreamLeavesItOpenForTheCaller() throws Exception {
        boolean[] closed = {false};
        ByteArrayInputStream in = new ByteArrayInputStream(
                "{\"roas\": [{\"asn\": 1, \"prefix\": \"10.0.0.0/8\"}]}".getBytes(StandardCharsets.UTF_8)) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        assertThat(parser.parse(in, "inline").roaSet().size()).isEqualTo(1);
        assertThat(closed[0]).isFalse();
    }

    @Test
    void emptyRoasArrayGivesAnEmptySet() throws Exception {
        RoaFileParser.Result result = parser.parse(
                new ByteArrayInputStream("{\"roas\": []}".getBytes(StandardCharsets.UTF_8)), "inline");
        assertThat(result.roaSet().isEmpty()).isTrue();
        assertThat(result.entries()).isZero();
    }
}
