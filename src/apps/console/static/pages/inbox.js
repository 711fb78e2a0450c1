// @ts-check
/**
 * The inbox: every question waiting for a person (escalated steps, approvals, manual tasks, a process's own
 * questions), oldest first, each with its decision controls; and one decision for many runs at once (retry, skip or
 * abort an escalated step), previewed first: the runs it will change are listed, then confirmed.
 */
import { html, useEffect, useRef, useState } from '../lib/html.js';
import { useInOrder } from '../lib/use-api.js';
import { api, processOptions, vocabulary } from '../lib/api.js';
import { mayAct } from '../lib/role.js';
import { formatDateTime, formatTime, runHref } from '../lib/format.js';
import { useInterval } from '../lib/live.js';
import { ErrorBanner } from '../components/error-banner.js';
import { DataTable } from '../components/table.js';
import { SelectField, TextAreaField, TextField } from '../components/form.js';
import { DecisionControls, QuestionSummary } from '../components/decision.js';

/**
 * @typedef {import('../api-types').InboxItem} InboxItem
 * @typedef {import('../api-types').BulkPreview} BulkPreview
 * @typedef {import('../api-types').BulkReport} BulkReport
 * @typedef {{ item: InboxItem, acted: boolean, gone: boolean }} Card
 */

const KINDS = [
  { value: 'escalation', label: 'escalated steps' },
  { value: 'approval', label: 'approvals' },
  { value: 'task', label: 'manual tasks' },
  { value: 'question', label: "processes' own questions" },
];

const keyOf = (/** @type {InboxItem} */ i) => `${i.workflowId}:${i.question}:${i.since}`;

