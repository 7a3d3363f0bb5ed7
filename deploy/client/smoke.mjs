#!/usr/bin/env node
// Calls every RPC of the four services through one address (the gateway) with valid requests and
// prints one JSON line per call: {"call": "Service/Method", "ok": true, "response": {...}} or
// {"call": ..., "ok": false, "code": "UNIMPLEMENTED", "details": "..."}. Used by the deploy tests
// (GatewayEndToEndTest), which assert on the lines. It writes known samples 15-20 minutes in the past
// (ams-1 counters, lon-1 session transitions, latency of 198.51.100.7 and 192.0.2.10): point it at a
// throwaway stack, not at one whose numbers you care about.
//
//   node deploy/client/smoke.mjs HOST:PORT [--live-prefix P] [--live-session ADDR] [--live-event TYPE] [--timeout S]
//
// 1. Unary and client-streaming calls. Ingest calls write known samples with times in the past
//    (aligned to 5 minutes, 15 minutes ago) and the query calls read them back: counters rising
//    8,000,000 bit/s in, 4,000,000 bit/s out, 10 drops/s on ams-1; a lon-1 session Established for
//    5 minutes then Idle; latency 10/20/30 ms for 198.51.100.7 and 5/7 ms for 192.0.2.10 (origin
//    AS 4200000001, registered as contoso-customer), plus one refused sample.
// 2. Gateway behaviour: unknown service and unknown method (UNIMPLEMENTED), gRPC health, reflection,
//    /healthz and /healthz/{service} over HTTP/2.
// 3. With any --live-*: opens WatchRouteChanges, WatchSessions and WatchPrefixEvents from the earliest
//    position, and once each has replayed a message prints {"call": "watching"}; then waits for what
//    the caller makes happen on the routers: an announcement of --live-prefix, a transition of the
//    session with peer --live-session out of Established, a prefix event of type --live-event
//    (e.g. PREFIX_EVENT_TYPE_PREFIX_WITHDRAWAL_EVENT), each printed with "live": true.
// Exit code 0 when every call answered as expected by gRPC (ok or an expected status), 1 otherwise.
import http2 from 'node:http2';
import { client, grpc, metadata, millis, timestamp, unary, clientStream } from './grpc.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const livePrefix = option('--live-prefix');
const liveSession = option('--live-session');
const liveEvent = option('--live-event');
const timeoutSeconds = Number(option('--timeout', '180'));
const target = args[0];
if (!target) {
  console.error('usage: smoke.mjs HOST:PORT [--live-prefix P] [--live-session ADDR] [--live-event TYPE] [--timeout S]');
  process.exit(2);
}

const routes = client(target, 'RoutesService');
const metrics = client(target, 'MetricsService');
const latency = client(target, 'LatencyService');
const events = client(target, 'EventsService');
let failures = 0;
const print = line => console.log(JSON.stringify(line));

async function call(name, promise, expectCode) {
  try {
    const response = await promise;
    print({ call: name, ok: true, response });
    if (expectCode !== undefined) failures++;
    return response;
  } catch (e) {
    print({ call: name, ok: false, code: grpc.status[e.code] ?? String(e.code), details: e.details ?? e.message });
    if (expectCode === undefined || grpc.status[e.code] !== expectCode) failures++;
    return undefined;
  }
}

const MIN = 60_000;
const now = Date.now();
const t0 = Math.floor(now / (5 * MIN)) * 5 * MIN - 15 * MIN;  // on a 5-minute edge, 15-20 minutes ago
const ts = timestamp;
const range = (from, to) => ({ start_time: ts(from), end_time: ts(to) });

// ---- routes ----
await call('RoutesService/ListSessions', unary(routes, 'ListSessions', { parent: 'peerings/-' }));
await call('RoutesService/ListReceivedRoutes', unary(routes, 'ListReceivedRoutes',
  { parent: 'peerings/contoso-ams', prefix: '198.51.100.0/24' }));
await call('RoutesService/GetRouteHistory', unary(routes, 'GetRouteHistory',
  { parent: 'peerings/contoso-ams', prefix: '198.51.100.0/24', time_range: range(now - 3600_000, Date.now()) }));
// An error status passes through the gateway unchanged.
await call('RoutesService/ListReceivedRoutes#invalid', unary(routes, 'ListReceivedRoutes',
  { parent: 'peerings/contoso-ams', prefix: '198.51.100.1/24' }), 'INVALID_ARGUMENT');

