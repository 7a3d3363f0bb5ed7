#!/usr/bin/env python3
"""A tiny BMP (RFC 7854) receiver and decoder for checking what the lab routers send.

  bmpcap.py listen [--host 127.0.0.1] [--port 11019] [--out DIR] [--seconds N]
      accepts any number of router connections, stores each one's raw bytes as
      DIR/conn-<n>-<router-addr>.bmp and prints a one-line summary per message
  bmpcap.py dump FILE... [--json] [--limit N]
      decodes stored captures: one line (or one JSON object) per message, then counts per type

Standard library only. Not part of the product: the collector is routes-service.
"""
import argparse
import ipaddress
import json
import os
import socket
import struct
import sys
import threading
import time

TYPES = {0: "RouteMonitoring", 1: "StatisticsReport", 2: "PeerDown", 3: "PeerUp",
         4: "Initiation", 5: "Termination", 6: "RouteMirroring"}
PEER_DOWN_REASONS = {1: "local-notification", 2: "local-no-notification", 3: "remote-notification",
                     4: "remote-no-notification", 5: "peer-deconfigured"}
ORIGINS = {0: "IGP", 1: "EGP", 2: "INCOMPLETE"}


def _addr(raw16, v6):
    return str(ipaddress.IPv6Address(raw16)) if v6 else str(ipaddress.IPv4Address(raw16[12:16]))


def _prefixes(data, afi):
    out, i = [], 0
    width = 16 if afi == 2 else 4
    while i < len(data):
        plen = data[i]
        n = (plen + 7) // 8
        raw = data[i + 1:i + 1 + n] + bytes(width - n)
        net = ipaddress.IPv6Address(raw) if afi == 2 else ipaddress.IPv4Address(raw)
        out.append(f"{net}/{plen}")
        i += 1 + n
    return out


def _nexthop(nh):
    if len(nh) == 4:
        return [str(ipaddress.IPv4Address(nh))]
    if len(nh) in (16, 32):
        return [str(ipaddress.IPv6Address(nh[k:k + 16])) for k in range(0, len(nh), 16)]
    return [nh.hex()]


def decode_update(msg, as4=True):
    """Decodes a BGP UPDATE (with its 19-byte header) into a dict."""
    body = msg[19:]
    wlen = struct.unpack_from("!H", body, 0)[0]
    withdrawn = _prefixes(body[2:2 + wlen], 1)
    alen = struct.unpack_from("!H", body, 2 + wlen)[0]
    attrs = body[4 + wlen:4 + wlen + alen]
    nlri = _prefixes(body[4 + wlen + alen:], 1)
    res = {"announced": nlri, "withdrawn": withdrawn, "attrs": {}}
    a = res["attrs"]
    i = 0
    while i < len(attrs):
        flags, typ = attrs[i], attrs[i + 1]
        if flags & 0x10:
            ln = struct.unpack_from("!H", attrs, i + 2)[0]; v = attrs[i + 4:i + 4 + ln]; i += 4 + ln
        else:
            ln = attrs[i + 2]; v = attrs[i + 3:i + 3 + ln]; i += 3 + ln
        if typ == 1:
            a["origin"] = ORIGINS.get(v[0], v[0])
        elif typ in (2, 17):
            w = 4 if (as4 or typ == 17) else 2
            segs, j = [], 0
            while j < len(v):
                st, cnt = v[j], v[j + 1]
                asns = [int.from_bytes(v[j + 2 + k * w:j + 2 + (k + 1) * w], "big") for k in range(cnt)]
                segs.append(" ".join(map(str, asns)) if st == 2 else "{" + ",".join(map(str, asns)) + "}")
                j += 2 + cnt * w
            a["as_path" if typ == 2 else "as4_path"] = " ".join(segs)
        elif typ == 3:
            a["next_hop"] = str(ipaddress.IPv4Address(v))
        elif typ == 4:
            a["med"] = struct.unpack("!I", v)[0]
        elif typ == 5:
            a["local_pref"] = struct.unpack("!I", v)[0]
        elif typ == 8:
            a["communities"] = [f"{v[k] << 8 | v[k + 1]}:{v[k + 2] << 8 | v[k + 3]}" for k in range(0, len(v), 4)]
        elif typ == 32:
            a["large_communities"] = [":".join(str(x) for x in struct.unpack_from("!III", v, k)) for k in range(0, len(v), 12)]
        elif typ == 14:
            afi, safi, nhl = struct.unpack_from("!HBB", v, 0)
            a["mp_next_hop"] = _nexthop(v[4:4 + nhl])
            res["announced"] += _prefixes(v[5 + nhl:], afi)
            res["afi_safi"] = f"{afi}/{safi}"
        elif typ == 15:
            afi, safi = struct.unpack_from("!HB", v, 0)
            res["withdrawn"] += _prefixes(v[3:], afi)
            res["afi_safi"] = f"{afi}/{safi}"
        else:
            a[f"attr_{typ}"] = v.hex()
    return res


