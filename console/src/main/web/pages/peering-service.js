import { h, show, message, section } from '../lib/dom.js';
import { all, call, explain } from '../lib/api.js';
import { crumbs } from '../lib/layout.js';
import { chartPanel } from '../lib/chart.js';
import { latencyPanel } from '../lib/latency.js';
import { enumText, utc } from '../lib/format.js';
import { currentRange, rangePicker, timeRange } from '../lib/timerange.js';

/**
 * Page 6: a peering service: primary and backup session availability on one chart, each prefix's
 * median latency, and its prefix events, newest first, with new ones added live (server-sent events).
 */
export async function peeringServicePage(service) {
  const params = new URLSearchParams(location.search);
  const range = currentRange(params);
  const name = 'peeringServices/' + service;
  crumbs(['Peering service ' + service]);
  const title = h('h1', {}, 'Peering service ', service);
  show(title, rangePicker(range), message('note', 'Loading…'));
  let info;
  try {
    info = (await all('RoutesService/ListPeeringServices', {}, 'peeringServices')).find((s) => s.name === name);
  } catch (e) {
    show(title, rangePicker(range), explain(e, name));
    return;
  }
  if (!info) {
    show(title, rangePicker(range), message('problem', 'Your token sees no peering service named "' + service
      + '": it is not carried by one of your peerings, or it does not exist.', h('p', {}, h('a', { href: '/peerings' }, 'Your peerings'))));
    return;
  }
  const summary = h('p', { class: 'note' }, 'On ', h('a', { href: '/' + info.peering + '/receivedRoutes' }, info.peering.split('/').pop()),
    ': primary ', info.primaryConnection.split('/').pop(), ', backup ', info.backupConnection ? info.backupConnection.split('/').pop() : '(none)',
    '; prefixes ', (info.prefixes || []).join(', '), '.');
  const availability = h('div', {}, message('note', 'Loading availability…'));
  const latency = h('div', { class: 'charts' }, message('note', 'Loading latency…'));
  const events = h('div', {}, message('note', 'Loading events…'));
  show(title, summary, rangePicker(range), availability, section('Prefix latency', latency), section('Prefix events', events));

  const span = timeRange(range);
  await Promise.all([
    call('MetricsService/QueryPeeringServiceAvailability', { peeringService: name, timeRange: span, timeGrain: range.grain })
      .then((a) => availability.replaceChildren(chartPanel({ title: 'Session availability, primary and backup', unit: 'UNIT_PERCENT',
        csvName: name.replace('/', '_') + '_availability',
        series: [{ label: 'Primary ' + (a.primaryConnection || '').split('/').pop(), points: a.primary?.points || [] },
          ...(a.backupConnection ? [{ label: 'Backup ' + a.backupConnection.split('/').pop(), points: a.backup?.points || [] }] : [])],
        emptyText: 'No session state of ' + service + "'s connections is known in this time range yet." })),
      (e) => availability.replaceChildren(explain(e, 'the availability of ' + name))),
    Promise.all((info.prefixes || []).map((prefix) => call('LatencyService/QueryPrefixLatency', { prefix, timeRange: span, timeGrain: range.grain })
      .then((l) => latencyPanel('Median latency of ' + l.prefix + (l.prefix !== prefix ? ' (for ' + prefix + ')' : ''), l.points || [],
        name + '_' + prefix), (e) => explain(e, 'the latency of ' + prefix))))
      .then((panels) => latency.replaceChildren(...(panels.length ? panels : [message('empty', service + ' has no prefix.')]))),
    eventsTable(name, span, events),
  ]);
}

const LEVEL_CLASS = { EVENT_LEVEL_INFORMATION: 'info', EVENT_LEVEL_WARNING: 'warning', EVENT_LEVEL_ERROR: 'error', EVENT_LEVEL_CRITICAL: 'critical' };

function eventRow(e, fresh) {
  return h('tr', { class: (LEVEL_CLASS[e.level] || '') + (fresh ? ' fresh' : ''), dataset: { cursor: e.cursor } },
    h('td', {}, utc(e.time)), h('td', {}, e.prefix), h('td', {}, enumText(e.type, 'PREFIX_EVENT_TYPE_')),
    h('td', {}, enumText(e.level, 'EVENT_LEVEL_')), h('td', {}, e.summary || ''), h('td', { class: 'desc' }, e.description || ''));
}

async function eventsTable(name, span, box) {
  let page;
  try {
    page = await call('EventsService/ListPrefixEvents', { parent: name, timeRange: span, pageSize: 200 });
  } catch (e) {
    box.replaceChildren(explain(e, 'the events of ' + name));
    return;
  }
  const listed = page.events || [];
  const body = h('tbody', {}, listed.map((e) => eventRow(e, false)));
  const empty = message('empty', 'No prefix event in this time range. New events appear here as they happen.');
  const live = h('p', { class: 'live', role: 'status' }, 'Connecting to live events…');
  const tableEl = h('table', { class: 'events' },
    h('thead', {}, h('tr', {}, ['Time (UTC)', 'Prefix', 'Type', 'Level', 'Summary', 'Description'].map((c) => h('th', { scope: 'col' }, c)))),
    body);
  box.replaceChildren(live, listed.length ? tableEl : empty,
    page.nextPageToken ? h('p', { class: 'note' }, 'The 200 newest events of this range are shown.') : null);
  follow(name, listed[0]?.cursor || '', (e) => {
    if (body.querySelector('tr[data-cursor="' + CSS.escape(e.cursor) + '"]')) return;
    if (!tableEl.isConnected) empty.replaceWith(tableEl);
    body.prepend(eventRow(e, true));
  }, live);
}

/** WatchPrefixEvents through the console, resumed after the last event seen when the stream drops. */
function follow(parent, afterCursor, onEvent, status) {
  let cursor = afterCursor;
  const open = () => {
    const source = new EventSource('/api/watch/prefixEvents?parent=' + encodeURIComponent(parent)
      + (cursor ? '&afterCursor=' + encodeURIComponent(cursor) : ''));
    source.onopen = () => { status.textContent = '● Live: new events appear at the top as they happen.'; status.className = 'live on'; };
    source.onmessage = (m) => {
      const data = JSON.parse(m.data);
      if (data.event) { cursor = data.event.cursor; onEvent(data.event); }
      if (data.error) {
        source.close();
        status.className = 'live off';
        status.textContent = 'Live events stopped: ' + data.error.code + ': ' + data.error.message
          + (data.error.code === 'UNAUTHENTICATED' ? ' Sign in again.' : ' Reload the page to try again.');
      }
    };
    source.onerror = () => {
      source.close();
      status.className = 'live off';
      status.textContent = 'Live events interrupted; reconnecting…';
      setTimeout(open, 3000);
    };
  };
  open();
}
