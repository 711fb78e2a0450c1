/* Overture operator console: helpers shared by graph.js, decisions.js and app.js (loaded first). */
/* global document, window, location */
'use strict';

window.Overture = (function () {
  /** Builds an element: attrs are attributes (on* are listeners), children are nodes or text (never HTML). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      el.append(child instanceof window.Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  /** Builds an SVG element (for the graph's edges). */
  function svg(tag, attrs) {
    const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, String(value));
    return el;
  }

  const session = { operator: '', csrfToken: '' };

  /** Calls the API; resolves to { ok, status, data }, and sends a signed-out browser to the login page. */
  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') {
      headers['Content-Type'] = 'application/json';
      headers['X-CSRF-Token'] = session.csrfToken;
    }
    const response = await window.fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) {
      location.href = '/login';
      throw new Error('signed out');
    }
    let data = {};
    try {
      data = await response.json();
    } catch {
      data = { error: `HTTP ${response.status}` };
    }
    return { ok: response.ok, status: response.status, data };
  }

  const fmtTime = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');
  function duration(step) {
    if (!step.startedAt) return '';
    const end = step.endedAt ? Date.parse(step.endedAt) : Date.now();
    const ms = Math.max(0, end - Date.parse(step.startedAt));
    return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
  }
  const stateClass = (state) => `state state-${String(state).replace(/[^a-z_]/gi, '')}`;
  const runHref = (workflowId) => `#/runs/${encodeURIComponent(workflowId)}`;

  // The registry, read at start-up (it is fixed while the console runs; the start form reads it again for fresh examples).
  let processList = [];
  async function loadProcesses() {
    const result = await api('GET', '/api/processes');
    if (result.ok && Array.isArray(result.data)) processList = result.data;
    return processList;
  }

  // The kit's words (actions, fault choices, states), served by the console from workflows/kit/vocabulary.ts.
  let vocabulary = {
    escalationActions: [],
    skipAction: 'skip',
    endingChoices: [],
    approvalChoices: [],
    taskDone: 'done',
    faultChoices: ['none'],
    runStates: [],
    outputTypeHints: {},
  };
  async function loadVocabulary() {
    const result = await api('GET', '/api/vocabulary');
    if (result.ok && result.data && typeof result.data === 'object') vocabulary = result.data;
    return vocabulary;
  }

  /**
   * The shape to draw a run with: its process's from the registry, or, for a process this console does not
   * know, one built from the run's own steps (drawn in one column, since their dependencies are unknown).
   */
  function shapeFor(status) {
    const known = processList.find((p) => p.name === status.process);
    if (known) return known;
    return {
      name: `unknown:${status.process}`,
      title: status.process,
      steps: status.steps.map((s) => ({ name: s.step, title: s.step, needs: [], kind: 'activity', optional: false })),
    };
  }

  /** Parent of a fan-out's child run: `<parent id>/<step>/<item>` (a parent id may itself hold slashes). */
  function parentOf(workflowId) {
    const match = /^(.+)\/([^/]+)\/([^/]+)$/.exec(workflowId);
    return match ? { workflowId: match[1], step: match[2], item: match[3] } : undefined;
  }

  return {
    h,
    svg,
    session,
    api,
    fmtTime,
    duration,
    stateClass,
    runHref,
    loadProcesses,
    processes: () => processList,
    loadVocabulary,
    vocabulary: () => vocabulary,
    shapeFor,
    parentOf,
  };
})();
