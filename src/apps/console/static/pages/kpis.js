// @ts-check
/**
 * KPIs across processes (GET /api/kpis): for each process, runs started and ended by outcome over the period, and
 * its duration p50 and p95; each process links to its own KPI page (the graph as a heat map, charts over time).
 */
import { html, useEffect } from '../lib/html.js';
import { processes, processTitle, withQuery } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { useApiGet } from '../lib/use-api.js';
import { formatDuration, formatRate } from '../lib/kpi-format.js';
import { LoadedTable } from '../components/list-page.js';
import { ErrorBanner } from '../components/error-banner.js';
import { PeriodField } from '../components/period-field.js';

/** @typedef {import('../page-types').KpiOverview} KpiOverview @typedef {import('../page-types').ProcessSummary} ProcessSummary */

/** The share of ended runs that failed or were aborted. @param {ProcessSummary} p */
const failureRate = (p) => {
  const ended = p.completed + p.failed + p.aborted;
  return ended ? (p.failed + p.aborted) / ended : undefined;
};

/** @type {import('../components/table.js').Column<ProcessSummary>[]} */
const COLUMNS = [
  {
    title: 'Process',
    cell: (p) =>
      html`<a href=${`#/kpis/${encodeURIComponent(p.process)}`} data-testid="kpi-process-link">${processTitle(p.process)}</a>
        <span class="hint"> (${p.process})</span>`,
  },
  { title: 'Started', cell: (p) => html`<span data-testid="kpi-started">${p.started}</span>`, className: 'num' },
  { title: 'Completed', cell: (p) => html`<span data-testid="kpi-completed">${p.completed}</span>`, className: 'num' },
  { title: 'Failed', cell: (p) => p.failed, className: 'num' },
  { title: 'Aborted', cell: (p) => p.aborted, className: 'num' },
  { title: 'Failed or aborted', cell: (p) => formatRate(failureRate(p)), className: 'num' },
  { title: 'Duration p50', cell: (p) => formatDuration(p.durationP50Ms), className: 'num' },
  { title: 'Duration p95', cell: (p) => formatDuration(p.durationP95Ms), className: 'num' },
];

/**
 * Every process the console can start, with no runs yet where the KPIs hold none (so each has its page to open), then
 * any other the KPIs hold (one installed elsewhere, a fan-out's item process).
 * @param {ProcessSummary[]} measured
 * @returns {ProcessSummary[]}
 */
function withEveryProcess(measured) {
  const byName = new Map(measured.map((p) => [p.process, p]));
  const installed = processes()
    .filter((p) => !p.internal)
    .map((p) => byName.get(p.name) ?? { process: p.name, started: 0, completed: 0, failed: 0, aborted: 0 });
  const named = new Set(installed.map((p) => p.process));
  return [...installed, ...measured.filter((p) => !named.has(p.process))];
}

/** @param {import('../routes.js').PageProps} props */
export default function KpisPage({ query }) {
  useEffect(() => void (document.title = 'KPIs · Overture'), []);
  const since = query.get('since') || '7d';
  const {
    data: overview,
    error,
    loading,
  } = /** @type {import('../lib/use-api.js').ApiData<KpiOverview>} */ (useApiGet(withQuery('/api/kpis', { since })));
  return html`<h1>Process KPIs</h1>
    <p class="hint">
      How each process performs, computed from its runs. Choose a process for its graph as a heat map and its figures over time.
    </p>
    <${PeriodField} since=${since} onChange=${(/** @type {string} */ v) => navigate('/kpis', { since: v })} />
    <${ErrorBanner} message=${error} testid="kpi-error" />
    <${LoadedTable}
      what="KPIs"
      loading=${loading}
      caption=${overview ? `Runs per process since ${new Date(overview.since).toLocaleString()}` : ''}
      columns=${COLUMNS}
      rows=${overview ? withEveryProcess(overview.processes) : undefined}
      rowKey=${(/** @type {ProcessSummary} */ p) => p.process}
      rowProps=${(/** @type {ProcessSummary} */ p) => ({ 'data-testid': 'kpi-row', 'data-process': p.process })}
      empty="No process is installed."
      testid="kpi-overview"
    />`;
}
