/**
 * The commands that look without changing anything: `processes`, `status`, `list` and `escalations`.
 */
import { parseArgs } from 'node:util';
import { getRunStatus, listOpenQuestions, listRuns } from '../../../client';
import { STARTABLE_PROCESSES } from '../../../registry';
import { printable } from '../../../../workflows/kit/safe-text';
import { RUN_STATES } from '../../../../workflows/kit/vocabulary';
import { decorates, UsageError } from '../io';
import { formatProcesses, formatRunList, formatStatus } from '../output';
import { printJson, type CliCommand } from '../command';

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
  usage: `usage: overture list [--status S] [--process P] [--needs-attention] [--task-queue Q] [--json]

Lists runs from Temporal's visibility, those waiting for a person first.

  --status S          only runs in state S (${RUN_STATES.join(', ')})
  --process P         only runs of process P
  --needs-attention   only runs waiting for a person
  --task-queue Q      only runs on task queue Q (one deployment's, when several share a namespace)
  --json              an array of {workflowId, runId, process, state, step?, needsAttention, waitingSince?,
                      startedAt, closedAt?, execution}`,
  options: ['status=', 'process=', 'needs-attention', 'task-queue=', 'json'],
  async run(args, io, env) {
    const { values } = parseArgs({
      args,
      options: {
        status: { type: 'string' },
        process: { type: 'string' },
        'needs-attention': { type: 'boolean' },
        'task-queue': { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    const runs = await listRuns(await env.client(), {
      state: values.status,
      process: values.process,
      taskQueue: values['task-queue'],
      needsAttention: values['needs-attention'] ? true : undefined,
    });
    if (values.json) printJson(io, runs);
    else io.stdout(formatRunList(runs));
    return 0;
  },
};

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
