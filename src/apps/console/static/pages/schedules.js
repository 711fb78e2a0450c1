// @ts-check
/**
 * Schedules (GET /api/schedules): each Overture schedule with the process it starts, when, whether it is paused and
 * its next and last run; an operator pauses or unpauses one (with a reason) or triggers a run now.
 */
import { html, useEffect, useState } from '../lib/html.js';
import { api, processTitle } from '../lib/api.js';
import { formatDateTime } from '../lib/format.js';
import { mayAct } from '../lib/role.js';
import { useApiGet } from '../lib/use-api.js';
import { DataTable } from '../components/table.js';
import { ErrorBanner } from '../components/error-banner.js';

/**
 * @typedef {import('../page-types').ScheduleRow} ScheduleRow
 * @typedef {import('../lib/use-api.js').ApiData<{ schedules: ScheduleRow[] }>} SchedulesData
 */

/** A schedule's controls: a reason, Pause or Unpause, Trigger now. @param {{ schedule: ScheduleRow, onDone: (message: string, ok: boolean) => void }} props */
function ScheduleActions({ schedule, onDone }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const path = `/api/schedules/${encodeURIComponent(schedule.id)}`;
  /** @param {string} verb @param {Record<string, string>} body @param {string} done */
  const act = async (verb, body, done) => {
    setBusy(true);
    const result = await api('POST', `${path}/${verb}`, body);
    setBusy(false);
    if (result.ok) setReason('');
    onDone(result.ok ? `${schedule.id}: ${done}` : `${schedule.id}: ${result.data.error}`, result.ok);
  };
  const verb = schedule.paused ? 'unpause' : 'pause';
  return html`<div class="row-actions">
    <label class="field field-inline"
      ><span class="field-label">Reason to ${verb} ${schedule.id}</span>
      <input
        type="text"
        maxlength="300"
        value=${reason}
        data-testid="schedule-reason"
        onInput=${(/** @type {Event} */ e) => setReason(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
    /></label>
    <button
      type="button"
      disabled=${busy}
      data-testid=${`schedule-${verb}`}
      onClick=${() => act(verb, { reason }, schedule.paused ? 'unpaused' : 'paused')}
    >
      ${schedule.paused ? 'Unpause' : 'Pause'}
    </button>
    <button
      type="button"
      disabled=${busy}
      data-testid="schedule-trigger"
      onClick=${() => act('trigger', {}, 'triggered: a run starts now')}
    >
      Trigger now
    </button>
  </div>`;
}

/** @param {import('../routes.js').PageProps} _props */
export default function SchedulesPage(_props) {
  useEffect(() => void (document.title = 'Schedules · Overture'), []);
  const { data, error, loading, reload } = /** @type {SchedulesData} */ (useApiGet('/api/schedules'));
  const [message, setMessage] = useState({ text: '', ok: true });
  const mayChange = mayAct('operator');
  /** @param {string} text @param {boolean} ok */
  const done = (text, ok) => {
    setMessage({ text, ok });
    void reload();
  };
  /** @type {import('../components/table.js').Column<ScheduleRow>[]} */
  const columns = [
    { title: 'Schedule', cell: (s) => s.id },
    { title: 'Process', cell: (s) => html`<span title=${processTitle(s.process)}>${s.process}</span>` },
    { title: 'When', cell: (s) => s.spec },
    {
      title: 'State',
      cell: (s) =>
        html`<span class=${s.paused ? 'state state-paused' : 'state state-running'} data-testid="schedule-state"
            >${s.paused ? 'paused' : 'active'}</span
          >
          ${s.note ? html`<div class="hint">${s.note}</div>` : null}`,
    },
    { title: 'Next run', cell: (s) => formatDateTime(s.nextRunAt) || '–' },
    { title: 'Last run', cell: (s) => formatDateTime(s.lastRunAt) || '–' },
  ];
  if (mayChange) columns.push({ title: 'Actions', cell: (s) => html`<${ScheduleActions} schedule=${s} onDone=${done} />` });
  return html`<h1>Schedules</h1>
    <p class="hint">
      Runs Overture starts on a calendar (made with <code>overture schedule</code>).${mayChange ? '' : ' Your role may look, not change.'}
    </p>
    <${ErrorBanner} message=${error} testid="schedules-error" />
    <p class=${`decision-message ${message.ok ? 'ok' : 'error'}`} role="status" data-testid="schedules-message">${message.text}</p>
    ${
      data
        ? html`<${DataTable}
            caption="Schedules"
            captionHidden=${true}
            columns=${columns}
            rows=${data.schedules}
            rowKey=${(/** @type {ScheduleRow} */ s) => s.id}
            rowProps=${(/** @type {ScheduleRow} */ s) => ({ 'data-testid': 'schedule-row', 'data-schedule': s.id })}
            empty="No schedules."
            testid="schedules-table"
          />`
        : loading
          ? html`<p class="hint" role="status">Loading the schedules…</p>`
          : null
    }`;
}
