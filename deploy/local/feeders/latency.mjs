#!/usr/bin/env node
// Latency probe of the local stack. Every interval it times a TCP connect to the BGP socket (port
// 179) of the peer behind each target prefix: SYN to SYN-ACK (or RST), one real round trip over the
// loopback path the lab's routes take. It streams the round-trip times as LatencySamples to
// LatencyService/IngestLatencySamples through the gateway.
//
// Targets, refreshed every few minutes:
//   - every registered prefix and peering-service prefix of the inventory, probed over the peering's
//     first connection (the peering service's primary), its origin ASN taken from the received route
//     when there is one;
//   - up to PEERING_FEED_CUSTOMER_PREFIXES (10) customer prefixes per peering: received routes whose
//     origin AS is the peer's or a registered ASN (RoutesService/ListReceivedRoutes through the
//     gateway), probed at the address of the peer that announced them.
//   node deploy/local/feeders/latency.mjs [GATEWAY_HOST:PORT]
// Environment: as counters.mjs, plus PEERING_FEED_CUSTOMER_PREFIXES and PEERING_FEED_PROBE_PORT (179).
import net from 'node:net';
import os from 'node:os';
import { client, describe, timestamp, unary } from '../../client/grpc.mjs';
import { feed, inventory, log, settings } from './common.mjs';

const probePort = Number(process.env.PEERING_FEED_PROBE_PORT || 179);
const customerPrefixes = Number(process.env.PEERING_FEED_CUSTOMER_PREFIXES || 10);
const location = process.env.PEERING_FEED_PROBE_LOCATION || os.hostname();
const routes = client(settings.gateway, 'RoutesService');
const isV6 = a => a.includes(':');

/** Round-trip time in ms of a TCP handshake with host:port; null when there is no answer. */
function rtt(host, port, timeoutMs = 2000) {
  return new Promise(resolve => {
    const t0 = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e6;
    const socket = net.connect({ host, port });
    const done = value => { socket.destroy(); resolve(value); };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.once('connect', () => done(elapsed()));
    // A refusal (RST) is an answer too: the round trip happened.
    socket.once('error', e => done(e.code === 'ECONNREFUSED' ? elapsed() : null));
  });
}

async function route(parent, prefix) {
  try {
    const r = await unary(routes, 'ListReceivedRoutes', { parent, prefix, page_size: 1 }, { timeoutSeconds: 10 });
    return r.routes[0];
  } catch (e) {
    return undefined;
  }
}

/** [{ target, origin, addresses: [probe address, fallbacks...] }] */
async function targets() {
  const inv = inventory();
  const list = [];
  const seen = new Set();
  const add = (target, origin, addresses, customer = false) => {
    if (seen.has(target) || addresses.length === 0) return;
    seen.add(target);
    list.push({ target, origin, addresses, customer });
  };
  const peering = name => inv.peerings.find(p => p.name === name);
  const sessionAddresses = (p, connectionName) => {
    const c = (p?.connections ?? []).find(x => !connectionName || x.name === connectionName);
    return c?.['session-addresses']?.map(String) ?? [];
  };
  // the connection's address of the prefix's family first, then the others
  const byFamily = (addresses, prefix) => [...addresses.filter(a => isV6(a) === isV6(prefix)), ...addresses.filter(a => isV6(a) !== isV6(prefix))];
  for (const s of inv.peeringServices) {
    const p = peering(s.peering);
    for (const prefix of s.prefixes ?? []) {
      const r = await route(`peerings/${s.peering}`, prefix);
      add(prefix, r?.origin_asn ?? 0, byFamily(sessionAddresses(p, s['primary-connection']), prefix));
    }
  }
  for (const p of inv.peerings) {
    for (const rp of p['registered-prefixes'] ?? []) {
      const r = await route(`peerings/${p.name}`, rp.prefix);
      add(rp.prefix, r?.origin_asn ?? 0, byFamily(sessionAddresses(p), rp.prefix));
    }
    try {
      const r = await unary(routes, 'ListReceivedRoutes', {
        parent: `peerings/${p.name}`, origin_as_validation_state: 'ORIGIN_AS_VALIDATION_STATE_VALID',
        rib_view: 'RIB_VIEW_ADJ_RIB_IN_PRE_POLICY', page_size: customerPrefixes * 4,
      }, { timeoutSeconds: 10 });
      let n = 0;
      for (const x of r.routes) {
        if (n >= customerPrefixes) break;
        if (seen.has(x.prefix)) continue;
        add(x.prefix, x.origin_asn, [x.peer_address], true);
        n++;
      }
    } catch (e) {
      log('latency', `ListReceivedRoutes ${p.name}: ${describe(e)} (customer prefixes left out this time)`);
    }
  }
  return list;
}

let current = [];
let refreshed = 0;
const warned = new Set();

await feed({
  name: 'latency',
  client: client(settings.gateway, 'LatencyService'),
  method: 'IngestLatencySamples',
  collect: async () => {
    // every 5 minutes; every 30 s while no customer prefix is known yet (the routers are still starting)
    if (Date.now() - refreshed > (current.some(t => t.customer) ? 300_000 : 30_000)) {
      current = await targets();
      refreshed = Date.now();
      log('latency', `${current.length} targets: ${current.map(t => `${t.target} via ${t.addresses[0]}`).join(', ')}`);
    }
    const samples = [];
    for (const t of current) {
      let ms = null;
      for (const a of t.addresses) {
        ms = await rtt(a, probePort);
        if (ms !== null) break;
      }
      if (ms === null) {
        if (!warned.has(t.target)) log('latency', `no answer from ${t.addresses.join(' or ')} port ${probePort} for ${t.target}; skipped`);
        warned.add(t.target);
        continue;
      }
      warned.delete(t.target);
      samples.push({ target: t.target, time: timestamp(Date.now()), rtt_ms: Math.round(ms * 1000) / 1000, probe_location: location, origin_asn: t.origin });
    }
    return samples.length ? { samples } : null;
  },
  // Latency samples are not deduplicated by the service: a failed window is not sent again.
  retry: () => [],
});
