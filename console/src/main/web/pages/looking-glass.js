import { h, show, message, table, section } from '../lib/dom.js';
import { call, explain } from '../lib/api.js';
import { crumbs, peeringTabs } from '../lib/layout.js';
import { enumText, fixed, millis, rttMs, utc } from '../lib/format.js';

// Each tool's fields, as URL parameters of this page (so a lookup, a ping or a trace is a link).
const TOOLS = { bgp: ['target', 'match', 'at'], ping: ['ping', 'count'], trace: ['trace', 'maxHops'] };
const MATCHES = [['BGP_ROUTE_MATCH_LONGEST_PREFIX', 'longest prefix'], ['BGP_ROUTE_MATCH_EXACT', 'exact'],
  ['BGP_ROUTE_MATCH_MORE_SPECIFIC', 'and more-specifics']];

/**
 * The looking glass of a peering: its routes for an address or prefix (BgpRoute: longest-prefix match,
 * exact, or more-specifics; now or as of a past time), and Ping and Traceroute from the collector's host.
 */
export async function lookingGlassPage(peering) {
  const params = new URLSearchParams(location.search);
  crumbs([peering, '/peerings/' + peering + '/receivedRoutes'], ['Looking glass']);
  const head = [h('h1', {}, 'Looking glass of ', peering), peeringTabs(peering, 'lookingGlass')];
  const bgp = section('BGP route', bgpForm(params), params.get('target') ? message('note', 'Looking up ' + params.get('target') + '…') : null);
  const ping = section('Ping', pingForm(params), params.get('ping') ? message('note', 'Pinging ' + params.get('ping') + '…') : null);
  const trace = section('Traceroute', traceForm(params), params.get('trace') ? message('note', 'Tracing ' + params.get('trace') + '…') : null);
  [bgp, ping, trace].forEach((s, i) => s.setAttribute('aria-label', ['BGP route', 'Ping', 'Traceroute'][i]));
  show(...head, bgp, ping, trace);
  await Promise.all([
    params.get('target') && bgpResult(peering, params).then((r) => bgp.lastChild.replaceWith(r)),
    params.get('ping') && pingResult(params).then((r) => ping.lastChild.replaceWith(r)),
    params.get('trace') && traceResult(params).then((r) => trace.lastChild.replaceWith(r)),
  ]);
}

/** A GET form of one tool: its own fields, and the other tools' parameters kept as they are. */
function toolForm(params, tool, label, ...fields) {
  const kept = Object.entries(TOOLS).filter(([t]) => t !== tool).flatMap(([, names]) => names)
    .filter((n) => params.get(n)).map((n) => h('input', { type: 'hidden', name: n, value: params.get(n) }));
  return h('form', { method: 'get', class: 'filters', 'aria-label': label }, ...fields, ...kept, h('button', { type: 'submit' }, label));
}

const text = (params, name, label, placeholder, attrs = {}) => h('label', {}, label,
  h('input', { name, value: params.get(name) || '', placeholder, ...attrs }));

function bgpForm(params) {
  const match = params.get('match') || MATCHES[0][0];
  return toolForm(params, 'bgp', 'Look up',
    text(params, 'target', 'Address or prefix ', '198.51.100.7 or 198.51.100.0/24', { required: true }),
    h('label', {}, 'Match ', h('select', { name: 'match' },
      MATCHES.map(([value, words]) => h('option', { value, selected: match === value }, words)))),
    h('label', {}, 'As of (UTC; empty: now) ', h('input', { type: 'datetime-local', name: 'at', step: 1, value: (params.get('at') || '').slice(0, 19) })));
}

function pingForm(params) {
  return toolForm(params, 'ping', 'Ping',
    text(params, 'ping', 'Address ', '127.0.0.1', { required: true }),
    text(params, 'count', 'Echo requests (1–10) ', '4', { type: 'number', min: 1, max: 10 }));
}

function traceForm(params) {
  return toolForm(params, 'trace', 'Trace',
    text(params, 'trace', 'Address ', '127.0.0.1', { required: true }),
    text(params, 'maxHops', 'Most hops (1–30) ', '30', { type: 'number', min: 1, max: 30 }));
}

/** "2026-12-06T10:00" from the form is UTC, as every time on these pages. */
function atTime(at) {
  return /(Z|[+-]\d\d:\d\d)$/.test(at) ? at : at + 'Z';
}

