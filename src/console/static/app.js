/* Overture operator console: vanilla JS, no build step. Every piece of data goes in through textContent. */
/* global document, window, location, history, EventSource */
'use strict';

(function () {
  const STEPS = ['createAccount', 'assignPermissions', 'sendWelcomeEmail', 'createWorkspace', 'notifyTeam'];
  const FAULT_CHOICES = ['none', 'transient:2', 'permanent', 'latency:2000'];

  // ── Login page: prefill the token from the URL fragment (never sent to the server), then forget it.
  const loginForm = document.getElementById('login-form');
  if (loginForm) {
    const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (match) {
      const input = loginForm.querySelector('input[name="token"]');
      if (input) input.value = decodeURIComponent(match[1]);
      history.replaceState(null, '', location.pathname);
    }
    return;
  }

  /** Builds an element: attrs are attributes (on* are listeners), children are nodes or text. */
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

  const view = document.getElementById('view');
  const session = { operator: '', csrfToken: '' };
  let pageStream; // EventSource of the current page, closed on navigation
  let pageTimer;

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') {
      headers['Content-Type'] = 'application/json';
      headers['X-CSRF-Token'] = session.csrfToken;
    }
    const response = await window.fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
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

  // ── Live counters on every page ───────────────────────────────────────────────────────────────
  const runListeners = new Set();
  function showCounters(counters) {
    for (const key of ['total', 'running', 'needsAttention', 'completed', 'failed']) {
      const el = document.querySelector(`[data-testid="counter-${key}"]`);
      if (el) el.textContent = String(counters[key]);
    }
    const badge = document.querySelector('[data-testid="inbox-count"]');
    if (badge) badge.textContent = counters.needsAttention ? String(counters.needsAttention) : '';
  }
  const globalStream = new EventSource('/api/events');
  globalStream.addEventListener('runs', (event) => {
    const data = JSON.parse(event.data);
    showCounters(data.counters);
    runListeners.forEach((fn) => fn(data));
  });

  // ── Decisions (inbox, run page and demo share them) ───────────────────────────────────────────
  /** Buttons to decide an open escalation or approval; the answer (or the validator's refusal) appears next to them. */
  function decisionButtons(item, onDone) {
    const message = h('span', { class: 'decision-message', 'data-testid': 'decision-message', role: 'status' });
    const reason = h('input', { type: 'text', placeholder: 'reason (optional)', maxlength: '500', 'data-testid': 'decision-reason' });
    async function decide(path, body) {
      message.textContent = 'sending…';
      message.className = 'decision-message';
      const reasonText = reason.value.trim();
      const result = await api('POST', path, reasonText ? { ...body, reason: reasonText } : body);
      if (result.ok) {
        message.textContent = result.data.message;
        message.className = 'decision-message ok';
        message.setAttribute('data-testid', 'decision-message');
        if (onDone) onDone();
      } else {
        message.textContent = result.data.error || `refused (HTTP ${result.status})`;
        message.className = 'decision-message error';
        message.setAttribute('data-testid', 'decision-error');
      }
    }
    const base = `/api/runs/${encodeURIComponent(item.workflowId)}`;
    const buttons =
      item.kind === 'approval'
        ? [
            h('button', { type: 'button', 'data-testid': 'action-approve', onclick: () => decide(`${base}/approve`, { decision: 'approve' }) }, 'Approve'),
            h('button', { type: 'button', class: 'danger', 'data-testid': 'action-reject', onclick: () => decide(`${base}/approve`, { decision: 'reject' }) }, 'Reject'),
          ]
        : [
            h('button', { type: 'button', 'data-testid': 'action-retry', onclick: () => decide(`${base}/resolve`, { step: item.step, action: 'retry' }) }, 'Retry'),
            h('button', { type: 'button', 'data-testid': 'action-skip', onclick: () => decide(`${base}/resolve`, { step: item.step, action: 'skip' }) }, 'Skip'),
            h('button', { type: 'button', class: 'danger', 'data-testid': 'action-abort', onclick: () => decide(`${base}/resolve`, { step: item.step, action: 'abort' }) }, 'Abort'),
          ];
    return h('div', { class: 'decision' }, reason, buttons, message);
  }

  // ── Pages ──────────────────────────────────────────────────────────────────────────────────────
  function runsPage() {
    const filter = h(
      'select',
      { 'data-testid': 'runs-filter' },
      ['', 'running', 'awaiting_approval', 'needs_attention', 'compensating', 'completed', 'aborted', 'rejected', 'failed'].map((s) => h('option', { value: s }, s || 'all states')),
    );
    const body = h('tbody', { 'data-testid': 'runs-body' });
    const table = h(
      'table',
      { class: 'runs', 'data-testid': 'runs-table' },
      h('thead', {}, h('tr', {}, ['Run', 'State', 'Step', 'Waiting since', 'Started', 'Temporal'].map((t) => h('th', {}, t)))),
      body,
    );
    let last;
    function render(data) {
      last = data;
      const wanted = filter.value;
      const rows = data.runs.filter((r) => !wanted || r.state === wanted);
      body.replaceChildren(
        ...rows.map((run) =>
          h(
            'tr',
            { 'data-testid': 'run-row', 'data-run': run.workflowId, class: run.needsAttention ? 'attention' : '' },
            h('td', {}, h('a', { href: `#/runs/${encodeURIComponent(run.workflowId)}`, 'data-testid': 'run-link' }, run.workflowId)),
            h('td', {}, h('span', { class: stateClass(run.state), 'data-testid': 'run-state' }, run.state)),
            h('td', {}, run.step || ''),
            h('td', {}, run.waitingSince ? fmtTime(run.waitingSince) : ''),
            h('td', {}, fmtTime(run.startedAt)),
            h('td', {}, run.execution),
          ),
        ),
      );
      if (!rows.length) body.append(h('tr', {}, h('td', { colspan: '6', class: 'empty' }, 'No runs yet: start one.')));
    }
    filter.addEventListener('change', () => last && render(last));
    runListeners.add(render);
    view.replaceChildren(h('h1', {}, 'Runs'), h('p', {}, 'Filter: ', filter), table);
    api('GET', '/api/runs').then((r) => r.ok && render(r.data));
    return () => runListeners.delete(render);
  }

  function stepCard(step) {
    return h(
      'div',
      { class: `step ${stateClass(step.state)}`, 'data-testid': `step-${step.step}`, 'data-state': step.state },
      h('div', { class: 'step-name' }, step.step),
      h('div', { class: 'step-state', 'data-testid': 'step-state' }, step.state),
      h('div', { class: 'step-meta' }, `attempts ${step.attempts}`, step.startedAt ? ` · ${duration(step)}` : '', step.path === 'fallback' ? ' · fallback' : '', step.fault ? ` · fault ${step.fault}` : ''),
      step.lastError ? h('div', { class: 'step-error' }, step.lastError) : null,
      step.outcome ? h('div', { class: 'step-outcome' }, Object.entries(step.outcome).map(([k, v]) => `${k}: ${v}`).join(', ')) : null,
    );
  }

  /** The five steps as a timeline; the welcome email and the workspace are parallel branches. */
  function timeline(status) {
    const byName = Object.fromEntries(status.steps.map((s) => [s.step, s]));
    const card = (name) => (byName[name] ? stepCard(byName[name]) : null);
    return h(
      'div',
      { class: 'timeline', 'data-testid': 'timeline' },
      card('createAccount'),
      card('assignPermissions'),
      h('div', { class: 'parallel', 'data-testid': 'parallel-branches' }, card('sendWelcomeEmail'), card('createWorkspace')),
      card('notifyTeam'),
    );
  }

  function runPage(workflowId) {
    const header = h('div', { class: 'run-header' });
    const steps = h('div', {});
    const questions = h('div', { 'data-testid': 'run-questions' });
    const log = h('ol', { class: 'log', 'data-testid': 'run-log' });
    const problem = h('p', { class: 'error', 'data-testid': 'run-problem' });
    const injectStep = h('select', { 'data-testid': 'inject-step' }, STEPS.map((s) => h('option', { value: s }, s)));
    const injectMode = h('select', { 'data-testid': 'inject-mode' }, ['permanent', 'transient:2', 'latency:2000', 'none'].map((m) => h('option', { value: m }, m)));
    const injectMessage = h('span', { class: 'decision-message', 'data-testid': 'inject-message' });
    const inject = h(
      'form',
      {
        class: 'inject',
        onsubmit: async (event) => {
          event.preventDefault();
          const result = await api('POST', `/api/runs/${encodeURIComponent(workflowId)}/inject`, { step: injectStep.value, mode: injectMode.value });
          injectMessage.textContent = result.ok ? result.data.message : result.data.error;
          injectMessage.className = `decision-message ${result.ok ? 'ok' : 'error'}`;
        },
      },
      'Inject a failure: ',
      injectStep,
      injectMode,
      h('button', { type: 'submit', 'data-testid': 'inject-submit' }, 'Inject'),
      injectMessage,
    );
    const openKeys = new Map();
    function render(status) {
      problem.textContent = '';
      header.replaceChildren(
        h('h1', {}, status.workflowId),
        h('p', {}, 'State: ', h('span', { class: stateClass(status.state), 'data-testid': 'run-page-state' }, status.state), ` · Temporal: ${status.execution.status} · history ${status.execution.historyLength} events · started ${fmtTime(status.startedAt)}`, status.endedAt ? ` · ended ${fmtTime(status.endedAt)}` : ''),
        h('p', {}, h('a', { href: status.temporalUiUrl, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'temporal-link' }, 'Open in the Temporal UI')),
      );
      steps.replaceChildren(timeline(status));
      // Open questions keep their element (and any message) while they stay open.
      const items = [
        ...status.escalations.filter((e) => e.open).map((e) => ({ key: `esc:${e.id}`, kind: 'escalation', workflowId: status.workflowId, step: e.step, error: e.error })),
        ...(status.approval && status.approval.open ? [{ key: `approval:${status.approval.requestedAt}`, kind: 'approval', workflowId: status.workflowId, step: 'assignPermissions', permissions: status.approval.permissions }] : []),
      ];
      for (const [key, el] of openKeys) if (!items.some((i) => i.key === key)) { el.remove(); openKeys.delete(key); }
      for (const item of items) {
        if (openKeys.has(item.key)) continue;
        const el = h(
          'div',
          { class: 'question', 'data-testid': 'run-question', 'data-step': item.step },
          h('b', {}, item.kind === 'approval' ? `Approval of ${item.permissions.join(', ')}` : `${item.step} escalated`),
          item.error ? h('span', { class: 'step-error' }, ` ${item.error}`) : null,
          decisionButtons(item),
        );
        openKeys.set(item.key, el);
        questions.append(el);
      }
      log.replaceChildren(...status.log.map((line) => h('li', { class: `log-${line.level}` }, h('time', {}, fmtTime(line.at)), line.step ? h('span', { class: 'log-step' }, line.step) : null, line.message)));
    }
    view.replaceChildren(
      h('p', {}, h('a', { href: '#/' }, '← all runs')),
      header,
      problem,
      steps,
      questions,
      inject,
      h('h2', {}, 'Orchestrator log'),
      log,
    );
    pageStream = new EventSource(`/api/events?run=${encodeURIComponent(workflowId)}`);
    pageStream.addEventListener('run', (event) => render(JSON.parse(event.data)));
    pageStream.addEventListener('problem', (event) => (problem.textContent = JSON.parse(event.data).error));
  }

  function inboxPage() {
    const list = h('div', { class: 'inbox', 'data-testid': 'inbox-list' });
    const note = h('p', { class: 'hint', 'data-testid': 'inbox-note' });
    const cards = new Map(); // key -> { el, acted }
    async function refresh() {
      const result = await api('GET', '/api/inbox');
      if (!result.ok) {
        note.textContent = result.data.error;
        return;
      }
      // items: { workflowId, kind, step, detail (the step's error, or "approve <permissions>"), since, level }
      const { items, unreachable } = result.data;
      note.textContent = items.length ? '' : 'Nothing is waiting for a person.';
      if (unreachable.length) note.textContent += ` (${unreachable.length} run(s) did not answer)`;
      const keyOf = (i) => `${i.kind}:${i.workflowId}:${i.step}:${i.since}`;
      const keys = new Set(items.map(keyOf));
      for (const [key, card] of cards) {
        if (keys.has(key)) continue;
        if (card.acted) card.el.classList.add('closed');
        else {
          card.el.remove();
          cards.delete(key);
        }
      }
      for (const item of items) {
        const key = keyOf(item);
        if (cards.has(key)) continue;
        const card = { el: null, acted: false };
        card.el = h(
          'div',
          { class: 'question', 'data-testid': 'inbox-item', 'data-run': item.workflowId, 'data-step': item.step, 'data-kind': item.kind },
          h('div', {}, h('a', { href: `#/runs/${encodeURIComponent(item.workflowId)}` }, item.workflowId), ' · ', item.kind === 'approval' ? item.detail : `${item.step} escalated`, ` · since ${fmtTime(item.since)}`),
          item.kind === 'escalation' && item.detail ? h('div', { class: 'step-error' }, item.detail) : null,
          decisionButtons(item, () => (card.acted = true)),
        );
        card.el.addEventListener('click', (event) => {
          if (event.target instanceof window.HTMLButtonElement) card.acted = true;
        });
        cards.set(key, card);
        list.append(card.el);
      }
    }
    view.replaceChildren(h('h1', {}, 'Inbox'), h('p', {}, 'Escalated steps and approvals waiting for a decision, oldest first. Decisions are recorded under your name.'), note, list);
    void refresh();
    pageTimer = window.setInterval(() => void refresh(), 2000);
  }

  function startPage() {
    const field = (name, label, attrs) => h('label', {}, label, h('input', { name, 'data-testid': `field-${name}`, ...attrs }));
    const id = `E${Date.now().toString(36).toUpperCase()}`;
    const errors = h('ul', { class: 'error', 'data-testid': 'start-errors' });
    const faults = STEPS.map((step) =>
      h('label', {}, step, h('select', { name: `fault-${step}`, 'data-testid': `fault-${step}` }, FAULT_CHOICES.map((c) => h('option', { value: c }, c)))),
    );
    const form = h(
      'form',
      { class: 'start', 'data-testid': 'start-form' },
      h('fieldset', {}, h('legend', {}, 'New hire'),
        field('employeeId', 'Employee id', { value: id, required: true }),
        field('fullName', 'Full name', { value: 'Ada Lovelace', required: true }),
        field('email', 'Email', { type: 'email', value: `ada.${id.toLowerCase()}@example.com`, required: true }),
        field('role', 'Role', { value: 'engineer', required: true }),
        field('team', 'Team', { value: 'Analytical Engines', required: true }),
        field('managerEmail', 'Manager email', { type: 'email', value: 'charles.babbage@example.com', required: true }),
        field('startDate', 'Start date', { type: 'date', value: new Date(Date.now() + 14 * 86400000).toISOString().slice(0, 10), required: true }),
        field('extraPermissions', 'Extra permissions (comma separated)', { value: '' }),
      ),
      h('fieldset', {}, h('legend', {}, 'Failure injection (per step)'), faults),
      h('button', { type: 'submit', 'data-testid': 'start-submit' }, 'Start onboarding'),
      errors,
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const data = new window.FormData(form);
      const body = { faults: {} };
      for (const [key, value] of data.entries()) {
        if (key.startsWith('fault-')) {
          if (value !== 'none') body.faults[key.slice('fault-'.length)] = value;
        } else if (key === 'extraPermissions') {
          body.extraPermissions = String(value).split(',').map((s) => s.trim()).filter(Boolean);
        } else body[key] = String(value);
      }
      errors.replaceChildren();
      const result = await api('POST', '/api/runs', body);
      if (result.ok) location.hash = `#/runs/${encodeURIComponent(result.data.workflowId)}`;
      else errors.replaceChildren(...(result.data.problems || [result.data.error]).map((p) => h('li', {}, p)));
    });
    view.replaceChildren(h('h1', {}, 'Start an onboarding'), form);
  }

  function demoPage() {
    const inject = h('select', { 'data-testid': 'demo-inject' }, STEPS.map((s) => h('option', { value: s, selected: s === 'createWorkspace' }, s)));
    const left = h('section', { class: 'demo-col', 'data-testid': 'demo-script' }, h('h2', {}, 'Plain script'), h('p', { class: 'hint' }, 'Not run yet.'));
    const right = h('section', { class: 'demo-col', 'data-testid': 'demo-overture' }, h('h2', {}, 'Overture'), h('p', { class: 'hint' }, 'Not run yet.'));
    const scriptRun = (title, run) =>
      h('div', { class: 'script-run' }, h('h3', {}, title, ': ', h('span', { class: run.completed ? 'ok' : 'error' }, run.completed ? 'completed' : `stopped: ${run.error}`)),
        h('ol', {}, run.steps.map((s) => h('li', { class: `script-${s.state.replace(' ', '-')}` }, `${s.step}: ${s.state}`, s.detail && s.state === 'failed' ? ` (${s.detail})` : ''))));
    async function run() {
      left.replaceChildren(h('h2', {}, 'Plain script'), h('p', {}, 'running…'));
      right.replaceChildren(h('h2', {}, 'Overture'), h('p', {}, 'starting…'));
      const result = await api('POST', '/api/demo', { inject: inject.value });
      if (!result.ok) {
        left.replaceChildren(h('h2', {}, 'Plain script'), h('p', { class: 'error' }, result.data.error));
        return;
      }
      const { script, overture } = result.data;
      left.replaceChildren(
        h('h2', {}, 'Plain script'),
        h('p', { class: 'hint' }, `Employee ${script.employeeId}. The five steps called one after the other, no orchestrator, no ledger.`),
        scriptRun('First run', script.firstRun),
        scriptRun('Re-run after the fix (from the top)', script.rerun),
        h('p', { 'data-testid': 'demo-script-emails' }, `Welcome emails sent: ${script.welcomeEmailsSent}`, script.welcomeEmailsSent > 1 ? ' (duplicate!)' : ''),
        h('p', {}, `Team notifications sent: ${script.teamNotificationsSent}`),
      );
      const status = h('div', {});
      const questions = h('div', {});
      right.replaceChildren(h('h2', {}, 'Overture'), h('p', {}, h('a', { href: `#/runs/${encodeURIComponent(overture.workflowId)}` }, overture.workflowId), ' · same permanent fault: it escalates, the rest waits (or goes on in parallel), and Retry finishes it. The ledger keeps each email to one.'), status, questions);
      if (pageStream) pageStream.close();
      pageStream = new EventSource(`/api/events?run=${encodeURIComponent(overture.workflowId)}`);
      let shown = '';
      pageStream.addEventListener('run', (event) => {
        const s = JSON.parse(event.data);
        status.replaceChildren(h('p', {}, 'State: ', h('span', { class: stateClass(s.state), 'data-testid': 'demo-overture-state' }, s.state)), timeline(s));
        const open = s.escalations.find((e) => e.open);
        const key = open ? open.id : '';
        if (key !== shown) {
          shown = key;
          questions.replaceChildren(open ? decisionButtons({ kind: 'escalation', workflowId: s.workflowId, step: open.step }) : '');
        }
      });
    }
    view.replaceChildren(
      h('h1', {}, 'Plain script vs Overture'),
      h('p', {}, 'The same five steps, with the same permanent failure injected into one step. ', 'Inject into: ', inject, ' ', h('button', { type: 'button', 'data-testid': 'demo-run', onclick: () => void run() }, 'Run both')),
      h('div', { class: 'demo' }, left, right),
    );
  }

  function route() {
    if (pageStream) pageStream.close();
    pageStream = undefined;
    if (pageTimer) window.clearInterval(pageTimer);
    pageTimer = undefined;
    runListeners.clear();
    const hash = location.hash || '#/';
    const run = /^#\/runs\/(.+)$/.exec(hash);
    if (run) return runPage(decodeURIComponent(run[1]));
    if (hash === '#/inbox') return inboxPage();
    if (hash === '#/start') return startPage();
    if (hash === '#/demo') return demoPage();
    return runsPage();
  }

  document.querySelector('[data-testid="logout"]').addEventListener('click', async () => {
    await api('POST', '/api/logout', {});
    location.href = '/login';
  });

  api('GET', '/api/session').then((r) => {
    if (!r.ok) return;
    session.operator = r.data.operator;
    session.csrfToken = r.data.csrfToken;
    document.querySelector('[data-testid="operator-name"]').textContent = r.data.operator;
    window.addEventListener('hashchange', route);
    route();
  });
})();
