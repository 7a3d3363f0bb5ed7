// A few helpers to build the page from plain DOM nodes (text is always set as text, never as HTML).

/** h('a', {href: '/x', class: 'y'}, 'text', child...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces the content of the page's main area. */
export function show(...children) {
  const main = document.getElementById('page');
  main.replaceChildren();
  append(main, children);
  return main;
}

/** A message box: kind 'note' (nothing wrong), 'empty' (no data) or 'problem' (something failed). */
export function message(kind, text, ...more) {
  return h('div', { class: 'msg ' + kind, role: kind === 'problem' ? 'alert' : 'status' }, h('p', {}, text), ...more);
}

/** A table with a header row; rows are arrays of cells (text or nodes). */
export function table(headers, rows, attrs = {}) {
  return h('table', attrs,
    h('thead', {}, h('tr', {}, headers.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))));
}

export function section(title, ...children) {
  return h('section', { class: 'panel' }, h('h2', {}, title), ...children);
}
