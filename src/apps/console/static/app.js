/* Overture operator console: vanilla JS, no build step. Every piece of data goes in through textContent. */
/* global document, window, location, history, EventSource */
'use strict';

(function () {
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

  const O = window.Overture;
  const { h, api, session, fmtTime, stateClass, runHref } = O;
  const view = document.getElementById('view');
  let pageStream; // EventSource of the current page, closed on navigation
  let pageTimer;

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
  // The console may end a stream to make room (this operator's newer ones in other tabs, or other operators'): it
  // says so with a `replaced` event, and the page stops there rather than reconnect into a tug of war with its tabs.
  function liveStream(url) {
    const stream = new EventSource(url);
    stream.addEventListener('replaced', (event) => {
      stream.close();
      let note = document.querySelector('[data-testid="stream-note"]');
      if (!note) note = document.querySelector('header').appendChild(h('span', { class: 'stream-note', 'data-testid': 'stream-note' }));
      note.textContent = `${JSON.parse(event.data).reason} Reload to watch live again.`;
    });
    return stream;
  }
  const globalStream = liveStream('/api/events');
  globalStream.addEventListener('runs', (event) => {
    const data = JSON.parse(event.data);
    showCounters(data.counters);
    runListeners.forEach((fn) => fn(data));
  });

  const processTitle = (name) => (O.processes().find((p) => p.name === name) || { title: name }).title;
  const select = (testid, values, label) =>
    h(
      'select',
      { 'data-testid': testid },
      h('option', { value: '' }, label),
      values.map((v) => h('option', { value: v }, v)),
    );

  // ── Pages ──────────────────────────────────────────────────────────────────────────────────────
  function runsPage() {
    const stateFilter = select('runs-filter', O.vocabulary().runStates, 'all states');
    const processFilter = select(
      'runs-process-filter',
      O.processes().map((p) => p.name),
      'all processes',
    );
    const body = h('tbody', { 'data-testid': 'runs-body' });
    const headings = ['Run', 'Process', 'State', 'Step', 'Waiting since', 'Started', 'Temporal'];
    const table = h(
      'table',
      { class: 'runs', 'data-testid': 'runs-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headings.map((t) => h('th', {}, t)),
        ),
      ),
      body,
    );
    let last;
    function render(data) {
      last = data;
      const rows = data.runs.filter(
        (r) => (!stateFilter.value || r.state === stateFilter.value) && (!processFilter.value || r.process === processFilter.value),
      );
      body.replaceChildren(
        ...rows.map((run) =>
          h(
            'tr',
            {
              'data-testid': 'run-row',
              'data-run': run.workflowId,
              'data-process': run.process,
              class: run.needsAttention ? 'attention' : '',
            },
            h('td', {}, h('a', { href: runHref(run.workflowId), 'data-testid': 'run-link' }, run.workflowId)),
            h('td', { 'data-testid': 'run-process', title: processTitle(run.process) }, run.process),
            h('td', {}, h('span', { class: stateClass(run.state), 'data-testid': 'run-state' }, run.state)),
            h('td', {}, run.step || ''),
            h('td', {}, run.waitingSince ? fmtTime(run.waitingSince) : ''),
            h('td', {}, fmtTime(run.startedAt)),
            h('td', {}, run.execution),
          ),
        ),
      );
      if (!rows.length) body.append(h('tr', {}, h('td', { colspan: String(headings.length), class: 'empty' }, 'No runs yet: start one.')));
    }
    for (const filter of [stateFilter, processFilter]) filter.addEventListener('change', () => last && render(last));
    runListeners.add(render);
    view.replaceChildren(h('h1', {}, 'Runs'), h('p', {}, 'Filter: ', stateFilter, ' ', processFilter), table);
    api('GET', '/api/runs').then((r) => r.ok && render(r.data));
  }

  /** A run's open questions as decision cards; a card keeps its element (and message) while its question stays open. */
  function questionCards(container, cards) {
    return (status) => {
      const open = status.questions.filter((q) => q.open);
      for (const [id, el] of cards) {
        if (!open.some((q) => q.id === id)) {
          el.remove();
          cards.delete(id);
        }
      }
      for (const q of open) {
        if (cards.has(q.id)) continue;
        const item = {
          workflowId: status.workflowId,
          question: q.id,
          kind: q.kind,
          step: q.step,
          detail: q.prompt,
          choices: q.choices,
          requiredOutput: q.requiredOutput,
        };
        const el = h(
          'div',
          { class: 'question', 'data-testid': 'run-question', 'data-step': q.step, 'data-kind': q.kind, 'data-question': q.id },
          h('div', { class: 'question-summary' }, O.questionSummary(item)),
          O.decisionUI(item),
        );
        cards.set(q.id, el);
        container.append(el);
      }
    };
  }

  function runPage(workflowId) {
    const header = h('div', { class: 'run-header' });
    const graphHolder = h('div', {});
    const questions = h('div', { 'data-testid': 'run-questions' });
    const log = h('ol', { class: 'log', 'data-testid': 'run-log' });
    const problem = h('p', { class: 'error', 'data-testid': 'run-problem' });
    const injectStep = h('select', { 'data-testid': 'inject-step' });
    const injectMode = h(
      'select',
      { 'data-testid': 'inject-mode' },
      O.vocabulary().faultChoices.map((m) => h('option', { value: m }, m)),
    );
    // A live injection is usually to see an escalation: the vocabulary says which fault to offer first.
    if (O.vocabulary().liveFaultDefault) injectMode.value = O.vocabulary().liveFaultDefault;
    const injectMessage = h('span', { class: 'decision-message', 'data-testid': 'inject-message' });
    const inject = h(
      'form',
      {
        class: 'inject',
        onsubmit: async (event) => {
          event.preventDefault();
          const result = await api('POST', `/api/runs/${encodeURIComponent(workflowId)}/inject`, {
            step: injectStep.value,
            mode: injectMode.value,
          });
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
    const showQuestions = questionCards(questions, new Map());
    let graph;
    function render(status) {
      problem.textContent = '';
      const shape = O.shapeFor(status);
      const parent = shape.internal ? O.parentOf(status.workflowId) : undefined;
      const lines = [
        h('h1', {}, status.workflowId),
        h('p', { 'data-testid': 'run-process' }, shape.title, ` (${status.process})`, status.subject ? ` · ${status.subject}` : ''),
        parent
          ? h(
              'p',
              { 'data-testid': 'parent-run' },
              `Item ${parent.item} of step ${parent.step} of `,
              h('a', { href: runHref(parent.workflowId), 'data-testid': 'parent-link' }, parent.workflowId),
            )
          : null,
        h(
          'p',
          {},
          'State: ',
          h('span', { class: stateClass(status.state), 'data-testid': 'run-page-state' }, status.state),
          ` · Temporal: ${status.execution.status} · history ${status.execution.historyLength} events · started ${fmtTime(status.startedAt)}`,
          status.endedAt ? ` · ended ${fmtTime(status.endedAt)}` : '',
        ),
        h(
          'p',
          {},
          h(
            'a',
            { href: status.temporalUiUrl, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'temporal-link' },
            'Open in the Temporal UI',
          ),
        ),
      ];
      header.replaceChildren(...lines.filter(Boolean));
      if (!graph || graph.name !== shape.name) {
        graph = O.createGraph(shape);
        graphHolder.replaceChildren(graph.el);
      }
      graph.update(status);
      if (!injectStep.options.length) {
        // Faults act on activities; a process the console does not know offers all its steps.
        const activities = shape.steps.filter((s) => s.kind === 'activity').map((s) => s.name);
        injectStep.replaceChildren(...activities.map((s) => h('option', { value: s }, s)));
      }
      showQuestions(status);
      log.replaceChildren(
        ...status.log.map((line) =>
          h(
            'li',
            { class: `log-${line.level}` },
            h('time', {}, fmtTime(line.at)),
            line.step ? h('span', { class: 'log-step' }, line.step) : null,
            line.message,
          ),
        ),
      );
      if (status.logDropped) log.prepend(h('li', { class: 'log-info' }, `(${status.logDropped} older lines dropped)`));
    }
    view.replaceChildren(
      h('p', {}, h('a', { href: '#/' }, '← all runs')),
      header,
      problem,
      graphHolder,
      questions,
      inject,
      h('h2', {}, 'Orchestrator log'),
      log,
    );
    pageStream = liveStream(`/api/events?run=${encodeURIComponent(workflowId)}`);
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
      // items: { workflowId, process, question, kind, step, detail, choices, requiredOutput, since, level }
      const { items, unreachable } = result.data;
      note.textContent = items.length ? '' : 'Nothing is waiting for a person.';
      if (unreachable.length) note.textContent += ` (${unreachable.length} run(s) did not answer)`;
      const keyOf = (i) => `${i.workflowId}:${i.question}:${i.since}`;
      const keys = new Set(items.map(keyOf));
      for (const [key, card] of cards) {
        if (keys.has(key)) continue;
        // A card acted on stays (greyed) so its receipt can be read; one that went away by itself goes.
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
          {
            class: 'question',
            'data-testid': 'inbox-item',
            'data-run': item.workflowId,
            'data-step': item.step,
            'data-kind': item.kind,
            'data-process': item.process,
          },
          h(
            'div',
            {},
            h('span', { class: 'process-tag', 'data-testid': 'inbox-process' }, item.process),
            ' ',
            h('a', { href: runHref(item.workflowId) }, item.workflowId),
            ` · since ${fmtTime(item.since)}`,
            item.level ? ` · with contact #${item.level}` : '',
          ),
          h('div', { class: 'question-summary' }, O.questionSummary(item)),
          O.decisionUI(item, () => (card.acted = true)),
        );
        card.el.addEventListener('click', (event) => {
          if (event.target instanceof window.HTMLButtonElement) card.acted = true;
        });
        cards.set(key, card);
        list.append(card.el);
      }
    }
    view.replaceChildren(
      h('h1', {}, 'Inbox'),
      h(
        'p',
        {},
        'Escalated steps, approvals, manual tasks and questions of every process, waiting for a person, oldest first. Decisions are recorded under your name.',
      ),
      note,
      list,
    );
    void refresh();
    pageTimer = window.setInterval(() => void refresh(), 2000);
  }

  /**
   * A process's input as a form built from its JSON Schema: one field per property when every property is plain
   * (text, date, email, number, yes/no, a list of text), prefilled with the process's example; otherwise the whole
   * input as JSON. The server checks the input again (its messages name the fields).
   */
  function inputForm(process) {
    const schema = process.inputSchema || {};
    const props = schema.properties || {};
    // A property with no type (a text the server transforms, e.g. normalised to upper case) is typed as text.
    const plain = (p) =>
      p.type === undefined ||
      ['string', 'number', 'integer', 'boolean'].includes(p.type) ||
      (p.type === 'array' && p.items && p.items.type === 'string');
    const names = Object.keys(props);
    if (schema.type !== 'object' || names.length === 0 || !names.every((n) => plain(props[n]))) return jsonInput(process);
    const example = process.example || {};
    const required = new Set(schema.required || []);
    const fields = names.map((name) => {
      const p = props[name];
      const value = example[name] !== undefined ? example[name] : p.default;
      const attrs = { name, 'data-field': name, 'data-testid': `field-${name}`, required: required.has(name) };
      let input;
      if (p.type === 'boolean') input = h('input', { ...attrs, type: 'checkbox', checked: value === true });
      else if (p.type === 'array')
        input = h('input', { ...attrs, value: Array.isArray(value) ? value.join(', ') : '', placeholder: 'comma separated' });
      else {
        const type =
          p.type === 'number' || p.type === 'integer' ? 'number' : p.format === 'email' ? 'email' : p.format === 'date' ? 'date' : 'text';
        input = h('input', { ...attrs, type, value: value === undefined || value === null ? '' : String(value) });
      }
      return { name, p, input, el: h('label', {}, name, input) };
    });
    const el = h(
      'fieldset',
      {},
      h('legend', {}, process.title),
      fields.map((f) => f.el),
    );
    const read = () => {
      const input = {};
      for (const { name, p, input: field } of fields) {
        if (p.type === 'boolean') input[name] = field.checked;
        else if (p.type === 'array') {
          const list = field.value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          if (list.length || required.has(name)) input[name] = list;
        } else if (field.value !== '' || required.has(name))
          input[name] = p.type === 'number' || p.type === 'integer' ? Number(field.value) : field.value;
      }
      return input;
    };
    return { el, read };
  }

  /** An input that is not plain fields: the whole input as JSON, prefilled with the process's example. */
  function jsonInput(process) {
    const area = h(
      'textarea',
      { name: 'input', rows: '10', spellcheck: 'false', 'data-testid': 'start-input' },
      JSON.stringify(process.example ?? {}, null, 2),
    );
    const el = h('fieldset', {}, h('legend', {}, `Input of ${process.title} (JSON)`), area);
    const read = () => {
      try {
        return JSON.parse(area.value);
      } catch (err) {
        throw new Error(`input: not valid JSON (${err.message})`);
      }
    };
    return { el, read };
  }

  async function startPage() {
    // Read again: each process's example comes with fresh business keys, so each start is a new run.
    await O.loadProcesses();
    const startable = O.processes().filter((p) => !p.internal);
    const chooser = h(
      'select',
      { 'data-testid': 'start-process' },
      startable.map((p) => h('option', { value: p.name }, `${p.title} (${p.name})`)),
    );
    const inputHolder = h('div', {});
    const faults = h('fieldset', {});
    const submit = h('button', { type: 'submit', 'data-testid': 'start-submit' }, 'Start');
    const errors = h('ul', { class: 'error', 'data-testid': 'start-errors' });
    let input;
    function show(name) {
      const process = startable.find((p) => p.name === name);
      if (!process) return;
      input = inputForm(process);
      inputHolder.replaceChildren(input.el);
      const activities = process.steps.filter((s) => s.kind === 'activity');
      faults.replaceChildren(
        h('legend', {}, 'Failure injection (per step)'),
        ...activities.map((step) =>
          h(
            'label',
            { title: step.title },
            step.name,
            h(
              'select',
              { 'data-step': step.name, 'data-testid': `fault-${step.name}` },
              O.vocabulary().faultChoices.map((c) => h('option', { value: c }, c)),
            ),
          ),
        ),
      );
      submit.textContent = `Start: ${process.title}`;
      errors.replaceChildren();
    }
    chooser.addEventListener('change', () => show(chooser.value));
    const form = h(
      'form',
      { class: 'start', 'data-testid': 'start-form' },
      h('p', {}, 'Process: ', chooser),
      inputHolder,
      faults,
      submit,
      errors,
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      errors.replaceChildren();
      const body = { process: chooser.value, faults: {} };
      try {
        body.input = input.read();
      } catch (err) {
        errors.replaceChildren(h('li', {}, err.message));
        return;
      }
      for (const s of faults.querySelectorAll('select[data-step]'))
        if (s.value !== 'none') body.faults[s.getAttribute('data-step')] = s.value;
      const result = await api('POST', '/api/runs', body);
      if (result.ok) location.hash = runHref(result.data.workflowId);
      else errors.replaceChildren(...(result.data.problems || [result.data.error]).map((p) => h('li', {}, p)));
    });
    view.replaceChildren(
      h('h1', {}, 'Start a run'),
      startable.length ? form : h('p', { class: 'error' }, 'The process registry could not be read.'),
    );
    if (startable.length) show(startable[0].name);
  }

  /** A process's side-by-side demo (GET /api/demos): the same fault in a plain script and in an Overture run. */
  async function demoPage() {
    const listed = await api('GET', '/api/demos');
    const demo = listed.ok && Array.isArray(listed.data) ? listed.data[0] : undefined;
    if (!demo) {
      view.replaceChildren(h('h1', {}, 'Demo'), h('p', { class: 'hint' }, 'No installed process offers a demo.'));
      return;
    }
    const inject = h(
      'select',
      { 'data-testid': 'demo-inject' },
      demo.steps.map((s) => h('option', { value: s, selected: s === demo.defaultStep }, s)),
    );
    const left = h(
      'section',
      { class: 'demo-col', 'data-testid': 'demo-script' },
      h('h2', {}, 'Plain script'),
      h('p', { class: 'hint' }, 'Not run yet.'),
    );
    const right = h(
      'section',
      { class: 'demo-col', 'data-testid': 'demo-overture' },
      h('h2', {}, 'Overture'),
      h('p', { class: 'hint' }, 'Not run yet.'),
    );
    const scriptRun = (title, run) =>
      h(
        'div',
        { class: 'script-run' },
        h(
          'h3',
          {},
          title,
          ': ',
          h('span', { class: run.completed ? 'ok' : 'error' }, run.completed ? 'completed' : `stopped: ${run.error}`),
        ),
        h(
          'ol',
          {},
          run.steps.map((s) =>
            h(
              'li',
              { class: `script-${s.state.replace(' ', '-')}` },
              `${s.step}: ${s.state}`,
              s.detail && s.state === 'failed' ? ` (${s.detail})` : '',
            ),
          ),
        ),
      );
    async function run() {
      left.replaceChildren(h('h2', {}, 'Plain script'), h('p', {}, 'running…'));
      right.replaceChildren(h('h2', {}, 'Overture'), h('p', {}, 'starting…'));
      const result = await api('POST', `/api/demos/${encodeURIComponent(demo.process)}`, { inject: inject.value });
      if (!result.ok) {
        left.replaceChildren(h('h2', {}, 'Plain script'), h('p', { class: 'error' }, result.data.error));
        return;
      }
      const { script, overture } = result.data;
      left.replaceChildren(
        h('h2', {}, 'Plain script'),
        h('p', { class: 'hint' }, `${script.subject}. The steps called one after the other, no orchestrator, no ledger.`),
        scriptRun('First run', script.firstRun),
        scriptRun('Re-run after the fix (from the top)', script.rerun),
        ...script.effects.map((e) =>
          h('p', { 'data-testid': `demo-script-${e.id}` }, `${e.label}: ${e.count}`, e.count > 1 ? ' (duplicate!)' : ''),
        ),
      );
      const state = h('p', {});
      const graphHolder = h('div', {});
      const questions = h('div', {});
      right.replaceChildren(
        h('h2', {}, 'Overture'),
        h(
          'p',
          {},
          h('a', { href: runHref(overture.workflowId) }, overture.workflowId),
          ' · same permanent fault: it escalates, the rest waits (or goes on in parallel), and Retry finishes it. The ledger keeps each side effect to one.',
        ),
        state,
        graphHolder,
        questions,
      );
      if (pageStream) pageStream.close();
      pageStream = liveStream(`/api/events?run=${encodeURIComponent(overture.workflowId)}`);
      const showQuestions = questionCards(questions, new Map());
      let graph;
      pageStream.addEventListener('run', (event) => {
        const s = JSON.parse(event.data);
        state.replaceChildren('State: ', h('span', { class: stateClass(s.state), 'data-testid': 'demo-overture-state' }, s.state));
        if (!graph) {
          graph = O.createGraph(O.shapeFor(s));
          graphHolder.replaceChildren(graph.el);
        }
        graph.update(s);
        showQuestions(s);
      });
    }
    view.replaceChildren(
      h('h1', {}, demo.title),
      h(
        'p',
        {},
        demo.description,
        ' Inject into: ',
        inject,
        ' ',
        h('button', { type: 'button', 'data-testid': 'demo-run', onclick: () => void run() }, 'Run both'),
      ),
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
    if (hash === '#/start') return void startPage();
    // The demo exists only when the console has it on (GET /api/session `demo`).
    if (hash === '#/demo' && session.demo) return void demoPage();
    return runsPage();
  }

  document.querySelector('[data-testid="logout"]').addEventListener('click', async () => {
    await api('POST', '/api/logout', {});
    location.href = '/login';
  });

  Promise.all([api('GET', '/api/session'), O.loadProcesses(), O.loadVocabulary()]).then(([r]) => {
    if (!r.ok) return;
    session.operator = r.data.operator;
    session.role = r.data.role;
    session.csrfToken = r.data.csrfToken;
    session.demo = r.data.demo === true;
    document.querySelector('[data-testid="nav-demo"]').hidden = !session.demo;
    document.querySelector('[data-testid="operator-name"]').textContent = r.data.operator;
    document.querySelector('[data-testid="operator-role"]').textContent = r.data.role ? `(${r.data.role})` : '';
    window.addEventListener('hashchange', route);
    route();
  });
})();
