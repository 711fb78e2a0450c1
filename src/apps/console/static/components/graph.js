// @ts-check
/**
 * A run's process graph: nodes from the process's shape in columns by depth, coloured by the run's live status, with
 * curved edges from each needed step. The edges are drawn for the eye (aria-hidden); each node states what it needs
 * in text, so a screen reader hears the same dependencies.
 */
import { html, useEffect, useLayoutEffect, useRef, useState } from '../lib/html.js';
import { durationBetween, formatDuration, runHref } from '../lib/format.js';
import { stateClass } from './status-badge.js';

/**
 * @typedef {import('../api-types').StepDefinition} StepDefinition
 * @typedef {import('../api-types').StepStatus} StepStatus
 * @typedef {{ name: string, title: string, internal?: boolean, steps: StepDefinition[] }} Shape
 */

/**
 * Depth of every step: the longest path from a step that needs nothing. Steps of one depth form a column, so parallel
 * branches stand together and a step always sits right of everything it needs. A need naming no step, or a cycle,
 * counts as a root: a wrong shape still draws.
 * @param {StepDefinition[]} steps
 */
export function depths(steps) {
  const byName = new Map(steps.map((s) => [s.name, s]));
  /** @type {Map<string, number>} */
  const memo = new Map();
  const visiting = new Set();
  /** @param {string} name @returns {number} */
  const depth = (name) => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const step = byName.get(name);
    if (!step || visiting.has(name)) return -1;
    visiting.add(name);
    const d = 1 + Math.max(-1, ...step.needs.map(depth));
    visiting.delete(name);
    memo.set(name, d);
    return d;
  };
  for (const step of steps) depth(step.name);
  return memo;
}

/** @type {Record<string, string>} */
const KIND_LABELS = { manual: 'manual', approval: 'approval', 'fan-out': 'fan-out', event: 'event' };

/** What a node shows of its step: state, attempts, duration, path, fault, error, outcome and fan-out progress. @param {{ def: StepDefinition, step?: StepStatus, workflowId: string }} props */
function NodeBody({ def, step, workflowId }) {
  const state = step ? step.state : 'pending';
  // Attempts count activity executions: a fan-out, an approval or a person's task has none of its own.
  const meta = step
    ? [
        def.kind === 'activity' || step.attempts ? `attempts ${step.attempts}` : '',
        step.startedAt ? formatDuration(durationBetween(step.startedAt, step.endedAt)) : '',
        step.path && step.path !== 'primary' ? `via ${step.path}` : '',
        step.fault ? `fault ${step.fault}` : '',
      ].filter(Boolean)
    : [];
  const fanOut = step?.fanOut;
  return html`<div class="node-head">
      <span class="step-name">${def.name}</span>
      ${KIND_LABELS[def.kind] ? html`<span class="node-kind">${KIND_LABELS[def.kind]}</span>` : null}
      ${def.optional ? html`<span class="node-kind">optional</span>` : null}
    </div>
    <div class="node-title">${def.title}</div>
    <div class="visually-hidden">${def.needs.length ? `needs ${def.needs.join(', ')}` : 'needs nothing: starts first'}</div>
    <div class="step-state" data-testid="step-state">${state.replace(/_/g, ' ')}</div>
    ${meta.length ? html`<div class="step-meta">${meta.join(' · ')}</div>` : null}
    ${
      fanOut
        ? html`<div class="fanout-counter" data-testid=${`fanout-counter-${def.name}`}>
            ${`${fanOut.completed}/${fanOut.total} completed, failed ${fanOut.failed}`}${fanOut.running ? `, running ${fanOut.running}` : ''}
          </div>`
        : null
    }
    ${
      fanOut && fanOut.failedItems.length
        ? html`<ul class="fanout-failed" data-testid=${`fanout-failed-${def.name}`}>
            ${fanOut.failedItems.map((f) => html`<li><a href=${runHref(`${workflowId}/${def.name}/${f.item}`)}>${f.item}</a>: ${f.error}</li>`)}
          </ul>`
        : null
    }
    ${
      // A step that got through after failing keeps its last error, shown as history rather than as a problem.
      step?.lastError
        ? html`<div class=${state === 'completed' ? 'step-meta' : 'step-error'}>
            ${state === 'completed' ? `earlier error: ${step.lastError}` : step.lastError}
          </div>`
        : null
    }
    ${
      step?.outcome && Object.keys(step.outcome).length
        ? html`<div class="step-outcome">
            ${Object.entries(step.outcome)
              .map(([k, v]) => `${k}: ${v}`)
              .join(', ')}
          </div>`
        : null
    }`;
}

/** @typedef {{ key: string, d: string, className: string }} Edge */
/** @typedef {{ className: string, attrs?: Record<string, string>, body: unknown }} NodeLook how a caller draws a node */

/**
 * Edges as curves from the right of a needed step to the left of the step that needs it, measured from the nodes
 * as laid out. @param {HTMLElement} canvas @param {Shape} shape @returns {Edge[] | undefined} undefined before layout
 */
