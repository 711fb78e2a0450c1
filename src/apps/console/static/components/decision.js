// @ts-check
/** The decision controls of an open question, shared by the inbox, the run page and the demo. */
import { html, useState } from '../lib/html.js';
import { api, vocabulary } from '../lib/api.js';

/**
 * What a decision is about: an inbox item, or a run's open question in the same shape.
 * @typedef {Pick<import('../api-types').InboxItem, 'workflowId' | 'kind' | 'step' | 'detail' | 'choices' | 'requiredOutput'> & { question?: string }} DecisionItem
 */

/** The line that says what is asked: an escalated step, an approval, a task or a process's own question. @param {{ item: DecisionItem }} props */
export function QuestionSummary({ item }) {
  switch (item.kind) {
    case 'escalation':
      return html`<div class="question-summary">
        ${item.step} escalated${item.detail ? html`<div class="step-error">${item.detail}</div>` : null}
      </div>`;
    case 'approval':
      return html`<div class="question-summary">Approve ${item.detail}</div>`;
    case 'task':
      return html`<div class="question-summary">
        Task ${item.step}
        <div class="task-instructions" data-testid="task-instructions">${item.detail}</div>
      </div>`;
    default:
      return html`<div class="question-summary">Question on ${item.step}: <span class="question-prompt">${item.detail}</span></div>`;
  }
}

const testId = (/** @type {string} */ choice) => `action-${String(choice).replace(/[^A-Za-z0-9_-]/g, '-')}`;
const capital = (/** @type {string} */ choice) => choice.charAt(0).toUpperCase() + choice.slice(1);

/**
 * Controls to decide an open question, by kind: Retry / Skip / Abort (an escalation; a skip may carry the outputs
 * later steps need, as JSON), Approve / Reject, a task's outputs and Done, or one button per choice. The receipt, or
 * the workflow's refusal, appears next to the buttons (a live region); `onSent` runs when a decision is sent.
 * @param {{ item: DecisionItem, onSent?: () => void }} props
 */
export function DecisionControls({ item, onSent }) {
  const V = vocabulary();
  const required = item.requiredOutput || [];
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState(/** @type {{ text: string, ok?: boolean }} */ ({ text: '' }));
  const [skipOutput, setSkipOutput] = useState(JSON.stringify(Object.fromEntries(required.map((k) => [k, '']))));
  const [outputs, setOutputs] = useState(/** @type {Record<string, string>} */ ({}));
  const base = `/api/runs/${encodeURIComponent(item.workflowId)}`;
  const ending = (/** @type {string} */ choice) => V.endingChoices.includes(choice);

  /** @param {string} verb @param {Record<string, unknown> | undefined} body */
  async function decide(verb, body) {
    if (!body) return;
    onSent?.();
    setMessage({ text: 'sending…' });
    const reasonText = reason.trim();
    const result = await api('POST', `${base}/${verb}`, reasonText ? { ...body, reason: reasonText } : body);
    if (result.ok) setMessage({ text: /** @type {import('../api-types').Receipt} */ (result.data).message, ok: true });
    else setMessage({ text: result.data.error || `refused (HTTP ${result.status})`, ok: false });
  }
  /** @param {string} choice @param {Record<string, string>} [output] */
  const answer = (choice, output) => ({
    question: item.question || undefined,
    decision: choice,
    ...(output && Object.keys(output).length ? { output } : {}),
  });
  /** @param {string} choice @param {() => void} onClick */
  const button = (choice, onClick) =>
    html`<button type="button" class=${ending(choice) ? 'danger' : undefined} data-testid=${testId(choice)} onClick=${onClick}>
      ${capital(choice)}
    </button>`;

  /** The body of an escalation decision; a skip carries its outputs when the step has some. @param {string} action */
  const resolveBody = (action) => {
    const body = { step: item.step, action };
    if (action !== V.skipAction || !required.length) return body;
    try {
      const output = JSON.parse(skipOutput || '{}');
      if (typeof output !== 'object' || output === null || Array.isArray(output)) throw new Error('not an object');
      return { ...body, output };
    } catch {
      setMessage({ text: `the output for ${capital(V.skipAction)} must be a JSON object of strings, e.g. {"key": "value"}`, ok: false });
      return undefined;
    }
  };

  let controls;
  if (item.kind === 'escalation') {
    controls = V.escalationActions.map((action) => [
      action === V.skipAction && required.length
        ? html`<label class="skip-output"
            >output for ${capital(action)} (JSON)${' '}
            <textarea
              rows="2"
              cols="40"
              spellcheck="false"
              data-testid="decision-output"
              value=${skipOutput}
              onInput=${(/** @type {Event} */ e) => setSkipOutput(/** @type {HTMLTextAreaElement} */ (e.currentTarget).value)}
            ></textarea>
          </label>`
        : null,
      button(action, () => void decide('resolve', resolveBody(action))),
    ]);
  } else if (item.kind === 'approval') {
    controls = V.approvalChoices.map((choice) => button(choice, () => void decide('answer', answer(choice))));
  } else {
    const choices = item.kind === 'task' ? [V.taskDone] : item.choices || [];
    controls = [
      required.length
        ? html`<div class="output-fields">
            ${required.map(
              (key) =>
                html`<label
                  >${key}
                  <input
                    type="text"
                    maxlength="500"
                    name=${key}
                    data-testid=${`output-${key}`}
                    value=${outputs[key] ?? ''}
                    onInput=${(/** @type {Event} */ e) =>
                      setOutputs({ ...outputs, [key]: /** @type {HTMLInputElement} */ (e.currentTarget).value })}
                /></label>`,
            )}
          </div>`
        : null,
      ...choices.map((choice) =>
        button(choice, () => {
          const filled = Object.fromEntries(
            Object.entries(outputs)
              .map(([k, v]) => [k, v.trim()])
              .filter(([, v]) => v),
          );
          void decide('answer', answer(choice, ending(choice) ? undefined : filled));
        }),
      ),
    ];
  }
  const messageClass = `decision-message${message.ok === true ? ' ok' : message.ok === false ? ' error' : ''}`;
  return html`<div class="decision" data-kind=${item.kind}>
    <label class="reason"
      >Reason <span class="visually-hidden">for the decision on ${item.step}</span>
      <input
        type="text"
        placeholder="optional"
        maxlength="500"
        data-testid="decision-reason"
        value=${reason}
        onInput=${(/** @type {Event} */ e) => setReason(/** @type {HTMLInputElement} */ (e.currentTarget).value)}
    /></label>
    ${controls}
    <span class=${messageClass} role="status" data-testid=${message.ok === false ? 'decision-error' : 'decision-message'}
      >${message.text}</span
    >
  </div>`;
}
