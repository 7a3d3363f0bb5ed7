package io.peering.routes.bmp;

import java.net.InetAddress;
import java.util.List;

/** A decoded BMP message. {@link BmpSession#decode} returns one of these records. */
public sealed interface BmpMessage {

    int TYPE_ROUTE_MONITORING = 0;
    int TYPE_STATISTICS_REPORT = 1;
    int TYPE_PEER_DOWN = 2;
    int TYPE_PEER_UP = 3;
    int TYPE_INITIATION = 4;
    int TYPE_TERMINATION = 5;
    int TYPE_ROUTE_MIRRORING = 6;

    /** Initiation: sysName and sysDescr (null when absent) and the other information TLVs. */
    record Initiation(String sysName, String sysDescr, List<InfoTlv> information) implements BmpMessage {
        public Initiation {
            information = List.copyOf(information);
        }
    }

    /** Termination: reason code (null when absent) and the string TLVs. */
    record Termination(Integer reason, List<InfoTlv> information) implements BmpMessage {
        public Termination {
            information = List.copyOf(information);
        }
    }

    /** Peer Up: the BGP OPENs the monitored router sent to and received from the peer. */
    record PeerUp(PerPeerHeader peer, InetAddress localAddress, int localPort, int remotePort, BgpOpen sentOpen,
                  BgpOpen receivedOpen, List<InfoTlv> information) implements BmpMessage {
        public PeerUp {
            information = List.copyOf(information);
        }
    }

    /**
     * Peer Down. {@code reason}: 1 local NOTIFICATION, 2 local FSM event, 3 remote NOTIFICATION,
     * 4 remote closed without data, 5 peer de-configured, 6 Loc-RIB TLV (RFC 9069), others as is.
     *
     * @param notification for reasons 1 and 3, else null
     * @param fsmEvent     for reason 2, else null
     * @param information  for reason 6 (VRF/table name TLV), else empty
     */
    record PeerDown(PerPeerHeader peer, int reason, BgpNotification notification, Integer fsmEvent,
                    List<InfoTlv> information) implements BmpMessage {
        public PeerDown {
            information = List.copyOf(information);
        }
    }

    record StatisticsReport(PerPeerHeader peer, List<StatCounter> counters) implements BmpMessage {
        public StatisticsReport {
            counters = List.copyOf(counters);
        }
    }

    /**
     * Route Monitoring: one decoded BGP UPDATE.
     *
     * @param tableName BMPv4 VRF/table name TLV, null when absent
     */
    record RouteMonitoring(PerPeerHeader peer, BgpUpdate update, String tableName) implements BmpMessage {
    }

    /** A message type this decoder does not decode (Route Mirroring, experimental, unknown): count it. */
    record Unsupported(int type, int length) implements BmpMessage {
    }
}
