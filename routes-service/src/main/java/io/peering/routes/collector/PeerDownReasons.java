package io.peering.routes.collector;

import io.peering.routes.bmp.BgpNotification;
import io.peering.routes.bmp.BmpMessage;

/** Peer Down reasons (RFC 7854 section 4.9) and BGP NOTIFICATION codes (RFC 4271, RFC 4486) in words. */
final class PeerDownReasons {

    private PeerDownReasons() {
    }

    static String describe(BmpMessage.PeerDown down) {
        BgpNotification n = down.notification();
        return switch (down.reason()) {
            case 1 -> "local router closed the session with NOTIFICATION " + notification(n);
            case 2 -> "local router closed the session (FSM event " + down.fsmEvent() + ")";
            case 3 -> "peer closed the session with NOTIFICATION " + notification(n);
            case 4 -> "peer closed the session without a NOTIFICATION";
            case 5 -> "peer de-configured on the router";
            case 6 -> "Loc-RIB instance removed";
            default -> "Peer Down reason " + down.reason();
        };
    }

    static String notification(BgpNotification n) {
        if (n == null) {
            return "(none)";
        }
        return n.code() + "/" + n.subcode() + " (" + codeName(n.code()) + subcodeName(n.code(), n.subcode()) + ")";
    }

    private static String codeName(int code) {
        return switch (code) {
            case 1 -> "Message Header Error";
            case 2 -> "OPEN Message Error";
            case 3 -> "UPDATE Message Error";
            case 4 -> "Hold Timer Expired";
            case 5 -> "Finite State Machine Error";
            case 6 -> "Cease";
            default -> "code " + code;
        };
    }

    private static String subcodeName(int code, int subcode) {
        if (code != 6) {
            return "";
        }
        return switch (subcode) {
            case 1 -> ": Maximum Number of Prefixes Reached";
            case 2 -> ": Administrative Shutdown";
            case 3 -> ": Peer De-configured";
            case 4 -> ": Administrative Reset";
            case 5 -> ": Connection Rejected";
            case 6 -> ": Other Configuration Change";
            case 7 -> ": Connection Collision Resolution";
            case 8 -> ": Out of Resources";
            case 9 -> ": Hard Reset";
            default -> "";
        };
    }
}
