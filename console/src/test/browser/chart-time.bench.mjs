// Time to a drawn chart (a benchmark, not a test): opens PAGE in Debian's Chromium, signed in with
// TOKENS/reader-as64500.token, RUNS times (after two warm-up loads), and prints p50/p99 of
//   document    the page's HTML answered (responseEnd of the navigation)
//   api         the QueryConnectionMetrics call the page makes (its resource timing)
//   drawn       every chart panel drawn: uPlot's draw hook clears the panel's aria-busy
// measured from the start of the navigation. deploy/tests' ConsoleChartBenchmark runs it on a
// stack with 30 days of data; it also runs against the local stack:
//   CONSOLE_URL=http://127.0.0.1:8088 TOKENS=deploy/local/.state/jwt node console/src/test/browser/chart-time.bench.mjs
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const CONSOLE = process.env.CONSOLE_URL || 'http://127.0.0.1:8088';
const TOKENS = process.env.TOKENS || 'deploy/local/.state/jwt';
const PAGE = process.env.PAGE || '/peerings/contoso-ams/connections?connection=ams-1&range=30d';
const RUNS = Number(process.env.RUNS || 20);

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
const page = await context.newPage();
await page.goto(CONSOLE + '/signin');
await page.fill('#token', fs.readFileSync(path.join(TOKENS, 'reader-as64500.token'), 'utf8').trim());
await page.click('button[type=submit]');
await page.waitForURL(/\/peerings$/);

const runs = [];
let last;
for (let i = 0; i < RUNS + 2; i++) {
  await page.goto(CONSOLE + PAGE, { waitUntil: 'commit' });
  await page.waitForFunction(() => {
    const panels = document.querySelectorAll('section.panel.chart');
    return panels.length > 0 && [...panels].every((p) => p.getAttribute('aria-busy') === 'false');
  }, null, { timeout: 60000, polling: 'raf' });
  const t = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const api = performance.getEntriesByType('resource').find((r) => r.name.includes('/api/call/MetricsService/QueryConnectionMetrics'));
    return { document: nav.responseEnd, api: api ? api.responseEnd - api.startTime : NaN, drawn: performance.now(),
      points: [...document.querySelectorAll('section.panel.chart summary')].map((s) => s.textContent).join('; '),
      canvases: document.querySelectorAll('section.panel.chart canvas').length };
  });
  if (i >= 2) runs.push(t);
  last = t;
}
await browser.close();

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(p / 100 * s.length) - 1)]; };
const line = (label, xs) => console.log(`  ${label.padEnd(44)} p50 ${pct(xs, 50).toFixed(0).padStart(6)} ms   p99 ${pct(xs, 99).toFixed(0).padStart(6)} ms`);
console.log(`\nBENCHMARK time to drawn charts: ${PAGE}, ${RUNS} loads in Chromium (${last.canvases} charts drawn; ${last.points})`);
line('document (HTML answered)', runs.map((r) => r.document));
line('QueryConnectionMetrics through the console', runs.map((r) => r.api));
line('all charts drawn, from the navigation start', runs.map((r) => r.drawn));
