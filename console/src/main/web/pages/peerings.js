import { h, show, message, table, section } from '../lib/dom.js';
import { all, explain } from '../lib/api.js';
import { crumbs } from '../lib/layout.js';
import { asn, duration, enumText, utc } from '../lib/format.js';

/** Page 1: the caller's peerings with their connections and BGP sessions, and their peering services. */
export async function peeringsPage() {
  crumbs();
  show(h('h1', {}, 'Your peerings'), message('note', 'Loading peerings…'));
  let peerings; let services;
  try {
    [peerings, services] = await Promise.all([
      all('RoutesService/ListPeerings', {}, 'peerings'),
      all('RoutesService/ListPeeringServices', {}, 'peeringServices'),
    ]);
  } catch (e) {
    show(h('h1', {}, 'Your peerings'), explain(e, 'the peerings'));
    return;
  }
  if (peerings.length === 0) {
    show(h('h1', {}, 'Your peerings'), message('empty', 'Your token sees no peering: no peering of the inventory has a peer ASN '
      + 'in its peer_asn claim. Ask the operator of this platform for a token of your ASN.'));
    return;
  }
  const sessions = await Promise.all(peerings.map((p) => all('RoutesService/ListSessions', { parent: p.name }, 'sessions')
    .then((list) => ({ list }), (error) => ({ error }))));
  show(h('h1', {}, 'Your peerings'),
    peerings.map((p, i) => peeringPanel(p, sessions[i])),
    servicesPanel(services));
}

function peeringPanel(p, sessions) {
  const id = p.name.slice('peerings/'.length);
  const connections = p.connections || [];
  const sessionRows = (sessions.list || []).map((s) => [
    s.connection ? s.connection.split('/').pop() : '(not in the inventory)',
    s.peerAddress, enumText(s.addressFamily, 'ADDRESS_FAMILY_'),
    h('span', { class: 'state ' + (s.state === 'SESSION_STATE_ESTABLISHED' ? 'up' : 'down') }, enumText(s.state, 'SESSION_STATE_')),
    utc(s.stateSince), duration(s.uptime), Number(s.routesCount || 0).toLocaleString('en-US'),
    (s.routerName ? s.routerName + ' ' : '') + s.router, s.lastError || '']);
  return h('section', { class: 'panel peering', 'aria-label': p.name },
    h('h2', {}, id, ' ', h('span', { class: 'sub' }, 'peer ' + asn(p.peerAsn))),
    h('p', { class: 'links' }, h('a', { href: '/peerings/' + id + '/receivedRoutes' }, 'Received routes'), ' · ',
      h('a', { href: '/peerings/' + id + '/connections' }, 'Connection metrics'), ' · ',
      h('a', { href: '/peerings/' + id + '/connectivityProbes' }, 'Connectivity probes'), ' · ',
      h('a', { href: '/peerings/' + id + '/lookingGlass' }, 'Looking glass')),
    h('h3', {}, 'Connections'),
    table(['Connection', 'Session addresses', 'Bandwidth'], connections.map((c) => [
      h('a', { href: '/peerings/' + id + '/connections?connection=' + encodeURIComponent(c.name.split('/').pop()) }, c.name.split('/').pop()),
      (c.sessionAddresses || []).join(', '), Number(c.bandwidthMbps || 0).toLocaleString('en-US') + ' Mbit/s'])),
    h('h3', {}, 'BGP sessions'),
    sessions.error ? explain(sessions.error, 'the sessions of ' + p.name)
      : sessionRows.length === 0 ? message('empty', 'No BGP session of this peering has been reported over BMP yet.')
        : table(['Connection', 'Peer address', 'Family', 'State', 'Since (UTC)', 'Uptime', 'Routes', 'Router', 'Last error'],
          sessionRows, { class: 'sessions' }),
    h('div', { class: 'two' },
      h('div', {}, h('h3', {}, 'Registered prefixes'), listOrEmpty((p.registeredPrefixes || []).map((r) =>
        h('a', { href: '/' + r.name }, r.prefix + ' (' + r.name.split('/').pop() + ')')), 'No registered prefix.')),
      h('div', {}, h('h3', {}, 'Registered ASNs'), listOrEmpty((p.registeredAsns || []).map((a) =>
        h('a', { href: '/' + a.name }, asn(a.asn) + ' (' + a.name.split('/').pop() + ')')), 'No registered ASN.'))));
}

function listOrEmpty(items, empty) {
  return items.length ? h('ul', {}, items.map((i) => h('li', {}, i))) : h('p', { class: 'note' }, empty);
}

function servicesPanel(services) {
  return section('Peering services', services.length === 0
    ? message('empty', 'None of your peerings carries a peering service.')
    : table(['Peering service', 'Peering', 'Primary connection', 'Backup connection', 'Prefixes'], services.map((s) => [
      h('a', { href: '/' + s.name }, s.name.split('/').pop()), s.peering.split('/').pop(),
      s.primaryConnection.split('/').pop(), s.backupConnection ? s.backupConnection.split('/').pop() : '(none)',
      (s.prefixes || []).join(', ')])));
}

