// @ts-check
/**
 * The operator console in the browser: reads the session, then draws the header (navigation, live counters, who is
 * signed in) and the page the URL fragment names (routes.js). Preact + htm, served as ES modules, no build step.
 */
import { html, render, useEffect, useRef, useState } from './lib/html.js';
import { api, loadSession, session } from './lib/api.js';
import { matchRoute, useHash } from './lib/router.js';
import { onStreamReplaced, subscribeRuns } from './lib/live.js';
import { ErrorBanner } from './components/error-banner.js';
import { ROUTES } from './routes.js';

/** @typedef {import('./api-types').Counters} Counters */

const COUNTERS = /** @type {const} */ ([
  ['total', 'total', ''],
  ['running', 'running', ''],
  ['needsAttention', 'needs attention', 'attention'],
  ['completed', 'completed', 'ok'],
  ['failed', 'failed', 'bad'],
  ['aborted', 'aborted', 'bad'],
]);

/** The routes this operator may use (a route's `when`). */
const allowedRoutes = () => ROUTES.filter((r) => !r.when || r.when(session));

/** The header: brand, navigation from the route table, live counters, the operator and sign-out. @param {{ path: string }} props */
function Header({ path }) {
  const [counters, setCounters] = useState(/** @type {Counters | undefined} */ (undefined));
  const [streamNote, setStreamNote] = useState('');
  useEffect(() => subscribeRuns((feed) => setCounters(feed.counters)), []);
  useEffect(() => onStreamReplaced((reason) => setStreamNote(`${reason} Reload to watch live again.`)), []);
  const signOut = async () => {
    await api('POST', '/api/logout', {});
    location.href = '/login';
  };
  return html`<header>
    <a class="skip-link" href="#main" onClick=${skipToMain}>Skip to content</a>
    <a class="brand" href="#/">Overture</a>
    <nav aria-label="Console pages">
      ${ROUTES.filter((r) => r.nav).map((r) => {
        const nav = /** @type {NonNullable<typeof r.nav>} */ (r.nav);
        const badge = nav.badge && counters ? counters[nav.badge] : 0;
        const current = r.path === path || (r.path !== '/' && path.startsWith(r.path));
        return html`<a
          href=${`#${r.path}`}
          data-testid=${`nav-${nav.id}`}
          aria-current=${current ? 'page' : undefined}
          hidden=${r.when ? !r.when(session) : undefined}
          >${nav.label}${
            nav.badge
              ? html` <span class="badge" data-testid="inbox-count" aria-label=${badge ? `${badge} waiting` : undefined}
                  >${badge || ''}</span
                >`
              : null
          }</a
        >`;
      })}
    </nav>
    <ul class="counters" data-testid="counters" aria-label="Runs by state (live)">
      ${COUNTERS.map(
        ([key, label, cls]) =>
          html`<li class=${cls || undefined}>
            ${label} <b data-testid=${`counter-${key}`}>${counters ? String(counters[key]) : '–'}</b>
          </li>`,
      )}
    </ul>
    <span class="who"
      >signed in as <b data-testid="operator-name">${session.operator}</b>${' '}
      <span data-testid="operator-role">${session.role ? `(${session.role})` : ''}</span>${' '}
      <button type="button" class="link" data-testid="logout" onClick=${signOut}>sign out</button></span
    >
    ${streamNote ? html`<span class="stream-note" role="status" data-testid="stream-note">${streamNote}</span>` : null}
  </header>`;
}

/** Moves focus to the page's content (the skip link's target is a fragment the router would read as a page). @param {Event} event */
function skipToMain(event) {
  event.preventDefault();
  document.getElementById('main')?.focus();
}

/** The page the fragment names, loaded from its module; focus moves to it on navigation, for keyboard and screen readers. */
function App() {
  const hash = useHash();
  const match = matchRoute(allowedRoutes(), hash) ?? matchRoute(allowedRoutes(), '#/');
  const [loaded, setLoaded] = useState(/** @type {{ path: string, Page: import('./routes.js').Page } | undefined} */ (undefined));
  const [problem, setProblem] = useState('');
  const main = useRef(/** @type {HTMLElement | null} */ (null));
  const first = useRef(true);
  const routePath = match?.route.path ?? '/';
  useEffect(() => {
    let current = true;
    setProblem('');
    match?.route
      .load()
      .then((module) => current && setLoaded({ path: routePath, Page: module.default }))
      .catch((/** @type {Error} */ err) => current && setProblem(`This page could not be loaded: ${err.message}`));
    return () => {
      current = false;
    };
  }, [routePath]);
  useEffect(() => {
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [hash.split('?')[0]]);
  const Page = loaded && loaded.path === routePath ? loaded.Page : undefined;
  return html`<${Header} path=${routePath} />
    <main id="main" data-testid="view" tabindex="-1" ref=${main}>
      <${ErrorBanner} message=${problem} />
      ${Page && match ? html`<${Page} key=${hash.split('?')[0]} params=${match.params} query=${match.query} />` : null}
    </main>`;
}

async function start() {
  const root = /** @type {HTMLElement} */ (document.getElementById('app'));
  if (!(await loadSession())) {
    root.textContent = 'The console could not read your session: reload the page.';
    return;
  }
  root.textContent = '';
  render(html`<${App} />`, root);
}

void start();
