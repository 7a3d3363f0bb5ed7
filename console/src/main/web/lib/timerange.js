// The time range of a page, in its URL (?range=24h, or ?from=...&to=... for a custom range), and
// the grain that fits it: the finest grain that gives at most MAX_POINTS buckets.
import { h } from './dom.js';

export const PRESETS = [['1h', 'Last hour', 3600], ['6h', '6 hours', 6 * 3600], ['24h', '24 hours', 86400],
  ['7d', '7 days', 7 * 86400], ['30d', '30 days', 30 * 86400]];
const GRAINS = [['TIME_GRAIN_PT1M', 60], ['TIME_GRAIN_PT5M', 300], ['TIME_GRAIN_PT1H', 3600], ['TIME_GRAIN_P1D', 86400]];
const MAX_POINTS = 800;

export function grainFor(seconds) {
  return (GRAINS.find(([, len]) => seconds / len <= MAX_POINTS) || GRAINS[GRAINS.length - 1])[0];
}

export function grainText(grain) {
  return { TIME_GRAIN_PT1M: '1 minute', TIME_GRAIN_PT5M: '5 minutes', TIME_GRAIN_PT1H: '1 hour', TIME_GRAIN_P1D: '1 day' }[grain] || grain;
}

/** The page's range: {label, startTime, endTime, grain} (times as RFC 3339 text for the APIs). */
export function currentRange(params = new URLSearchParams(location.search), fallback = '24h') {
  const now = new Date();
  let start; let end = now; let label;
  const from = params.get('from'); const to = params.get('to');
  if (from && to && !Number.isNaN(Date.parse(from)) && !Number.isNaN(Date.parse(to))) {
    start = new Date(from); end = new Date(Math.min(Date.parse(to), now.getTime()));
    label = 'custom';
  } else {
    const preset = PRESETS.find(([k]) => k === params.get('range')) || PRESETS.find(([k]) => k === fallback);
    start = new Date(now.getTime() - preset[2] * 1000);
    label = preset[0];
  }
  const seconds = Math.max(60, (end - start) / 1000);
  const grain = GRAINS.some(([g]) => g === params.get('grain')) ? params.get('grain') : grainFor(seconds);
  return { label, startTime: start.toISOString(), endTime: end.toISOString(), grain };
}

export function timeRange(range) {
  return { startTime: range.startTime, endTime: range.endTime };
}

/** Links for the presets and a custom from/to form (UTC); each keeps the page's other parameters. */
export function rangePicker(range) {
  const link = (key, text) => {
    const p = new URLSearchParams(location.search);
    p.delete('from'); p.delete('to'); p.delete('grain'); p.set('range', key);
    return h('a', { href: '?' + p, class: range.label === key ? 'on' : null, 'aria-current': range.label === key ? 'true' : null }, text);
  };
  const local = (iso) => iso.slice(0, 16);
  const form = h('form', { class: 'custom', onsubmit: (e) => {
    e.preventDefault();
    const p = new URLSearchParams(location.search);
    const f = form.querySelector('[name=from]').value; const t = form.querySelector('[name=to]').value;
    if (!f || !t) return;
    p.delete('range'); p.delete('grain');
    p.set('from', new Date(f + 'Z').toISOString()); p.set('to', new Date(t + 'Z').toISOString());
    location.search = p.toString();
  } },
  h('label', {}, 'From ', h('input', { type: 'datetime-local', name: 'from', value: local(range.startTime) })),
  h('label', {}, ' to ', h('input', { type: 'datetime-local', name: 'to', value: local(range.endTime) })),
  ' UTC ', h('button', { type: 'submit', class: range.label === 'custom' ? 'on' : null }, 'Custom range'));
  return h('div', { class: 'range' }, h('span', { class: 'label' }, 'Time range: '),
    PRESETS.map(([k, text]) => link(k, text)), form,
    h('span', { class: 'grain' }, 'one point per ' + grainText(range.grain)));
}