async function bgpResult(peering, params) {
  const target = params.get('target');
  const at = params.get('at');
  const what = 'the routes of peerings/' + peering + ' for ' + target;
  let answer;
  try {
    answer = await call('RoutesService/BgpRoute', { parent: 'peerings/' + peering, target, match: params.get('match') || undefined,
      atTime: at ? new Date(atTime(at)).toISOString() : undefined, pageSize: 1000 });
  } catch (e) {
    return explain(e, what);
  }
  const routes = answer.routes || [];
  const when = at ? ' as of ' + utc(new Date(atTime(at)).toISOString()) + ' UTC' : ' now';
  if (routes.length === 0) return message('empty', 'No received route matches ' + target + when + '.');
  return h('div', {},
    h('p', { class: 'note' }, routes.length + ' route' + (routes.length === 1 ? '' : 's') + ' for ' + answer.matchedPrefix + when
      + (answer.nextPageToken ? ' (the first 1000)' : '') + '.'),
    table(['Prefix', 'Router', 'Session (connection, peer)', 'Next hop', 'AS path', 'Origin AS', 'RPKI', 'Received (UTC)', 'Communities'],
      routes.map((r) => [
        h('a', { href: '/peerings/' + peering + '/routeHistory?prefix=' + encodeURIComponent(r.prefix), title: 'History of ' + r.prefix }, r.prefix),
        r.router || '', (r.connection ? r.connection.split('/').pop() + ' ' : '') + r.peerAddress + (r.peerAsn ? ' AS' + r.peerAsn : ''),
        r.nextHop || '', r.asPath || '', r.originAsn ? 'AS' + r.originAsn : '', enumText(r.rpkiValidationState, 'RPKI_VALIDATION_STATE_'),
        utc(r.receivedTime), [...(r.communities || []), ...(r.largeCommunities || [])].join(' ')]),
      { class: 'routes lookup' }));
}

/** One Ping or Traceroute call, drawn by `draw`; a refusal said in the service's words. */
async function probe(rpc, request, what, draw) {
  let answer;
  try {
    answer = await call(rpc, request);
  } catch (e) {
    // a refused target is the operator's setting, not the person's token: say so with the service's words
    return e.code === 'PERMISSION_DENIED' ? message('problem', 'The looking glass refused ' + what + '. The service said: ' + e.message)
      : explain(e, what);
  }
  return draw(answer);
}

function pingResult(params) {
  const target = params.get('ping');
  return probe('RoutesService/Ping', { target, count: Number(params.get('count')) || undefined }, 'a ping to ' + target, (answer) => {
    const rtts = (answer.probes || []).filter((p) => p.rtt).map((p) => millis(p.rtt));
    const stats = rtts.length ? '; round trip min ' + fixed(Math.min(...rtts), 3) + ' / avg '
      + fixed(rtts.reduce((a, b) => a + b, 0) / rtts.length, 3) + ' / max ' + fixed(Math.max(...rtts), 3) + ' ms' : '';
    return h('div', {},
      h('p', { class: 'summary' }, answer.target + ': ' + (answer.transmitted || 0) + ' sent, ' + (answer.received || 0) + ' received, '
        + fixed(answer.lossPercent || 0, 0) + ' % loss' + stats + '.'),
      table(['Sequence', 'Reply from', 'Round trip'], (answer.probes || []).map((p) => [String(p.sequence),
        p.replied ? p.replyFrom : 'no reply', rttMs(p.rtt)]), { class: 'ping' }));
  });
}

function traceResult(params) {
  const target = params.get('trace');
  return probe('RoutesService/Traceroute', { target, maxHops: Number(params.get('maxHops')) || undefined }, 'a trace to ' + target, (answer) => {
    const hops = answer.hops || [];
    return h('div', {},
      h('p', { class: 'summary' }, answer.target + (answer.reached ? ' reached in ' + hops.length + ' hop' + (hops.length === 1 ? '' : 's')
        : ' not reached within ' + hops.length + ' hops') + '.'),
      table(['Hop', 'Address', 'Round trips', 'Loss'], hops.map((hop) => [String(hop.hop),
        [...new Set((hop.probes || []).map((p) => p.address || '*'))].join(', '),
        (hop.probes || []).map((p) => (p.rtt ? rttMs(p.rtt) : '*')).join('  '), fixed(hop.lossPercent || 0, 0) + ' %']),
      { class: 'hops' }));
  });
}
