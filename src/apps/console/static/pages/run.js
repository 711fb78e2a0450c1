// @ts-check
/**
 * One run, live: what it waits for, its process graph (and the same steps as a table, with what each needs, for
 * screen readers and for reading), its open questions with their answer forms, a failure to inject, the event
 * timeline and the orchestrator's log.
 */
import { html, useEffect, useRef, useState } from '../lib/html.js';
import { useInOrder } from '../lib/use-api.js';
import { api, processes, processTitle, vocabulary } from '../lib/api.js';
import { describeWait, durationBetween, formatDateTime, formatDuration, formatTime, parentOf, runHref } from '../lib/format.js';
import { useStream } from '../lib/live.js';
import { ErrorBanner } from '../components/error-banner.js';
import { StatusBadge } from '../components/status-badge.js';
import { ProcessGraph, shapeFor } from '../components/graph.js';
import { QuestionCards } from '../components/questions.js';
import { DataTable } from '../components/table.js';
import { SelectField } from '../components/form.js';

/**
 * @typedef {import('../api-types').RunStatus} RunStatus
 * @typedef {import('../api-types').TimelineEvent} TimelineEvent
 * @typedef {import('../components/graph.js').Shape} Shape
 */

/** What the run waits for, with a way to get there: the question below, or the child run. @param {{ status: RunStatus }} props */
function WaitLine({ status }) {
  const wait = status.waitingFor;
  if (!wait) return null;
  const question = wait.kind === 'person' && wait.question ? status.questions.find((q) => q.id === wait.question && q.open) : undefined;
  return html`<p class="wait" data-testid="run-wait" data-kind=${wait.kind}>
    Waits for ${describeWait(wait)}
    ${
      wait.kind === 'child' && wait.childWorkflowId
        ? html` · <a href=${runHref(wait.childWorkflowId)} data-testid="run-wait-link">open the child run</a>`
        : null
    }
    ${
      question
        ? html` ·
            <button
              type="button"
              class="link"
              data-testid="run-wait-link"
              onClick=${() => document.getElementById(`question-${question.id}`)?.querySelector('button')?.focus()}
            >
              go to the question
            </button>`
        : null
    }
  </p>`;
}

/** The steps in text: state, what each needs, attempts, time, path and error. @param {{ shape: Shape, status: RunStatus }} props */
function StepsTable({ shape, status }) {
  const byName = new Map(status.steps.map((s) => [s.step, s]));
  return html`<details class="steps-text" data-testid="run-steps" open>
    <summary>Steps in text (dependencies, states, attempts)</summary>
    <${DataTable}
      caption="Steps of this run and the steps each needs"
      captionHidden=${true}
      rows=${shape.steps}
      rowKey=${(/** @type {import('../api-types').StepDefinition} */ d) => d.name}
      rowProps=${(/** @type {import('../api-types').StepDefinition} */ d) => ({ 'data-testid': 'run-step-row', 'data-step': d.name })}
      columns=${[
        {
          title: 'Step',
          cell: (/** @type {import('../api-types').StepDefinition} */ d) => html`<b>${d.name}</b> <span class="hint">${d.title}</span>`,
        },
        {
          title: 'Needs',
          cell: (/** @type {import('../api-types').StepDefinition} */ d) =>
            html`<span data-testid="step-needs">${d.needs.length ? d.needs.join(', ') : '(starts first)'}</span>`,
        },
        {
          title: 'State',
          cell: (/** @type {import('../api-types').StepDefinition} */ d) =>
            html`<${StatusBadge} state=${byName.get(d.name)?.state ?? 'pending'} />`,
        },
        { title: 'Attempts', cell: (/** @type {import('../api-types').StepDefinition} */ d) => String(byName.get(d.name)?.attempts ?? 0) },
        {
          title: 'Time',
          cell: (/** @type {import('../api-types').StepDefinition} */ d) => {
            const s = byName.get(d.name);
            return s?.startedAt ? formatDuration(durationBetween(s.startedAt, s.endedAt)) : '';
          },
        },
        {
          title: 'Path or error',
          cell: (/** @type {import('../api-types').StepDefinition} */ d) => {
            const s = byName.get(d.name);
            // A step that got through after failing keeps its last error: history, not a problem.
            const error = s?.lastError ? (s.state === 'completed' ? `earlier error: ${s.lastError}` : s.lastError) : '';
            return [s?.path && s.path !== 'primary' ? `via ${s.path}` : '', error].filter(Boolean).join(' · ');
          },
        },
      ]}
    />
  </details>`;
}

