// The console's pages: each path is a page a person can bookmark; this script draws the one the
// location names, with the data of the four services (through the console's JSON API).
import { h, show, message } from './lib/dom.js';
import { who } from './lib/api.js';
import { crumbs } from './lib/layout.js';
import { signinPage } from './pages/signin.js';
import { peeringsPage } from './pages/peerings.js';
import { receivedRoutesPage } from './pages/received-routes.js';
import { routeHistoryPage } from './pages/route-history.js';
import { connectionsPage } from './pages/connections.js';
import { registeredPrefixPage } from './pages/registered-prefix.js';
import { registeredAsnPage } from './pages/registered-asn.js';
import { peeringServicePage } from './pages/peering-service.js';
import { lookingGlassPage } from './pages/looking-glass.js';
import { connectivityProbesPage } from './pages/connectivity-probes.js';

const PAGES = [
  [/^\/peerings\/?$/, () => peeringsPage()],
  [/^\/peerings\/([^/]+)\/?$/, (p) => { history.replaceState(null, '', '/peerings/' + p + '/receivedRoutes'); return receivedRoutesPage(p); }],
  [/^\/peerings\/([^/]+)\/receivedRoutes$/, (p) => receivedRoutesPage(p)],
  [/^\/peerings\/([^/]+)\/routeHistory$/, (p) => routeHistoryPage(p)],
  [/^\/peerings\/([^/]+)\/connections$/, (p) => connectionsPage(p)],
  [/^\/peerings\/([^/]+)\/lookingGlass$/, (p) => lookingGlassPage(p)],
  [/^\/peerings\/([^/]+)\/connectivityProbes$/, (p) => connectivityProbesPage(p)],
  [/^\/peerings\/([^/]+)\/registeredPrefixes\/([^/]+)$/, (p, n) => registeredPrefixPage(p, n)],
  [/^\/peerings\/([^/]+)\/registeredAsns\/([^/]+)$/, (p, n) => registeredAsnPage(p, n)],
  [/^\/peeringServices\/([^/]+)$/, (s) => peeringServicePage(s)],
];

async function header() {
  const me = await who();
  const box = document.getElementById('who');
  if (!me) return null;
  const roles = Array.isArray(me.roles) ? me.roles.join(', ') : '';
  const asns = Array.isArray(me.peerAsns) && me.peerAsns.length ? ' of ' + me.peerAsns.map((a) => 'AS' + a).join(', ') : '';
  box.replaceChildren(h('span', { class: 'me' }, 'Signed in as ', h('strong', {}, me.subject || 'unknown'), ' (' + roles + asns + ')'),
    h('form', { method: 'post', action: '/session/signout' }, h('button', { type: 'submit' }, 'Sign out')));
  return me;
}

async function main() {
  const path = decodeURI(location.pathname);
  if (path === '/signin') { crumbs(['Sign in']); signinPage(); return; }
  const me = await header();
  if (!me) {
    location.replace('/signin?next=' + encodeURIComponent(location.pathname + location.search));
    return;
  }
  for (const [pattern, page] of PAGES) {
    const m = path.match(pattern);
    if (m) { await page(...m.slice(1)); return; }
  }
  crumbs(['Not found']);
  show(message('problem', 'There is no page at ' + path + '.', h('p', {}, h('a', { href: '/peerings' }, 'Go to your peerings'))));
}

main().catch((e) => show(message('problem', 'This page failed to draw: ' + e.message)));
