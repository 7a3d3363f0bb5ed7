package io.peering.tools.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TCP reassembly: ordering, retransmissions, overlaps, SYN offset, wrap-around, gaps, deliveries. */
class TcpReassemblerTest {
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    private static final int PSH_ACK = 0x18;

    /** Packets of one direction, client 192.0.2.1:40000 to collector 192.0.2.2:1790. */
    private final List<CapturedPacket> packets = new ArrayList<>();

    private void send(long seq, int flags, String payload) {
        packets.add(new CapturedPacket(packets.size(), 228, Instant.ofEpochSecond(1000 + packets.size()),
                Frames.tcp4("192.0.2.1", 40000, "192.0.2.2", 1790, seq, flags, payload)));
    }

    private void reply(long seq, int flags, String payload) {
        packets.add(new CapturedPacket(packets.size(), 228, Instant.ofEpochSecond(1000 + packets.size()),
                Frames.tcp4("192.0.2.2", 1790, "192.0.2.1", 40000, seq, flags, payload)));
    }

    private static String text(TcpStream s) {
        return new String(s.payload(), StandardCharsets.US_ASCII);
    }

    @Test
    void segmentsAreOrderedBySequenceNumberAfterTheSyn() {
        send(1000, SYN, "");
        reply(5000, SYN | ACK, "");
        send(1001 + 6, PSH_ACK, "world"); // arrives before the bytes in front of it
        send(1001, PSH_ACK, "hello ");
        send(1001 + 11, PSH_ACK, "!");

        List<TcpStream> streams = TcpReassembler.reassemble(packets);

        assertThat(streams).hasSize(1); // the reply direction has no payload and is dropped
        TcpStream s = streams.get(0);
        assertThat(text(s)).isEqualTo("hello world!");
        assertThat(s.gap()).isFalse();
        assertThat(s.sourcePort()).isEqualTo(40000);
        assertThat(s.destinationPort()).isEqualTo(1790);
        assertThat(s.firstPacketTime()).isEqualTo(Instant.ofEpochSecond(1000));
    }

    @Test
    void retransmissionsAndOverlapsKeepTheFirstCopyOfEachByte() {
        send(1000, SYN, "");
        send(1001, PSH_ACK, "abcdef");
        send(1001, PSH_ACK, "abcdef"); // plain retransmission
        send(1004, PSH_ACK, "defGHI"); // overlaps the tail, adds "GHI"
        send(1001, PSH_ACK, "abcdefGHIjk"); // repacketized retransmission, adds "jk"
        send(1002, PSH_ACK, "b"); // old byte

        assertThat(text(TcpReassembler.reassemble(packets).get(0))).isEqualTo("abcdefGHIjk");
    }

    @Test
    void deliveriesSayWhenBytesBecameReadableInOrder() {
        send(1000, SYN, "");
        send(1001 + 3, PSH_ACK, "def"); // packet 1: nothing readable yet
        send(1001, PSH_ACK, "abc"); // packet 2: "abcdef" readable
        send(1001 + 6, PSH_ACK, "g"); // packet 3: "abcdefg" readable

        assertThat(TcpReassembler.reassemble(packets).get(0).deliveries())
                .extracting(TcpStream.Delivery::packetNumber, TcpStream.Delivery::end)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2, 6), org.assertj.core.groups.Tuple.tuple(3, 7));
    }

    @Test
    void sequenceNumbersMayWrapAround() {
        long isn = 0xFFFF_FFFAL;
        send(isn, SYN, "");
        send(isn + 1, PSH_ACK, "0123"); // up to 0xFFFFFFFE
        send((isn + 5) & 0xFFFF_FFFFL, PSH_ACK, "4567"); // crosses zero
        send((isn + 9) & 0xFFFF_FFFFL, PSH_ACK, "89");

        assertThat(text(TcpReassembler.reassemble(packets).get(0))).isEqualTo("0123456789");
    }

    @Test
    void withoutASynTheStreamStartsAtTheLowestSequenceNumberSeen() {
        send(2005, PSH_ACK, "fghij"); // capture started mid-connection, segments reordered
        send(2000, PSH_ACK, "abcde");

        assertThat(text(TcpReassembler.reassemble(packets).get(0))).isEqualTo("abcdefghij");
    }

    @Test
    void aHoleInTheSequenceCutsTheStreamAndIsReported() {
        send(1000, SYN, "");
        send(1001, PSH_ACK, "abc");
        send(1001 + 10, PSH_ACK, "later"); // bytes 3..9 were never captured

        TcpStream s = TcpReassembler.reassemble(packets).get(0);

        assertThat(text(s)).isEqualTo("abc");
        assertThat(s.gap()).isTrue();
    }

    @Test
    void aNewSynOnTheSameFourTupleStartsANewStream() {
        send(1000, SYN, "");
        send(1001, PSH_ACK, "first");
        send(1000, SYN, ""); // retransmitted SYN of the same connection
        send(9000, SYN, "");
        send(9001, PSH_ACK, "second");

        assertThat(TcpReassembler.reassemble(packets)).extracting(TcpReassemblerTest::text).containsExactly("first", "second");
    }

    @Test
    void bothDirectionsAreSeparateStreams() {
        send(1000, SYN, "");
        reply(5000, SYN | ACK, "");
        send(1001, PSH_ACK, "ping");
        reply(5001, PSH_ACK, "pong");

        assertThat(TcpReassembler.reassemble(packets)).extracting(TcpReassemblerTest::text).containsExactly("ping", "pong");
    }
}
