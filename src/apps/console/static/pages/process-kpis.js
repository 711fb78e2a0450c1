// @ts-check
/**
 * One process's KPIs (GET /api/kpis/:process): its graph with each step annotated with its figures and coloured as
 * a heat map (by the measure chosen: median or p95 time, waiting for a person, escalations, errors), the same figures
 * as a table with manual and automated work side by side (which step to automate next), and charts of runs per day
 * and durations over time (uPlot), each with its table.
 */
import { html, useEffect, useMemo } from '../lib/html.js';
import { processes, processTitle, withQuery } from '../lib/api.js';
import { navigate } from '../lib/router.js';
import { useApiGet } from '../lib/use-api.js';
import {
  DURATION_TICKS,
  HEAT_MEASURES,
  dependencySentences,
  formatAxisDuration,
  formatDuration,
  formatRate,
  heatLevels,
  heatWord,
} from '../lib/kpi-format.js';
import { ProcessGraph } from '../components/graph.js';
import { DataTable } from '../components/table.js';
import { SelectField } from '../components/form.js';
import { ErrorBanner } from '../components/error-banner.js';
import { PeriodField } from '../components/period-field.js';
import { TimeChart } from '../components/time-chart.js';

/**
 * @typedef {import('../page-types').ProcessKpis} ProcessKpis
 * @typedef {import('../page-types').StepKpis} StepKpis
 * @typedef {import('../api-types').StepDefinition} StepDefinition
 * @typedef {import('../lib/use-api.js').ApiData<ProcessKpis>} KpisData
 */

/** The figures a node shows of its step (or that it has none yet). @param {{ def: StepDefinition, kpis?: StepKpis, measure: typeof HEAT_MEASURES[number], level?: number }} props */
function KpiNode({ def, kpis, measure, level }) {
  const head = html`<div class="node-head"><span class="step-name">${def.name}</span></div>
    <div class="node-title">${def.title}</div>
    <div class="visually-hidden">${def.needs.length ? `runs after ${def.needs.join(' and ')}` : 'runs first'}</div>`;
  if (!kpis || kpis.runs === 0)
    return html`${head}
      <div class="step-meta" data-testid="kpi-node-figure">no runs in this period</div>`;
  const manual = kpis.manual.runs ? ` · manual ${kpis.manual.runs}` : '';
  return html`${head}
    <div class="kpi-figure" data-testid="kpi-node-figure">
      ${measure.label}: <b>${measure.format(measure.of(kpis))}</b> (${heatWord(level)})
    </div>
    <div class="step-meta">${kpis.runs} runs${manual} · median ${formatDuration(kpis.medianMs)} · p95 ${formatDuration(kpis.p95Ms)}</div>
    <div class="step-meta">
      person ${formatRate(kpis.personWaitMs.share)} · escalated ${formatRate(kpis.escalationRate)} · errors ${formatRate(kpis.errorRate)}
    </div>`;
}

/** A mode's figures in one cell: "3 runs · 4.2 s · 0 % errors". @param {import('../page-types').ModeKpis} m */
const modeCell = (m) => (m.runs ? `${m.runs} runs · ${formatDuration(m.medianMs)} · ${formatRate(m.errorRate)} errors` : '–');

/** @type {import('../components/table.js').Column<StepKpis>[]} */
const STEP_COLUMNS = [
  { title: 'Step', cell: (s) => s.step },
  { title: 'Runs', cell: (s) => s.runs, className: 'num' },
  { title: 'Median', cell: (s) => formatDuration(s.medianMs), className: 'num' },
  { title: 'p95', cell: (s) => formatDuration(s.p95Ms), className: 'num' },
  {
    title: 'Waiting for a person (median, share)',
    cell: (s) => `${formatDuration(s.personWaitMs.median)}, ${formatRate(s.personWaitMs.share)}`,
    className: 'num',
  },
  { title: 'Escalation rate', cell: (s) => formatRate(s.escalationRate), className: 'num' },
  { title: 'Error rate', cell: (s) => formatRate(s.errorRate), className: 'num' },
  { title: 'Manual', cell: (s) => modeCell(s.manual) },
  { title: 'Automated', cell: (s) => modeCell(s.automated) },
];

