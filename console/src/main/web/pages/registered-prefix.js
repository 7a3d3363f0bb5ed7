import { h, show, message } from '../lib/dom.js';
import { call, explain } from '../lib/api.js';
import { crumbs } from '../lib/layout.js';
import { latencyPanel } from '../lib/latency.js';
import { currentRange, rangePicker, timeRange } from '../lib/timerange.js';

/** Page 4: the latency of one registered prefix (QueryRegisteredPrefixLatency): median, with p90 and p99. */
export async function registeredPrefixPage(peering, name) {
  const params = new URLSearchParams(location.search);
  const range = currentRange(params);
  const full = 'peerings/' + peering + '/registeredPrefixes/' + name;
  crumbs([peering, '/peerings/' + peering + '/receivedRoutes'], ['Registered prefix ' + name]);
  const title = h('h1', {}, 'Registered prefix ', name, ' of ', peering);
  show(title, rangePicker(range), message('note', 'Loading latency…'));
  let answer;
  try {
    answer = await call('LatencyService/QueryRegisteredPrefixLatency', { parent: 'peerings/' + peering,
      timeRange: timeRange(range), timeGrain: range.grain });
  } catch (e) {
    show(title, rangePicker(range), explain(e, full));
    return;
  }
  const entry = (answer.prefixes || []).find((p) => p.name === full);
  if (!entry) {
    show(title, rangePicker(range), message('problem', peering + ' has no registered prefix named "' + name + '".',
      h('p', {}, h('a', { href: '/peerings' }, 'Your peerings'))));
    return;
  }
  show(title, rangePicker(range),
    h('p', { class: 'note' }, 'Prefix ' + entry.prefix + (entry.reportedPrefix && entry.reportedPrefix !== entry.prefix
      ? ', reported at ' + entry.reportedPrefix : '') + '.'),
    latencyPanel('Registered prefix latency of ' + (entry.reportedPrefix || entry.prefix), entry.points || [], full));
}
