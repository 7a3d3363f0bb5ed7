// The console in a real browser (Debian's Chromium driven by playwright-core), against the real
// services, gateway and GoBGP routers that deploy/tests' ConsoleEndToEndTest starts. Each test
// reads what a person sees (text in the page, the numbers tables) and compares it with what the
// gRPC API answers for the same query. Screenshots go to $SCREENSHOTS.
//   CONSOLE_URL=http://127.0.0.1:8088 GATEWAY=127.0.0.1:8080 TOKENS=deploy/local/.state/jwt \
//   ROUTERS_STATE=deploy/local/.state/routers node --test console/src/test/browser/console.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { client, unary, repoDir } from '../../../../deploy/client/grpc.mjs';

const CONSOLE = process.env.CONSOLE_URL || 'http://127.0.0.1:8088';
const GATEWAY = process.env.GATEWAY || '127.0.0.1:8080';
const TOKENS = process.env.TOKENS || path.join(repoDir, 'deploy/local/.state/jwt');
const SHOTS = process.env.SCREENSHOTS || path.join(repoDir, 'console/target/screenshots');
const token = (name) => fs.readFileSync(path.join(TOKENS, name + '.token'), 'utf8').trim();
const routes = client(GATEWAY, 'RoutesService');
const metrics = client(GATEWAY, 'MetricsService');

let browser;
before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
});
after(async () => { await browser?.close(); routes.close(); metrics.close(); });

/** A signed-in page (a fresh browser context: its own cookies) recording console errors. */
async function signedIn(tokenName) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(CONSOLE + '/peerings');
  await page.waitForURL(/\/signin/);
  await page.fill('#token', token(tokenName));
  await page.click('button[type=submit]');
  await page.waitForURL(/\/peerings$/);
  return page;
}

async function as(tokenName, fn) {
  process.env.PEERING_TOKEN = token(tokenName);
  return fn();
}

/** The text of every cell of the table inside `scope`, row by row. */
async function tableRows(page, selector) {
  return page.$$eval(selector + ' tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent.trim())));
}

async function openAndShoot(page, url, name, ready) {
  await page.goto(CONSOLE + url);
  await ready();
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
  await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });
}

test('every page loads for the reader of AS64500 with no console error, and is photographed', async () => {
  const page = await signedIn('reader-as64500');
  const pages = [
    ['/peerings', 'peerings', 'contoso-ams'],
    ['/peerings/contoso-ams/receivedRoutes', 'received-routes', 'Origin-AS validation'],
    ['/peerings/contoso-ams/routeHistory?prefix=198.51.100.0%2F24', 'route-history', 'Announce'],
    ['/peerings/contoso-ams/connections?connection=ams-1&range=1h', 'connections', 'Session availability, IPv4'],
    ['/peerings/contoso-ams/registeredPrefixes/contoso-web?range=1h', 'registered-prefix', 'Registered prefix latency'],
    ['/peerings/contoso-ams/registeredAsns/contoso-customer?range=1h', 'registered-asn', 'customer prefix'],
    ['/peeringServices/contoso-web?range=1h', 'peering-service', 'Prefix events'],
  ];
  for (const [url, name, text] of pages) {
    await openAndShoot(page, url, name, () => page.getByText(text).first().waitFor());
    assert.doesNotMatch(await page.textContent('main'), /failed|refused|cannot be shown/i, url + ' shows a problem');
  }
  assert.deepEqual(page.errors, [], 'console errors');
  await page.context().close();
});

test('the received routes table shows what ListReceivedRoutes answers, and the sessions their route counts', async () => {
  const page = await signedIn('reader-as64500');
  await page.goto(CONSOLE + '/peerings/contoso-ams/receivedRoutes?pageSize=100');
  await page.locator('table.routes').waitFor();
  const shown = await tableRows(page, 'table.routes');
  const api = await as('reader-as64500', () => unary(routes, 'ListReceivedRoutes', { parent: 'peerings/contoso-ams', page_size: 100 }));
  assert.equal(shown.length, api.routes.length);
  assert.deepEqual(shown.map((r) => [r[0], r[1], r[2], r[3]]),
    api.routes.map((r) => [r.prefix, r.next_hop, r.as_path, r.origin_asn ? 'AS' + r.origin_asn : '']));
  assert.ok(await page.getByRole('link', { name: 'Next page ›' }).isVisible(), 'more than one page of routes');

  await page.goto(CONSOLE + '/peerings');
  await page.locator('table.sessions').first().waitFor();
  const sessions = await tableRows(page, 'table.sessions');
  const apiSessions = await as('reader-as64500', () => unary(routes, 'ListSessions', { parent: 'peerings/contoso-ams', page_size: 1000 }));
  assert.deepEqual(sessions.map((r) => [r[1], r[6]]).sort(),
    apiSessions.sessions.map((s) => [s.peer_address, Number(s.routes_count).toLocaleString('en-US')]).sort());
  await page.context().close();
});

