/**
 * The commands that look without changing anything: `processes`, `status`, `list` and `escalations`.
 */
import { parseArgs } from 'node:util';
import { getRunStatus, listOpenQuestions, listRuns } from '../../../client';
import { STARTABLE_PROCESSES } from '../../../registry';
import { printable } from '../../../../workflows/kit/safe-text';
import { RUN_STATES } from '../../../../workflows/kit/vocabulary';
import { decorates, UsageError, type Io } from '../io';
import { BadCursorError, listRunsPage, PAGE_SIZE } from '../../../client/runs-page';
import { SEARCHABLE_STATES, WAIT_KINDS, type SearchableState, type WaitKind } from '../../../client/run-search';
import { formatProcesses, formatRunList, formatStatus } from '../output';
import { printJson, type CliCommand, type CliEnv } from '../command';

/** `overture processes`. */
export const processesCommand: CliCommand = {
  name: 'processes',
  summary: 'the processes there are, with their steps and events',
  usage: `usage: overture processes [--json]

Lists every process you can start: its steps (kind, what each needs) and the events that start or advance it.
Offline: reads no configuration and connects to nothing.

  --json   an array of {name, title, example?, steps: [{name, kind, needs, optional?, ...}], events: [{type, description}]}`,
  options: ['json'],
  run(args, io) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
    const listed = STARTABLE_PROCESSES.map((p) => ({
      name: p.shape.name,
      title: p.shape.title,
      example: p.example,
      steps: p.shape.steps,
      events: (p.events ?? []).map((e) => ({ type: e.type, description: e.description })),
    }));
    if (values.json) printJson(io, listed);
    else io.stdout(formatProcesses(listed));
    return 0;
  },
};

/** `overture status ID`. */
export const statusCommand: CliCommand = {
  name: 'status',
  args: ['run-id'],
  summary: 'where a run is, step by step',
  usage: `usage: overture status ID [--json]

Shows run ID: its state, each step (state, attempts, duration, outcome or error), its open questions and its log.

  --json   the run's status: {workflowId, process, state, currentStep?, startedAt, endedAt?, steps: [...],
           questions: [...], log: [{at, level, message}], execution: {status, runId, historyLength}, ...}`,
  options: ['json'],
  async run(args, io, env) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
    if (positionals.length !== 1) throw new UsageError('status takes one workflow ID');
    const status = await getRunStatus(await env.client(), positionals[0]!);
    if (values.json) printJson(io, status);
    else io.stdout(formatStatus(status, { icons: decorates(io) }));
    return 0;
  },
};

/** `overture list`. */
export const listCommand: CliCommand = {
  name: 'list',
  summary: 'runs, longest-waiting first',
  usage: `usage: overture list [--status S] [--process P] [--needs-attention] [--waiting KIND] [--task-queue Q]
                     [--limit N] [--cursor C] [--json]

Lists runs from Temporal's visibility, those waiting for a person first.

  --status S          only runs in state S (${RUN_STATES.join(', ')})
  --process P         only runs of process P
  --needs-attention   only runs waiting for a person (in the run or in one of its child runs)
  --waiting KIND      only open runs waiting for ${WAIT_KINDS.join(' | ')} (child: a person in a child run)
  --task-queue Q      only runs on task queue Q (one deployment's, when several share a namespace)
  --limit N           one page of at most N runs (${PAGE_SIZE.min}-${PAGE_SIZE.max}), newest first; the next page's cursor
                      is printed after it
  --cursor C          the page after the one that printed C (the same filters only)
  --json              an array of {workflowId, runId, process, state, step?, needsAttention, waitingFor?,
                      waitingSince?, startedAt, closedAt?, execution}; with --limit or --cursor,
                      {runs: [... each with durationMs], nextCursor?}`,
  options: ['status=', 'process=', 'needs-attention', 'waiting=', 'task-queue=', 'limit=', 'cursor=', 'json'],
  async run(args, io, env) {
    const { values } = parseArgs({
      args,
      options: {
        status: { type: 'string' },
        process: { type: 'string' },
        'needs-attention': { type: 'boolean' },
        waiting: { type: 'string' },
        'task-queue': { type: 'string' },
        limit: { type: 'string' },
        cursor: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    const waiting = values.waiting;
    if (waiting !== undefined && !(WAIT_KINDS as readonly string[]).includes(waiting))
      throw new UsageError(`--waiting takes one of ${WAIT_KINDS.join(', ')}`);
    const filters = {
      process: values.process,
      taskQueue: values['task-queue'],
      needsAttention: values['needs-attention'] ? true : undefined,
      waiting: waiting as WaitKind | undefined,
    };
    if (values.limit !== undefined || values.cursor !== undefined) {
      return listOnePage(io, env, { ...filters, state: values.status }, values.limit, values.cursor, values.json === true);
    }
    const runs = await listRuns(await env.client(), { ...filters, state: values.status });
    if (values.json) printJson(io, runs);
    else io.stdout(formatRunList(runs));
    return 0;
  },
};

/** `list --limit N [--cursor C]`: one page from visibility, children included (the CLI lists every run). */
async function listOnePage(
  io: Io,
  env: CliEnv,
  filters: { state?: string; process?: string; taskQueue?: string; needsAttention?: boolean; waiting?: WaitKind },
  limit: string | undefined,
  cursor: string | undefined,
  json: boolean,
): Promise<number> {
  const pageSize = limit === undefined ? PAGE_SIZE.default : Number(limit);
  if (!Number.isInteger(pageSize) || pageSize < PAGE_SIZE.min || pageSize > PAGE_SIZE.max)
    throw new UsageError(`--limit takes a whole number from ${PAGE_SIZE.min} to ${PAGE_SIZE.max}`);
  if (filters.state !== undefined && !(SEARCHABLE_STATES as readonly string[]).includes(filters.state))
    throw new UsageError(`--status takes one of ${SEARCHABLE_STATES.join(', ')}`);
  const search = { ...filters, state: filters.state as SearchableState | undefined, topLevelOnly: false };
  let page;
  try {
    page = await listRunsPage(await env.client(), search, { pageSize, cursor });
  } catch (err) {
    if (err instanceof BadCursorError) throw new UsageError(`--cursor: ${err.message}`);
    throw err;
  }
  if (json) printJson(io, page);
  else {
    io.stdout(formatRunList(page.runs));
    if (page.nextCursor) io.stdout(`more: the same command with --cursor ${page.nextCursor}`);
  }
  return 0;
}

/** `overture escalations`. */
export const escalationsCommand: CliCommand = {
  name: 'escalations',
  summary: 'open questions across runs: escalations, approvals, tasks',
  usage: `usage: overture escalations [--process P] [--task-queue Q] [--json]

Every open question across runs, oldest first: escalated steps, approvals, manual tasks and a process's own questions.

  --process P      only runs of process P
  --task-queue Q   only runs on task queue Q
  --json           an array of {workflowId, process, question, kind, step, detail, choices, requiredOutput, since, level}`,
  options: ['process=', 'task-queue=', 'json'],
  async run(args, io, env) {
    const { values } = parseArgs({
      args,
      options: { json: { type: 'boolean' }, 'task-queue': { type: 'string' }, process: { type: 'string' } },
    });
    const open = await listOpenQuestions(await env.client(), { taskQueue: values['task-queue'], process: values.process });
    if (values.json) printJson(io, open);
    else if (open.length === 0) io.stdout('no open escalations, approvals or tasks');
    else for (const o of open) io.stdout(printable(`${o.since}  ${o.workflowId}  ${o.kind}  ${o.question || o.step}  ${o.detail}`));
    return 0;
  },
};
