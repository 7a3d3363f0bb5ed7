#!/usr/bin/env python3
"""Writes an MRT TABLE_DUMP_V2 file (RFC 6396) with COUNT4 IPv4 and COUNT6 IPv6 routes, for
`gobgp mrt inject global FILE` (what `routers.sh bulk` uses: about 1 M routes in seconds,
where one `gobgp global rib add` per route manages a few hundred per second).

Prefixes are consecutive: IPv4 /24s from 16.0.0.0, IPv6 /48s from 2a10::. Every route has
ORIGIN IGP, the AS path given (4-byte ASNs) and next hop 192.0.2.1 / 2001:db8::1.
Standard library only.
"""
import argparse
import ipaddress
import struct
import time

TABLE_DUMP_V2 = 13
PEER_INDEX_TABLE, RIB_IPV4_UNICAST, RIB_IPV6_UNICAST = 1, 2, 4


def attr(flags, typ, value):
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, typ, len(value)) + value
    return struct.pack("!BBB", flags, typ, len(value)) + value


def path_attrs(as_path, nexthop4=None, nexthop6=None):
    out = attr(0x40, 1, b"\x00")  # ORIGIN IGP
    asns = [int(a) for a in as_path.split()]
    segs = b""
    for i in range(0, len(asns), 255):
        chunk = asns[i:i + 255]
        segs += struct.pack("!BB", 2, len(chunk)) + b"".join(struct.pack("!I", a) for a in chunk)
    out += attr(0x40, 2, segs)  # AS_PATH, AS_SEQUENCE, 4-byte ASNs (RFC 6396 4.3.4)
    if nexthop4:
        out += attr(0x40, 3, ipaddress.IPv4Address(nexthop4).packed)
    if nexthop6:
        # MP_REACH_NLRI in full form (AFI 2, SAFI 1, next hop, reserved byte) with no NLRI: GoBGP 3.10's
        # MRT reader does not accept RFC 6396 4.3.4's abbreviated form (next hop length + next hop only)
        # and takes the prefix from the RIB record.
        nh = ipaddress.IPv6Address(nexthop6).packed
        out += attr(0x80, 14, struct.pack("!HBB", 2, 1, len(nh)) + nh + b"\x00")
    return out


def record(ts, subtype, body):
    return struct.pack("!IHHI", ts, TABLE_DUMP_V2, subtype, len(body)) + body


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count4", type=int, default=0)
    ap.add_argument("--count6", type=int, default=0)
    ap.add_argument("--base4", default="16.0.0.0")
    ap.add_argument("--len4", type=int, default=24)
    ap.add_argument("--base6", default="2a10::")
    ap.add_argument("--len6", type=int, default=48)
    ap.add_argument("--as-path", default="64501")
    ap.add_argument("--nexthop4", default="192.0.2.1")
    ap.add_argument("--nexthop6", default="2001:db8::1")
    ap.add_argument("--peer-as", type=int, default=64500)
    ap.add_argument("--peer-ip", default="127.0.0.11")
    ap.add_argument("--pad", type=int, default=5000,
                    help="copies of the last record appended (see below)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    ts = int(time.time())
    peer_ip = ipaddress.IPv4Address(a.peer_ip).packed
    # PEER_INDEX_TABLE: collector id, empty view name, one peer (type 0x02: IPv4 address, 4-byte AS)
    pit = peer_ip + struct.pack("!HH", 0, 1) + struct.pack("!B", 0x02) + peer_ip + peer_ip + struct.pack("!I", a.peer_as)
    with open(a.out, "wb", buffering=1 << 22) as f:
        f.write(record(ts, PEER_INDEX_TABLE, pit))
        seq = 0
        last = None
        for count, base, plen, subtype, width, attrs in (
                (a.count4, a.base4, a.len4, RIB_IPV4_UNICAST, 32, path_attrs(a.as_path, nexthop4=a.nexthop4)),
                (a.count6, a.base6, a.len6, RIB_IPV6_UNICAST, 128, path_attrs(a.as_path, nexthop6=a.nexthop6))):
            if count <= 0:
                continue
            if count > 1 << plen:
                raise SystemExit(f"{count} prefixes of length /{plen} do not fit")
            nbytes = (plen + 7) // 8
            # one RIB entry: entry count 1; peer index 0, originated time, attributes
            entry = struct.pack("!H", 1) + struct.pack("!HIH", 0, ts, len(attrs)) + attrs
            reclen = 4 + 1 + nbytes + len(entry)
            head = struct.pack("!IHHI", ts, TABLE_DUMP_V2, subtype, reclen)
            start = int(ipaddress.ip_address(base)) >> (width - plen)
            if start + count > 1 << plen:
                raise SystemExit("prefix range overflows the address space")
            shift = nbytes * 8 - plen  # bits below the prefix inside its bytes
            chunk = []
            for i in range(count):
                net = (start + i) << shift
                chunk.append(head + struct.pack("!IB", seq, plen) + net.to_bytes(nbytes, "big") + entry)
                seq += 1
                if len(chunk) == 65536:
                    f.write(b"".join(chunk)); chunk.clear()
            f.write(b"".join(chunk))
            last = (chunk[-1] if chunk else None) or last
            print(f"last{4 if subtype == RIB_IPV4_UNICAST else 6}="
                  f"{ipaddress.ip_address((start + count - 1) << (width - plen))}/{plen}")
        # gobgp 3.10's 'mrt inject' returns without closing its gRPC stream (no CloseAndRecv), so
        # whatever is still in flight when it exits is lost: the tail of the file (up to ~1000 records
        # seen). The padding, re-announcements of the last route, is what gets lost instead. Each one
        # that arrives makes the peer re-send that route unchanged; GoBGP's BMP client suppresses
        # such duplicates, so the collector sees nothing of it. routers.sh checks the last routes.
        if last is not None and a.pad > 0:
            f.write(last * a.pad)


if __name__ == "__main__":
    main()