/** One open question and its controls. @param {{ card: Card, onSent: () => void }} props */
function InboxCard({ card, onSent }) {
  const { item } = card;
  return html`<section
    class=${`question${card.gone ? ' closed' : ''}`}
    aria-label=${`${item.kind} on ${item.step} of ${item.workflowId}`}
    data-testid="inbox-item"
    data-run=${item.workflowId}
    data-step=${item.step}
    data-kind=${item.kind}
    data-process=${item.process}
  >
    <div>
      <span class="process-tag" data-testid="inbox-process">${item.process}</span>
      <a href=${runHref(item.workflowId)}>${item.workflowId}</a> · since <time datetime=${item.since}>${formatTime(item.since)}</time>${
        item.level ? ` · with contact #${item.level}` : ''
      }${card.gone ? ' · decided' : ''}
    </div>
    <${QuestionSummary} item=${item} />
    <${DecisionControls} item=${{ ...item, question: item.question }} onSent=${onSent} />
  </section>`;
}

/**
 * Retry, skip or abort one escalated step in every run where it waits: Preview lists the runs it will change, and
 * only then Confirm sends it. Changing the request drops the preview, so what is confirmed is what was shown.
 * @param {{ items: InboxItem[] }} props
 */
function BulkDecision({ items }) {
  const V = vocabulary();
  const escalated = [...new Set(items.filter((i) => i.kind === 'escalation').map((i) => i.step))].sort();
  const [request, setRequest] = useState({ step: '', process: '', action: V.escalationActions[0] ?? '', reason: '', output: '' });
  const [preview, setPreview] = useState(/** @type {BulkPreview | undefined} */ (undefined));
  const [report, setReport] = useState(/** @type {BulkReport | undefined} */ (undefined));
  const [problem, setProblem] = useState(/** @type {string | string[]} */ (''));
  const [busy, setBusy] = useState(false);
  const previewHeading = useRef(/** @type {HTMLHeadingElement | null} */ (null));
  const step = request.step || escalated[0] || '';
  /** @param {keyof typeof request} key */
  const set = (key) => (/** @type {string} */ value) => {
    setRequest({ ...request, [key]: value });
    setPreview(undefined);
  };
  /** The API's body, or undefined (with a message) when the skip output is not a JSON object of strings. */
  const body = () => {
    /** @type {import('../api-types').BulkRequest} */
    const b = { step, action: request.action };
    if (request.reason.trim()) b.reason = request.reason.trim();
    if (request.process) b.process = request.process;
    if (request.action === V.skipAction && request.output.trim()) {
      try {
        const output = JSON.parse(request.output);
        if (typeof output !== 'object' || output === null || Array.isArray(output)) throw new Error('not an object');
        b.output = output;
      } catch {
        setProblem('The output for Skip must be a JSON object of strings, e.g. {"key": "value"}.');
        return undefined;
      }
    }
    return b;
  };
  /** @param {Event} event */
  const showPreview = async (event) => {
    event.preventDefault();
    setProblem('');
    setReport(undefined);
    const b = body();
    if (!b) return;
    setBusy(true);
    const result = await api('POST', '/api/escalations/bulk/preview', b);
    setBusy(false);
    if (!result.ok) return setProblem(result.data.problems ?? result.data.error);
    setPreview(/** @type {BulkPreview} */ (result.data));
    requestAnimationFrame(() => previewHeading.current?.focus());
  };
  const confirm = async () => {
    const b = body();
    if (!b || !preview) return;
    setBusy(true);
    const result = await api('POST', '/api/escalations/bulk', b);
    setBusy(false);
    setPreview(undefined);
    if (!result.ok) return setProblem(result.data.problems ?? result.data.error);
    setReport(/** @type {BulkReport} */ (result.data));
  };
  const actionLabel = request.action.charAt(0).toUpperCase() + request.action.slice(1);
  return html`<section class="bulk" aria-labelledby="bulk-title" data-testid="bulk">
    <h2 id="bulk-title">Decide for many runs</h2>
    <form class="bulk-form" data-testid="bulk-form" onSubmit=${showPreview}>
      ${
        escalated.length
          ? html`<${SelectField} label="Escalated step" testid="bulk-step" value=${step} onChange=${set('step')} options=${escalated} />`
          : html`<${TextField} label="Escalated step" testid="bulk-step" value=${request.step} onInput=${set('step')} required=${true} />`
      }
      <${SelectField}
        label="Process"
        testid="bulk-process"
        value=${request.process}
        onChange=${set('process')}
        empty="any process"
        options=${processOptions()}
      />
      <${SelectField}
        label="Decision"
        testid="bulk-action"
        value=${request.action}
        onChange=${set('action')}
        options=${V.escalationActions}
      />
      <${TextField}
        label="Reason"
        testid="bulk-reason"
        value=${request.reason}
        onInput=${set('reason')}
        maxLength=${400}
        placeholder="optional"
      />
      ${
        request.action === V.skipAction
          ? html`<${TextAreaField}
              label="Output of the skipped step (JSON, optional)"
              testid="bulk-output"
              value=${request.output}
              onInput=${set('output')}
              rows=${2}
            />`
          : null
      }
      <button type="submit" data-testid="bulk-preview" disabled=${busy || !step}>Preview the runs</button>
    </form>
    <${ErrorBanner} message=${problem} testid="bulk-problem" />
    ${
      preview
        ? html`<div class="bulk-preview" data-testid="bulk-preview-list">
            <h3 tabindex="-1" ref=${previewHeading} data-testid="bulk-preview-count">
              ${preview.count === 0 ? `No run waits on ${step}: nothing to change.` : `${actionLabel} ${step} in ${preview.count} run${preview.count === 1 ? '' : 's'}:`}
            </h3>
            ${
              preview.count
                ? html`<${DataTable}
                      caption=${`Runs the ${request.action} will change`}
                      captionHidden=${true}
                      rows=${preview.runs}
                      rowKey=${(/** @type {BulkPreview['runs'][number]} */ r) => r.workflowId}
                      rowProps=${(/** @type {BulkPreview['runs'][number]} */ r) => ({ 'data-testid': 'bulk-preview-row', 'data-run': r.workflowId })}
                      columns=${[
                        {
                          title: 'Run',
                          cell: (/** @type {BulkPreview['runs'][number]} */ r) =>
                            html`<a href=${runHref(r.workflowId)}>${r.workflowId}</a>`,
                        },
                        { title: 'Process', cell: (/** @type {BulkPreview['runs'][number]} */ r) => r.process },
                        { title: 'Step', cell: (/** @type {BulkPreview['runs'][number]} */ r) => r.step },
                        { title: 'Waiting since', cell: (/** @type {BulkPreview['runs'][number]} */ r) => formatDateTime(r.since) },
                      ]}
                    />
                    <p>
                      <button
                        type="button"
                        class=${V.endingChoices.includes(request.action) ? 'danger' : undefined}
                        data-testid="bulk-confirm"
                        disabled=${busy}
                        onClick=${() => void confirm()}
                      >
                        Confirm: ${request.action} ${preview.count} run${preview.count === 1 ? '' : 's'}
                      </button>${' '}
                      <button type="button" class="link" data-testid="bulk-cancel" onClick=${() => setPreview(undefined)}>Cancel</button>
                    </p>`
                : null
            }
          </div>`
        : null
    }
    ${
      report
        ? html`<div class="bulk-report" role="status" data-testid="bulk-report">
            <p>
              ${report.action} ${report.step} (${report.bulkId}): <b data-testid="bulk-applied">${report.applied}</b> applied,${' '}
              ${report.acknowledged} already applied, <b data-testid="bulk-failed">${report.failed}</b> failed.
            </p>
            <ul>
              ${report.outcomes.map(
                (o) =>
                  html`<li class=${o.ok ? 'ok' : 'error'} data-testid="bulk-outcome" data-run=${o.workflowId}>
                    <a href=${runHref(o.workflowId)}>${o.workflowId}</a>: ${o.message}
                  </li>`,
              )}
            </ul>
          </div>`
        : null
    }
  </section>`;
}

export default function InboxPage() {
  const [cards, setCards] = useState(/** @type {Map<string, Card>} */ (new Map()));
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState('');
  const [kind, setKind] = useState('');
  const [loaded, setLoaded] = useState(false);
  const acted = useRef(/** @type {Set<string>} */ (new Set()));
  useEffect(() => void (document.title = 'Inbox · Overture'), []);

  // A slow poll's answer, after a later one's, would bring back cards since decided: it is dropped.
  const inOrder = useInOrder();
  useInterval(() => {
    void inOrder(api('GET', '/api/inbox')).then((result) => {
      if (!result) return;
      if (!result.ok) return setProblem(result.data.error);
      setProblem('');
      setLoaded(true);
      const { items, unreachable } = /** @type {{ items: InboxItem[], unreachable: string[] }} */ (result.data);
      setNote(unreachable.length ? `${unreachable.length} run(s) did not answer: their questions are not listed.` : '');
      setCards((before) => {
        const next = new Map();
        const now = new Set(items.map(keyOf));
        // A card acted on stays (greyed) so its receipt can be read; one that went away by itself goes.
        for (const [key, card] of before) if (!now.has(key) && acted.current.has(key)) next.set(key, { ...card, gone: true });
        for (const item of items) next.set(keyOf(item), { item, acted: acted.current.has(keyOf(item)), gone: false });
        // Keep the order cards first appeared in: a card does not jump while someone reads it.
        return new Map(
          [...before.keys(), ...next.keys()]
            .filter((k, i, all) => next.has(k) && all.indexOf(k) === i)
            .map((k) => [k, /** @type {Card} */ (next.get(k))]),
        );
      });
    });
  }, 2000);

  const all = [...cards.values()];
  const shown = all.filter(
    (c) => !kind || c.item.kind === kind || (kind === 'question' && !KINDS.some((k) => k.value === c.item.kind && k.value !== 'question')),
  );
  const open = all.filter((c) => !c.gone).map((c) => c.item);
  return html`<h1>Inbox</h1>
    <p>
      Escalated steps, approvals, manual tasks and questions of every process, waiting for a person, oldest first. Decisions are recorded
      under your name.
    </p>
    <${ErrorBanner} message=${problem} testid="inbox-problem" />
    <${SelectField}
      label="Show"
      testid="inbox-kind"
      value=${kind}
      onChange=${setKind}
      empty=${`everything (${open.length})`}
      options=${KINDS.map((k) => ({ value: k.value, label: `${k.label} (${open.filter((i) => (k.value === 'question' ? !['escalation', 'approval', 'task'].includes(i.kind) : i.kind === k.value)).length})` }))}
    />
    <p class="hint" role="status" data-testid="inbox-note">${loaded && !open.length ? 'Nothing is waiting for a person.' : ''} ${note}</p>
    ${mayAct('operator') ? html`<${BulkDecision} items=${open} />` : null}
    <div class="inbox" data-testid="inbox-list">
      ${shown.map(
        (card) =>
          html`<${InboxCard}
            key=${keyOf(card.item)}
            card=${card}
            onSent=${() => {
              acted.current.add(keyOf(card.item));
            }}
          />`,
      )}
    </div>`;
}
