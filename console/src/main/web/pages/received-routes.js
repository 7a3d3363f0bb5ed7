import { h, show, message, table } from '../lib/dom.js';
import { all, call, explain } from '../lib/api.js';
import { crumbs, peeringTabs } from '../lib/layout.js';
import { enumText, utc } from '../lib/format.js';

// The filters of ListReceivedRoutes, as URL parameters of this page (so a filtered view is a link).
const FILTERS = ['connection', 'prefix', 'prefixMatch', 'asPath', 'originAsValidationState', 'rpkiValidationState', 'ribView'];

/** Page 2: the routes received from the peering, filtered and paged as ListReceivedRoutes does. */
export async function receivedRoutesPage(peering) {
  crumbs([peering, '/peerings/' + peering + '/receivedRoutes'], ['Received routes']);
  const params = new URLSearchParams(location.search);
  const request = { parent: 'peerings/' + peering, pageSize: Number(params.get('pageSize')) || 100, pageToken: params.get('pageToken') || '' };
  for (const f of FILTERS) {
    const v = params.get(f);
    if (!v) continue;
    request[f] = f === 'connection' ? 'peerings/' + peering + '/connections/' + v : v;
  }
  const title = h('h1', {}, 'Received routes of ', peering);
  show(title, peeringTabs(peering, 'receivedRoutes'), message('note', 'Loading routes…'));
  let peeringInfo; let sessions; let page;
  try {
    [peeringInfo, sessions, page] = await Promise.all([
      all('RoutesService/ListPeerings', {}, 'peerings').then((list) => list.find((p) => p.name === 'peerings/' + peering)),
      all('RoutesService/ListSessions', { parent: 'peerings/' + peering }, 'sessions'),
      call('RoutesService/ListReceivedRoutes', request),
    ]);
  } catch (e) {
    show(title, peeringTabs(peering, 'receivedRoutes'), explain(e, 'the routes of peerings/' + peering));
    return;
  }
  const routes = page.routes || [];
  const held = sessions.reduce((n, s) => n + Number(s.routesCount || 0), 0);
  const filtered = FILTERS.some((f) => params.get(f));
  show(title, peeringTabs(peering, 'receivedRoutes'),
    filterForm(params, peeringInfo),
    h('p', { class: 'note' }, 'This peering holds ' + held.toLocaleString('en-US') + ' routes over ' + sessions.length
      + ' BGP sessions. Showing ' + routes.length + (filtered ? ' matching' : '') + ' routes'
      + (request.pageToken ? ' (a later page)' : '') + ', ordered by prefix.'),
    routes.length === 0
      ? message('empty', filtered ? 'No route matches these filters.' : 'No route has been received from this peering yet.')
      : table(['Prefix', 'Next hop', 'AS path', 'Origin AS', 'Origin-AS validation', 'RPKI', 'Trust anchor', 'Received (UTC)',
        'Communities', 'MED', 'Connection', 'Peer', 'View'], routes.map((r) => [
        h('a', { href: '/peerings/' + peering + '/routeHistory?prefix=' + encodeURIComponent(r.prefix), title: 'History of ' + r.prefix }, r.prefix),
        r.nextHop || '', r.asPath || '', r.originAsn ? 'AS' + r.originAsn : '',
        enumText(r.originAsValidationState, 'ORIGIN_AS_VALIDATION_STATE_'), enumText(r.rpkiValidationState, 'RPKI_VALIDATION_STATE_'),
        r.trustAnchor || '', utc(r.receivedTime),
        [...(r.communities || []), ...(r.largeCommunities || [])].join(' '), r.med === undefined ? '' : String(r.med),
        r.connection ? r.connection.split('/').pop() : '', r.peerAddress, enumText(r.ribView, 'RIB_VIEW_')]),
      { class: 'routes' }),
    pager(params, page.nextPageToken));
}

function filterForm(params, peeringInfo) {
  const text = (name, label, placeholder) => h('label', {}, label, h('input', { name, value: params.get(name) || '', placeholder }));
  const select = (name, label, options) => h('label', {}, label, h('select', { name },
    options.map(([value, text]) => h('option', { value, selected: (params.get(name) || '') === value }, text))));
  const connections = (peeringInfo?.connections || []).map((c) => c.name.split('/').pop());
  return h('form', { method: 'get', class: 'filters', 'aria-label': 'Route filters' },
    text('prefix', 'Prefix ', '198.51.100.0/24'),
    select('prefixMatch', 'Match ', [['', 'exact'], ['PREFIX_MATCH_OR_LONGER', 'or longer']]),
    text('asPath', 'AS path contains ', '64500 64501'),
    select('originAsValidationState', 'Origin AS ', [['', 'any'], ['ORIGIN_AS_VALIDATION_STATE_VALID', 'valid'],
      ['ORIGIN_AS_VALIDATION_STATE_INVALID', 'invalid']]),
    select('rpkiValidationState', 'RPKI ', [['', 'any'], ['RPKI_VALIDATION_STATE_VALID', 'valid'],
      ['RPKI_VALIDATION_STATE_INVALID', 'invalid'], ['RPKI_VALIDATION_STATE_NOT_FOUND', 'not found']]),
    select('connection', 'Connection ', [['', 'all'], ...connections.map((c) => [c, c])]),
    select('ribView', 'View ', [['', 'all'], ['RIB_VIEW_ADJ_RIB_IN_PRE_POLICY', 'Adj-RIB-In pre-policy'],
      ['RIB_VIEW_ADJ_RIB_IN_POST_POLICY', 'Adj-RIB-In post-policy'], ['RIB_VIEW_LOC_RIB', 'Loc-RIB']]),
    select('pageSize', 'Per page ', [['100', '100'], ['500', '500'], ['1000', '1000']]),
    h('button', { type: 'submit' }, 'Apply'), ' ', h('a', { href: location.pathname }, 'Clear'));
}

function pager(params, next) {
  const first = new URLSearchParams(params); first.delete('pageToken');
  const later = new URLSearchParams(params); later.set('pageToken', next || '');
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    params.get('pageToken') ? h('a', { href: '?' + first }, '‹ First page') : null, ' ',
    next ? h('a', { href: '?' + later, rel: 'next' }, 'Next page ›') : h('span', { class: 'note' }, 'Last page.'));
}
