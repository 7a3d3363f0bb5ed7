package io.peering.routes.bmp;

import io.peering.support.net.IpPrefix;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns NetGauze's JSON decode of a BMP message (one JSON object per line) into the records our decoder
 * produces, so tests compare like with like. Only what our model carries is converted; names NetGauze
 * uses that we do not know fail loudly instead of being ignored.
 */
final class NetGauzeJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** NetGauze's names for address families (NLRI and capability spellings). */
    private static final Map<String, AfiSafi> FAMILIES = Map.ofEntries(
            Map.entry("Ipv4Unicast", new AfiSafi(1, 1)),
            Map.entry("Ipv4Multicast", new AfiSafi(1, 2)),
            Map.entry("Ipv4NlriMplsLabels", new AfiSafi(1, 4)),
            Map.entry("Ipv4MplsLabeledVpn", new AfiSafi(1, 128)),
            Map.entry("Ipv4MplsVpnUnicast", new AfiSafi(1, 128)),
            Map.entry("Ipv6Unicast", new AfiSafi(2, 1)),
            Map.entry("Ipv6Multicast", new AfiSafi(2, 2)),
            Map.entry("Ipv6NlriMplsLabels", new AfiSafi(2, 4)),
            Map.entry("Ipv6MplsLabeledVpn", new AfiSafi(2, 128)),
            Map.entry("Ipv6MplsVpnUnicast", new AfiSafi(2, 128)),
            Map.entry("L2VpnBgpEvpn", new AfiSafi(25, 70)),
            Map.entry("L2Evpn", new AfiSafi(25, 70)));

    /** Capability codes of the capabilities our BgpOpen lists as "other". */
    private static final Map<String, Integer> OTHER_CAPABILITIES = Map.of(
            "RouteRefresh", 2, "ExtendedNextHopEncoding", 5, "ExtendedMessage", 6,
            "GracefulRestartCapability", 64, "EnhancedRouteRefresh", 70, "LongLivedGracefulRestart", 71,
            "Fqdn", 73, "CiscoRouteRefresh", 128, "MultipleLabels", 8, "BgpRole", 9);

    private static final Map<String, Integer> MESSAGE_TYPES = Map.of(
            "RouteMonitoring", 0, "StatisticsReport", 1, "PeerDownNotification", 2, "PeerUpNotification", 3,
            "Initiation", 4, "Termination", 5, "RouteMirroring", 6);

    private static final Map<String, Integer> INFO_TYPES = Map.of(
            "String", 0, "SystemDescription", 1, "SystemName", 2, "VrfTableName", 3, "AdminLabel", 4);

    private static final Map<String, Integer> STAT_TYPES = Map.ofEntries(
            Map.entry("NumberOfPrefixesRejectedByInboundPolicy", 0),
            Map.entry("NumberOfDuplicatePrefixAdvertisements", 1),
            Map.entry("NumberOfDuplicateWithdraws", 2),
            Map.entry("NumberOfUpdatesInvalidatedDueToClusterListLoop", 3),
            Map.entry("NumberOfUpdatesInvalidatedDueToAsPathLoop", 4),
            Map.entry("NumberOfUpdatesInvalidatedDueToOriginatorId", 5),
            Map.entry("NumberOfUpdatesInvalidatedDueToAsConfederationLoop", 6),
            Map.entry("NumberOfRoutesInAdjRibIn", 7),
            Map.entry("NumberOfRoutesInLocRib", 8));

    private static final Map<String, Integer> PEER_DOWN_REASONS = Map.of(
            "LocalSystemClosedNotificationPduFollows", 1, "LocalSystemClosedFsmEventFollows", 2,
            "RemoteSystemClosedNotificationPduFollows", 3, "RemoteSystemClosedNoData", 4,
            "PeerDeConfigured", 5, "LocalSystemClosedTlvDataFollows", 6);

    private static final Map<String, Integer> NOTIFICATION_CODES = Map.of(
            "MessageHeaderError", 1, "OpenMessageError", 2, "UpdateMessageError", 3, "HoldTimerExpiredError", 4,
            "FiniteStateMachineError", 5, "CeaseError", 6, "RouteRefreshError", 7);

    private static final Map<String, Integer> CEASE_SUBCODES = Map.of(
            "MaximumNumberOfPrefixesReached", 1, "AdministrativeShutdown", 2, "PeerDeConfigured", 3,
            "AdministrativeReset", 4, "ConnectionRejected", 5, "OtherConfigurationChange", 6,
            "ConnectionCollisionResolution", 7, "OutOfResources", 8, "HardReset", 9, "BfdDown", 10);

    private static final Map<String, AsPath.SegmentType> SEGMENT_TYPES = Map.of(
            "AsSet", AsPath.SegmentType.AS_SET, "AsSequence", AsPath.SegmentType.AS_SEQUENCE,
            "AsConfedSequence", AsPath.SegmentType.AS_CONFED_SEQUENCE, "AsConfedSet", AsPath.SegmentType.AS_CONFED_SET);

    /** Path attributes our decoder interprets; every other one is expected in the unknown-attribute count. */
    private static final List<String> DECODED_ATTRIBUTES = List.of("Origin", "AsPath", "As4Path", "NextHop",
            "MultiExitDiscriminator", "LocalPreference", "Communities", "LargeCommunities", "MpReach", "MpUnreach");

    private NetGauzeJson() {
    }

    /** One line of the expected file: BMP version and the single-key message object. */
    record Line(int version, String type, JsonNode body) {
        int typeCode() {
            return MESSAGE_TYPES.get(type);
        }
    }

    static List<Line> read(Path jsonLines) throws IOException {
        List<Line> lines = new ArrayList<>();
        for (String text : Files.readAllLines(jsonLines)) {
            if (text.isBlank()) {
                continue;
            }
            JsonNode root = MAPPER.readTree(text);
            String v = root.fieldNames().next();
            JsonNode message = root.get(v);
            String type = message.fieldNames().next();
            if (!MESSAGE_TYPES.containsKey(type)) {
                throw new IllegalArgumentException("NetGauze line is not a BMP message we know: " + text);
            }
            lines.add(new Line(v.equals("V4") ? 4 : 3, type, message.get(type)));
        }
        return lines;
    }

    // ---- per-peer header -------------------------------------------------------------------------

    static PerPeerHeader peerHeader(JsonNode h) {
        JsonNode typeNode = h.get("peer_type");
        String typeName = typeNode.fieldNames().next();
        JsonNode f = typeNode.get(typeName);
        PerPeerHeader.PeerType type = switch (typeName) {
            case "GlobalInstancePeer" -> PerPeerHeader.PeerType.GLOBAL_INSTANCE;
            case "RdInstancePeer" -> PerPeerHeader.PeerType.RD_INSTANCE;
            case "LocalInstancePeer" -> PerPeerHeader.PeerType.LOCAL_INSTANCE;
            case "LocRibInstancePeer" -> PerPeerHeader.PeerType.LOC_RIB;
            default -> throw new IllegalArgumentException("peer type " + typeName);
        };
        int flags = type == PerPeerHeader.PeerType.LOC_RIB
                ? (f.get("filtered").asBoolean() ? 0x80 : 0)
                : (f.get("ipv6").asBoolean() ? 0x80 : 0) | (f.get("post_policy").asBoolean() ? 0x40 : 0)
                | (f.get("asn2").asBoolean() ? 0x20 : 0) | (f.get("adj_rib_out").asBoolean() ? 0x10 : 0);
        Instant time = h.get("timestamp").isNull() ? Instant.EPOCH : Instant.parse(h.get("timestamp").asText());
        return new PerPeerHeader(type, flags, distinguisher(h.get("rd")), address(h.get("address")),
                h.get("peer_as").asLong(), address(h.get("bgp_id")), time);
    }

    /** NetGauze route distinguisher as our raw 8-byte value: type (2), administrator, assigned number. */
    static long distinguisher(JsonNode rd) {
        if (rd == null || rd.isNull()) {
            return 0;
        }
        String kind = rd.fieldNames().next();
        JsonNode v = rd.get(kind);
        return switch (kind) {
            case "As2Administrator" -> (v.get("asn2").asLong() << 32) | v.get("number").asLong();
            case "Ipv4Administrator" -> (1L << 48) | (ipv4AsLong(v.get("ip").asText()) << 16) | v.get("number").asLong();
            case "As4Administrator" -> (2L << 48) | (v.get("asn4").asLong() << 16) | v.get("number").asLong();
            default -> throw new IllegalArgumentException("route distinguisher " + rd);
        };
    }

    // ---- messages -------------------------------------------------------------------------------

    static BmpMessage.Initiation initiation(JsonNode m) {
        String sysName = null;
        String sysDescr = null;
        List<InfoTlv> other = new ArrayList<>();
        for (InfoTlv tlv : infoTlvs(m.get("information"))) {
            if (tlv.type() == InfoTlv.SYS_NAME && sysName == null) {
                sysName = tlv.value();
            } else if (tlv.type() == InfoTlv.SYS_DESCR && sysDescr == null) {
                sysDescr = tlv.value();
            } else {
                other.add(tlv);
            }
        }
        return new BmpMessage.Initiation(sysName, sysDescr, other);
    }

    static BmpMessage.PeerUp peerUp(JsonNode m) {
        return new BmpMessage.PeerUp(peerHeader(m.get("peer_header")), address(m.get("local_address")),
                m.get("local_port").asInt(0), m.get("remote_port").asInt(0),
                open(m.get("sent_message")), open(m.get("received_message")), infoTlvs(m.get("information")));
    }

    static BgpOpen open(JsonNode message) {
        JsonNode o = message.get("Open");
        long myAs = o.get("my_as").asLong();
        boolean fourByte = false;
        List<AfiSafi> mp = new ArrayList<>();
        List<BgpOpen.AddPath> addPath = new ArrayList<>();
        List<Integer> other = new ArrayList<>();
        for (JsonNode param : o.get("params")) {
            for (JsonNode cap : param.get("Capabilities")) {
                String name = cap.isTextual() ? cap.asText() : cap.fieldNames().next();
                JsonNode v = cap.isTextual() ? null : cap.get(name);
                switch (name) {
                    case "FourOctetAs" -> {
                        fourByte = true;
                        myAs = v.get("asn4").asLong();
                    }
                    case "MultiProtocolExtensions" -> mp.add(family(v.get("address_type").asText()));
                    case "AddPath" -> v.get("address_families").forEach(af -> addPath.add(new BgpOpen.AddPath(
                            family(af.get("address_type").asText()), af.get("send").asBoolean(), af.get("receive").asBoolean())));
                    case "Unrecognized" -> other.add(v.get("code").asInt());
                    default -> {
                        Integer code = OTHER_CAPABILITIES.get(name);
                        if (code == null) {
                            throw new IllegalArgumentException("capability name unknown to the test: " + name);
                        }
                        other.add(code);
                    }
                }
            }
        }
        return new BgpOpen(o.get("version").asInt(), myAs, o.get("hold_time").asInt(), address(o.get("bgp_id")),
                fourByte, mp, addPath, other);
    }

    static BmpMessage.PeerDown peerDown(JsonNode m) {
        JsonNode reasonNode = m.get("reason");
        String name = reasonNode.isTextual() ? reasonNode.asText() : reasonNode.fieldNames().next();
        Integer reason = PEER_DOWN_REASONS.get(name);
        if (reason == null) {
            throw new IllegalArgumentException("peer down reason " + name);
        }
        JsonNode v = reasonNode.isTextual() ? null : reasonNode.get(name);
        BgpNotification notification = null;
        Integer fsm = null;
        List<InfoTlv> info = List.of();
        switch (reason) {
            case 1, 3 -> notification = notification(v.get("Notification"));
            case 2 -> fsm = v.asInt();
            case 6 -> info = infoTlvs(MAPPER.createArrayNode().add(v));
            default -> { }
        }
        return new BmpMessage.PeerDown(peerHeader(m.get("peer_header")), reason, notification, fsm, info);
    }

    static BgpNotification notification(JsonNode n) {
        String codeName = n.fieldNames().next();
        JsonNode sub = n.get(codeName);
        String subName = sub.fieldNames().next();
        Integer code = NOTIFICATION_CODES.get(codeName);
        Integer subcode = codeName.equals("CeaseError") ? CEASE_SUBCODES.get(subName) : null;
        if (code == null || subcode == null) {
            throw new IllegalArgumentException("notification unknown to the test: " + n);
        }
        JsonNode data = sub.get(subName).get("value");
        byte[] bytes = new byte[data.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) data.get(i).asInt();
        }
        return new BgpNotification(code, subcode, bytes);
    }

    static BmpMessage.StatisticsReport statistics(JsonNode m) {
        List<StatCounter> counters = new ArrayList<>();
        for (JsonNode c : m.get("counters")) {
            String name = c.fieldNames().next();
            Integer type = STAT_TYPES.get(name);
            if (type == null) {
                throw new IllegalArgumentException("statistics counter unknown to the test: " + name);
            }
            counters.add(new StatCounter(type, c.get(name).asLong(), null));
        }
        return new BmpMessage.StatisticsReport(peerHeader(m.get("peer_header")), counters);
    }

    static BmpMessage.RouteMonitoring routeMonitoring(Line line) {
        JsonNode m = line.body();
        JsonNode update = line.version() == 4
                ? m.get("update_pdu").get("value").get("BgpUpdate").get("Update")
                : m.get("update_message").get("Update");
        String tableName = null;
        if (m.has("tlvs")) {
            for (JsonNode tlv : m.get("tlvs")) {
                if (tlv.get("value").has("VrfTableName")) {
                    tableName = tlv.get("value").get("VrfTableName").asText();
                }
            }
        }
        return new BmpMessage.RouteMonitoring(peerHeader(m.get("peer_header")), update(update), tableName);
    }

    /** The BgpUpdate our decoder should produce for NetGauze's decode of the same UPDATE. */
    static BgpUpdate update(JsonNode u) {
        List<Route> withdrawn = new ArrayList<>(routes(u.get("withdrawn_routes")));
        List<Route> announced = new ArrayList<>();
        List<AfiSafi> skipped = new ArrayList<>();
        PathAttributes.Origin origin = null;
        AsPath asPath = null;
        AsPath as4Path = null;
        boolean twoByteAsPath = false;
        InetAddress nextHop = null;
        Long med = null;
        Long localPref = null;
        List<Long> communities = new ArrayList<>();
        List<LargeCommunity> large = new ArrayList<>();
        PathAttributes.MpNextHop mpNextHop = null;
        int unknown = 0;
        AfiSafi emptyUnreach = null;

        JsonNode attributes = u.get("path_attributes");
        for (JsonNode attribute : attributes) {
            JsonNode value = attribute.get("value");
            String name = value.isTextual() ? value.asText() : value.fieldNames().next();
            JsonNode v = value.get(name);
            if (!DECODED_ATTRIBUTES.contains(name)) {
                unknown++;
                continue;
            }
            switch (name) {
                case "Origin" -> origin = switch (v.asText()) {
                    case "IGP" -> PathAttributes.Origin.IGP;
                    case "EGP" -> PathAttributes.Origin.EGP;
                    case "Incomplete" -> PathAttributes.Origin.INCOMPLETE;
                    default -> throw new IllegalArgumentException("origin " + v);
                };
                case "AsPath" -> {
                    twoByteAsPath = v.has("As2PathSegments");
                    asPath = asPath(twoByteAsPath ? v.get("As2PathSegments") : v.get("As4PathSegments"));
                }
                case "As4Path" -> as4Path = asPath(v.get("segments"));
                case "NextHop" -> nextHop = address(v.get("next_hop"));
                case "MultiExitDiscriminator" -> med = v.get("metric").asLong();
                case "LocalPreference" -> localPref = v.get("metric").asLong();
                case "Communities" -> v.get("communities").forEach(c -> communities.add(c.asLong()));
                case "LargeCommunities" -> v.get("communities").forEach(c -> large.add(new LargeCommunity(
                        c.get("global_admin").asLong(), c.get("local_data1").asLong(), c.get("local_data2").asLong())));
                case "MpReach" -> {
                    String familyName = v.fieldNames().next();
                    AfiSafi family = family(familyName);
                    JsonNode r = v.get(familyName);
                    if (family.isUnicastIp()) {
                        mpNextHop = new PathAttributes.MpNextHop(family, address(r.get("next_hop")), address(r.get("next_hop_local")));
                        announced.addAll(routes(r.get("nlri")));
                    } else if (r.get("nlri").size() > 0) {
                        skipped.add(family);
                    }
                }
                case "MpUnreach" -> {
                    String familyName = v.fieldNames().next();
                    AfiSafi family = family(familyName);
                    JsonNode nlri = v.get(familyName).get("nlri");
                    if (nlri.size() == 0) {
                        emptyUnreach = family;
                    } else if (family.isUnicastIp()) {
                        withdrawn.addAll(routes(nlri));
                    } else {
                        skipped.add(family);
                    }
                }
                default -> throw new IllegalStateException(name);
            }
        }
        announced.addAll(routes(u.get("nlri")));
        if (asPath != null && as4Path != null && twoByteAsPath) {
            asPath = AsPath.merge(asPath, as4Path);
        }
        AfiSafi endOfRib = null;
        if (u.get("withdrawn_routes").size() == 0 && u.get("nlri").size() == 0) {
            if (attributes.size() == 0) {
                endOfRib = AfiSafi.IPV4_UNICAST;
            } else if (attributes.size() == 1 && emptyUnreach != null) {
                endOfRib = emptyUnreach;
            }
        }
        return new BgpUpdate(withdrawn, announced,
                new PathAttributes(origin, asPath, nextHop, med, localPref, communities, large, mpNextHop, null),
                endOfRib, skipped, unknown, null);
    }

    static AsPath asPath(JsonNode segments) {
        List<AsPath.Segment> out = new ArrayList<>();
        for (JsonNode s : segments) {
            List<Long> asns = new ArrayList<>();
            s.get("as_numbers").forEach(a -> asns.add(a.asLong()));
            out.add(new AsPath.Segment(SEGMENT_TYPES.get(s.get("segment_type").asText()), asns));
        }
        return new AsPath(out);
    }

    static List<Route> routes(JsonNode nlri) {
        List<Route> routes = new ArrayList<>();
        for (JsonNode r : nlri) {
            JsonNode pathId = r.get("path_id");
            routes.add(new Route(IpPrefix.parse(r.get("network").asText()), pathId == null || pathId.isNull() ? 0 : pathId.asLong()));
        }
        return routes;
    }

    /** Every MP_REACH/MP_UNREACH family named in an UPDATE (for reporting which families a capture holds). */
    static List<AfiSafi> mpFamilies(JsonNode u) {
        List<AfiSafi> out = new ArrayList<>();
        for (JsonNode attribute : u.get("path_attributes")) {
            JsonNode value = attribute.get("value");
            for (String key : List.of("MpReach", "MpUnreach")) {
                if (value.has(key)) {
                    out.add(family(value.get(key).fieldNames().next()));
                }
            }
        }
        return out;
    }

    static AfiSafi family(String name) {
        AfiSafi f = FAMILIES.get(name);
        if (f == null) {
            throw new IllegalArgumentException("address family name unknown to the test: " + name);
        }
        return f;
    }

    static List<InfoTlv> infoTlvs(JsonNode information) {
        List<InfoTlv> out = new ArrayList<>();
        if (information == null) {
            return out;
        }
        for (JsonNode tlv : information) {
            String name = tlv.fieldNames().next();
            Integer type = INFO_TYPES.get(name);
            if (type == null) {
                throw new IllegalArgumentException("information TLV unknown to the test: " + tlv);
            }
            out.add(new InfoTlv(type, tlv.get(name).asText()));
        }
        return out;
    }

    static InetAddress address(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        String text = node.asText();
        try {
            InetAddress a = InetAddress.getByName(text); // literal: no DNS lookup
            if (text.contains(":") && a.getAddress().length == 4) {
                return IpPrefix.parse(text + "/128").address(); // keep IPv4-mapped IPv6 as IPv6
            }
            return a;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static long ipv4AsLong(String text) {
        long v = 0;
        for (String part : text.split("\\.")) {
            v = (v << 8) | Long.parseLong(part);
        }
        return v;
    }
}