/** The period's totals as a list of terms. @param {{ kpis: ProcessKpis }} props */
function Summary({ kpis }) {
  const { runs, duration, approvalLatency, fanOut } = kpis;
  /** @type {[string, string, string][]} */
  const items = [
    ['started', 'Started', String(runs.started)],
    ['completed', 'Completed', String(runs.completed)],
    ['failed', 'Failed', String(runs.failed)],
    ['aborted', 'Aborted', String(runs.aborted)],
    ['duration', 'Duration p50 / p95', `${formatDuration(duration.p50Ms)} / ${formatDuration(duration.p95Ms)}`],
    [
      'approval',
      'Approval latency p50 / p95',
      approvalLatency.count
        ? `${formatDuration(approvalLatency.p50Ms)} / ${formatDuration(approvalLatency.p95Ms)} (${approvalLatency.count})`
        : '–',
    ],
    ['fanout', 'Fan-out items failed', fanOut.items ? `${fanOut.failed} of ${fanOut.items} (${formatRate(fanOut.failureRate)})` : '–'],
  ];
  return html`<dl class="kpi-summary" data-testid="kpi-summary">
    ${items.map(
      ([id, term, value]) =>
        html`<div>
          <dt>${term}</dt>
          <dd data-testid=${`kpi-summary-${id}`}>${value}</dd>
        </div>`,
    )}
  </dl>`;
}