def decode_open(msg):
    body = msg[19:]
    ver, my_as, hold, bgp_id, optlen = struct.unpack_from("!BHH4sB", body, 0)
    caps, i, opt = [], 0, body[10:10 + optlen]
    as4 = None
    while i < len(opt):
        ptype, plen = opt[i], opt[i + 1]
        if ptype == 2:
            j, p = 0, opt[i + 2:i + 2 + plen]
            while j < len(p):
                code, clen = p[j], p[j + 1]
                caps.append(code)
                if code == 65:
                    as4 = struct.unpack_from("!I", p, j + 2)[0]
                j += 2 + clen
        i += 2 + plen
    return {"as": as4 if as4 is not None else my_as, "hold": hold,
            "bgp_id": str(ipaddress.IPv4Address(bgp_id)), "capabilities": caps}


def decode(buf, off):
    """Decodes one BMP message at off; returns (dict, next offset) or (None, off) if incomplete."""
    if len(buf) - off < 6:
        return None, off
    ver, length, typ = struct.unpack_from("!BIB", buf, off)
    if ver != 3:
        raise ValueError(f"BMP version {ver} at offset {off}, expected 3")
    if len(buf) - off < length:
        return None, off
    m = bytes(buf[off:off + length])
    out = {"version": ver, "type": TYPES.get(typ, typ), "type_code": typ, "length": length}
    p = 6
    if typ in (0, 1, 2, 3, 6):
        ptype, pflags = m[p], m[p + 1]
        v6 = bool(pflags & 0x80)
        addr = _addr(m[p + 10:p + 26], v6)
        pas, pid, ts_s, ts_us = struct.unpack_from("!I4sII", m, p + 26)
        out["peer"] = {"type": ptype, "flags": f"0x{pflags:02x}", "v6": v6,
                       "post_policy": bool(pflags & 0x40), "legacy_2byte_as": bool(pflags & 0x20),
                       "adj_rib_out": bool(pflags & 0x10), "distinguisher": m[p + 2:p + 10].hex(),
                       "address": addr, "as": pas, "bgp_id": str(ipaddress.IPv4Address(pid)),
                       "timestamp": ts_s + ts_us / 1e6}
        as4 = not (pflags & 0x20)
        p += 42
        if typ == 0:
            out["update"] = decode_update(m[p:], as4)
        elif typ == 2:
            reason = m[p]
            out["reason"] = PEER_DOWN_REASONS.get(reason, reason)
            if reason in (1, 3) and len(m) > p + 1 + 19:
                out["notification"] = {"code": m[p + 20], "subcode": m[p + 21]}
        elif typ == 3:
            out["local_address"] = _addr(m[p:p + 16], v6)
            out["local_port"], out["remote_port"] = struct.unpack_from("!HH", m, p + 16)
            q = p + 20
            sent_len = struct.unpack_from("!H", m, q + 16)[0]
            out["sent_open"] = decode_open(m[q:q + sent_len])
            q += sent_len
            recv_len = struct.unpack_from("!H", m, q + 16)[0]
            out["received_open"] = decode_open(m[q:q + recv_len])
        elif typ == 1:
            (count,) = struct.unpack_from("!I", m, p)
            stats, q = {}, p + 4
            for _ in range(count):
                st, sl = struct.unpack_from("!HH", m, q)
                stats[st] = int.from_bytes(m[q + 4:q + 4 + sl], "big")
                q += 4 + sl
            out["stats"] = stats
    elif typ in (4, 5):
        tlvs = []
        while p < len(m):
            t, ln = struct.unpack_from("!HH", m, p)
            val = m[p + 4:p + 4 + ln]
            tlvs.append({"type": t, "value": val.decode("utf-8", "replace") if typ == 4 or t == 0 else val.hex()})
            p += 4 + ln
        out["tlvs"] = tlvs
    return out, off + length


