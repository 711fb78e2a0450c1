/** The sign-in page: plain HTML, served before anyone is signed in (so it carries no data). */
import type http from 'node:http';
import { send } from './http-helpers';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** The sign-in form, with an optional error message above it. */
export function loginPage(message?: string): string {
  const error = message ? `<p class="error" data-testid="login-error">${escapeHtml(message)}</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Overture console: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/style.css"></head>
<body class="login"><main>
<h1>Overture operator console</h1>
${error}
<form id="login-form" method="post" action="/login" data-testid="login-form">
<label>Operator token <input type="password" name="token" autocomplete="off" required data-testid="login-token"></label>
<label>Your name <input type="text" name="operator" maxlength="100" required data-testid="login-operator" placeholder="e.g. ops.alice"></label>
<button type="submit" data-testid="login-submit">Sign in</button>
</form>
<p class="hint">The token is printed by <code>npm start</code> (or set with CONSOLE_TOKEN). Decisions you take are recorded under your name.</p>
</main><script src="/app.js"></script></body></html>`;
}

/** Answers with the sign-in page. */
export function sendLoginPage(res: http.ServerResponse, status: number, message?: string, headers: Record<string, string> = {}): void {
  send(res, status, loginPage(message), 'text/html; charset=utf-8', headers);
}
