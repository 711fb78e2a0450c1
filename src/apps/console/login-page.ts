/** The sign-in page: plain HTML, served before anyone is signed in (so it carries no data). */
import type http from 'node:http';
import { send } from './http-helpers';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** The sign-in form, with an optional error message above it, and the OIDC sign-in link when a provider is configured. */
export function loginPage(message?: string, oidcProvider?: string): string {
  const error = message ? `<p class="error" data-testid="login-error">${escapeHtml(message)}</p>` : '';
  // A link, not a form: the sign-in leaves for the identity provider, which form-action 'self' would block.
  const oidc = oidcProvider
    ? `<p class="oidc"><a class="button" href="/auth/oidc/start" data-testid="login-oidc">Sign in with ${escapeHtml(oidcProvider)}</a></p>\n<p class="hint">or with your operator token:</p>\n`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Overture console: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/style.css"></head>
<body class="login"><main>
<h1>Overture operator console</h1>
${error}
${oidc}<form id="login-form" method="post" action="/login" data-testid="login-form">
<label>Your operator token <input type="password" name="token" autocomplete="off" required data-testid="login-token" placeholder="ovt_..."></label>
<button type="submit" data-testid="login-submit">Sign in</button>
</form>
<p class="hint">Your personal token comes from your administrator (<code>overture operators add</code>); the first admin's is in the data directory's <code>admin-token</code> file. Decisions you take are recorded under your operator name.</p>
</main><script type="module" src="/login.js"></script></body></html>`;
}

/** Answers with the sign-in page. */
export function sendLoginPage(
  res: http.ServerResponse,
  status: number,
  message?: string,
  headers: Record<string, string> = {},
  oidcProvider?: string,
): void {
  send(res, status, loginPage(message, oidcProvider), 'text/html; charset=utf-8', headers);
}

/** After an OIDC sign-in: says who is signed in and goes on to the console (a same-site navigation, see Sessions.openFor). */
export function continuePage(operator: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Overture console: signed in</title>
<meta http-equiv="refresh" content="0;url=/"><link rel="stylesheet" href="/style.css"></head>
<body class="login"><main><h1>Overture operator console</h1>
<p data-testid="signed-in-as">Signed in as ${escapeHtml(operator)}. <a href="/">Continue to the console</a>.</p>
</main></body></html>`;
}
