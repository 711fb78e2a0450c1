// @ts-check
/**
 * Systems (GET /api/systems): each outside system the processes call (email, chat), its health as last checked and
 * whether Overture holds its calls paused; an operator pauses one (during an outage) or resumes it, with a reason.
 */
import { html, useEffect } from '../lib/html.js';
import { api } from '../lib/api.js';
import { formatDateTime } from '../lib/format.js';
import { mayAct } from '../lib/role.js';
import { useApiGet } from '../lib/use-api.js';
import { ActionOutcome, LoadedTable, ReasonAction, useActionOutcome } from '../components/list-page.js';
import { ErrorBanner } from '../components/error-banner.js';

/**
 * @typedef {import('../page-types').SystemRow} SystemRow
 * @typedef {import('../lib/use-api.js').ApiData<{ systems: SystemRow[] }>} SystemsData
 */

/** @type {Record<SystemRow['health'], string>} */
const HEALTH_CLASS = { ok: 'state state-completed', failing: 'state state-failed', unknown: 'state' };

/** A system's controls: a reason with Pause or Resume. @param {{ system: SystemRow, onDone: (message: string, ok: boolean) => void }} props */
function SystemActions({ system, onDone }) {
  const verb = system.paused ? 'resume' : 'pause';
  /** @param {string} reason */
  const send = async (reason) => {
    const result = await api('POST', `/api/systems/${encodeURIComponent(system.name)}/${verb}`, { reason });
    onDone(result.ok ? `${system.name}: ${system.paused ? 'resumed' : 'paused'}` : `${system.name}: ${result.data.error}`, result.ok);
    return result.ok;
  };
  return html`<div class="row-actions">
    <${ReasonAction}
      label=${`Reason to ${verb} ${system.name}`}
      inputTestid="system-reason"
      buttonTestid=${`system-${verb}`}
      button=${system.paused ? 'Resume' : 'Pause'}
      danger=${!system.paused}
      send=${send}
    />
  </div>`;
}

/** @param {import('../routes.js').PageProps} _props */
export default function SystemsPage(_props) {
  useEffect(() => void (document.title = 'Systems · Overture'), []);
  const { data, error, loading, reload } = /** @type {SystemsData} */ (useApiGet('/api/systems'));
  const { outcome, done } = useActionOutcome(reload);
  const mayChange = mayAct('operator');
  /** @type {import('../components/table.js').Column<SystemRow>[]} */
  const columns = [
    { title: 'System', cell: (s) => s.name },
    {
      title: 'Health',
      cell: (s) =>
        html`<span class=${HEALTH_CLASS[s.health] ?? 'state'} data-testid="system-health">${s.health}</span>
          ${s.lastError ? html`<div class="step-error">${s.lastError}</div>` : null}`,
    },
    { title: 'Checked', cell: (s) => formatDateTime(s.checkedAt) || '–' },
    {
      title: 'Calls',
      cell: (s) =>
        html`<span class=${s.paused ? 'state state-paused' : 'state state-running'} data-testid="system-state"
            >${s.paused ? 'paused' : 'flowing'}</span
          >
          ${s.paused && s.reason ? html`<div class="hint">${s.reason}</div>` : null}`,
    },
  ];
  if (mayChange) columns.push({ title: 'Actions', cell: (s) => html`<${SystemActions} system=${s} onDone=${done} />` });
  return html`<h1>Systems</h1>
    <p class="hint">
      The outside systems the processes call. Pausing one holds its calls (the steps wait, nothing fails) until it is resumed.${
        mayChange ? '' : ' Your role may look, not change.'
      }
    </p>
    <${ErrorBanner} message=${error} testid="systems-error" />
    <${ActionOutcome} outcome=${outcome} testid="systems-message" />
    <${LoadedTable}
      what="systems"
      loading=${loading}
      caption="Systems"
      captionHidden=${true}
      columns=${columns}
      rows=${data?.systems}
      rowKey=${(/** @type {SystemRow} */ s) => s.name}
      rowProps=${(/** @type {SystemRow} */ s) => ({ 'data-testid': 'system-row', 'data-system': s.name })}
      empty="No systems."
      testid="systems-table"
    />`;
}
