// @ts-check
/**
 * Systems (GET /api/systems): each outside system the processes call (email, chat), its health as last checked and
 * whether Overture holds its calls paused; an operator pauses one (during an outage) or resumes it, with a reason.
 */
import { html, useEffect, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { formatDateTime } from '../lib/format.js';
import { mayAct } from '../lib/role.js';
import { useApiGet } from '../lib/use-api.js';
import { DataTable } from '../components/table.js';
import { ErrorBanner } from '../components/error-banner.js';

/**
 * @typedef {import('../page-types').SystemRow} SystemRow
 * @typedef {import('../lib/use-api.js').ApiData<{ systems: SystemRow[] }>} SystemsData
 */

/** @type {Record<SystemRow['health'], string>} */
const HEALTH_CLASS = { ok: 'state state-completed', failing: 'state state-failed', unknown: 'state' };

/** A system's controls: a reason and Pause or Resume. @param {{ system: SystemRow, onDone: (message: string, ok: boolean) => void }} props */
function SystemActions({ system, onDone }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const verb = system.paused ? 'resume' : 'pause';
  const act = async () => {
    setBusy(true);
    const result = await api('POST', `/api/systems/${encodeURIComponent(system.name)}/${verb}`, { reason });
    setBusy(false);
    if (result.ok) setReason('');
    onDone(result.ok ? `${system.name}: ${system.paused ? 'resumed' : 'paused'}` : `${system.name}: ${result.data.error}`, result.ok);
  };
  return html`<div class="row-actions">
    <label class="field field-inline"
      ><span class="field-label">Reason to ${verb} ${system.name}</span>
      <input
        type="text"
        maxlength="300"
        value=${reason}
        data-testid="system-reason"
        onInput=${(/** @type {Event} */ e) => setReason(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
    /></label>
    <button type="button" class=${system.paused ? undefined : 'danger'} disabled=${busy} data-testid=${`system-${verb}`} onClick=${act}>
      ${system.paused ? 'Resume' : 'Pause'}
    </button>
  </div>`;
}

/** @param {import('../routes.js').PageProps} _props */
export default function SystemsPage(_props) {
  useEffect(() => void (document.title = 'Systems · Overture'), []);
  const { data, error, loading, reload } = /** @type {SystemsData} */ (useApiGet('/api/systems'));
  const [message, setMessage] = useState({ text: '', ok: true });
  const mayChange = mayAct('operator');
  /** @param {string} text @param {boolean} ok */
  const done = (text, ok) => {
    setMessage({ text, ok });
    void reload();
  };
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
      The outside systems the processes call. Pausing one holds its calls (the steps wait, nothing fails) until it is
      resumed.${mayChange ? '' : ' Your role may look, not change.'}
    </p>
    <${ErrorBanner} message=${error} testid="systems-error" />
    <p class=${`decision-message ${message.ok ? 'ok' : 'error'}`} role="status" data-testid="systems-message">${message.text}</p>
    ${
      data
        ? html`<${DataTable}
            caption="Systems"
            captionHidden=${true}
            columns=${columns}
            rows=${data.systems}
            rowKey=${(/** @type {SystemRow} */ s) => s.name}
            rowProps=${(/** @type {SystemRow} */ s) => ({ 'data-testid': 'system-row', 'data-system': s.name })}
            empty="No systems."
            testid="systems-table"
          />`
        : loading
          ? html`<p class="hint" role="status">Loading the systems…</p>`
          : null
    }`;
}
