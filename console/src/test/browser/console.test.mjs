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
const latency = client(GATEWAY, 'LatencyService');

let browser;
before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
});
after(async () => { await browser?.close(); routes.close(); metrics.close(); latency.close(); });

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

/** A screenshot of the whole page once its charts are drawn. */
async function shoot(page, name) {
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
  await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });
}

async function openAndShoot(page, url, name, ready) {
  await page.goto(CONSOLE + url);
  await ready();
  await shoot(page, name);
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
    ['/peerings/contoso-ams/lookingGlass?target=198.51.100.7', 'looking-glass', 'Session (connection, peer)'],
    ['/peerings/contoso-ams/connectivityProbes?range=1h', 'connectivity-probes', 'Availability of ams-1-echo'],
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
    ['/peerings/contoso-ams/lookingGlass?target=198.51.100.7', /Your token may not see .*belongs to AS64500/],
    ['/peerings/contoso-ams/connectivityProbes', /Your token may not see .*belongs to AS64500/],
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

/** A protobuf Timestamp of the Node client as the pages show times: "2026-12-06 10:00:00" (UTC). */
const shownTime = (t) => new Date(Number(t.seconds) * 1000).toISOString().replace('T', ' ').replace('.000Z', '');
/** An enum of the Node client as the pages show it: "RPKI_VALIDATION_STATE_NOT_FOUND" -> "Not found". */
const shownEnum = (v, prefix) => {
  if (v.endsWith('_UNSPECIFIED')) return '';
  const w = v.slice(prefix.length).toLowerCase().replaceAll('_', ' ');
  return w.charAt(0).toUpperCase() + w.slice(1);
};

test('the looking glass finds the route a GoBGP router announces, with the values BgpRoute answers, now and as of a time', async () => {
  const page = await signedIn('reader-as64500');
  await page.goto(CONSOLE + '/peerings/contoso-ams');
  await page.getByRole('link', { name: 'Looking glass' }).click();
  await page.waitForURL(/\/lookingGlass$/);
  await page.fill('input[name=target]', '198.51.100.7');
  await page.getByRole('button', { name: 'Look up' }).click();
  await page.waitForURL(/target=198\.51\.100\.7/);
  await page.locator('table.lookup').waitFor();
  const expected = (api) => api.routes.map((r) => [r.prefix, r.router, r.connection.split('/').pop() + ' ' + r.peer_address + ' AS' + r.peer_asn,
    r.next_hop, r.as_path, 'AS' + r.origin_asn, shownEnum(r.rpki_validation_state, 'RPKI_VALIDATION_STATE_'), shownTime(r.received_time),
    [...r.communities, ...r.large_communities].join(' ')]);
  const api = await as('reader-as64500', () => unary(routes, 'BgpRoute', { parent: 'peerings/contoso-ams', target: '198.51.100.7' }));
  assert.equal(api.matched_prefix, '198.51.100.0/24');
  assert.ok(api.routes.some((r) => r.peer_address === '127.0.0.11'), 'P1 announces 198.51.100.0/24');
  assert.deepEqual(await tableRows(page, 'table.lookup'), expected(api));
  assert.match(await page.textContent('section[aria-label="BGP route"]'), /for 198\.51\.100\.0\/24 now/);

  // the form state is the URL: exact match of the address finds nothing, the /23 and its more-specifics the /24
  await page.selectOption('select[name=match]', 'BGP_ROUTE_MATCH_EXACT');
  await page.getByRole('button', { name: 'Look up' }).click();
  await page.waitForURL(/match=BGP_ROUTE_MATCH_EXACT/);
  await page.getByText('No received route matches 198.51.100.7 now.').waitFor();
  await page.goto(CONSOLE + '/peerings/contoso-ams/lookingGlass?target=198.51.100.0%2F23&match=BGP_ROUTE_MATCH_MORE_SPECIFIC');
  await page.locator('table.lookup').waitFor();
  const more = await as('reader-as64500', () => unary(routes, 'BgpRoute', { parent: 'peerings/contoso-ams', target: '198.51.100.0/23',
    match: 'BGP_ROUTE_MATCH_MORE_SPECIFIC' }));
  assert.deepEqual(await tableRows(page, 'table.lookup'), expected(more));

  // as of a time: the routes rebuilt from the change log, as BgpRoute at_time answers
  const at = new Date(Math.floor(Date.now() / 1000) * 1000);
  await page.goto(CONSOLE + '/peerings/contoso-ams/lookingGlass?target=198.51.100.7&at=' + encodeURIComponent(at.toISOString()));
  await page.locator('table.lookup').waitFor();
  const then = await as('reader-as64500', () => unary(routes, 'BgpRoute', { parent: 'peerings/contoso-ams', target: '198.51.100.7',
    at_time: { seconds: String(at.getTime() / 1000) } }));
  assert.deepEqual(await tableRows(page, 'table.lookup'), expected(then));
  assert.match(await page.textContent('section[aria-label="BGP route"]'), /as of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  assert.deepEqual(page.errors, [], 'console errors');
  await page.context().close();
});

test('ping and traceroute to 127.0.0.1 show the round-trip times and the hops', async () => {
  const page = await signedIn('reader-as64500');
  await page.goto(CONSOLE + '/peerings/contoso-ams/lookingGlass?target=198.51.100.7');
  await page.fill('input[name=ping]', '127.0.0.1');
  await page.fill('input[name=count]', '3');
  await page.getByRole('button', { name: 'Ping' }).click();
  await page.waitForURL(/ping=127\.0\.0\.1/);
  await page.locator('table.ping').waitFor({ timeout: 30000 });
  assert.match(await page.textContent('section[aria-label="Ping"] .summary'), /^127\.0\.0\.1: 3 sent, 3 received, 0 % loss; round trip min [\d.]+ \/ avg [\d.]+ \/ max [\d.]+ ms\.$/);
  const pings = await tableRows(page, 'table.ping');
  assert.deepEqual(pings.map((r) => r[0]), ['1', '2', '3']);
  for (const r of pings) {
    assert.equal(r[1], '127.0.0.1');
    assert.match(r[2], /^\d+\.\d{3} ms$/);
  }
  assert.ok(new URL(page.url()).searchParams.get('target'), 'the lookup is kept in the link');
  await page.fill('input[name=trace]', '127.0.0.1');
  await page.getByRole('button', { name: 'Trace' }).click();
  await page.waitForURL(/trace=127\.0\.0\.1/);
  await page.locator('table.hops').waitFor({ timeout: 60000 });
  await page.locator('table.ping').waitFor({ timeout: 30000 });
  assert.match(await page.textContent('section[aria-label="Traceroute"] .summary'), /127\.0\.0\.1 reached in 1 hop\./);
  const hops = await tableRows(page, 'table.hops');
  assert.equal(hops.length, 1);
  assert.equal(hops[0][1], '127.0.0.1');
  assert.match(hops[0][2], /^\d+\.\d{3} ms/);
  await shoot(page, 'looking-glass-ping');
  assert.deepEqual(page.errors, [], 'console errors');
  await page.context().close();
});

test('a ping or trace to an address outside the allowed targets shows the service\'s PERMISSION_DENIED message', async () => {
  const page = await signedIn('reader-as64500');
  await page.goto(CONSOLE + '/peerings/contoso-ams/lookingGlass?ping=192.0.2.1&trace=192.0.2.1');
  await page.locator('section[aria-label="Ping"] .msg.problem').waitFor();
  await page.locator('section[aria-label="Traceroute"] .msg.problem').waitFor();
  for (const [tool, verb] of [['Ping', 'ping'], ['Traceroute', 'trace']]) {
    assert.match(await page.textContent('section[aria-label="' + tool + '"] .msg.problem'),
      new RegExp('The looking glass refused a ' + verb + ' to 192\\.0\\.2\\.1\\. The service said: target 192\\.0\\.2\\.1 is not in '
        + 'peering\\.looking-glass\\.allowed-targets'));
  }
  assert.equal(await page.locator('table.ping, table.hops').count(), 0);
  await shoot(page, 'looking-glass-refused');
  assert.deepEqual(page.errors.filter((e) => !/status of 403/.test(e)), []);
  await page.context().close();
});

test('the connectivity probes page draws the loopback probe\'s availability, latency and jitter with QueryConnectivityProbes\' numbers', async () => {
  const page = await signedIn('reader-as64500');
  const METRICS = ['ConnectivityProbeAvailability', 'ConnectivityProbeLatency', 'ConnectivityProbeJitter'];
  let to; let from; let api;
  const query = () => as('reader-as64500', () => unary(latency, 'QueryConnectivityProbes', { parent: 'peerings/contoso-ams',
    metrics: METRICS, time_grain: 'TIME_GRAIN_PT1M',
    time_range: { start_time: { seconds: String(from / 1000) }, end_time: { seconds: String(to / 1000) } } }));
  // the probe runs every 10 s: wait until a whole minute holds its results (jitter needs two in a minute)
  for (let attempt = 0; attempt < 90; attempt++) {
    // whole minutes that ended 5 s ago or more: every probe run in them (2 s timeout at most) is stored
    to = new Date(Math.floor((Date.now() - 5000) / 60000) * 60000);
    from = new Date(to.getTime() - 30 * 60000);
    api = await query();
    if (METRICS.every((m) => api.series.find((s) => s.probe === 'ams-1-echo' && s.metric === m)?.points.length > 0)) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  await page.goto(CONSOLE + '/peerings/contoso-ams/connectivityProbes?from=' + from.toISOString() + '&to=' + to.toISOString());
  await page.locator('table.probes').waitFor();
  assert.deepEqual((await tableRows(page, 'table.probes')).find((r) => r[0] === 'ams-1-echo'),
    ['ams-1-echo', '127.0.0.11', 'ICMP', '–', '10 s', '2 s']);
  const text = { ConnectivityProbeAvailability: (v) => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + ' %' };
  for (const [metric, title] of [['ConnectivityProbeAvailability', 'Availability of ams-1-echo'],
    ['ConnectivityProbeLatency', 'Latency (median round trip) of ams-1-echo'], ['ConnectivityProbeJitter', 'Jitter of ams-1-echo']]) {
    const panel = page.getByRole('region', { name: title });
    await panel.locator('canvas').first().waitFor();
    await panel.locator('summary').click();
    const shown = (await tableRows(page, 'section[aria-label="' + title + '"] details')).map((r) => [r[0], r[1]]);
    const points = api.series.find((s) => s.probe === 'ams-1-echo' && s.metric === metric).points;
    const format = text[metric] || ((v) => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + ' ms');
    assert.deepEqual(shown, points.map((p) => [shownTime(p.time), format(p.value)]), metric);
  }
  await shoot(page, 'connectivity-probes');
  assert.deepEqual(page.errors, [], 'console errors');
  await page.context().close();
});
