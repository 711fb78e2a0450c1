// @ts-check
/**
 * The console's pages, by URL fragment. To add a page:
 *   1. write static/pages/<page>.js exporting `default function MyPage({ params, query })` (see pages/runs.js; build it
 *      from components/*.js and call the API through lib/api.js);
 *   2. add one line below: `{ path: '/my-page', load: () => import('./pages/my-page.js'), nav: { id: 'my-page', label: 'My page' } }`
 *      (`nav` puts it in the header, testid `nav-<id>`; `when` hides it, e.g. from non-admins);
 *   3. add a browser test in test/browser/ (see docs/console.md, "The browser code").
 * The first matching route wins; `:name` matches one part of the path, `:name*` the rest.
 */

/**
 * @typedef {{ params: Record<string, string>, query: URLSearchParams }} PageProps
 * @typedef {(props: PageProps) => any} Page
 * @typedef {object} Route
 * @property {string} path e.g. '/runs/:id*'
 * @property {() => Promise<{ default: Page }>} load the page's module
 * @property {{ id: string, label: string, badge?: 'needsAttention' }} [nav] a link in the header
 * @property {(session: import('./api-types').Session) => boolean} [when] offered only when true (else the runs list shows)
 */

/** @type {readonly Route[]} */
export const ROUTES = [
  { path: '/', load: () => import('./pages/runs.js'), nav: { id: 'runs', label: 'Runs' } },
  { path: '/runs/:id*', load: () => import('./pages/run.js') },
  { path: '/inbox', load: () => import('./pages/inbox.js'), nav: { id: 'inbox', label: 'Inbox', badge: 'needsAttention' } },
  { path: '/start', load: () => import('./pages/start.js'), nav: { id: 'start', label: 'Start a run' } },
  { path: '/kpis', load: () => import('./pages/kpis.js'), nav: { id: 'kpis', label: 'KPIs' } },
  { path: '/kpis/:process', load: () => import('./pages/process-kpis.js') },
  { path: '/schedules', load: () => import('./pages/schedules.js'), nav: { id: 'schedules', label: 'Schedules' } },
  { path: '/systems', load: () => import('./pages/systems.js'), nav: { id: 'systems', label: 'Systems' } },
  {
    path: '/operators',
    load: () => import('./pages/operators.js'),
    nav: { id: 'operators', label: 'Operators' },
    when: (s) => s.role === 'admin',
  },
  { path: '/choose', load: () => import('./pages/choose.js'), nav: { id: 'choose', label: 'Which approach?' } },
  // The demo exists only when the console has it on (GET /api/session `demo`, OVERTURE_DEMO=on).
  { path: '/demo', load: () => import('./pages/demo.js'), nav: { id: 'demo', label: 'Demo' }, when: (s) => s.demo },
];
