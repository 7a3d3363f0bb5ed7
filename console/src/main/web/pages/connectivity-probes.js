import { h, show, message, table, section } from '../lib/dom.js';
import { call, explain } from '../lib/api.js';
import { crumbs, peeringTabs } from '../lib/layout.js';
import { chartPanel } from '../lib/chart.js';
import { duration, enumText } from '../lib/format.js';
import { currentRange, rangePicker, timeRange } from '../lib/timerange.js';

export const PROBE_METRICS = [
  ['ConnectivityProbeAvailability', 'Availability', 'UNIT_PERCENT'],
  ['ConnectivityProbeLatency', 'Latency (median round trip)', 'ms'],
  ['ConnectivityProbeJitter', 'Jitter', 'ms'],
];

/** The connectivity probes of a peering: per probe endpoint, availability, latency and jitter over the page's range. */
export async function connectivityProbesPage(peering) {
  const params = new URLSearchParams(location.search);
  const range = currentRange(params);
  const parent = 'peerings/' + peering;
  crumbs([peering, '/peerings/' + peering + '/receivedRoutes'], ['Connectivity probes']);
  const head = [h('h1', {}, 'Connectivity probes of ', peering), peeringTabs(peering, 'connectivityProbes'), rangePicker(range)];
  show(...head, message('note', 'Loading the probes of ' + parent + '…'));
  let answer;
  try {
    answer = await call('LatencyService/QueryConnectivityProbes', { parent, probe: params.get('probe') || '',
      metrics: PROBE_METRICS.map(([m]) => m), timeRange: timeRange(range), timeGrain: range.grain });
  } catch (e) {
    show(...head, explain(e, 'the connectivity probes of ' + parent));
    return;
  }
  const series = answer.series || [];
  const probes = [...new Set(series.map((s) => s.probe))];
  if (probes.length === 0) {
    show(...head, message('empty', 'No connectivity probe is configured for ' + peering + ', and none has results in this time range. '
      + 'The operator configures them in latency-service (peering.probes.endpoints.<name>.peering=' + peering + ').'));
    return;
  }
  const configured = answer.probes || [];
  show(...head,
    section('Probes', table(['Probe', 'Address', 'Protocol', 'Port', 'Interval', 'Timeout'], probes.map((name) => {
      const p = configured.find((c) => c.name === name);
      return p ? [name, p.address, enumText(p.protocol, 'CONNECTIVITY_PROBE_PROTOCOL_').toUpperCase(), p.port ? String(p.port) : '–',
        duration(p.interval), duration(p.timeout)] : [name, '(no longer configured)', '', '', '', ''];
    }), { class: 'probes' })),
    probes.map((name) => h('section', { class: 'probe', 'aria-label': 'Probe ' + name }, h('h2', {}, 'Probe ', name),
      h('div', { class: 'charts' }, PROBE_METRICS.map(([metric, label, unit]) => {
        const s = series.find((x) => x.probe === name && x.metric === metric) || { points: [] };
        return chartPanel({ title: label + ' of ' + name, unit, csvName: parent.replaceAll('/', '_') + '_' + name + '_' + metric,
          series: [{ label: metric, points: s.points || [] }],
          emptyText: 'No ' + metric + ' of ' + name + ' in this time range yet.' });
      })))));
}
