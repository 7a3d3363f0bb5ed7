#!/usr/bin/env node
// A gRPC command-line client for the platform, from the .proto files in proto/ (no reflection needed).
//   node deploy/client/call.mjs HOST:PORT Service/Method ['{"json": "request"}'] [--max N] [--timeout S]
//   Service is the short name (RoutesService, MetricsService, LatencyService, EventsService) or the full one.
// Times (*_time fields) may be RFC 3339 strings or relative: "now", "now-15m".
// Unary calls print the response as JSON. Server streams print one JSON line per message (stop after
// --max messages or --timeout seconds). Client streams take a JSON array: one request message per element.
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const protoRoot = path.resolve(here, '../../proto/src/main/resources');
const files = ['common', 'routes', 'metrics', 'latency', 'events'].map(d => `peering/${d}/v1/${d}.proto`);

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const max = Number(option('--max', '0'));
const timeout = Number(option('--timeout', '0'));
const [target, method, body = '{}'] = args;
if (!target || !method || !method.includes('/')) {
  console.error('usage: call.mjs HOST:PORT Service/Method [JSON] [--max N] [--timeout S]');
  process.exit(2);
}

const definition = protoLoader.loadSync(files, {
  includeDirs: [protoRoot], keepCase: true, longs: String, enums: String, defaults: false, oneofs: true,
});
const proto = grpc.loadPackageDefinition(definition);
const [serviceName, methodName] = method.split('/');
const fullName = serviceName.includes('.') ? serviceName
  : `peering.${serviceName.replace(/Service$/, '').toLowerCase()}.v1.${serviceName}`;
const Service = fullName.split('.').reduce((o, k) => o?.[k], proto);
if (!Service) {
  console.error(`unknown service ${fullName}`);
  process.exit(2);
}
const info = Service.service[methodName];
if (!info) {
  console.error(`unknown method ${methodName}; ${fullName} has: ${Object.keys(Service.service).join(', ')}`);
  process.exit(2);
}
const headers = new grpc.Metadata();
if (process.env.PEERING_TOKEN) headers.set('authorization', `Bearer ${process.env.PEERING_TOKEN}`);
const client = new Service(target, grpc.credentials.createInsecure());
// Timestamps may be written as RFC 3339 strings ("2026-11-24T00:00:00Z"), as in JSON-mapped protobuf,
// or relative to now: "now", "now-15m" (s, m, h, d).
const units = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };
const timestamps = value => {
  if (Array.isArray(value)) return value.map(timestamps);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => {
      const relative = typeof v === 'string' && /(^|_)time$/.test(k) && /^now(?:-(\d+)([smhd]))?$/.exec(v);
      if (relative) {
        const ms = Date.now() - (relative[1] ? Number(relative[1]) * units[relative[2]] : 0);
        return [k, { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 }];
      }
      if (typeof v === 'string' && /(^|_)time$/.test(k) && /^\d{4}-\d\d-\d\dT/.test(v)) {
        const ms = Date.parse(v);
        if (Number.isNaN(ms)) throw new Error(`${k}: "${v}" is not an RFC 3339 time`);
        return [k, { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 }];
      }
      return [k, timestamps(v)];
    }));
  }
  return value;
};
const request = timestamps(JSON.parse(body));
const print = m => console.log(JSON.stringify(m));
const fail = e => {
  console.error(`${grpc.status[e.code] ?? e.code}: ${decodeURIComponent(e.details ?? e.message)}`);
  process.exit(1);
};

if (info.requestStream && !info.responseStream) {
  const call = client[methodName](headers, (e, response) => (e ? fail(e) : (print(response), process.exit(0))));
  for (const message of Array.isArray(request) ? request : [request]) call.write(message);
  call.end();
} else if (info.responseStream) {
  const call = client[methodName](request, headers);
  let count = 0;
  if (timeout > 0) setTimeout(() => { call.cancel(); process.exit(0); }, timeout * 1000);
  call.on('data', m => { print(m); if (max > 0 && ++count >= max) { call.cancel(); process.exit(0); } });
  call.on('error', e => (e.code === grpc.status.CANCELLED ? process.exit(0) : fail(e)));
  call.on('end', () => process.exit(0));
} else {
  client[methodName](request, headers, (e, response) => (e ? fail(e) : (print(response), process.exit(0))));
}