def _iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts * 1000) % 1000:03d}Z"


def summary_line(d):
    s = f"{d['type']}"
    if "peer" in d:
        pr = d["peer"]
        s += f" peer={pr['address']} as={pr['as']} flags={pr['flags']} ts={_iso(pr['timestamp'])}"
    if "update" in d:
        u = d["update"]
        s += f" +{len(u['announced'])} -{len(u['withdrawn'])} {json.dumps(u['attrs'])}"
        if u["announced"][:3] or u["withdrawn"][:3]:
            s += f" e.g. {(u['announced'] or u['withdrawn'])[:3]}"
    if d["type"] == "PeerUp":
        s += f" local={d['local_address']}:{d['local_port']} remote_port={d['remote_port']}"
    if d["type"] == "PeerDown":
        s += f" reason={d['reason']} {d.get('notification', '')}"
    if "tlvs" in d:
        s += f" {d['tlvs']}"
    if "stats" in d:
        s += f" {d['stats']}"
    return s


def listen(args):
    os.makedirs(args.out, exist_ok=True)
    srv = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((args.host, args.port))
    srv.listen(16)
    srv.settimeout(1.0)
    print(f"listening on {args.host}:{args.port}, captures in {args.out}", flush=True)
    n = [0]
    lock = threading.Lock()

    def handle(conn, peer, idx):
        path = os.path.join(args.out, f"conn-{idx}-{peer[0]}.bmp")
        buf, off = bytearray(), 0
        with open(path, "wb") as f:
            while True:
                try:
                    chunk = conn.recv(1 << 20)
                except OSError:
                    break
                if not chunk:
                    break
                f.write(chunk)
                f.flush()
                if args.quiet:
                    continue
                buf += chunk
                while True:
                    d, nxt = decode(buf, off)
                    if d is None:
                        break
                    off = nxt
                    with lock:
                        rx = time.strftime("%H:%M:%S", time.gmtime()) + f".{int(time.time() * 1000) % 1000:03d}"
                        print(f"{rx} [{peer[0]}#{idx}] {summary_line(d)}"[:400], flush=True)
                if off > (1 << 22):
                    del buf[:off]; off = 0
        with lock:
            print(f"[{peer[0]}#{idx}] connection closed", flush=True)

    deadline = time.time() + args.seconds if args.seconds else None
    while deadline is None or time.time() < deadline:
        try:
            conn, peer = srv.accept()
        except socket.timeout:
            continue
        n[0] += 1
        print(f"connection #{n[0]} from {peer[0]}:{peer[1]}", flush=True)
        threading.Thread(target=handle, args=(conn, peer, n[0]), daemon=True).start()


def dump(args):
    for path in args.files:
        data = open(path, "rb").read()
        off, counts, shown = 0, {}, 0
        prefixes = {"announced": 0, "withdrawn": 0}
        while off < len(data):
            d, nxt = decode(data, off)
            if d is None:
                print(f"{path}: {len(data) - off} trailing bytes (incomplete message)")
                break
            off = nxt
            counts[d["type"]] = counts.get(d["type"], 0) + 1
            if "update" in d:
                prefixes["announced"] += len(d["update"]["announced"])
                prefixes["withdrawn"] += len(d["update"]["withdrawn"])
            if args.limit is None or shown < args.limit:
                print(json.dumps(d) if args.json else summary_line(d))
                shown += 1
        print(f"{path}: {off} bytes, messages per type {counts}, prefixes {prefixes}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    lp = sub.add_parser("listen")
    lp.add_argument("--host", default="127.0.0.1")
    lp.add_argument("--port", type=int, default=11019)
    lp.add_argument("--out", default="/tmp/bmpcap")
    lp.add_argument("--seconds", type=float, default=0, help="stop after N seconds (0 = until killed)")
    lp.add_argument("--quiet", action="store_true", help="store bytes only, print nothing per message")
    dp = sub.add_parser("dump")
    dp.add_argument("files", nargs="+")
    dp.add_argument("--json", action="store_true")
    dp.add_argument("--limit", type=int, default=None, help="print at most N messages per file")
    args = ap.parse_args()
    (listen if args.cmd == "listen" else dump)(args)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
