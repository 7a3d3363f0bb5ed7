// Shared pieces of the Node clients (smoke.mjs, the local stack's feeders): the platform's protos
// loaded from proto/, clients for the four services, the bearer token, time conversions and calls
// as promises. Imported by path, so the dependencies resolve from deploy/client/node_modules.
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export { grpc, YAML };

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoDir = path.resolve(here, '../..');
const protoRoot = path.resolve(repoDir, 'proto/src/main/resources');
const files = ['common', 'routes', 'metrics', 'latency', 'events'].map(d => `peering/${d}/v1/${d}.proto`);

const definition = protoLoader.loadSync(files, {
  includeDirs: [protoRoot], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
});
const proto = grpc.loadPackageDefinition(definition);

/** A client of RoutesService, MetricsService, LatencyService or EventsService at HOST:PORT. */
export function client(target, serviceName) {
  const fullName = `peering.${serviceName.replace(/Service$/, '').toLowerCase()}.v1.${serviceName}`;
  const Service = fullName.split('.').reduce((o, k) => o?.[k], proto);
  if (!Service) throw new Error(`unknown service ${serviceName}`);
  return new Service(target, grpc.credentials.createInsecure(), {
    // Watch streams and ingest streams stay open for long; keep the connection checked.
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
  });
}

/** Call metadata: the bearer token when PEERING_TOKEN is set (the services check it when auth is on). */
export function metadata() {
  const m = new grpc.Metadata();
  if (process.env.PEERING_TOKEN) m.set('authorization', `Bearer ${process.env.PEERING_TOKEN}`);
  return m;
}

export const timestamp = ms => ({ seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 });
export const millis = t => Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
export const iso = t => new Date(millis(t)).toISOString();

const deadline = seconds => new Date(Date.now() + seconds * 1000);

/** A unary call as a promise. */
export function unary(c, method, request, { timeoutSeconds = 30 } = {}) {
  return new Promise((resolve, reject) => {
    c[method](request, metadata(), { deadline: deadline(timeoutSeconds) }, (e, r) => (e ? reject(e) : resolve(r)));
  });
}

/** A client stream: writes each message, half-closes, resolves with the reply. */
export function clientStream(c, method, messages, { timeoutSeconds = 60 } = {}) {
  return new Promise((resolve, reject) => {
    const call = c[method](metadata(), { deadline: deadline(timeoutSeconds) }, (e, r) => (e ? reject(e) : resolve(r)));
    for (const m of messages) call.write(m);
    call.end();
  });
}

/** A client stream kept open: write() messages as they come, end() to get the reply. */
export function openClientStream(c, method, { timeoutSeconds = 3600 } = {}) {
  let call;
  let failed = false;
  const reply = new Promise((resolve, reject) => {
    call = c[method](metadata(), { deadline: deadline(timeoutSeconds) }, (e, r) => (e ? reject(e) : resolve(r)));
  });
  reply.catch(() => { failed = true; });
  return {
    write: m => call.write(m),
    end: () => { call.end(); return reply; },
    cancel: () => call.cancel(),
    failed: () => failed,
  };
}

/** "CODE: details" of a gRPC error. */
export const describe = e => `${grpc.status[e.code] ?? e.code}: ${e.details ?? e.message}`;
