package io.peering.routes.bmp;

import static io.peering.routes.bmp.BmpBytes.addPathCapability;
import static io.peering.routes.bmp.BmpBytes.concat;
import static io.peering.routes.bmp.BmpBytes.fourByteAsnCapability;
import static io.peering.routes.bmp.BmpBytes.multiprotocolCapability;
import static io.peering.routes.bmp.BmpBytes.open;
import static io.peering.routes.bmp.BmpBytes.peerUp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.peering.support.testing.InputBudget;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzz tests (Jazzer) of the BMP decoder along the collector's path: socket bytes into a
 * {@link BmpFrameBuffer}, each framed message through {@link BmpSession#decode}, and the decoded records
 * read the way the collector reads them ({@link BmpInvariants}). For every input:
 * <ul>
 *   <li>nothing but {@link BmpDecodeException} (or its {@link BmpFramingException}) comes out;</li>
 *   <li>the input is handled within {@link InputBudget}: no hang, and allocation bounded by the input's size,
 *       never by a length field;</li>
 *   <li>what is decoded is sane: prefixes fit their family with no host bits, counts are bounded by the
 *       bytes they came from, framing neither loses nor invents bytes, and a stream decodes to the same
 *       messages and errors whether the socket delivers it in one read or in odd pieces.</li>
 * </ul>
 * A plain {@code ./mvnw test} replays the seeds cut from the real captures ({@link FuzzSeeds}) and the inputs
 * committed under {@code src/test/resources/io/peering/routes/bmp/BmpFuzzTestInputs/<method>/}. Fuzzing
 * ({@code JAZZER_FUZZ=1}, one method per run) is described in {@code routes-service/FUZZING.md}.
 */
class BmpFuzzTest {
    /** Socket read sizes a collector might see: odd, tiny and large, so headers split everywhere. */
    private static final int[] CHUNKS = {1, 3, 7, 2, 13, 5, 64, 11, 333, 17, 1021, 4096};
    /** One read with everything. */
    private static final int[] WHOLE = {Integer.MAX_VALUE};
    /**
     * A Route Mirroring message of almost the frame buffer's initial 64 KiB that every stream starts with,
     * read together with the first bytes of the input: the buffer then holds the input's first bytes near its
     * end, so the fuzz inputs (at most a few KiB) reach the buffer's compaction, which they would not otherwise.
     */
    private static final byte[] MIRRORING = BmpBytes.bmp(BmpMessage.TYPE_ROUTE_MIRRORING, new byte[63 * 1024]);

    /** Context byte bit: decode the message in a fresh session, without a Peer Up first. */
    static final int NO_PEER_UP = 0x01;
    /** Context byte bit: both OPENs carry the 4-byte ASN capability. */
    static final int FOUR_BYTE_ASN = 0x02;
    /** Context byte bit: ADD-PATH send and receive for IPv4 unicast on both sides. */
    static final int ADD_PATH_IPV4 = 0x04;
    /** Context byte bit: ADD-PATH send and receive for IPv6 unicast on both sides. */
    static final int ADD_PATH_IPV6 = 0x08;
    /** Context byte bit: both OPENs carry the multiprotocol capability for IPv4 and IPv6 unicast. */
    static final int MULTIPROTOCOL = 0x10;

    /** Fixed part: for each of the two replays, the frame buffer's 64 KiB and the copy of {@link #MIRRORING}. */
    private static final InputBudget STREAM_BUDGET = new InputBudget(512 * 1024, 4096);
    private static final InputBudget MESSAGE_BUDGET = new InputBudget(64 * 1024, 2048);

    static Stream<Arguments> streamSeeds() {
        return FuzzSeeds.streams();
    }

    static Stream<Arguments> messageSeeds() {
        return FuzzSeeds.messages();
    }

    /**
     * Any byte stream from a router: framed in chunks and decoded message by message with one session,
     * as {@code RouterConnection} does.
     */
    @MethodSource("streamSeeds")
    @FuzzTest(maxDuration = "10m")
    void anyByteStreamFramesAndDecodesWithinBounds(byte[] input) throws Exception {
        byte[] stream = BmpBytes.concat(MIRRORING, input);
        STREAM_BUDGET.run(input, () -> {
            BmpInvariants.StreamResult chunked = BmpInvariants.replay(stream, CHUNKS, input.length, MIRRORING.length);
            BmpInvariants.StreamResult whole = BmpInvariants.replay(stream, WHOLE, 0, 0);
            BmpInvariants.check(chunked.outcomes().equals(whole.outcomes()),
                    "the stream decodes differently when the socket delivers it in pieces");
        });
    }

    /**
     * Any single message, decoded after a Peer Up for its own peer that negotiated what the first input byte
     * says ({@link #NO_PEER_UP}, {@link #FOUR_BYTE_ASN}, ADD-PATH per family, {@link #MULTIPROTOCOL}): this
     * reaches the ADD-PATH and 2-byte AS_PATH decodings that depend on session state without the fuzzer
     * having to forge a matching Peer Up. The length field is set to the message size as framing guarantees.
     */
    @MethodSource("messageSeeds")
    @FuzzTest(maxDuration = "10m")
    void anyMessageAfterItsPeerUpDecodesWithinBounds(byte[] input) throws Exception {
        if (input.length < 1) {
            return;
        }
        MESSAGE_BUDGET.run(input, () -> decodeInContext(input[0] & 0xFF, Arrays.copyOfRange(input, 1, input.length)));
    }

    private static void decodeInContext(int context, byte[] message) {
        if (message.length >= 5) {
            ByteBuffer.wrap(message).putInt(1, message.length);
        }
        BmpSession session = new BmpSession();
        if ((context & NO_PEER_UP) == 0 && message.length >= BmpFraming.HEADER_LENGTH + PerPeerHeader.LENGTH) {
            byte[] peerUp = peerUpFor(Arrays.copyOfRange(message, BmpFraming.HEADER_LENGTH,
                    BmpFraming.HEADER_LENGTH + PerPeerHeader.LENGTH), context);
            try {
                session.decode(ByteBuffer.wrap(peerUp));
            } catch (BmpDecodeException e) {
                // the message's own per-peer header is bad (peer type); the message will say so too
            }
        }
        try {
            BmpMessage decoded = session.decode(ByteBuffer.wrap(message));
            BmpInvariants.check(decoded, message.length);
        } catch (BmpFramingException e) {
            // the common header itself is impossible (version, length): the collector closes the connection
        } catch (BmpDecodeException e) {
            // one malformed message: the collector counts it and goes on
        }
    }

    /** A Peer Up for the peer of {@code peerHeader} whose OPENs negotiated what {@code context} says. */
    static byte[] peerUpFor(byte[] peerHeader, int context) {
        ByteArrayOutputStream caps = new ByteArrayOutputStream();
        if ((context & MULTIPROTOCOL) != 0) {
            caps.writeBytes(multiprotocolCapability(1, 1));
            caps.writeBytes(multiprotocolCapability(2, 1));
        }
        if ((context & FOUR_BYTE_ASN) != 0) {
            caps.writeBytes(fourByteAsnCapability(64_512));
        }
        if ((context & ADD_PATH_IPV4) != 0) {
            caps.writeBytes(addPathCapability(1, 1, 3));
        }
        if ((context & ADD_PATH_IPV6) != 0) {
            caps.writeBytes(addPathCapability(2, 1, 3));
        }
        byte[] openMessage = open(23_456, "192.0.2.1", caps.toByteArray());
        return peerUp(concat(peerHeader), openMessage, openMessage);
    }

    /** The context byte that rebuilds {@code negotiated} (null: no Peer Up was seen for the peer). */
    static int context(BmpSession.Negotiated negotiated) {
        if (negotiated == null) {
            return NO_PEER_UP;
        }
        int context = MULTIPROTOCOL;
        if (negotiated.fourByteAsn()) {
            context |= FOUR_BYTE_ASN;
        }
        if (negotiated.addPathReceive().contains(AfiSafi.IPV4_UNICAST) || negotiated.addPathSend().contains(AfiSafi.IPV4_UNICAST)) {
            context |= ADD_PATH_IPV4;
        }
        if (negotiated.addPathReceive().contains(AfiSafi.IPV6_UNICAST) || negotiated.addPathSend().contains(AfiSafi.IPV6_UNICAST)) {
            context |= ADD_PATH_IPV6;
        }
        return context;
    }
}
