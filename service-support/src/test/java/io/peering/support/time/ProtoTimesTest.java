package io.peering.support.time;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProtoTimesTest {

    @Test
    void anInstantAndItsTimestampAreTheSameTimeToTheNanosecond() {
        Instant t = Instant.parse("2026-12-06T14:32:52.123456789Z");

        assertThat(ProtoTimes.timestamp(t)).isEqualTo(Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(123_456_789).build());
        assertThat(ProtoTimes.instant(ProtoTimes.timestamp(t))).isEqualTo(t);
        assertThat(ProtoTimes.instant(ProtoTimes.timestamp(Instant.parse("1969-12-31T23:59:59.5Z")))).isEqualTo("1969-12-31T23:59:59.5Z");
    }

    @Test
    void aRequestsTimeIsCheckedOnWhatATimestampMayHold() {
        assertThat(ProtoTimes.instant("end_time", Timestamp.newBuilder().setSeconds(253_402_300_799L).setNanos(999_999_999).build()))
                .isEqualTo("9999-12-31T23:59:59.999999999Z");
        assertThat(ProtoTimes.instant("end_time", Timestamp.newBuilder().setSeconds(-62_135_596_800L).build()))
                .isEqualTo("0001-01-01T00:00:00Z");
        assertThatThrownBy(() -> ProtoTimes.instant("time_range.end_time", Timestamp.newBuilder().setSeconds(253_402_300_800L).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("time_range.end_time is not a valid Timestamp: it needs"
                            + " seconds within -62135596800..253402300799 (0001-01-01T00:00:00Z..9999-12-31T23:59:59Z) and nanos"
                            + " within 0..999999999; got seconds 253402300800, nanos 0");
                });
        assertThat(ProtoTimes.isValid(Timestamp.newBuilder().setNanos(-1).build())).isFalse();
        assertThat(ProtoTimes.isValid(Timestamp.newBuilder().setNanos(1_000_000_000).build())).isFalse();
    }

    @Test
    void anOptionalTimeThatIsNotSetIsNullAndOneThatIsSetIsChecked() {
        Timestamp outOfRange = Timestamp.newBuilder().setSeconds(Long.MAX_VALUE).build();

        assertThat(ProtoTimes.instantIfSet("start_time", false, outOfRange)).isNull();
        assertThatThrownBy(() -> ProtoTimes.instantIfSet("start_time", true, outOfRange))
                .hasMessageContaining("start_time is not a valid Timestamp");
        assertThat(ProtoTimes.instantIfSet("start_time", true, Timestamp.newBuilder().setSeconds(60).build()))
                .isEqualTo("1970-01-01T00:01:00Z");
    }
}
