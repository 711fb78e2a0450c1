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
import { ActionOutcome, LoadedTable, ReasonAction, useActionOutcome } from '../components/list-page.js';
import { ErrorBanner } from '../components/error-banner.js';

/**
 * @typedef {import('../page-types').ScheduleRow} ScheduleRow
 * @typedef {import('../lib/use-api.js').ApiData<{ schedules: ScheduleRow[] }>} SchedulesData
 */

/** A schedule's controls: a reason with Pause or Unpause, and Trigger now. @param {{ schedule: ScheduleRow, onDone: (message: string, ok: boolean) => void }} props */
function ScheduleActions({ schedule, onDone }) {
  const [busy, setBusy] = useState(false);
  /** @param {string} verb @param {Record<string, string>} body @param {string} done */
  const act = async (verb, body, done) => {
    const result = await api('POST', `/api/schedules/${encodeURIComponent(schedule.id)}/${verb}`, body);
    onDone(result.ok ? `${schedule.id}: ${done}` : `${schedule.id}: ${result.data.error}`, result.ok);
    return result.ok;
  };
  const trigger = async () => {
    setBusy(true);
    await act('trigger', {}, 'triggered: a run starts now');
    setBusy(false);
  };
  const verb = schedule.paused ? 'unpause' : 'pause';
  return html`<div class="row-actions">
    <${ReasonAction}
      label=${`Reason to ${verb} ${schedule.id}`}
      inputTestid="schedule-reason"
      buttonTestid=${`schedule-${verb}`}
      button=${schedule.paused ? 'Unpause' : 'Pause'}
      send=${(/** @type {string} */ reason) => act(verb, { reason }, schedule.paused ? 'unpaused' : 'paused')}
    />
    <button type="button" disabled=${busy} data-testid="schedule-trigger" onClick=${trigger}>Trigger now</button>
  </div>`;
}

/** @param {import('../routes.js').PageProps} _props */
export default function SchedulesPage(_props) {
  useEffect(() => void (document.title = 'Schedules · Overture'), []);
  const { data, error, loading, reload } = /** @type {SchedulesData} */ (useApiGet('/api/schedules'));
  const { outcome, done } = useActionOutcome(reload);
  const mayChange = mayAct('operator');
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
    <${ActionOutcome} outcome=${outcome} testid="schedules-message" />
    <${LoadedTable}
      what="schedules"
      loading=${loading}
      caption="Schedules"
      captionHidden=${true}
      columns=${columns}
      rows=${data?.schedules}
      rowKey=${(/** @type {ScheduleRow} */ s) => s.id}
      rowProps=${(/** @type {ScheduleRow} */ s) => ({ 'data-testid': 'schedule-row', 'data-schedule': s.id })}
      empty="No schedules."
      testid="schedules-table"
    />`;
}
