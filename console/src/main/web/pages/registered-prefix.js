import { h, show, message } from '../lib/dom.js';
import { call, explain } from '../lib/api.js';
import { crumbs } from '../lib/layout.js';
import { latencyPanel } from '../lib/latency.js';
import { enumText, utc } from '../lib/format.js';
import { currentRange, rangePicker, timeRange } from '../lib/timerange.js';

/**
 * Page 4: one registered prefix: its validation state with the reasons (GetRegisteredPrefix, from
 * what BMP shows now) and its latency (QueryRegisteredPrefixLatency): median, with p90 and p99.
 */
export async function registeredPrefixPage(peering, name) {
  const params = new URLSearchParams(location.search);
  const range = currentRange(params);
  const full = 'peerings/' + peering + '/registeredPrefixes/' + name;
  crumbs([peering, '/peerings/' + peering + '/receivedRoutes'], ['Registered prefix ' + name]);
  const title = h('h1', {}, 'Registered prefix ', name, ' of ', peering);
  show(title, rangePicker(range), message('note', 'Loading latency…'));
  let answer;
  let validation;
  try {
    [answer, validation] = await Promise.all([
      call('LatencyService/QueryRegisteredPrefixLatency', { parent: 'peerings/' + peering,
        timeRange: timeRange(range), timeGrain: range.grain }),
      call('RoutesService/GetRegisteredPrefix', { name: full }).then((r) => ({ prefix: r.registeredPrefix }),
        (error) => ({ error })),
    ]);
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
  show(title, rangePicker(range), validationPanel(validation, full),
    h('p', { class: 'note' }, 'Prefix ' + entry.prefix + (entry.reportedPrefix && entry.reportedPrefix !== entry.prefix
      ? ', reported at ' + entry.reportedPrefix : '') + '.'),
    latencyPanel('Registered prefix latency of ' + (entry.reportedPrefix || entry.prefix), entry.points || [], full));
}

/** The validation state of the prefix and why, as routes-service judges it from the routes BMP shows now. */
function validationPanel(validation, full) {
  if (validation.error) {
    return explain(validation.error, 'the validation of ' + full);
  }
  const p = validation.prefix || {};
  const state = enumText(p.validationState || 'REGISTERED_PREFIX_VALIDATION_STATE_UNKNOWN', 'REGISTERED_PREFIX_VALIDATION_STATE_');
  return h('section', { class: 'panel validation', 'aria-label': 'Validation' },
    h('h2', {}, 'Validation: ', h('span', { class: 'state ' + (state === 'Verified' ? 'up' : 'down') }, state)),
    (p.reasons || []).length === 0 ? h('p', { class: 'note' }, 'Every rule passes: not reserved, announced on every session, '
      + 'AS path short with no private ASN, RPKI valid.')
      : h('ul', { class: 'reasons' }, p.reasons.map((r) => h('li', {}, r))),
    h('p', { class: 'note' }, 'Checked ' + utc(p.checkedTime) + ' UTC from the routes BMP shows now.'));
}
