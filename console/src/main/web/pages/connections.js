import { h, show, message } from '../lib/dom.js';
import { all, call, explain } from '../lib/api.js';
import { crumbs, peeringTabs } from '../lib/layout.js';
import { chartPanel } from '../lib/chart.js';
import { currentRange, rangePicker, timeRange } from '../lib/timerange.js';

export const CONNECTION_METRICS = [
  ['SessionAvailabilityV4', 'Session availability, IPv4'],
  ['SessionAvailabilityV6', 'Session availability, IPv6'],
  ['IngressTrafficRate', 'Ingress traffic rate (from the peer)'],
  ['EgressTrafficRate', 'Egress traffic rate (to the peer)'],
  ['FlapCounts', 'Session flaps'],
  ['PacketDropRate', 'Packet drop rate'],
];

/** Page 3: the six metrics of one connection (or the whole peering) over the page's time range. */
export async function connectionsPage(peering) {
  const params = new URLSearchParams(location.search);
  const range = currentRange(params);
  crumbs([peering, '/peerings/' + peering + '/receivedRoutes'], ['Connections']);
  const title = h('h1', {}, 'Connections of ', peering);
  show(title, peeringTabs(peering, 'connections'), message('note', 'Loading…'));
  let info;
  try {
    info = (await all('RoutesService/ListPeerings', {}, 'peerings')).find((p) => p.name === 'peerings/' + peering);
  } catch (e) {
    show(title, peeringTabs(peering, 'connections'), explain(e, 'peerings/' + peering));
    return;
  }
  if (!info) {
    show(title, peeringTabs(peering, 'connections'), message('problem', 'Your token sees no peering named "' + peering
      + '": it is not one of your peerings, or it does not exist.', h('p', {}, h('a', { href: '/peerings' }, 'Your peerings'))));
    return;
  }
  const names = (info.connections || []).map((c) => c.name.split('/').pop());
  const chosen = params.get('connection') || names[0] || 'all';
  const resource = chosen === 'all' ? info.name : info.name + '/connections/' + chosen;
  const picker = h('nav', { class: 'tabs small', 'aria-label': 'Connection' }, [...names, 'all'].map((n) => {
    const p = new URLSearchParams(params); p.set('connection', n);
    return h('a', { href: '?' + p, class: n === chosen ? 'on' : null, 'aria-current': n === chosen ? 'true' : null },
      n === 'all' ? 'Whole peering' : n);
  }));
  const head = [title, peeringTabs(peering, 'connections'), picker, rangePicker(range)];
  show(...head, message('note', 'Loading the metrics of ' + resource + '…'));
  let answer;
  try {
    answer = await call('MetricsService/QueryConnectionMetrics', { resource, metrics: CONNECTION_METRICS.map(([m]) => m),
      timeRange: timeRange(range), timeGrain: range.grain });
  } catch (e) {
    show(...head, explain(e, 'the metrics of ' + resource));
    return;
  }
  const series = new Map((answer.series || []).map((s) => [s.metric, s]));
  show(...head, h('div', { class: 'charts' }, CONNECTION_METRICS.map(([metric, label]) => {
    const s = series.get(metric) || { points: [] };
    return chartPanel({ title: label, unit: s.unit, csvName: resource.replaceAll('/', '_') + '_' + metric,
      series: [{ label: metric, points: s.points || [] }],
      emptyText: 'No ' + metric + ' data for ' + resource + ' in this time range yet.' });
  })));
}
