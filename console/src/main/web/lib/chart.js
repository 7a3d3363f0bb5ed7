// A chart panel: a uPlot line chart, and the numbers behind it one click away (a table, and a CSV
// download). Series: [{label, points: [{time, value}], show}] with values in the API's unit;
// buckets without data are gaps, never zeros. A series with tableOnly (a count beside the values)
// is in the table and the CSV, not in the plot.
import uPlot from 'uplot';
import { h, message } from './dom.js';
import { unitScale, utc } from './format.js';

const COLORS = ['#1f6feb', '#d97706', '#059669', '#b91c1c', '#7c3aed', '#0e7490'];

export function chartPanel({ title, unit, series, emptyText, csvName, note }) {
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => Date.parse(p.time))))].sort((a, b) => a - b);
  const panel = h('section', { class: 'panel chart', 'aria-busy': 'true', 'aria-label': title });
  panel.append(h('h2', {}, title));
  if (note) panel.append(h('p', { class: 'note' }, note));
  if (times.length === 0) {
    panel.append(message('empty', emptyText || 'No data in this time range yet.'));
    panel.setAttribute('aria-busy', 'false');
    return panel;
  }
  const all = series.filter((s) => !s.tableOnly).flatMap((s) => s.points.map((p) => p.value));
  const u = unitScale(unit, all);
  const index = new Map(times.map((t, i) => [t, i]));
  const columns = series.map((s) => {
    const col = new Array(times.length).fill(null);
    for (const p of s.points) col[index.get(Date.parse(p.time))] = p.value ?? 0;
    return col;
  });

  const plot = h('div', { class: 'plot' });
  panel.append(plot);
  const drawWhenPlaced = () => {
    if (!plot.isConnected) { requestAnimationFrame(drawWhenPlaced); return; }
    const width = Math.max(320, plot.clientWidth || 800);
    const plotted = series.map((s, i) => [s, columns[i]]).filter(([s]) => !s.tableOnly);
    // eslint-disable-next-line no-new
    new uPlot({
      width, height: 220,
      // one point: uPlot stretches x over 86,400,000 s (years) after it; show an hour either side instead
      scales: { x: { time: true, range: (_, min, max) => (times.length === 1 ? [times[0] / 1000 - 3600, times[0] / 1000 + 3600] : [min, max]) }, y: unit === 'UNIT_PERCENT' ? { range: [0, 100] } : { auto: true } },
      axes: [{}, { label: u.label, size: 70, values: (_, ticks) => ticks.map((v) => +v.toFixed(3)) }],
      series: [{ label: 'Time (UTC)', value: (_, v) => (v == null ? '' : utc(new Date(v * 1000).toISOString())) },
        ...plotted.map(([s], i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 1.5, show: s.show !== false,
          points: { show: times.length < 80 }, value: (_, v) => (v == null ? '–' : u.text(v * scaleBack(u))) }))],
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
      hooks: { draw: [() => panel.setAttribute('aria-busy', 'false')] },
    }, [times.map((t) => t / 1000), ...plotted.map(([, c]) => c.map((v) => (v == null ? null : u.scale(v))))], plot);
  };
  requestAnimationFrame(drawWhenPlaced);

  const cell = (s, v) => (v == null ? '–' : s.tableOnly ? Number(v).toLocaleString('en-US') : u.text(v));
  const rows = times.map((t, i) => [utc(new Date(t).toISOString()), ...columns.map((c, j) => cell(series[j], c[i]))]);
  const numbers = h('details', { class: 'numbers' }, h('summary', {}, 'Numbers (' + times.length + (times.length === 1 ? ' point)' : ' points)')),
    h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Time (UTC)'), series.map((s) => h('th', { scope: 'col' }, s.label)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))));
  const csv = ['time,' + series.map((s) => csvCell(s.label + (!s.tableOnly && unitLabel(unit) ? ' (' + unitLabel(unit) + ')' : ''))).join(','),
    ...times.map((t, i) => new Date(t).toISOString() + ',' + columns.map((c) => (c[i] == null ? '' : c[i])).join(','))].join('\n') + '\n';
  const download = h('a', { class: 'csv', download: (csvName || title).replace(/[^A-Za-z0-9._-]+/g, '_') + '.csv',
    href: URL.createObjectURL(new Blob([csv], { type: 'text/csv' })) }, 'Download CSV');
  panel.append(h('div', { class: 'below' }, numbers, download));
  return panel;
}

// uPlot holds scaled values; the legend shows them back in the API's unit through u.text
function scaleBack(u) {
  const one = u.scale(1);
  return one === 0 ? 1 : 1 / one;
}

function unitLabel(unit) {
  return { UNIT_BITS_PER_SECOND: 'bit/s', UNIT_PERCENT: '%', UNIT_PACKETS_PER_SECOND: 'packets/s', UNIT_COUNT: 'count', ms: 'ms' }[unit] || '';
}

function csvCell(text) {
  return /[",\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}
