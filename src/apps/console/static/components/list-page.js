// @ts-check
/**
 * What the pages that list things and act on them share (schedules, systems, operators, KPIs): the table once its rows
 * have come (a loading line until then), the outcome of the last action in a live region, and a reason with its button.
 */
import { html, useState } from '../lib/html.js';
import { DataTable } from './table.js';

/**
 * The table, once `rows` are there; "Loading …" while the first answer is awaited; nothing after a failed one (its
 * error is the page's banner). Other props go to DataTable.
 * @template Row
 * @param {Omit<Parameters<typeof DataTable<Row>>[0], 'rows'> & { rows: Row[] | undefined, loading: boolean, what: string }} props
 */
export function LoadedTable({ rows, loading, what, ...table }) {
  if (rows) return html`<${DataTable} ...${table} rows=${rows} />`;
  return loading ? html`<p class="hint" role="status">Loading the ${what}…</p>` : null;
}

/**
 * The outcome of the page's last action, and `done(text, ok)` to report one and read the list again.
 * @param {() => Promise<void>} reload
 */
export function useActionOutcome(reload) {
  const [outcome, setOutcome] = useState({ text: '', ok: true });
  /** @param {string} text @param {boolean} ok */
  const done = (text, ok) => {
    setOutcome({ text, ok });
    void reload();
  };
  return { outcome, done };
}

/** The last action's outcome, read out by screen readers as it changes. @param {{ outcome: { text: string, ok: boolean }, testid: string }} props */
export function ActionOutcome({ outcome, testid }) {
  return html`<p class=${`decision-message ${outcome.ok ? 'ok' : 'error'}`} role="status" data-testid=${testid}>${outcome.text}</p>`;
}

/**
 * A reason (labelled, e.g. "Reason to pause email") and the button that sends it; the reason is cleared once accepted.
 * @param {{ label: string, inputTestid: string, buttonTestid: string, button: string, danger?: boolean,
 *   send: (reason: string) => Promise<boolean> }} props  `send` answers whether the action was accepted
 */
export function ReasonAction({ label, inputTestid, buttonTestid, button, danger, send }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const click = async () => {
    setBusy(true);
    const accepted = await send(reason);
    setBusy(false);
    if (accepted) setReason('');
  };
  return html`<label class="field field-inline"
      ><span class="field-label">${label}</span>
      <input
        type="text"
        maxlength="300"
        value=${reason}
        data-testid=${inputTestid}
        onInput=${(/** @type {Event} */ e) => setReason(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
    /></label>
    <button type="button" class=${danger ? 'danger' : undefined} disabled=${busy} data-testid=${buttonTestid} onClick=${click}>${button}</button>`;
}
