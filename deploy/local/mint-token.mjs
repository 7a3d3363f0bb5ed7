// Signs a JWT with the JDK-independent Node crypto: node mint-token.mjs PRIVATE_KEY [--role R] [--asn N] [--subject S] [--ttl SECONDS]
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [keyFile, ...args] = process.argv.slice(2);
const roles = [];
const asns = [];
let subject = null;
let ttl = 86400;
for (let i = 0; i < args.length; i++) {
  const value = args[i + 1];
  switch (args[i]) {
    case '--role': roles.push(value); i++; break;
    case '--asn': asns.push(Number(String(value).replace(/^AS/i, ''))); i++; break;
    case '--subject': subject = value; i++; break;
    case '--ttl': ttl = Number(value); i++; break;
    default: fail(`unknown option ${args[i]}`);
  }
}
const known = ['reader', 'collector', 'operator'];
if (roles.length === 0) fail('give at least one --role: reader, collector or operator');
for (const r of roles) if (!known.includes(r)) fail(`role ${r} is not one of ${known.join(', ')}`);
for (const a of asns) if (!Number.isInteger(a) || a < 0 || a > 4294967295) fail(`--asn ${a} is not an ASN`);
if (roles.includes('reader') && !roles.includes('operator') && asns.length === 0) {
  fail('a reader sees only the peerings of its ASNs: give --asn N (repeatable)');
}
if (!Number.isInteger(ttl) || ttl <= 0) fail('--ttl is a number of seconds > 0');

const now = Math.floor(Date.now() / 1000);
const claims = {
  iss: 'peering-telemetry',
  sub: subject ?? `${roles.join('+')}${asns.length ? '-AS' + asns.join('-AS') : ''}`,
  iat: now,
  exp: now + ttl,
  groups: roles,
  peer_asn: asns,
};
const b64 = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
const input = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}`;
const signature = sign('sha256', Buffer.from(input), createPrivateKey(readFileSync(keyFile))).toString('base64url');
process.stdout.write(`${input}.${signature}\n`);

function fail(message) {
  process.stderr.write(`mint-token: ${message}\n`);
  process.exit(2);
}
