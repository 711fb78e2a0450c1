// @ts-check
/**
 * The runs list: a search form (run id prefix, process, state, step, what a run waits for, started and waiting
 * ranges) answered by the server over Temporal visibility, a page at a time (cursor paging); counters over the same
 * search; each run's duration and wait; a parent's child runs folded under it, shown on demand.
 */
import { html, useEffect, useRef, useState } from '../lib/html.js';
import { api, processes, processOptions, processTitle, vocabulary, withQuery } from '../lib/api.js';
import { useApiGet } from '../lib/use-api.js';
import { navigate } from '../lib/router.js';
import { describeWait, durationBetween, formatDateTime, formatDuration, formatTime, runHref } from '../lib/format.js';
import { subscribeRuns } from '../lib/live.js';
import { ErrorBanner } from '../components/error-banner.js';
import { StatusBadge } from '../components/status-badge.js';
import { CheckboxField, SelectField, TextField } from '../components/form.js';
import { DataTable } from '../components/table.js';

/** @typedef {import('../api-types').RunRow} RunRow @typedef {import('../api-types').RunsPage} RunsPage */

/** The search's fields, as they stand in the URL fragment (`#/?state=failed&process=onboarding`). */
const FILTERS = /** @type {const} */ ([
  'pageSize',
  'q',
  'process',
  'state',
  'step',
  'waiting',
  'needsAttention',
  'startedAfter',
  'startedBefore',
  'waitingBefore',
]);
/** @typedef {Record<(typeof FILTERS)[number], string>} Filters */

const PAGE_SIZE = 50;
/** How often the list is read again while runs change (the live feed says when). */
const REFRESH_MS = 3000;

/** @param {URLSearchParams} query @returns {Filters} */
const filtersOf = (query) => /** @type {Filters} */ (Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])));

/** A datetime-local value as ISO (the API's form), or ''. @param {string} local */
const isoOf = (local) => (local ? new Date(local).toISOString() : '');
/** An ISO time as a datetime-local value. @param {string} iso */
const localOf = (iso) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

/** The step names a search can name: the process's, or every process's. @param {string} process */
const stepsOf = (process) =>
  [
    ...new Set(
      processes()
        .filter((p) => !process || p.name === process)
        .flatMap((p) => p.steps.map((s) => s.name)),
    ),
  ].sort();

/** The run's duration: the API's, or from its times when an older console leaves it out. @param {RunRow} run */
const durationOf = (run) => run.durationMs ?? durationBetween(run.startedAt, run.closedAt);

/** The counters' line: how many runs match, and how many of them are in each state. @param {import('../api-types').Counters} counters */
function summaryOf(counters) {
  const states = /** @type {const} */ ([
    ['running', 'running'],
    ['needsAttention', 'need attention'],
    ['completed', 'completed'],
    ['failed', 'failed'],
    ['aborted', 'aborted'],
  ]).filter(([key]) => counters[key] !== undefined);
  return html`${counters.total} run${counters.total === 1 ? '' : 's'} match the search (any state):${' '}
  ${states.map(([key, label], i) => html`${i ? ', ' : ''}<b data-testid=${`runs-counter-${key}`}>${counters[key]}</b> ${label}`)}.`;
}

