/**
 * BMP (RFC 7854, plus RFC 8671 Adj-RIB-Out, RFC 9069 Loc-RIB and BMPv4 Route Monitoring TLVs)
 * decoder for IPv4/IPv6 unicast routes. Plain Java, no dependencies.
 *
 * <ul>
 *   <li>Framing: {@link io.peering.routes.bmp.BmpFrameBuffer} (append socket bytes, {@code next()} returns
 *       complete messages) or {@link io.peering.routes.bmp.BmpFraming#messageLength} on your own buffer
 *       (-1 while incomplete). A {@link io.peering.routes.bmp.BmpFramingException} means the stream is
 *       broken: close the router's connection.</li>
 *   <li>Decoding: one {@link io.peering.routes.bmp.BmpSession} per router connection;
 *       {@code decode(ByteBuffer)} returns a {@link io.peering.routes.bmp.BmpMessage} record
 *       (Initiation, Termination, PeerUp, PeerDown, StatisticsReport, RouteMonitoring, Unsupported).
 *       A {@link io.peering.routes.bmp.BmpDecodeException} loses only that message: log, count, go on.
 *       Malformed input never raises anything else.</li>
 *   <li>Routes: {@link io.peering.routes.bmp.BgpUpdate} holds announced/withdrawn
 *       {@link io.peering.routes.bmp.Route}s ({@link io.peering.support.net.IpPrefix} + ADD-PATH id),
 *       {@link io.peering.routes.bmp.PathAttributes}, End-of-RIB, and counts of skipped families
 *       (EVPN, VPN, labeled...) and uninterpreted attributes. An attribute that RFC 7606 (or the RFC defining
 *       it) says to handle by treat-as-withdraw, when malformed, does not lose the message: the UPDATE's
 *       announced routes come as {@link io.peering.routes.bmp.BgpUpdate.TreatAsWithdraw} instead.</li>
 * </ul>
 */
package io.peering.routes.bmp;
