#!/usr/bin/env node
// Counter feeder of the local stack: a stand-in for an SNMP/gNMI poller. Every interval it reads the
// real interface counters of the interface that carries the lab's BGP sessions (loopback: `lo` in
// /proc/net/dev) and streams one ConnectionSample per inventory connection to
// MetricsService/IngestConnectionSamples through the gateway. In the lab every connection rides on
// `lo`, so they all report its counters: octets in/out (rx/tx bytes) and discards in/out (rx/tx drop).
//   node deploy/local/feeders/counters.mjs [GATEWAY_HOST:PORT]
// Environment: PEERING_GATEWAY_ADDR, PEERING_INVENTORY, PEERING_FEED_INTERVAL (s, 10),
// PEERING_FEED_WINDOW (s, 60), PEERING_FEED_INTERFACE (lo), PEERING_TOKEN (bearer token, when set).
import fs from 'node:fs';
import { client, timestamp } from '../../client/grpc.mjs';
import { feed, inventory, settings } from './common.mjs';

const iface = process.env.PEERING_FEED_INTERFACE || 'lo';

/** rx/tx bytes and drops of one interface, from /proc/net/dev (64-bit counters on Linux). */
function counters() {
  const line = fs.readFileSync('/proc/net/dev', 'utf8').split('\n').find(l => l.trim().startsWith(`${iface}:`));
  if (!line) throw new Error(`no interface ${iface} in /proc/net/dev`);
  // face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls carrier compressed
  const f = line.split(':')[1].trim().split(/\s+/);
  return { rxBytes: f[0], rxDrop: f[3], txBytes: f[8], txDrop: f[11] };
}

const connections = inventory().peerings.flatMap(p => (p.connections ?? []).map(c => `peerings/${p.name}/connections/${c.name}`));
if (connections.length === 0) throw new Error(`no connections in ${settings.inventory}`);

await feed({
  name: 'counters',
  client: client(settings.gateway, 'MetricsService'),
  method: 'IngestConnectionSamples',
  collect: () => {
    const c = counters();
    const time = timestamp(Date.now());
    return {
      samples: connections.map(connection => ({
        connection, time, in_octets: c.rxBytes, out_octets: c.txBytes, in_discards: c.rxDrop, out_discards: c.txDrop,
      })),
    };
  },
  // Samples are idempotent (same connection and time are kept once): a failed window is sent again.
  retry: sent => sent,
});