/** The search form; it keeps its own values until submitted. @param {{ filters: Filters }} props */
function SearchForm({ filters }) {
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [JSON.stringify(filters)]);
  /** @param {keyof Filters} key */
  const set = (key) => (/** @type {string} */ value) => setDraft({ ...draft, [key]: value });
  /** @param {Event} event */
  const submit = (event) => {
    event.preventDefault();
    navigate('/', draft);
  };
  return html`<form class="search" role="search" aria-label="Search runs" data-testid="runs-search" onSubmit=${submit}>
    <${TextField} label="Run id starts with" name="q" type="search" testid="runs-q" value=${draft.q} onInput=${set('q')} />
    <${SelectField}
      label="Process"
      testid="runs-process-filter"
      value=${draft.process}
      onChange=${set('process')}
      empty="all processes"
      options=${processOptions({ startable: true })}
    />
    <${SelectField}
      label="State"
      testid="runs-filter"
      value=${draft.state}
      onChange=${set('state')}
      empty="all states"
      options=${vocabulary().runStates}
    />
    <${SelectField}
      label="Step"
      testid="runs-step"
      value=${draft.step}
      onChange=${set('step')}
      empty="any step"
      options=${stepsOf(draft.process)}
    />
    <${SelectField}
      label="Waits for"
      testid="runs-waiting"
      value=${draft.waiting}
      onChange=${set('waiting')}
      empty="anything or nothing"
      options=${[
        { value: 'person', label: 'a person' },
        { value: 'child', label: 'a person in a child run' },
        { value: 'event', label: 'an event' },
        { value: 'time', label: 'a scheduled time' },
      ]}
    />
    <${TextField}
      label="Started after"
      type="datetime-local"
      testid="runs-started-after"
      value=${localOf(draft.startedAfter)}
      onInput=${(/** @type {string} */ v) => set('startedAfter')(isoOf(v))}
    />
    <${TextField}
      label="Started before"
      type="datetime-local"
      testid="runs-started-before"
      value=${localOf(draft.startedBefore)}
      onInput=${(/** @type {string} */ v) => set('startedBefore')(isoOf(v))}
    />
    <${TextField}
      label="Waiting since before"
      type="datetime-local"
      testid="runs-waiting-before"
      value=${localOf(draft.waitingBefore)}
      onInput=${(/** @type {string} */ v) => set('waitingBefore')(isoOf(v))}
    />
    <${CheckboxField}
      label="Needs attention only"
      testid="runs-needs-attention"
      checked=${draft.needsAttention === 'true'}
      onChange=${(/** @type {boolean} */ on) => set('needsAttention')(on ? 'true' : '')}
    />
    <${SelectField}
      label="Runs per page"
      testid="runs-page-size"
      value=${draft.pageSize || String(PAGE_SIZE)}
      onChange=${set('pageSize')}
      options=${[...new Set(['10', '25', '50', '100', '200', draft.pageSize || String(PAGE_SIZE)])]}
    />
    <div class="search-actions">
      <button type="submit" data-testid="runs-search-submit">Search</button>
      <button type="button" class="link" data-testid="runs-search-clear" onClick=${() => navigate('/')}>Clear</button>
    </div>
  </form>`;
}

/** What the run waits for, linked to where a person acts. @param {{ run: RunRow }} props */
function WaitCell({ run }) {
  const wait = run.waitingFor;
  if (!wait) return null;
  const target = wait.kind === 'child' && wait.childWorkflowId ? wait.childWorkflowId : run.workflowId;
  return html`<a href=${runHref(target)} data-testid="run-wait" data-kind=${wait.kind}>${describeWait(wait)}</a>`;
}

/** The columns of a run row (the children's rows too). */
const COLUMNS = [
  {
    title: 'Run',
    cell: (/** @type {RunRow & { depth?: number }} */ run) =>
      html`<a href=${runHref(run.workflowId)} data-testid="run-link" class=${run.depth ? 'child-link' : undefined}>${run.workflowId}</a>`,
  },
  {
    title: 'Process',
    cell: (/** @type {RunRow} */ run) => html`<span data-testid="run-process" title=${processTitle(run.process)}>${run.process}</span>`,
  },
  { title: 'State', cell: (/** @type {RunRow} */ run) => html`<${StatusBadge} state=${run.state} testid="run-state" />` },
  { title: 'Waits for', cell: (/** @type {RunRow} */ run) => html`<${WaitCell} run=${run} />` },
  { title: 'Step', cell: (/** @type {RunRow} */ run) => run.step ?? '' },
  {
    title: 'Waiting since',
    cell: (/** @type {RunRow} */ run) =>
      run.waitingSince ? html`<time datetime=${run.waitingSince}>${formatTime(run.waitingSince)}</time>` : '',
  },
  {
    title: 'Started',
    cell: (/** @type {RunRow} */ run) =>
      html`<time datetime=${run.startedAt} title=${formatDateTime(run.startedAt)}>${formatTime(run.startedAt)}</time>`,
  },
  {
    title: 'Duration',
    cell: (/** @type {RunRow} */ run) => html`<span data-testid="run-duration">${formatDuration(durationOf(run))}</span>`,
  },
];

/**
 * A parent's child runs, read when unfolded (GET /api/runs/:id/children), a page at a time.
 * @param {{ parent: RunRow, columns: number }} props
 */
function ChildRows({ parent, columns }) {
  const [children, setChildren] = useState(/** @type {RunRow[]} */ ([]));
  const [next, setNext] = useState(/** @type {string | undefined} */ (undefined));
  const [problem, setProblem] = useState('');
  /** @param {string | undefined} cursor */
  const load = async (cursor) => {
    const result = await api('GET', withQuery(`/api/runs/${encodeURIComponent(parent.workflowId)}/children`, { cursor }));
    if (!result.ok) return setProblem(result.data.error);
    const page = /** @type {{ runs: RunRow[], nextCursor?: string }} */ (result.data);
    setChildren((before) => (cursor ? [...before, ...page.runs] : page.runs));
    setNext(page.nextCursor);
  };
  useEffect(() => void load(undefined), [parent.workflowId]);
  return html`${children.map(
    (child) =>
      html`<tr
        key=${child.workflowId}
        class="child-row"
        data-testid="run-child-row"
        data-run=${child.workflowId}
        data-parent=${parent.workflowId}
      >
        ${COLUMNS.map((c) => html`<td>${c.cell({ ...child, depth: 1 })}</td>`)}
        <td></td>
      </tr>`,
  )}
  ${
    problem || next
      ? html`<tr class="child-row">
          <td colspan=${columns}>
            <${ErrorBanner} message=${problem} />
            ${next ? html`<button type="button" class="link" data-testid="children-more" onClick=${() => void load(next)}>More child runs</button>` : null}
          </td>
        </tr>`
      : null
  }`;
}

