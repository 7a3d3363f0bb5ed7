// A latency chart: the median per bucket, with p90, p99, min and max one click away in the legend,
// and every statistic (with the sample count) in the numbers table.
import { chartPanel } from './chart.js';

export function latencyPanel(title, points, csvName) {
  const pick = (field) => points.map((p) => ({ time: p.time, value: p[field] ?? 0 }));
  const samples = points.reduce((n, p) => n + Number(p.sampleCount || 0), 0);
  return chartPanel({ title, unit: 'ms', csvName: csvName.replaceAll('/', '_'),
    note: points.length ? samples.toLocaleString('en-US') + ' samples in this range. Click p90 or p99 in the legend to draw them.' : null,
    series: [{ label: 'Median', points: pick('medianMs') }, { label: 'p90', points: pick('p90Ms'), show: false },
      { label: 'p99', points: pick('p99Ms'), show: false }, { label: 'Min', points: pick('minMs'), show: false },
      { label: 'Max', points: pick('maxMs'), show: false },
      { label: 'Samples', points: points.map((p) => ({ time: p.time, value: Number(p.sampleCount || 0) })), tableOnly: true }],
    emptyText: 'No latency samples in this time range yet.' });
}
