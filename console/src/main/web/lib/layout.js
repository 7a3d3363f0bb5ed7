// The parts every page shares: the breadcrumb trail and a peering's tabs.
import { h } from './dom.js';

/** The breadcrumb trail: [[text, href], ...]; the last is the current page. */
export function crumbs(...trail) {
  const nav = document.getElementById('crumbs');
  nav.replaceChildren(...[['Peerings', '/peerings'], ...trail].flatMap(([text, href], i, list) => {
    const last = i === list.length - 1;
    const item = last ? h('span', { 'aria-current': 'page' }, text) : h('a', { href }, text);
    return i ? [h('span', { class: 'sep' }, ' › '), item] : [item];
  }));
  document.title = [...trail].reverse().map(([t]) => t).concat('Peering console').join(' · ');
}

/** The tabs of a peering's pages. */
export function peeringTabs(peering, current) {
  const tab = (key, text) => h('a', { href: '/peerings/' + peering + '/' + key, class: current === key ? 'on' : null,
    'aria-current': current === key ? 'page' : null }, text);
  return h('nav', { class: 'tabs', 'aria-label': 'Peering pages' }, tab('receivedRoutes', 'Received routes'),
    tab('connections', 'Connections'), tab('connectivityProbes', 'Connectivity probes'), tab('lookingGlass', 'Looking glass'));
}