/** The graph as a heat map, its dependencies in words, and the steps' table. @param {{ kpis: ProcessKpis, by: string, since: string }} props */
function HeatMap({ kpis, by, since }) {
  const shape = processes().find((p) => p.name === kpis.process);
  const measure = HEAT_MEASURES.find((m) => m.value === by) ?? HEAT_MEASURES[0];
  if (!measure) return null;
  const byStep = new Map(kpis.steps.map((s) => [s.step, s]));
  const levels = heatLevels(kpis.steps, measure.of);
  return html`<section aria-labelledby="kpi-heat-title">
    <h2 id="kpi-heat-title">Where the time goes</h2>
    <div class="filters">
      <${SelectField}
        label="Colour the steps by"
        testid="kpi-heat-measure"
        value=${measure.value}
        options=${HEAT_MEASURES.map((m) => ({ value: m.value, label: m.label }))}
        onChange=${(/** @type {string} */ v) => navigate(`/kpis/${encodeURIComponent(kpis.process)}`, { since, by: v })}
      />
      <p class="heat-legend" aria-hidden="true">
        ${['lowest', 'low', 'middle', 'high', 'highest'].map((word, i) => html`<span class=${`heat-swatch heat-${i}`}>${word}</span>`)}
      </p>
    </div>
    ${
      shape
        ? html`<${ProcessGraph}
              shape=${shape}
              workflowId=""
              node=${(/** @type {StepDefinition} */ def) => {
                const level = levels.get(def.name);
                return {
                  className: `graph-node kpi-node ${level === undefined ? 'heat-none' : `heat-${level}`}`,
                  attrs: { 'data-heat': level === undefined ? 'none' : String(level) },
                  body: html`<${KpiNode} def=${def} kpis=${byStep.get(def.name)} measure=${measure} level=${level} />`,
                };
              }}
            />
            <details class="graph-words" data-testid="kpi-dependencies">
              <summary>The graph in words</summary>
              <ul>
                ${dependencySentences(shape.steps).map((line) => html`<li>${line}</li>`)}
              </ul>
            </details>`
        : html`<p class="hint">This console does not know the process's shape: its steps are in the table below.</p>`
    }
    <${DataTable}
      caption="Each step's figures (manual: done by a person as a task; automated: done by the code)"
      columns=${STEP_COLUMNS}
      rows=${kpis.steps}
      rowKey=${(/** @type {StepKpis} */ s) => s.step}
      rowProps=${(/** @type {StepKpis} */ s) => ({ 'data-testid': 'kpi-step-row', 'data-step': s.step })}
      empty="No step ran in this period."
      testid="kpi-steps"
    />
  </section>`;
}

/** Runs per day and durations per day as charts. @param {{ kpis: ProcessKpis }} props */
function OverTime({ kpis }) {
  // Built once per answer: the charts redraw when their figures change, not when the heat map's measure does.
  const { runDays, runSeries, durationDays, durationSeries } = useMemo(
    () => ({
      runDays: kpis.runs.perDay.map((d) => d.day),
      runSeries: [
        { label: 'started', values: kpis.runs.perDay.map((d) => d.started), color: '#3451b2', bars: true },
        { label: 'completed', values: kpis.runs.perDay.map((d) => d.completed), color: '#1a7f37' },
        { label: 'failed', values: kpis.runs.perDay.map((d) => d.failed), color: '#c62828' },
        { label: 'aborted', values: kpis.runs.perDay.map((d) => d.aborted), color: '#b25e00' },
      ],
      durationDays: kpis.duration.perDay.map((d) => d.day),
      durationSeries: [
        { label: 'p50', values: kpis.duration.perDay.map((d) => d.p50Ms), color: '#3451b2' },
        { label: 'p95', values: kpis.duration.perDay.map((d) => d.p95Ms), color: '#b25e00' },
      ],
    }),
    [kpis],
  );
  return html`<section aria-labelledby="kpi-time-title">
    <h2 id="kpi-time-title">Over time</h2>
    <div class="kpi-charts">
      <${TimeChart}
        testId="kpi-runs-chart"
        title="Runs per day"
        description="Bars: runs started each day. Lines: runs that ended that day, completed, failed or aborted."
        days=${runDays}
        series=${runSeries}
        format=${(/** @type {number} */ v) => (Number.isInteger(v) ? String(v) : '')}
      />
      <${TimeChart}
        testId="kpi-durations-chart"
        title="Duration of the runs that ended each day"
        description="Lines: the median (p50) and the 95th percentile (p95) of the runs' durations, start to end."
        days=${durationDays}
        series=${durationSeries}
        format=${formatDuration}
        axisFormat=${formatAxisDuration}
        yTicks=${DURATION_TICKS}
      />
    </div>
  </section>`;
}

/** @param {import('../routes.js').PageProps} props */
export default function ProcessKpisPage({ params, query }) {
  const process = params.process ?? '';
  useEffect(() => void (document.title = `${processTitle(process)} KPIs · Overture`), [process]);
  const since = query.get('since') || '7d';
  const by = query.get('by') || 'median';
  const {
    data: kpis,
    error,
    loading,
  } = /** @type {KpisData} */ (useApiGet(withQuery(`/api/kpis/${encodeURIComponent(process)}`, { since })));
  return html`<p><a href=${`#/kpis?since=${encodeURIComponent(since)}`}>← all processes</a></p>
    <h1>${processTitle(process)}: KPIs</h1>
    <${PeriodField} since=${since} onChange=${(/** @type {string} */ v) => navigate(`/kpis/${encodeURIComponent(process)}`, { since: v, by })} />
    <${ErrorBanner} message=${error} testid="kpi-error" />
    ${
      kpis
        ? html`<div data-testid="process-kpis" data-process=${kpis.process}>
            <p class="hint">From ${new Date(kpis.since).toLocaleString()} to ${new Date(kpis.until).toLocaleString()}.</p>
            <${Summary} kpis=${kpis} />
            <${HeatMap} kpis=${kpis} by=${by} since=${since} />
            <${OverTime} kpis=${kpis} />
          </div>`
        : loading
          ? html`<p class="hint" role="status">Loading the KPIs…</p>`
          : null
    }`;
}
