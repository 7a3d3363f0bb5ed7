// The console's JSON API: each call is one gRPC query made by the console with the signed-in
// person's token (kept in an HttpOnly cookie this script cannot read).
import { h, message } from './dom.js';

export class ApiFailure extends Error {
  constructor(status, code, text) {
    super(text);
    this.status = status;
    this.code = code;
  }
}

/** call('RoutesService/ListSessions', {parent: 'peerings/x'}) -> the response message as JSON. */
export async function call(rpc, request = {}) {
  let r;
  try {
    r = await fetch('/api/call/' + rpc, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(request),
    });
  } catch (e) {
    throw new ApiFailure(0, 'NETWORK', 'the console did not answer (' + e.message + ')');
  }
  let body = null;
  try { body = await r.json(); } catch { /* not JSON: say what we got below */ }
  if (!r.ok) throw new ApiFailure(r.status, body?.code || 'HTTP_' + r.status, body?.message || r.statusText);
  return body || {};
}

/** Every page of a List RPC: the items of `field` from all pages. */
export async function all(rpc, request, field, pageSize = 1000) {
  const items = [];
  let pageToken = '';
  do {
    const page = await call(rpc, { ...request, pageSize, pageToken });
    items.push(...(page[field] || []));
    pageToken = page.nextPageToken || '';
  } while (pageToken);
  return items;
}

export async function who() {
  const r = await fetch('/api/session', { credentials: 'same-origin' });
  const me = r.ok ? await r.json() : null;
  return me?.signedIn ? me : null;
}

/** What a failure means for the person looking, and what they can do about it. */
export function explain(failure, what) {
  const text = failure?.message || String(failure);
  switch (failure?.code) {
    case 'UNAUTHENTICATED': {
      const next = location.pathname + location.search;
      return message('problem', 'You are not signed in, or your token was refused or has expired: ' + text + '.',
        h('p', {}, h('a', { href: '/signin?next=' + encodeURIComponent(next) }, 'Sign in again')));
    }
    case 'PERMISSION_DENIED':
      return message('problem', 'Your token may not see ' + what + '. The service said: ' + text);
    case 'UNAVAILABLE':
      return message('problem', 'The data for ' + what + ' cannot be shown right now: ' + text + '. Try again in a moment.');
    case 'DEADLINE_EXCEEDED':
      return message('problem', 'The service took too long to answer for ' + what + ' (' + text + '). Try a shorter time range.');
    case 'RESOURCE_EXHAUSTED':
      return message('problem', 'Too many requests for ' + what + '. The service said: ' + text);
    case 'NOT_FOUND':
      return message('problem', 'Not found: ' + text);
    case 'INVALID_ARGUMENT':
      return message('problem', 'The request for ' + what + ' was refused: ' + text);
    case 'NETWORK':
      return message('problem', 'The console cannot be reached: ' + text + '. Check your connection and reload.');
    default:
      return message('problem', 'Loading ' + what + ' failed: ' + (failure?.code ? failure.code + ': ' : '') + text);
  }
}
