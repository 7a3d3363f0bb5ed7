import { h, show, message } from '../lib/dom.js';
import { call, explain } from '../lib/api.js';
import { crumbs } from '../lib/layout.js';
import { chartPanel } from '../lib/chart.js';
import { currentRange, rangePicker, timeRange } from '../lib/timerange.js';

/** Page 5: the average customer-prefix latency of a registered ASN (QueryRegisteredAsnLatency). */
export async function registeredAsnPage(peering, name) {
  const params = new URLSearchParams(location.search);
  const range = currentRange(params);
  const full = 'peerings/' + peering + '/registeredAsns/' + name;
  crumbs([peering, '/peerings/' + peering + '/receivedRoutes'], ['Registered ASN ' + name]);
  const title = h('h1', {}, 'Registered ASN ', name, ' of ', peering);
  show(title, rangePicker(range), message('note', 'Loading latency…'));
  let answer;
  try {
    answer = await call('LatencyService/QueryRegisteredAsnLatency', { name: full, timeRange: timeRange(range), timeGrain: range.grain });
  } catch (e) {
    show(title, rangePicker(range), explain(e, full));
    return;
  }
  const count = Number(answer.customerPrefixCount || 0);
  show(title, rangePicker(range),
    h('p', { class: 'note' }, 'AS' + answer.asn + ': ' + count.toLocaleString('en-US') + ' customer prefix' + (count === 1 ? '' : 'es')
      + ' (at /24 or /48) contributed samples in this range; each counts the same in the average of their medians.'),
    chartPanel({ title: 'Average customer-prefix latency of AS' + answer.asn, unit: 'ms', csvName: full.replaceAll('/', '_'),
      series: [{ label: 'Average of medians', points: answer.points || [] }],
      emptyText: 'No latency samples of AS' + answer.asn + "'s customer prefixes in this time range yet." }));
}
