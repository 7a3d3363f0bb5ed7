import { h, show, message } from '../lib/dom.js';

/** Sign-in: the token goes to the console in a form post and comes back as an HttpOnly cookie. */
export function signinPage() {
  const params = new URLSearchParams(location.search);
  const token = h('textarea', { name: 'token', id: 'token', rows: 6, cols: 80, spellcheck: 'false', autocomplete: 'off',
    placeholder: 'eyJhbGciOiJSUzI1NiIs…' });
  const file = h('input', { type: 'file', id: 'token-file', accept: '.token,.jwt,.txt,text/plain', onchange: async () => {
    const f = file.files[0];
    if (f) token.value = (await f.text()).trim();
  } });
  show(
    h('h1', {}, 'Sign in'),
    params.get('error') ? message('problem', params.get('error')) : null,
    params.get('signedOut') ? message('note', 'You are signed out. Sign in again to see your peerings.') : null,
    h('form', { method: 'post', action: '/session/signin', class: 'signin' },
      h('input', { type: 'hidden', name: 'next', value: params.get('next') || '/peerings' }),
      h('p', {}, h('label', { for: 'token' }, 'Your bearer token (a JWT):')),
      token,
      h('p', {}, h('label', { for: 'token-file' }, 'or read it from a file: '), file),
      h('p', {}, h('button', { type: 'submit' }, 'Sign in'))),
    h('p', { class: 'note' }, 'A token decides what you see: a reader token shows the peerings of its ASNs, an operator token shows all. ',
      'On the local stack, tokens are in deploy/local/.state/jwt/, and deploy/local/mint-token --role reader --asn 64500 makes one. ',
      'The console keeps the token in a session cookie that scripts cannot read, and forgets it when you sign out.'));
}