/** Inject a failure into one of the run's activities (to see an escalation live). @param {{ workflowId: string, shape: Shape }} props */
function InjectForm({ workflowId, shape }) {
  // Faults act on activities; a process the console does not know offers all its steps.
  const activities = shape.steps.filter((s) => s.kind === 'activity').map((s) => s.name);
  const V = vocabulary();
  const [step, setStep] = useState(activities[0] ?? '');
  // A live injection is usually to see an escalation: the vocabulary says which fault to offer first.
  const [mode, setMode] = useState(V.liveFaultDefault ?? V.faultChoices[0] ?? 'none');
  const [message, setMessage] = useState(/** @type {{ text: string, ok: boolean } | undefined} */ (undefined));
  /** @param {Event} event */
  const submit = async (event) => {
    event.preventDefault();
    const result = await api('POST', `/api/runs/${encodeURIComponent(workflowId)}/inject`, { step, mode });
    setMessage(
      result.ok ? { text: /** @type {{ message: string }} */ (result.data).message, ok: true } : { text: result.data.error, ok: false },
    );
  };
  return html`<form class="inject" aria-labelledby="inject-title" onSubmit=${submit}>
    <h2 id="inject-title" class="inline-heading">Inject a failure</h2>
    <${SelectField} label="Step" testid="inject-step" value=${step} onChange=${setStep} options=${activities} />
    <${SelectField} label="Fault" testid="inject-mode" value=${mode} onChange=${setMode} options=${V.faultChoices} />
    <button type="submit" data-testid="inject-submit">Inject</button>
    <span class=${`decision-message ${message ? (message.ok ? 'ok' : 'error') : ''}`} role="status" data-testid="inject-message"
      >${message?.text ?? ''}</span
    >
  </form>`;
}

/** The run's event timeline (GET /api/runs/:id/timeline), read again when the run's history grows. @param {{ workflowId: string, historyLength: number }} props */
function Timeline({ workflowId, historyLength }) {
  const [events, setEvents] = useState(/** @type {TimelineEvent[] | undefined} */ (undefined));
  const [problem, setProblem] = useState('');
  const lastRead = useRef(0);
  // A slow read's answer, after a later one's, would bring back an older timeline: it is dropped.
  const inOrder = useInOrder();
  useEffect(() => {
    // At most one read every 2 s, however fast the run moves.
    const wait = Math.max(0, lastRead.current + 2000 - Date.now());
    const timer = setTimeout(() => {
      lastRead.current = Date.now();
      void inOrder(api('GET', `/api/runs/${encodeURIComponent(workflowId)}/timeline`)).then((result) => {
        if (!result) return;
        if (result.ok) {
          setEvents(/** @type {{ events: TimelineEvent[] }} */ (result.data).events);
          setProblem('');
        } else setProblem(result.status === 404 ? 'This console does not offer run timelines.' : result.data.error);
      });
    }, wait);
    return () => clearTimeout(timer);
  }, [workflowId, historyLength]);
  return html`<section aria-labelledby="timeline-title" data-testid="run-timeline">
    <h2 id="timeline-title">Timeline</h2>
    <${ErrorBanner} message=${problem} testid="timeline-problem" />
    ${
      events
        ? html`<${DataTable}
            caption="What happened in this run, oldest first"
            captionHidden=${true}
            rows=${events}
            rowKey=${(/** @type {TimelineEvent} */ e) => `${e.at}|${e.kind}|${e.step ?? ''}|${e.detail}`}
            rowProps=${() => ({ 'data-testid': 'timeline-event' })}
            empty="No events yet."
            columns=${[
              { title: 'When', cell: (/** @type {TimelineEvent} */ e) => html`<time datetime=${e.at}>${formatDateTime(e.at)}</time>` },
              { title: 'What', cell: (/** @type {TimelineEvent} */ e) => e.kind },
              { title: 'Step', cell: (/** @type {TimelineEvent} */ e) => e.step ?? '' },
              { title: 'Detail', cell: (/** @type {TimelineEvent} */ e) => e.detail },
            ]}
          />`
        : problem
          ? null
          : html`<p class="hint">Loading…</p>`
    }
  </section>`;
}

