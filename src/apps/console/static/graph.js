/* Overture operator console: a run's process graph, drawn from its registry shape and coloured by its live status. */
/* global window */
'use strict';

(function (O) {
  const { h, svg, stateClass, duration, runHref } = O;

  /**
   * Depth of every step: the longest path from a step that needs nothing. Steps of one depth form a column,
   * so parallel branches stand together and a step always sits right of everything it needs. A need naming
   * no step, or a cycle, counts as a root: a wrong shape still draws.
   */
  function depths(steps) {
    const byName = new Map(steps.map((s) => [s.name, s]));
    const memo = new Map();
    const visiting = new Set();
    const depth = (name) => {
      if (memo.has(name)) return memo.get(name);
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

  const KIND_LABELS = { manual: 'manual', approval: 'approval', 'fan-out': 'fan-out', event: 'event' };

  /** What a node shows of its step: state, attempts, duration, path, fault, error, outcome and fan-out progress. */
  function nodeBody(def, step, workflowId) {
    const state = step ? step.state : 'pending';
    // Attempts count activity executions: a fan-out, an approval or a person's task has none of its own.
    const meta = step
      ? [
          def.kind === 'activity' || step.attempts ? `attempts ${step.attempts}` : '',
          step.startedAt ? duration(step) : '',
          step.path && step.path !== 'primary' ? `via ${step.path}` : '',
          step.fault ? `fault ${step.fault}` : '',
        ]
      : [];
    const fanOut = step && step.fanOut;
    return [
      h(
        'div',
        { class: 'node-head' },
        h('span', { class: 'step-name' }, def.name),
        KIND_LABELS[def.kind] ? h('span', { class: 'node-kind' }, KIND_LABELS[def.kind]) : null,
        def.optional ? h('span', { class: 'node-kind' }, 'optional') : null,
      ),
      h('div', { class: 'node-title' }, def.title),
      h('div', { class: 'step-state', 'data-testid': 'step-state' }, state.replace(/_/g, ' ')),
      meta.some(Boolean) ? h('div', { class: 'step-meta' }, meta.filter(Boolean).join(' · ')) : null,
      fanOut
        ? h(
            'div',
            { class: 'fanout-counter', 'data-testid': `fanout-counter-${def.name}` },
            `${fanOut.completed}/${fanOut.total} completed, failed ${fanOut.failed}`,
            fanOut.running ? `, running ${fanOut.running}` : '',
          )
        : null,
      fanOut && fanOut.failedItems.length
        ? h(
            'ul',
            { class: 'fanout-failed', 'data-testid': `fanout-failed-${def.name}` },
            fanOut.failedItems.map((f) =>
              h('li', {}, h('a', { href: runHref(`${workflowId}/${def.name}/${f.item}`) }, f.item), `: ${f.error}`),
            ),
          )
        : null,
      // A step that got through after failing keeps its last error, shown as history rather than as a problem.
      step && step.lastError
        ? h(
            'div',
            { class: state === 'completed' ? 'step-meta' : 'step-error' },
            state === 'completed' ? `earlier error: ${step.lastError}` : step.lastError,
          )
        : null,
      step && step.outcome && Object.keys(step.outcome).length
        ? h(
            'div',
            { class: 'step-outcome' },
            Object.entries(step.outcome)
              .map(([k, v]) => `${k}: ${v}`)
              .join(', '),
          )
        : null,
    ];
  }

  /** Edges as curves from the right of a needed step to the left of the step that needs it. */
  function drawEdges(canvas, layer, shape, nodes) {
    const box = canvas.getBoundingClientRect();
    if (!box.width) return false; // not in the page yet
    layer.setAttribute('width', String(canvas.scrollWidth));
    layer.setAttribute('height', String(canvas.scrollHeight));
    const paths = [];
    for (const def of shape.steps) {
      const to = nodes.get(def.name);
      for (const need of def.needs) {
        const from = nodes.get(need);
        if (!from || !to) continue;
        const a = from.getBoundingClientRect();
        const b = to.getBoundingClientRect();
        const x1 = a.right - box.left;
        const y1 = a.top + a.height / 2 - box.top;
        const x2 = b.left - box.left;
        const y2 = b.top + b.height / 2 - box.top;
        const bend = Math.max(16, (x2 - x1) / 2);
        const done = ['completed', 'skipped'].includes(from.getAttribute('data-state'));
        const notTaken = to.getAttribute('data-state') === 'not_taken';
        paths.push(
          svg('path', {
            d: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2 - 4} ${y2}`,
            class: `edge${done ? ' edge-done' : ''}${notTaken ? ' edge-not-taken' : ''}`,
            'marker-end': 'url(#graph-arrow)',
            'data-edge': `${need}->${def.name}`,
          }),
        );
      }
    }
    const defs = svg('defs');
    const marker = svg('marker', {
      id: 'graph-arrow',
      viewBox: '0 0 8 8',
      refX: '4',
      refY: '4',
      markerWidth: '8',
      markerHeight: '8',
      orient: 'auto',
    });
    marker.append(svg('path', { d: 'M 0 0 L 8 4 L 0 8 z', class: 'edge-arrow' }));
    defs.append(marker);
    layer.replaceChildren(defs, ...paths);
    return true;
  }

  /**
   * The graph of a process: nodes built once from its shape (columns by depth), then `update(status)` colours
   * each node by its step's live state and redraws the edges (node sizes change with what they show).
   */
  O.createGraph = function createGraph(shape) {
    const depthOf = depths(shape.steps);
    const columns = [];
    const nodes = new Map();
    for (const def of shape.steps) {
      const d = Math.max(0, depthOf.get(def.name) ?? 0);
      while (columns.length <= d)
        columns.push(h('div', { class: 'graph-column', 'data-testid': 'graph-column', 'data-depth': String(columns.length) }));
      const node = h(
        'div',
        {
          class: `graph-node ${stateClass('pending')}`,
          'data-testid': `graph-node-${def.name}`,
          'data-state': 'pending',
          title: def.title,
        },
        nodeBody(def),
      );
      nodes.set(def.name, node);
      columns[d].append(node);
    }
    const layer = svg('svg', { class: 'graph-edges', 'aria-hidden': 'true' });
    const canvas = h('div', { class: 'graph-canvas' }, columns);
    canvas.prepend(layer);
    const el = h('div', { class: 'process-graph', 'data-testid': 'process-graph', 'data-process': shape.name }, canvas);
    const redraw = () => {
      if (!drawEdges(canvas, layer, shape, nodes)) window.requestAnimationFrame(() => drawEdges(canvas, layer, shape, nodes));
    };
    return {
      el,
      name: shape.name,
      update(status) {
        const byName = new Map(status.steps.map((s) => [s.step, s]));
        for (const def of shape.steps) {
          const step = byName.get(def.name);
          const node = nodes.get(def.name);
          const state = step ? step.state : 'pending';
          node.className = `graph-node ${stateClass(state)}`;
          node.setAttribute('data-state', state);
          node.replaceChildren(...nodeBody(def, step, status.workflowId).filter(Boolean));
        }
        redraw();
      },
    };
  };
})(window.Overture);
