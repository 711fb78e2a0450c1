// @ts-check
/**
 * "Simulate first" on the start page (POST /api/simulate): runs the process's real code on a time-skipping server with
 * in-memory systems, with the input and faults of the form and what people do when asked (a decision after some
 * simulated time, or no answer at all), and shows the path the run would take (each step, retry,
 * fallback, reminder and escalation at its simulated time) and where it ends; nothing real is sent.
 */
import { html, useState } from '../lib/html.js';
import { api, processes, vocabulary } from '../lib/api.js';
import { formatDuration } from '../lib/format.js';
import { ErrorBanner } from './error-banner.js';
import { ProcessGraph } from './graph.js';
import { StatusBadge } from './status-badge.js';

/** @typedef {import('../page-types').SimulationReport} SimulationReport */

/** What a person may decide on a step's question, by the step's kind (an activity's question is its escalation). @param {string} kind */
function decisionsFor(kind) {
  const words = vocabulary();
  if (kind === 'approval') return words.approvalChoices;
  if (kind === 'manual') return [words.taskDone];
  if (kind === 'activity') return words.escalationActions;
  return [];
}

/** @typedef {{ decision: string, after: string }} PersonPlan  decision '' = as the ladder goes, 'none' = nobody answers */

/**
 * What people do when a step asks them: per step, nothing said (the ladder's reminders and automatic action play
 * out), nobody answers, or a decision some simulated time after the question (`+2h`, `+3d`).
 * @param {{ process: string, plans: Record<string, PersonPlan>, onChange: (plans: Record<string, PersonPlan>) => void }} props
 */
function PeoplePlan({ process, plans, onChange }) {
  const steps = (processes().find((p) => p.name === process)?.steps ?? []).filter((s) => decisionsFor(s.kind).length);
  if (!steps.length) return null;
  return html`<details class="simulate-people" data-testid="simulate-people">
    <summary>What people do when a step asks them (optional)</summary>
    ${steps.map((step) => {
      const plan = plans[step.name] ?? { decision: '', after: '' };
      /** @param {Partial<PersonPlan>} change */
      const set = (change) => onChange({ ...plans, [step.name]: { ...plan, ...change } });
      return html`<div class="row-actions" data-step=${step.name}>
        <label class="field field-inline"
          ><span class="field-label">When ${step.name} asks a person</span>
          <select
            data-testid=${`simulate-answer-${step.name}`}
            onChange=${(/** @type {Event} */ e) => set({ decision: /** @type {HTMLSelectElement} */ (e.currentTarget).value })}
          >
            <option value="" selected=${plan.decision === ''}>as the escalation ladder goes</option>
            <option value="none" selected=${plan.decision === 'none'}>nobody answers</option>
            ${decisionsFor(step.kind).map((d) => html`<option value=${d} selected=${plan.decision === d}>they decide: ${d}</option>`)}
          </select></label
        >
        ${
          plan.decision && plan.decision !== 'none'
            ? html`<label class="field field-inline"
              ><span class="field-label">after (e.g. +2h, +3d)</span>
              <input
                type="text"
                maxlength="20"
                value=${plan.after}
                placeholder="+0"
                data-testid=${`simulate-after-${step.name}`}
                onInput=${(/** @type {Event} */ e) => set({ after: /** @type {HTMLInputElement} */ (e.currentTarget).value })}
            /></label>`
            : null
        }
      </div>`;
    })}
  </details>`;
}

/** The request's answers and questions nobody answers, from the plans. @param {Record<string, PersonPlan>} plans */
function scenarioOf(plans) {
  const chosen = Object.entries(plans).filter(([, p]) => p.decision !== '');
  return {
    answers: chosen
      .filter(([, p]) => p.decision !== 'none')
      .map(([question, p]) => ({ question, decision: p.decision, ...(p.after.trim() ? { after: p.after.trim() } : {}) })),
    noAnswer: chosen.filter(([, p]) => p.decision === 'none').map(([question]) => question),
  };
}

/** A simulated time from the run's start: "+0 ms", "+2 d 3 h". @param {number} ms */
const at = (ms) => `+${formatDuration(ms)}`;

/** The report: outcome, the path in order, and the graph as the simulated run left it. @param {{ report: SimulationReport }} props */
function SimulationResult({ report }) {
  const shape = processes().find((p) => p.name === report.process);
  return html`<section class="simulation" aria-labelledby="simulation-title" data-testid="simulation-result" data-outcome=${report.outcome}>
    <h2 id="simulation-title" tabindex="-1">
      Simulated: <${StatusBadge} state=${report.outcome} testid="simulation-outcome" /> after${' '}
      <span data-testid="simulation-duration">${formatDuration(report.endedAfterMs)}</span> of simulated time
    </h2>
    <ol class="simulation-path" data-testid="simulation-path" aria-label="The simulated run's path, in order">
      ${report.path.map(
        (event) =>
          html`<li data-testid="simulation-event" data-kind=${event.kind} data-step=${event.step}>
            <span class="sim-at">${at(event.atMs)}</span>
            <span class="sim-kind">${event.kind}</span>${event.step ? html` <b>${event.step}</b>` : null}: ${event.detail}
          </li>`,
      )}
    </ol>
    ${shape ? html`<${ProcessGraph} shape=${shape} workflowId="" steps=${report.steps} />` : null}
  </section>`;
}

/**
 * @param {{ process: string, read: () => unknown, faults: Record<string, string> }} props
 *   `read` gives the form's input, or throws with a message the person can act on
 */
export function SimulatePanel({ process, read, faults }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(/** @type {string[]} */ ([]));
  const [report, setReport] = useState(/** @type {SimulationReport | undefined} */ (undefined));
  const [plans, setPlans] = useState(/** @type {Record<string, PersonPlan>} */ ({}));
  const simulate = async () => {
    setProblem([]);
    setReport(undefined);
    let input;
    try {
      input = read();
    } catch (err) {
      setProblem([/** @type {Error} */ (err).message]);
      return;
    }
    setBusy(true);
    const result = await api('POST', '/api/simulate', { process, input, faults, ...scenarioOf(plans) });
    setBusy(false);
    if (!result.ok) return setProblem(result.data.problems ?? [result.data.error]);
    setReport(/** @type {SimulationReport} */ (result.data));
    requestAnimationFrame(() => document.getElementById('simulation-title')?.focus());
  };
  return html`<div class="simulate" data-testid="simulate-panel">
    <${PeoplePlan} process=${process} plans=${plans} onChange=${setPlans} />
    <button
      type="button"
      class="secondary"
      disabled=${busy}
      data-testid="simulate-submit"
      onClick=${simulate}
      aria-describedby="simulate-hint"
    >
      ${busy ? 'Simulating…' : 'Simulate first'}
    </button>
    <span class="hint" id="simulate-hint">
      runs this input and these faults on simulated time, with no real email or systems, and shows the path.</span
    >
    <${ErrorBanner} message=${problem} testid="simulate-errors" />
    ${report ? html`<${SimulationResult} report=${report} />` : null}
  </div>`;
}