test('a filtered routes view is a link: prefix or longer and an AS path, equal to the API', async () => {
  const page = await signedIn('reader-as64500');
  await page.goto(CONSOLE + '/peerings/contoso-ams/receivedRoutes?prefix=198.51.100.0%2F24&prefixMatch=PREFIX_MATCH_OR_LONGER&asPath=64500');
  await page.locator('table.routes').waitFor();
  const shown = await tableRows(page, 'table.routes');
  const api = await as('reader-as64500', () => unary(routes, 'ListReceivedRoutes', { parent: 'peerings/contoso-ams',
    prefix: '198.51.100.0/24', prefix_match: 'PREFIX_MATCH_OR_LONGER', as_path: '64500' }));
  assert.ok(api.routes.length >= 1, 'the routers announce 198.51.100.0/24');
  assert.deepEqual(shown.map((r) => [r[0], r[2], r[11]]), api.routes.map((r) => [r.prefix, r.as_path, r.peer_address]));
  await page.context().close();
});

test('the connection charts have the numbers of QueryConnectionMetrics behind them', async () => {
  const page = await signedIn('reader-as64500');
  let to; let from;
  const query = () => as('reader-as64500', () => unary(metrics, 'QueryConnectionMetrics', { resource: 'peerings/contoso-ams/connections/ams-1',
    metrics: ['SessionAvailabilityV4'], time_grain: 'TIME_GRAIN_PT1M',
    time_range: { start_time: { seconds: String(from / 1000) }, end_time: { seconds: String(to / 1000) } } }));
  // Availability is known for whole minutes after the sessions came up: on a fast start the routers'
  // sessions may be younger than the last whole minute, and the chart is (rightly) empty. Wait for one.
  for (let attempt = 0; attempt < 60; attempt++) {
    to = new Date(Math.floor(Date.now() / 60000) * 60000);
    from = new Date(to.getTime() - 30 * 60000);
    if (((await query()).series[0]?.points || []).length > 0) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  const expected = (api) => (api.series[0]?.points || []).map((p) => [
    new Date(Number(p.time.seconds) * 1000).toISOString().replace('T', ' ').replace('.000Z', ''),
    p.value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + ' %']);
  // The session feed may still be bringing a transition in (metrics-service follows routes-service):
  // compare once the API answers the same before and after the page was read.
  let before, shown, after;
  for (let attempt = 0; attempt < 5; attempt++) {
    before = expected(await query());
    await page.goto(CONSOLE + '/peerings/contoso-ams/connections?connection=ams-1&from=' + from.toISOString() + '&to=' + to.toISOString());
    const panel = page.getByRole('region', { name: 'Session availability, IPv4' });
    // the charts, or the page's account of why there are none (a refused or late QueryConnectionMetrics)
    await panel.or(page.locator('.msg.problem')).first().waitFor({ timeout: 30000 });
    assert.equal(await page.locator('.msg.problem').count(), 0, 'the connections page reports a problem: '
      + await page.textContent('main'));
    assert.equal(await panel.locator('summary').count(), 1, 'the availability chart has its numbers; the panel says: '
      + await panel.textContent());
    await panel.locator('summary').click();
    shown = (await tableRows(page, 'section[aria-label="Session availability, IPv4"] details')).map((r) => [r[0], r[1]]);
    after = expected(await query());
    if (JSON.stringify(before) === JSON.stringify(after)) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  assert.deepEqual(before, after, 'the API answered the same before and after the page was read');
  assert.ok(after.length > 0, 'availability known in the last 30 minutes');
  assert.deepEqual(shown, after);
  await page.context().close();
});

test('a reader of another ASN sees none of AS64500 on any page and is told why', async () => {
  const page = await signedIn('reader-as4200000002');
  await page.locator('section.peering').first().waitFor();
  const home = await page.textContent('main');
  assert.match(home, /fabrikam-lon/);
  assert.doesNotMatch(home, /contoso|64500/);
  await page.screenshot({ path: path.join(SHOTS, 'other-asn-peerings.png'), fullPage: true });
  const denied = [
    ['/peerings/contoso-ams/receivedRoutes', /Your token may not see .*belongs to AS64500/],
    ['/peerings/contoso-ams/routeHistory?prefix=198.51.100.0%2F24', /Your token may not see .*belongs to AS64500/],
    ['/peerings/contoso-ams/connections', /Your token sees no peering named "contoso-ams"/],
    ['/peerings/contoso-ams/registeredPrefixes/contoso-web', /Your token may not see .*belongs to AS64500/],
    ['/peerings/contoso-ams/registeredAsns/contoso-customer', /Your token may not see .*belongs to AS64500/],
    ['/peeringServices/contoso-web', /Your token sees no peering service named "contoso-web"/],
  ];
  for (const [url, why] of denied) {
    await page.goto(CONSOLE + url);
    await page.locator('.msg.problem').waitFor();
    const text = await page.textContent('main');
    assert.match(text, why, url);
    assert.equal(await page.locator('main table tbody tr').count(), 0, url + ' shows no data');
    assert.doesNotMatch(text, /127\.0\.0\.1[12]|4200000001/, url);
  }
  await page.screenshot({ path: path.join(SHOTS, 'other-asn-denied.png'), fullPage: true });
  // the browser reports the 403 answers themselves as console errors; nothing else may fail
  assert.deepEqual(page.errors.filter((e) => !/status of 403/.test(e)), []);
  await page.context().close();
});

test('an event made on a router appears on the peering-service page within seconds, without a reload', async () => {
  const page = await signedIn('reader-as64500');
  await page.goto(CONSOLE + '/peeringServices/contoso-web?range=1h');
  await page.getByText('● Live').waitFor();
  let reloaded = false;
  page.on('framenavigated', () => { reloaded = true; });
  const routers = (...args) => execFileSync('bash', [path.join(repoDir, 'deploy/local/routers/routers.sh'), ...args,
    ...(process.env.ROUTERS_STATE ? ['--state', process.env.ROUTERS_STATE] : [])], { stdio: 'pipe' });
  const made = Date.now();
  routers('withdraw', 'p1', '198.51.100.0/24');
  try {
    await page.locator('table.events tbody tr.fresh', { hasText: 'Prefix withdrawal event' }).first().waitFor({ timeout: 20000 });
    console.log('# the withdrawal event was on the page ' + (Date.now() - made) + ' ms after the router withdrew the route');
    await page.screenshot({ path: path.join(SHOTS, 'peering-service-live-event.png'), fullPage: true });
  } finally {
    routers('announce', 'p1', '198.51.100.0/24');
  }
  assert.equal(reloaded, false, 'the page was not reloaded');
  await page.context().close();
});

test('signing out ends access: the pages ask to sign in and the API answers 401', async () => {
  const page = await signedIn('reader-as64500');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/signin\?signedOut=1/);
  assert.match(await page.textContent('main'), /You are signed out/);
  const cookies = await page.context().cookies();
  assert.equal(cookies.filter((c) => c.name === 'peering_console_session' && c.value).length, 0);
  await page.goto(CONSOLE + '/peerings/contoso-ams/receivedRoutes');
  await page.waitForURL(/\/signin\?next=/);
  const status = await page.evaluate(async () => (await fetch('/api/call/RoutesService/ListPeerings', { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: '{}' })).status);
  assert.equal(status, 401);
  await page.screenshot({ path: path.join(SHOTS, 'signin.png') });
  await page.context().close();
});

test('the session cookie is HttpOnly and SameSite=Strict, so the page cannot read the token', async () => {
  const page = await signedIn('reader-as64500');
  const cookie = (await page.context().cookies()).find((c) => c.name === 'peering_console_session');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  assert.equal(await page.evaluate(() => document.cookie.includes('peering_console_session')), false);
  assert.equal(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })), '{}{}');
  await page.context().close();
});

test('the registered prefix page shows the validation state and the reasons GetRegisteredPrefix answers', async () => {
  const page = await signedIn('reader-as64500');
  await page.goto(CONSOLE + '/peerings/contoso-ams/registeredPrefixes/contoso-web?range=1h');
  await page.locator('section.validation').waitFor();
  const api = await as('reader-as64500', () => unary(routes, 'GetRegisteredPrefix',
    { name: 'peerings/contoso-ams/registeredPrefixes/contoso-web' }));
  const p = api.registered_prefix;
  const state = p.validation_state.replace('REGISTERED_PREFIX_VALIDATION_STATE_', '').toLowerCase();
  const heading = (await page.textContent('section.validation h2')).toLowerCase();
  assert.ok(heading.includes(state), 'the page says "' + heading + '", the API ' + state);
  assert.deepEqual(await page.locator('section.validation li').allTextContents(), p.reasons);
  assert.deepEqual(page.errors, [], 'console errors');
  await page.context().close();
});
