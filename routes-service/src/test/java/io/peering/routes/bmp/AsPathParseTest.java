package io.peering.routes.bmp;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link AsPath#parse} reads back the display form the routes tables store. */
class AsPathParseTest {

    @Test
    void displayFormOfEverySegmentTypeParsesBackToTheSamePath() {
        AsPath path = new AsPath(List.of(
                new AsPath.Segment(AsPath.SegmentType.AS_CONFED_SEQUENCE, List.of(65001L, 65002L)),
                new AsPath.Segment(AsPath.SegmentType.AS_SEQUENCE, List.of(64500L, 4200000001L)),
                new AsPath.Segment(AsPath.SegmentType.AS_SET, List.of(64502L, 64503L)),
                new AsPath.Segment(AsPath.SegmentType.AS_CONFED_SET, List.of(65003L))));

        assertThat(AsPath.parse(path.toString())).isEqualTo(path);
        assertThat(AsPath.parse(path.toString()).pathLength()).isEqualTo(3);
        assertThat(AsPath.parse("")).isEqualTo(AsPath.EMPTY);
    }

    @Test
    void textThatIsNoAsPathIsRefusedNamingTheToken() {
        assertThatThrownBy(() -> AsPath.parse("64500 AS64501")).hasMessageContaining("\"AS64501\" is not an ASN");
        assertThatThrownBy(() -> AsPath.parse("64500 {64501")).isInstanceOf(IllegalArgumentException.class);
    }
}
