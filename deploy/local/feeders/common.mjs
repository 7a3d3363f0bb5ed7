// What the local stack's feeders share: settings, the inventory, and a sender that streams samples
// to a client-streaming ingest RPC in windows.
//
// The ingest RPCs store a stream's samples in batches and answer when the client half-closes, so
// a stream that never ends would make nothing visible. A feeder therefore keeps one stream open
// per window (PEERING_FEED_WINDOW seconds; the first window is short so data shows at once), writes
// one message per round into it, and half-closes at the window's end to get the reply.
import fs from 'node:fs';
import path from 'node:path';
import { describe, openClientStream, repoDir, YAML } from '../../client/grpc.mjs';

export const settings = {
  gateway: process.argv[2] || process.env.PEERING_GATEWAY_ADDR || `127.0.0.1:${process.env.PEERING_GATEWAY_PORT || 8080}`,
  inventory: process.env.PEERING_INVENTORY || path.join(repoDir, 'deploy/inventory/sample-inventory.yaml'),
  intervalSeconds: Number(process.env.PEERING_FEED_INTERVAL || 10),
  windowSeconds: Number(process.env.PEERING_FEED_WINDOW || 60),
};

export const log = (name, text) => console.log(`${new Date().toISOString()} [${name}] ${text}`);

/** The inventory YAML as plain objects: { peerings: [...], 'peering-services': [...] }. */
export function inventory() {
  const doc = YAML.parse(fs.readFileSync(settings.inventory, 'utf8'));
  return { peerings: doc?.inventory?.peerings ?? [], peeringServices: doc?.inventory?.['peering-services'] ?? [] };
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

/**
 * Runs forever: every interval, collect() returns a message (or null for nothing this round),
 * which is written into the current window's stream. At the end of a window the stream is
 * half-closed and the reply logged. A failed window's messages are given to retry() (which may
 * return what to send again).
 */
export async function feed({ name, client, method, collect, retry = () => [] }) {
  let first = true;
  let carry = [];
  log(name, `streaming ${method} to ${settings.gateway} every ${settings.intervalSeconds} s in ${settings.windowSeconds} s windows`);
  for (;;) {
    const rounds = first ? 2 : Math.max(1, Math.round(settings.windowSeconds / settings.intervalSeconds));
    const stream = openClientStream(client, method, { timeoutSeconds: settings.windowSeconds * 2 + 120 });
    const sent = [];
    for (const m of carry) { stream.write(m); sent.push(m); }
    carry = [];
    for (let i = 0; i < rounds && !stream.failed(); i++) {
      const started = Date.now();
      try {
        const m = await collect();
        if (m) { stream.write(m); sent.push(m); }
      } catch (e) {
        log(name, `collecting failed: ${e.message}`);
      }
      if (i < rounds - 1 && !stream.failed()) await sleep(Math.max(0, settings.intervalSeconds * 1000 - (Date.now() - started)));
    }
    try {
      const reply = await stream.end();
      const rejections = (reply.rejections ?? []).slice(0, 3).map(r => `#${r.index}: ${r.reason}`).join('; ');
      log(name, `${sent.length} message(s): accepted ${reply.accepted}`
        + (reply.duplicates !== undefined ? `, duplicates ${reply.duplicates}` : '')
        + `, rejected ${reply.rejected}${rejections ? ` (${rejections})` : ''}`);
      first = false;
      await sleep(settings.intervalSeconds * 1000);
    } catch (e) {
      log(name, `stream failed, retrying in ${settings.intervalSeconds} s: ${describe(e)}`);
      carry = retry(sent).slice(-100);
      await sleep(settings.intervalSeconds * 1000);
    }
  }
}