// ---- metrics ----
await call('MetricsService/ListMetricDefinitions', unary(metrics, 'ListMetricDefinitions', {}));
const counterSamples = Array.from({ length: 11 }, (_, i) => ({
  connection: 'peerings/contoso-ams/connections/ams-1',
  time: ts(t0 + i * MIN),
  in_octets: String(1_000_000_000 + i * 60_000_000),   // 1,000,000 octets/s = 8,000,000 bit/s
  out_octets: String(2_000_000_000 + i * 30_000_000),  // 4,000,000 bit/s
  in_discards: String(i * 300),                        // 5/s in + 5/s out = 10 drops/s
  out_discards: String(i * 300),
}));
await call('MetricsService/IngestConnectionSamples', clientStream(metrics, 'IngestConnectionSamples',
  [{ samples: counterSamples.slice(0, 5) }, { samples: counterSamples.slice(5) }]));
await call('MetricsService/QueryConnectionMetrics', unary(metrics, 'QueryConnectionMetrics', {
  resource: 'peerings/contoso-ams/connections/ams-1',
  metrics: ['IngressTrafficRate', 'EgressTrafficRate', 'PacketDropRate'],
  time_range: range(t0, t0 + 10 * MIN), time_grain: 'TIME_GRAIN_PT5M',
}));
await call('MetricsService/ReportSessionTransitions', clientStream(metrics, 'ReportSessionTransitions', [{
  transitions: [
    { connection: 'peerings/fabrikam-lon/connections/lon-1', session_address: '127.0.0.21', state: 'SESSION_STATE_ESTABLISHED', time: ts(t0), reason: 'smoke test' },
    { connection: 'peerings/fabrikam-lon/connections/lon-1', session_address: '127.0.0.21', state: 'SESSION_STATE_IDLE', time: ts(t0 + 5 * MIN), reason: 'smoke test' },
  ],
}]));
await call('MetricsService/QueryConnectionMetrics#lon-1', unary(metrics, 'QueryConnectionMetrics', {
  resource: 'peerings/fabrikam-lon/connections/lon-1', metrics: ['SessionAvailabilityV4', 'FlapCounts'],
  time_range: range(t0, t0 + 10 * MIN), time_grain: 'TIME_GRAIN_PT5M',
}));
await call('MetricsService/QueryPeeringServiceAvailability', unary(metrics, 'QueryPeeringServiceAvailability', {
  peering_service: 'peeringServices/contoso-web', time_range: range(now - 10 * MIN, Date.now()), time_grain: 'TIME_GRAIN_PT1M',
}));

// ---- latency ----
const at = t0 + 30_000;
await call('LatencyService/IngestLatencySamples', clientStream(latency, 'IngestLatencySamples', [
  { samples: [10, 20, 30].map((rtt, i) => ({ target: '198.51.100.7', time: ts(at + i * 1000), rtt_ms: rtt, probe_location: 'smoke' })) },
  { samples: [5, 7].map((rtt, i) => ({ target: '192.0.2.10', time: ts(at + i * 1000), rtt_ms: rtt, probe_location: 'smoke', origin_asn: 4200000001 })) },
  { samples: [{ target: '198.51.100.7', time: ts(at), rtt_ms: -1 }] },  // refused: negative round trip
]));
await call('LatencyService/QueryPrefixLatency', unary(latency, 'QueryPrefixLatency', {
  prefix: '198.51.100.0/24', time_range: range(t0, t0 + 5 * MIN), time_grain: 'TIME_GRAIN_PT5M',
}));
await call('LatencyService/QueryRegisteredPrefixLatency', unary(latency, 'QueryRegisteredPrefixLatency', {
  parent: 'peerings/contoso-ams', time_range: range(t0, t0 + 5 * MIN), time_grain: 'TIME_GRAIN_PT5M',
}));
await call('LatencyService/QueryRegisteredAsnLatency', unary(latency, 'QueryRegisteredAsnLatency', {
  name: 'peerings/contoso-ams/registeredAsns/contoso-customer', time_range: range(t0, t0 + 5 * MIN), time_grain: 'TIME_GRAIN_PT5M',
}));

// ---- events ----
await call('EventsService/ListPrefixEvents', unary(events, 'ListPrefixEvents', {
  parent: 'peeringServices/contoso-web', time_range: range(now - 3600_000, Date.now()),
}));

