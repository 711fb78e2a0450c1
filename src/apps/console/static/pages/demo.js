// @ts-check
/** A process's side-by-side demo (GET /api/demos): the same fault in a plain script and in an Overture run. */
import { html, useEffect, useState } from '../lib/html.js';
import { api, processes } from '../lib/api.js';
import { runHref } from '../lib/format.js';
import { useStream } from '../lib/live.js';
import { ErrorBanner } from '../components/error-banner.js';
import { SelectField } from '../components/form.js';
import { StatusBadge } from '../components/status-badge.js';
import { ProcessGraph, shapeFor } from '../components/graph.js';
import { QuestionCards } from '../components/questions.js';

/**
 * @typedef {{ process: string, title: string, description: string, steps: string[], defaultStep: string }} Demo
 * @typedef {{ completed: boolean, error?: string, steps: { step: string, state: string, detail?: string }[] }} ScriptRun
 * @typedef {{ script: { subject: string, firstRun: ScriptRun, rerun: ScriptRun, effects: { id: string, label: string, count: number }[] },
 *   overture: { workflowId: string } }} DemoResult
 */

/** @param {{ title: string, run: ScriptRun }} props */
function ScriptRunView({ title, run }) {
  return html`<div class="script-run">
    <h3>${title}: <span class=${run.completed ? 'ok' : 'error'}>${run.completed ? 'completed' : `stopped: ${run.error}`}</span></h3>
    <ol>
      ${run.steps.map(
        (s) =>
          html`<li class=${`script-${s.state.replace(' ', '-')}`}>
            ${s.step}: ${s.state}${s.detail && s.state === 'failed' ? ` (${s.detail})` : ''}
          </li>`,
      )}
    </ol>
  </div>`;
}

/** The Overture side: the demo's run, live. @param {{ workflowId: string }} props */
function OvertureRun({ workflowId }) {
  const [status, setStatus] = useState(/** @type {import('../api-types').RunStatus | undefined} */ (undefined));
  useStream(`/api/events?run=${encodeURIComponent(workflowId)}`, { run: setStatus });
  return html`<p>
      <a href=${runHref(workflowId)}>${workflowId}</a> · same permanent fault: it escalates, the rest waits (or goes on in parallel), and
      Retry finishes it. The ledger keeps each side effect to one.
    </p>
    ${
      status
        ? html`<p aria-live="polite">State:${' '}<${StatusBadge} state=${status.state} testid="demo-overture-state" /></p>
            <${ProcessGraph} shape=${shapeFor(processes(), status)} workflowId=${workflowId} steps=${status.steps} />
            <${QuestionCards} status=${status} />`
        : html`<p class="hint">starting…</p>`
    }`;
}

export default function DemoPage() {
  const [demo, setDemo] = useState(/** @type {Demo | undefined | null} */ (undefined));
  const [inject, setInject] = useState('');
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState(/** @type {DemoResult | undefined} */ (undefined));
  const [error, setError] = useState('');
  useEffect(() => {
    void api('GET', '/api/demos').then((listed) => {
      const first = listed.ok && Array.isArray(listed.data) ? /** @type {Demo[]} */ (listed.data)[0] : undefined;
      setDemo(first ?? null);
      if (first) setInject(first.defaultStep);
    });
  }, []);
  if (demo === undefined)
    return html`<h1>Demo</h1>
      <p class="hint">Loading…</p>`;
  if (demo === null)
    return html`<h1>Demo</h1>
      <p class="hint">No installed process offers a demo.</p>`;
  const run = async () => {
    setRunning(true);
    setResult(undefined);
    setError('');
    const answer = await api('POST', `/api/demos/${encodeURIComponent(demo.process)}`, { inject });
    setRunning(false);
    if (answer.ok) setResult(/** @type {DemoResult} */ (answer.data));
    else setError(answer.data.error);
  };
  const script = result?.script;
  return html`<h1>${demo.title}</h1>
    <p>
      ${demo.description}
    </p>
    <p>
      <${SelectField} label="Inject into" testid="demo-inject" value=${inject} onChange=${setInject} options=${demo.steps} />
      <button type="button" data-testid="demo-run" onClick=${() => void run()}>Run both</button>
    </p>
    <${ErrorBanner} message=${error} />
    <div class="demo">
      <section class="demo-col" data-testid="demo-script" aria-labelledby="demo-script-title">
        <h2 id="demo-script-title">Plain script</h2>
        ${
          script
            ? html`<p class="hint">${script.subject}. The steps called one after the other, no orchestrator, no ledger.</p>
                <${ScriptRunView} title="First run" run=${script.firstRun} />
                <${ScriptRunView} title="Re-run after the fix (from the top)" run=${script.rerun} />
                ${script.effects.map(
                  (e) => html`<p data-testid=${`demo-script-${e.id}`}>${e.label}: ${e.count}${e.count > 1 ? ' (duplicate!)' : ''}</p>`,
                )}`
            : html`<p class="hint">${running ? 'running…' : 'Not run yet.'}</p>`
        }
      </section>
      <section class="demo-col" data-testid="demo-overture" aria-labelledby="demo-overture-title">
        <h2 id="demo-overture-title">Overture</h2>
        ${result ? html`<${OvertureRun} key=${result.overture.workflowId} workflowId=${result.overture.workflowId} />` : html`<p class="hint">${running ? 'starting…' : 'Not run yet.'}</p>`}
      </section>
    </div>`;
}