/** @param {import('../routes.js').PageProps} props */
export default function RunsPage({ query }) {
  const filters = filtersOf(query);
  const key = JSON.stringify(filters);
  // The cursors of the pages read before this one and this one's, for this search (a new search starts at its first page).
  const [paging, setPaging] = useState({ key, cursors: /** @type {string[]} */ ([]) });
  const cursors = paging.key === key ? paging.cursors : [];
  const setCursors = (/** @type {string[]} */ list) => setPaging({ key, cursors: list });
  const [open, setOpen] = useState(/** @type {Set<string>} */ (new Set()));
  const cursor = cursors[cursors.length - 1];
  // The search's page, read again when the search or the page changes. A new search shows nothing until its own
  // answer comes, and an answer for one no longer shown (a slow read overtaken by a new search) is dropped.
  const path = withQuery('/api/runs', { ...filters, cursor, pageSize: filters.pageSize || PAGE_SIZE });
  const runs = /** @type {import('../lib/use-api.js').ApiData<RunsPage>} */ (useApiGet(path));
  const { data: page, error: problem, loading } = runs;
  const lastRead = useRef(0);
  useEffect(() => void (lastRead.current = Date.now()), [path]);
  const read = () => {
    lastRead.current = Date.now();
    return runs.reload();
  };
  useEffect(() => void (document.title = 'Runs · Overture'), []);
  // Read again when runs change, at most every few seconds.
  const readLatest = useRef(read);
  readLatest.current = read;
  useEffect(
    () =>
      subscribeRuns(() => {
        if (Date.now() - lastRead.current >= REFRESH_MS) void readLatest.current();
      }),
    [],
  );

  /** @param {string} workflowId */
  const toggle = (workflowId) => {
    const next = new Set(open);
    if (next.has(workflowId)) next.delete(workflowId);
    else next.add(workflowId);
    setOpen(next);
  };
  const counters = page?.counters;
  const columns = [
    ...COLUMNS,
    {
      title: 'Child runs',
      cell: (/** @type {RunRow} */ run) =>
        run.childCount
          ? html`<button
              type="button"
              class="link"
              data-testid="run-children-toggle"
              aria-expanded=${open.has(run.workflowId) ? 'true' : 'false'}
              onClick=${() => toggle(run.workflowId)}
            >
              ${open.has(run.workflowId) ? 'Hide' : 'Show'} ${run.childCount} child run${run.childCount === 1 ? '' : 's'}
            </button>`
          : '',
    },
  ];
  return html`<h1>Runs</h1>
    <${SearchForm} filters=${filters} />
    <${ErrorBanner} message=${problem} testid="runs-problem" />
    <p class="runs-summary" aria-live="polite" data-testid="runs-counters">
      ${counters ? summaryOf(counters) : loading ? 'Searching…' : ''}
    </p>
    <${DataTable}
      caption=${cursors.length ? `Runs, page ${cursors.length + 1}` : 'Runs, newest first'}
      className="runs"
      testid="runs-table"
      bodyTestid="runs-body"
      columns=${columns}
      rows=${page?.runs ?? []}
      rowKey=${(/** @type {RunRow} */ run) => run.workflowId}
      rowProps=${(/** @type {RunRow} */ run) => ({
        'data-testid': 'run-row',
        'data-run': run.workflowId,
        'data-process': run.process,
        class: run.needsAttention ? 'attention' : undefined,
      })}
      after=${(/** @type {RunRow} */ run) => (open.has(run.workflowId) ? html`<${ChildRows} parent=${run} columns=${columns.length} />` : null)}
      empty=${page ? (key === JSON.stringify(filtersOf(new URLSearchParams())) ? 'No runs yet: start one.' : 'No run matches the search.') : 'Loading…'}
    />
    <nav class="pager" aria-label="Pages of runs">
      <button type="button" data-testid="runs-previous" disabled=${!cursors.length} onClick=${() => setCursors(cursors.slice(0, -1))}>
        Previous page
      </button>
      <button
        type="button"
        data-testid="runs-next"
        disabled=${!page?.nextCursor}
        onClick=${() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}
      >
        Next page
      </button>
    </nav>`;
}