// ---- the gateway itself ----
const raw = (path, body = Buffer.alloc(0)) => new Promise((resolve, reject) => {
  const c = new grpc.Client(target, grpc.credentials.createInsecure());
  c.makeUnaryRequest(path, b => b, b => b, body, metadata(), { deadline: new Date(Date.now() + 30_000) },
    (e, r) => { c.close(); return e ? reject(e) : resolve(r); });
});
await call('gateway/unknown-service', raw('/no.such.v1.Service/Method'), 'UNIMPLEMENTED');
await call('gateway/unknown-method', raw('/peering.routes.v1.RoutesService/NoSuchMethod'), 'UNIMPLEMENTED');
// HealthCheckRequest {} -> HealthCheckResponse {status: SERVING (1)} is the two bytes 08 01.
await call('grpc.health.v1.Health/Check', raw('/grpc.health.v1.Health/Check').then(b => ({ bytes: [...b], serving: b.equals(Buffer.from([8, 1])) })));
await call('grpc.reflection.v1.ServerReflection/ServerReflectionInfo', new Promise((resolve, reject) => {
  const c = new grpc.Client(target, grpc.credentials.createInsecure());
  const s = c.makeBidiStreamRequest('/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', b => b, b => b, metadata());
  s.on('data', d => resolve({ bytes: d.length }));
  s.on('error', e => { c.close(); reject(e); });
  s.write(Buffer.from([0x3a, 0x00]));  // list_services: ""
  s.end();
}), 'UNIMPLEMENTED');
const http = path => new Promise((resolve, reject) => {
  const session = http2.connect(`http://${target}`);
  session.on('error', reject);
  const req = session.request({ ':path': path });
  let status; let body = '';
  req.on('response', h => { status = h[':status']; });
  req.setEncoding('utf8');
  req.on('data', d => { body += d; });
  req.on('end', () => { session.close(); resolve({ status, body: body.trim() }); });
  req.on('error', reject);
});
for (const path of ['/healthz', '/healthz/routes', '/healthz/metrics', '/healthz/latency', '/healthz/events']) {
  await call(`http${path}`, http(path));
}

// ---- live ----
if (livePrefix || liveSession || liveEvent) {
  const wanted = new Map();
  if (livePrefix) wanted.set('RoutesService/WatchRouteChanges', 'announcement of ' + livePrefix);
  if (liveSession) wanted.set('RoutesService/WatchSessions', 'transition of ' + liveSession + ' out of Established');
  if (liveEvent) wanted.set('EventsService/WatchPrefixEvents', liveEvent);
  const replayed = new Set();
  let announced = false;
  let watchingSince = Infinity;  // router times are whole seconds: a live item is at most 1 s older than this
  const live = item => announced && item.time && millis(item.time) >= watchingSince - 1000;
  const streams = [];
  const done = () => {
    if (wanted.size === 0) {
      streams.forEach(s => s.cancel());
      process.exit(failures ? 1 : 0);
    }
  };
  const watch = (c, method, request, items, match) => {
    const s = c[method](request, metadata());
    streams.push(s);
    const name = `${c.constructor.service[method].path.split('.v1.')[1]}`;
    s.on('data', m => {
      if (!replayed.has(name)) {
        replayed.add(name);
        print({ call: name, ok: true, replayed: m[items].length });
        if (replayed.size === 3 && !announced) { announced = true; watchingSince = Date.now(); print({ call: 'watching' }); }
      }
      for (const item of m[items]) {
        if (wanted.has(name) && match(item)) {
          print({ call: name, ok: true, live: true, response: item });
          wanted.delete(name);
          done();
        }
      }
    });
    s.on('error', e => {
      if (e.code !== grpc.status.CANCELLED) { print({ call: name, ok: false, code: grpc.status[e.code], details: e.details }); failures++; }
    });
  };
  watch(routes, 'WatchRouteChanges', { parent: 'peerings/contoso-ams', start_position: 'START_POSITION_EARLIEST' }, 'changes',
    c => live(c) && c.type === 'ROUTE_CHANGE_TYPE_ANNOUNCE' && c.route?.prefix === livePrefix);
  watch(routes, 'WatchSessions', { start_position: 'START_POSITION_EARLIEST' }, 'transitions',
    t => live(t) && t.session?.peer_address === liveSession && t.previous_state === 'SESSION_STATE_ESTABLISHED');
  watch(events, 'WatchPrefixEvents', { parent: 'peeringServices/contoso-web', start_position: 'START_POSITION_EARLIEST' }, 'events',
    e => live(e) && e.type === liveEvent);
  setTimeout(() => {
    for (const [name, what] of wanted) print({ call: name, ok: false, code: 'TIMEOUT', details: `no ${what} within ${timeoutSeconds} s` });
    process.exit(1);
  }, timeoutSeconds * 1000);
} else {
  process.exit(failures ? 1 : 0);
}
