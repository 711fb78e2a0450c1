// @ts-check
/**
 * "Simulate first" on the start page (POST /api/simulate): runs the process's real code on a time-skipping server with
 * in-memory systems, with the input and faults of the form, and shows the path the run would take (each step, retry,
 * fallback, reminder and escalation at its simulated time) and where it ends; nothing real is sent.
 */
import { html, useState } from '../lib/html.js';
import { api, processes } from '../lib/api.js';
import { formatDuration } from '../lib/format.js';
import { ErrorBanner } from './error-banner.js';
import { ProcessGraph } from './graph.js';
import { StatusBadge } from './status-badge.js';

/** @typedef {import('../page-types').SimulationReport} SimulationReport */

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
    const result = await api('POST', '/api/simulate', { process, input, faults });
    setBusy(false);
    if (!result.ok) return setProblem(result.data.problems ?? [result.data.error]);
    setReport(/** @type {SimulationReport} */ (result.data));
    requestAnimationFrame(() => document.getElementById('simulation-title')?.focus());
  };
  return html`<div class="simulate" data-testid="simulate-panel">
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