/** @param {import('../routes.js').PageProps} props */
export default function RunPage({ params }) {
  const workflowId = params.id ?? '';
  const [status, setStatus] = useState(/** @type {RunStatus | undefined} */ (undefined));
  const [problem, setProblem] = useState('');
  useStream(`/api/events?run=${encodeURIComponent(workflowId)}`, {
    run: (/** @type {RunStatus} */ s) => {
      setProblem('');
      setStatus(s);
    },
    problem: (/** @type {{ error: string }} */ p) => setProblem(p.error),
  });
  useEffect(() => void (document.title = `${workflowId} · Overture`), [workflowId]);
  const back = html`<p><a href="#/">← all runs</a></p>`;
  if (!status)
    return html`${back}
      <h1>${workflowId}</h1>
      <${ErrorBanner} message=${problem} testid="run-problem" />
      ${problem ? null : html`<p class="hint" role="status">Loading the run…</p>`}`;
  const shape = shapeFor(processes(), status);
  const parent = shape.internal ? parentOf(status.workflowId) : undefined;
  return html`${back}
    <div class="run-header">
      <h1>${status.workflowId}</h1>
      <p data-testid="run-process">${shape.title} (${status.process})${status.subject ? ` · ${status.subject}` : ''}</p>
      ${
        parent
          ? html`<p data-testid="parent-run">
              Item ${parent.item} of step ${parent.step} of${' '}
              <a href=${runHref(parent.workflowId)} data-testid="parent-link">${parent.workflowId}</a>
            </p>`
          : null
      }
      <p aria-live="polite">
        State: <${StatusBadge} state=${status.state} testid="run-page-state" />${` · Temporal: ${status.execution.status} · history ${status.execution.historyLength} events · started ${formatTime(status.startedAt)}`}${status.endedAt ? ` · ended ${formatTime(status.endedAt)}` : ''}${` · ${status.endedAt ? 'took' : 'running for'} `}<span data-testid="run-duration">${formatDuration(durationBetween(status.startedAt, status.endedAt))}</span>
      </p>
      <${WaitLine} status=${status} />
      <p>
        <a href=${status.temporalUiUrl} target="_blank" rel="noopener noreferrer" data-testid="temporal-link">Open in the Temporal UI</a>
      </p>
    </div>
    <${ErrorBanner} message=${problem} testid="run-problem" />
    <section aria-labelledby="graph-title">
      <h2 id="graph-title">Process: ${processTitle(status.process)}</h2>
      <${ProcessGraph} shape=${shape} workflowId=${status.workflowId} steps=${status.steps} />
      <${StepsTable} shape=${shape} status=${status} />
    </section>
    <section aria-labelledby="questions-title">
      <h2 id="questions-title">Open questions</h2>
      ${status.questions.some((q) => q.open) ? null : html`<p class="hint">Nothing in this run waits for a person.</p>`}
      <${QuestionCards} status=${status} />
    </section>
    ${status.endedAt ? null : html`<${InjectForm} workflowId=${status.workflowId} shape=${shape} />`}
    <${Timeline} workflowId=${status.workflowId} historyLength=${status.execution.historyLength} />
    <section aria-labelledby="log-title">
      <h2 id="log-title">Orchestrator log</h2>
      <ol class="log" data-testid="run-log">
        ${status.logDropped ? html`<li class="log-info">(${status.logDropped} older lines dropped)</li>` : null}
        ${status.log.map(
          (line) =>
            html`<li class=${`log-${line.level}`}>
              <time datetime=${line.at}>${formatTime(line.at)}</time
              >${line.step ? html`<span class="log-step">${line.step}</span>` : null}${line.message}
            </li>`,
        )}
      </ol>
    </section>`;
}