function measureEdges(canvas, shape) {
  const box = canvas.getBoundingClientRect();
  if (!box.width) return undefined;
  /** @param {string} name */
  const node = (name) => canvas.querySelector(`[data-node="${CSS.escape(name)}"]`);
  /** @type {Edge[]} */
  const edges = [];
  for (const def of shape.steps) {
    const to = node(def.name);
    for (const need of def.needs) {
      const from = node(need);
      if (!from || !to) continue;
      const a = from.getBoundingClientRect();
      const b = to.getBoundingClientRect();
      const x1 = a.right - box.left;
      const y1 = a.top + a.height / 2 - box.top;
      const x2 = b.left - box.left;
      const y2 = b.top + b.height / 2 - box.top;
      const bend = Math.max(16, (x2 - x1) / 2);
      const done = ['completed', 'skipped'].includes(from.getAttribute('data-state') ?? '');
      const notTaken = to.getAttribute('data-state') === 'not_taken';
      edges.push({
        key: `${need}->${def.name}`,
        d: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2 - 4} ${y2}`,
        className: `edge${done ? ' edge-done' : ''}${notTaken ? ' edge-not-taken' : ''}`,
      });
    }
  }
  return edges;
}

/**
 * The graph of a process, coloured by a run's status (`status` undefined: every step pending). `node`, when given,
 * draws each node's class, extra attributes and content instead (the KPI page's heat map); layout and edges stay.
 * @param {{ shape: Shape, workflowId: string, steps?: StepStatus[], node?: (def: StepDefinition) => NodeLook }} props
 */
export function ProcessGraph({ shape, workflowId, steps = [], node }) {
  const canvas = useRef(/** @type {HTMLDivElement | null} */ (null));
  const [edges, setEdges] = useState(/** @type {Edge[]} */ ([]));
  const [size, setSize] = useState({ width: 0, height: 0 });
  const [layoutTick, setLayoutTick] = useState(0);
  const depthOf = depths(shape.steps);
  /** @type {StepDefinition[][]} */
  const columns = [];
  for (const def of shape.steps) {
    const d = Math.max(0, depthOf.get(def.name) ?? 0);
    while (columns.length <= d) columns.push([]);
    columns[d]?.push(def);
  }
  const byName = new Map(steps.map((s) => [s.step, s]));
  // Node sizes change with what they show: measure again after every render, and keep the edges when nothing moved.
  useLayoutEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const measured = measureEdges(el, shape);
    if (!measured) {
      const frame = requestAnimationFrame(() => setLayoutTick((t) => t + 1));
      return () => cancelAnimationFrame(frame);
    }
    if (JSON.stringify(measured) !== JSON.stringify(edges)) setEdges(measured);
    if (el.scrollWidth !== size.width || el.scrollHeight !== size.height) setSize({ width: el.scrollWidth, height: el.scrollHeight });
    return undefined;
  });
  useEffect(() => {
    const onResize = () => setLayoutTick((t) => t + 1);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  void layoutTick;
  return html`<div class="process-graph" data-testid="process-graph" data-process=${shape.name}>
    <div class="graph-canvas" ref=${canvas}>
      <svg class="graph-edges" aria-hidden="true" width=${size.width} height=${size.height}>
        <defs>
          <marker id="graph-arrow" viewBox="0 0 8 8" refX="4" refY="4" markerWidth="8" markerHeight="8" orient="auto">
            <path d="M 0 0 L 8 4 L 0 8 z" class="edge-arrow" />
          </marker>
        </defs>
        ${edges.map((e) => html`<path key=${e.key} d=${e.d} class=${e.className} marker-end="url(#graph-arrow)" data-edge=${e.key} />`)}
      </svg>
      ${columns.map(
        (defs, depth) =>
          html`<div class="graph-column" data-testid="graph-column" data-depth=${String(depth)}>
            ${defs.map((def) => {
              const step = byName.get(def.name);
              const state = step ? step.state : 'pending';
              const look = node?.(def);
              return html`<div
                key=${def.name}
                class=${look ? look.className : `graph-node ${stateClass(state)}`}
                data-testid=${`graph-node-${def.name}`}
                data-node=${def.name}
                data-state=${state}
                title=${def.title}
                ...${look?.attrs ?? {}}
              >
                ${look ? look.body : html`<${NodeBody} def=${def} step=${step} workflowId=${workflowId} />`}
              </div>`;
            })}
          </div>`,
      )}
    </div>
  </div>`;
}

/**
 * The shape to draw a run with: its process's from the registry, or, for a process this console does not know, one
 * built from the run's own steps (in one column, since their dependencies are unknown).
 * @param {import('../api-types').ProcessListing[]} registry
 * @param {{ process: string, steps: StepStatus[] }} status
 * @returns {Shape}
 */
export function shapeFor(registry, status) {
  const known = registry.find((p) => p.name === status.process);
  if (known) return known;
  return {
    name: `unknown:${status.process}`,
    title: status.process,
    steps: status.steps.map((s) => ({ name: s.step, title: s.step, needs: [], kind: 'activity', optional: false })),
  };
}
