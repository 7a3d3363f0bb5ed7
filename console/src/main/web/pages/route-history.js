import { h, show, message, table } from '../lib/dom.js';
import { call, explain } from '../lib/api.js';
import { crumbs } from '../lib/layout.js';
import { currentRange, rangePicker, timeRange } from '../lib/timerange.js';
import { enumText, utc } from '../lib/format.js';

/** Every announcement and withdrawal of one prefix of a peering over the page's time range (GetRouteHistory). */
export async function routeHistoryPage(peering) {
  const params = new URLSearchParams(location.search);
  const prefix = params.get('prefix') || '';
  crumbs([peering, '/peerings/' + peering + '/receivedRoutes'], ['Received routes', '/peerings/' + peering + '/receivedRoutes'],
    ['History of ' + prefix]);
  const range = currentRange(params, '7d');
  const title = h('h1', {}, 'History of ', prefix, ' on ', peering);
  if (!prefix) {
    show(title, message('problem', 'Name a prefix: this page is /peerings/' + peering + '/routeHistory?prefix=198.51.100.0/24.'));
    return;
  }
  show(title, rangePicker(range), message('note', 'Loading the history…'));
  let page;
  try {
    page = await call('RoutesService/GetRouteHistory', { parent: 'peerings/' + peering, prefix, timeRange: timeRange(range),
      pageSize: 1000, pageToken: params.get('pageToken') || '' });
  } catch (e) {
    show(title, rangePicker(range), explain(e, 'the history of ' + prefix));
    return;
  }
  const changes = page.changes || [];
  const later = new URLSearchParams(params); later.set('pageToken', page.nextPageToken || '');
  show(title, rangePicker(range),
    changes.length === 0 ? message('empty', 'No announcement or withdrawal of ' + prefix + ' in this time range.')
      : table(['Time (UTC)', 'Change', 'Reason', 'AS path', 'Origin AS', 'Next hop', 'Connection', 'Peer', 'Router', 'View'],
        changes.map((c) => [utc(c.time), enumText(c.type, 'ROUTE_CHANGE_TYPE_'), c.reason || '', c.route?.asPath || '',
          c.route?.originAsn ? 'AS' + c.route.originAsn : '', c.route?.nextHop || '',
          c.route?.connection ? c.route.connection.split('/').pop() : '', c.route?.peerAddress || '', c.route?.router || '',
          enumText(c.route?.ribView, 'RIB_VIEW_')]), { class: 'history' }),
    page.nextPageToken ? h('nav', { class: 'pager' }, h('a', { href: '?' + later, rel: 'next' }, 'Later changes ›')) : null);
}
