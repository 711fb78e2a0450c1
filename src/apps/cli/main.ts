/**
 * The `overture` command line: start any registered process, see where runs are, and act on the ones that need a person.
 *
 * Exit codes: 0 done, 1 failed (server unreachable, decision refused, run failed), 2 bad input or usage.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ConfigError, loadConfig, type OvertureConfig } from '../../config';
import {
  answerQuestion,
  connectClient,
  decisionIdFor,
  escalationDecisionId,
  getRunStatus,
  injectFault,
  listOpenQuestions,
  listRuns,
  questionFor,
  reschedule,
  resolveEscalation,
  startProcess,
} from '../../client';
import { InputError, parseFaultSpec, parseInput } from '../../../workflows/kit/input';
import { parseDecisionOutput } from './decision-output';
import { formatProcesses, formatRunList, formatStatus, followRun } from './output';
import { findProcess, INSTALLED, PROCESSES, REPO_ROOT, STARTABLE_PROCESSES, UnknownProcessError } from '../../registry';
import { newProcess, NEW_USAGE } from './commands/new';
import { exitAfterOutput, readInput, UsageError, type Io } from './io';
import { TemporalConnectionError } from '../../temporal/connect';
import { printable } from '../../../workflows/kit/safe-text';
import { emit } from './commands/emit';
import { schedule, SCHEDULE_USAGE } from './commands/schedule';
import { BULK_USAGE, resolveAll } from './commands/bulk';
import { systems, SYSTEMS_USAGE } from './commands/systems';
import { authorisedCaller, refuseTypedName } from './identity';
import { operators, OPERATORS_USAGE } from './commands/operators';
import { keys, KEYS_USAGE } from './commands/keys';
import { deployment, DEPLOYMENT_USAGE } from './commands/deployment';
import type { DecisionIdentity, FaultMode } from '../../../workflows/kit/types';
import { APPROVAL_CHOICES, ESCALATION_ACTIONS, FAULT_SYNTAX, TASK_DONE, type EscalationAction } from '../../../workflows/kit/vocabulary';

/** The CLI commands the installed processes add as shortcuts of `start NAME` (e.g. `onboard FILE`). */
const SHORTCUTS = new Map(
  STARTABLE_PROCESSES.flatMap((p) =>
    p.shortcut ? [[p.shortcut.command, { process: p.shape.name, summary: p.shortcut.summary }] as const] : [],
  ),
);

const shortcutUsage = [...SHORTCUTS]
  .map(([command, s]) => `  ${`${command} FILE|-  [--inject STEP=MODE]... [--wait] [--json]`.padEnd(60)}${s.summary}`)
  .join('\n');

/** The CLI's top-level usage (`overture --help`); the build writes it to dist/cli-usage.txt for bin/overture.js. */
export const USAGE = `usage: overture <command> [options]

  processes [--json]                                          the processes there are, with their steps
  start PROCESS FILE|- [--inject STEP=MODE]... [--wait] [--json]
                                                              start a run (input JSON from a file or stdin)
${shortcutUsage}
  status ID [--json]                                          where a run is, step by step
  watch ID                                                    follow a run live until it ends
  list [--status S] [--process P] [--needs-attention] [--task-queue Q] [--json]
                                                              runs, longest-waiting first
  escalations [--process P] [--task-queue Q] [--json]         open questions across runs: escalations, approvals, tasks
  resolve ID --step STEP --action ${ESCALATION_ACTIONS.join('|')} [--reason TEXT] [--output JSON]
  approve ID [--question Q] --decision D [--reason TEXT] [--output JSON]
                                                              answer an approval (${APPROVAL_CHOICES.join('|')}) or any open question
  complete ID --step STEP --output JSON [--reason TEXT]
                                                              report a manual task done, with its output
  inject ID STEP=MODE                                         MODE: ${FAULT_SYNTAX}
  reschedule ID --at ISO-TIME | --now [--step STEP] [--reason TEXT]
                                                              move a scheduled wait (e.g. a publication) or go now
  emit TYPE FILE|- [--source NAME] [--url URL] [--json]       send a signed event to the event gateway (FILE: the
                                                              event's data, or {"id": ..., "data": ...})
${BULK_USAGE}
${SYSTEMS_USAGE}
${SCHEDULE_USAGE}
${OPERATORS_USAGE}
${KEYS_USAGE}
${DEPLOYMENT_USAGE}
${NEW_USAGE}

Commands that change a run (start and its shortcuts, resolve, approve, complete, inject, reschedule, schedule changes)
act as the operator whose personal token you hold: OVERTURE_TOKEN, else the file OVERTURE_TOKEN_FILE or
~/.config/overture/token (chmod 600); decisions are recorded under that operator's name.

Configuration comes from the environment (see docs/configuration.md): TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ...`;

// Run data never reaches the terminal raw: a control or bidi character is shown as a visible escape (valid in JSON too).
const defaultIo: Io = {
  stdout: (t) => process.stdout.write(printable(t, { keepNewlines: true }) + '\n'),
  stderr: (t) => process.stderr.write(printable(t, { keepNewlines: true }) + '\n'),
  readStdin: () => fs.readFileSync(0, 'utf8'),
  isTty: Boolean(process.stdout.isTTY),
};

function faultsFrom(specs: string[], steps: readonly string[]): Partial<Record<string, FaultMode>> {
  const faults: Partial<Record<string, FaultMode>> = {};
  for (const spec of specs) {
    const { step, fault } = parseFaultSpec(spec, steps);
    if (fault) faults[step] = fault;
  }
  return faults;
}

interface StartRequest {
  process: string;
  raw: unknown;
  faults: Partial<Record<string, FaultMode>>;
  wait: boolean;
  json: boolean;
}

/** Reads and validates everything `start` needs before any connection is made: bad input starts nothing. */
function prepareStart(processName: string | undefined, args: string[], io: Io, command = 'start'): StartRequest {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { inject: { type: 'string', multiple: true }, wait: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  if (!processName)
    throw new UsageError(
      `start takes PROCESS FILE (or - for stdin); processes are ${STARTABLE_PROCESSES.map((p) => p.shape.name).join(', ')}`,
    );
  const definition = findProcess(processName, { startable: true });
  if (positionals.length !== 1) throw new UsageError(`${command} takes one FILE (or - for stdin)`);
  const raw = readInput(positionals[0]!, io);
  parseInput(definition.inputSchema, raw, `${processName} input`);
  const steps = definition.shape.steps.map((s) => s.name);
  return {
    process: processName,
    raw,
    faults: faultsFrom(values.inject ?? [], steps),
    wait: values.wait ?? false,
    json: values.json ?? false,
  };
}

async function start(client: Client, config: OvertureConfig, request: StartRequest, io: Io): Promise<number> {
  const started = await startProcess(client, config, request.process, request.raw, { faults: request.faults });
  if (!request.json) {
    io.stdout(
      started.alreadyStarted
        ? `${request.process} already exists: ${started.workflowId} (run ${started.runId}); not starting another`
        : `started ${started.workflowId} (run ${started.runId})`,
    );
    io.stdout(
      `history: ${config.temporalUiUrl}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(started.workflowId)}`,
    );
  }
  if (!request.wait) {
    if (request.json)
      io.stdout(
        JSON.stringify({
          process: request.process,
          workflowId: started.workflowId,
          runId: started.runId,
          alreadyStarted: started.alreadyStarted,
        }),
      );
    return 0;
  }
  const status = await followRun(client, started.workflowId, request.json ? undefined : io.stdout, io.isTty && !request.json);
  if (request.json) io.stdout(JSON.stringify({ ...status, alreadyStarted: started.alreadyStarted }, null, 2));
  else io.stdout(`run ${status.state}`);
  return status.state === 'completed' ? 0 : 1;
}

function processes(args: string[], io: Io): number {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const listed = STARTABLE_PROCESSES.map((p) => ({
    name: p.shape.name,
    title: p.shape.title,
    example: p.example,
    steps: p.shape.steps,
    events: (p.events ?? []).map((e) => ({ type: e.type, description: e.description })),
  }));
  io.stdout(values.json ? JSON.stringify(listed, null, 2) : formatProcesses(listed));
  return 0;
}

async function showStatus(client: Client, args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
  if (positionals.length !== 1) throw new UsageError('status takes one workflow ID');
  const status = await getRunStatus(client, positionals[0]!);
  io.stdout(values.json ? JSON.stringify(status, null, 2) : formatStatus(status));
  return 0;
}

async function list(client: Client, args: string[], io: Io): Promise<number> {
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
  const runs = await listRuns(client, {
    state: values.status,
    process: values.process,
    taskQueue: values['task-queue'],
    needsAttention: values['needs-attention'] ? true : undefined,
  });
  io.stdout(values.json ? JSON.stringify(runs, null, 2) : formatRunList(runs));
  return 0;
}

async function escalations(client: Client, args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { json: { type: 'boolean' }, 'task-queue': { type: 'string' }, process: { type: 'string' } },
  });
  const open = await listOpenQuestions(client, { taskQueue: values['task-queue'], process: values.process });
  if (values.json) io.stdout(JSON.stringify(open, null, 2));
  else if (open.length === 0) io.stdout('no open escalations, approvals or tasks');
  else for (const o of open) io.stdout(printable(`${o.since}  ${o.workflowId}  ${o.kind}  ${o.question || o.step}  ${o.detail}`));
  return 0;
}

async function resolve(client: Client, config: OvertureConfig, args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { step: { type: 'string' }, action: { type: 'string' }, reason: { type: 'string' }, output: { type: 'string' } },
  });
  if (positionals.length !== 1 || !values.step || !values.action)
    throw new UsageError(`resolve takes ID --step STEP --action ${ESCALATION_ACTIONS.join('|')}`);
  if (!(ESCALATION_ACTIONS as readonly string[]).includes(values.action))
    throw new UsageError(`--action must be one of ${ESCALATION_ACTIONS.join(', ')}, not "${values.action}"`);
  const output = parseDecisionOutput(values.output);
  const identity = await authorisedCaller(config, 'operator', 'deciding an escalation');
  const workflowId = positionals[0]!;
  const step = values.step;
  const status = await getRunStatus(client, workflowId);
  const receipt = await resolveEscalation(client, workflowId, {
    step,
    action: values.action as EscalationAction,
    by: identity.operator,
    identity,
    reason: values.reason,
    output,
    decisionId: escalationDecisionId(status, step, values.action),
  });
  io.stdout(receipt.message);
  return 0;
}

async function answer(
  client: Client,
  identity: DecisionIdentity,
  workflowId: string,
  name: string | undefined,
  decision: string,
  values: { reason?: string; output?: string },
  io: Io,
): Promise<number> {
  const output = parseDecisionOutput(values.output); // a usage mistake before anything is asked of the run
  const status = await getRunStatus(client, workflowId);
  const question = questionFor(status, name);
  const receipt = await answerQuestion(client, workflowId, {
    question: question?.id ?? name,
    decision,
    by: identity.operator,
    identity,
    reason: values.reason,
    output,
    decisionId: question ? decisionIdFor(question, decision) : undefined,
  });
  io.stdout(receipt.message);
  return 0;
}

async function approve(client: Client, config: OvertureConfig, args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { question: { type: 'string' }, decision: { type: 'string' }, reason: { type: 'string' }, output: { type: 'string' } },
  });
  if (positionals.length !== 1 || !values.decision)
    throw new UsageError(`approve takes ID [--question Q] --decision ${APPROVAL_CHOICES.join('|')} (or the question's own choice)`);
  if (!values.question && !(APPROVAL_CHOICES as readonly string[]).includes(values.decision)) {
    throw new UsageError(
      `--decision must be one of ${APPROVAL_CHOICES.join(', ')}, not "${values.decision}" (name the question with --question for its own choices)`,
    );
  }
  parseDecisionOutput(values.output);
  const identity = await authorisedCaller(config, 'approver', 'answering an approval or a question');
  return answer(client, identity, positionals[0]!, values.question, values.decision, values, io);
}

async function complete(client: Client, config: OvertureConfig, args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { step: { type: 'string' }, reason: { type: 'string' }, output: { type: 'string' } },
  });
  if (positionals.length !== 1 || !values.step) throw new UsageError('complete takes ID --step STEP --output JSON');
  parseDecisionOutput(values.output);
  // Any operator may complete a task; the run itself also accepts it from the task's assignee.
  const identity = await authorisedCaller(config, 'operator', 'completing a task');
  return answer(client, identity, positionals[0]!, values.step, TASK_DONE, values, io);
}

async function inject(client: Client, config: OvertureConfig, args: string[], io: Io): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 2) throw new UsageError('inject takes ID STEP=MODE');
  await authorisedCaller(config, 'operator', 'injecting a fault');
  const status = await getRunStatus(client, positionals[0]!);
  const { step, fault } = parseFaultSpec(
    positionals[1]!,
    status.steps.map((s) => s.step),
  );
  const receipt = await injectFault(client, positionals[0]!, step, fault, status);
  io.stdout(receipt.message);
  return 0;
}

async function rescheduleRun(client: Client, config: OvertureConfig, args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { at: { type: 'string' }, now: { type: 'boolean' }, step: { type: 'string' }, reason: { type: 'string' } },
  });
  if (positionals.length !== 1 || (values.at === undefined) === !values.now)
    throw new UsageError('reschedule takes ID and either --at ISO-TIME or --now');
  if (values.at !== undefined && (!/(Z|[+-]\d{2}:\d{2})$/.test(values.at) || Number.isNaN(Date.parse(values.at)))) {
    throw new UsageError(`--at must be an ISO 8601 time with a zone, e.g. 2026-12-01T09:00:00Z, not "${values.at}"`);
  }
  const identity = await authorisedCaller(config, 'operator', 'moving a scheduled wait');
  const receipt = await reschedule(client, positionals[0]!, {
    step: values.step,
    at: values.at,
    now: values.now,
    by: identity.operator,
    identity,
    reason: values.reason,
  });
  io.stdout(receipt.message);
  return 0;
}

async function watch(client: Client, args: string[], io: Io): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new UsageError('watch takes one workflow ID');
  const status = await followRun(client, positionals[0]!, io.stdout, io.isTty);
  io.stdout(`run ${status.state}`);
  return status.state === 'completed' ? 0 : 1;
}

const COMMANDS: Record<string, (client: Client, config: OvertureConfig, args: string[], io: Io) => Promise<number>> = {
  status: (c, _cfg, a, io) => showStatus(c, a, io),
  list: (c, _cfg, a, io) => list(c, a, io),
  watch: (c, _cfg, a, io) => watch(c, a, io),
  escalations: (c, _cfg, a, io) => escalations(c, a, io),
  resolve: (c, cfg, a, io) => (a.includes('--all') ? resolveAll(c, cfg, a, io) : resolve(c, cfg, a, io)),
  approve: (c, cfg, a, io) => approve(c, cfg, a, io),
  complete: (c, cfg, a, io) => complete(c, cfg, a, io),
  inject: (c, cfg, a, io) => inject(c, cfg, a, io),
  reschedule: (c, cfg, a, io) => rescheduleRun(c, cfg, a, io),
  schedule: (c, cfg, a, io) => schedule(c, cfg, a, io),
  systems: (c, cfg, a, io) => systems(c, cfg, a, io),
  deployment: (c, cfg, a, io) => deployment(c, cfg, a, io),
};

/** Runs the CLI with the given arguments and returns its exit code. */
export async function runCli(argv: string[], io: Io = defaultIo): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  const shortcut = SHORTCUTS.get(command);
  if (!run && !shortcut && !['start', 'processes', 'emit', 'operators', 'keys', 'new'].includes(command)) {
    io.stderr(`unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  let client: Client | undefined;
  try {
    refuseTypedName(args);
    if (command === 'processes') return processes(args, io);
    // Writes files in this checkout: no configuration, no Temporal.
    if (command === 'new')
      return await newProcess(args, io, {
        // The sources' root: the compiled build's REPO_ROOT is dist/, inside it (a new process is TypeScript).
        root: path.extname(__filename) === '.js' ? path.dirname(REPO_ROOT) : REPO_ROOT,
        installed: INSTALLED.map((p) => p.folder),
        workflowTypes: PROCESSES.map((p) => p.workflowType),
      });
    const config = loadConfig();
    // The machine administrator's commands, on this machine's operator store: no token, the files are the boundary.
    if (command === 'operators') return await operators(config, args, io);
    // keys works on the key file: it needs neither Temporal nor the keys being usable already.
    if (command === 'keys') return keys(config, args, io);
    // emit talks to the event gateway, not to Temporal.
    if (command === 'emit') return await emit(config, args, io);
    if (shortcut || command === 'start') {
      const request = shortcut ? prepareStart(shortcut.process, args, io, command) : prepareStart(args[0], args.slice(1), io);
      await authorisedCaller(config, 'operator', 'starting a run');
      client = await connectClient(config);
      return await start(client, config, request, io);
    }
    client = await connectClient(config);
    return await run!(client, config, args, io);
  } catch (err) {
    return reportError(err, io);
  } finally {
    await client?.connection.close();
  }
}

function reportError(err: unknown, io: Io): number {
  if (err instanceof InputError || err instanceof UsageError || err instanceof ConfigError || err instanceof UnknownProcessError) {
    io.stderr(err.message);
    return 2;
  }
  if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
    io.stderr(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  // A TLS failure says which certificate or variable is wrong; exit 1, as for any server that cannot be reached.
  if (err instanceof TemporalConnectionError) {
    io.stderr(`cannot reach Temporal: ${err.message}`);
    return 1;
  }
  if (err instanceof WorkflowUpdateFailedError) {
    io.stderr(`refused: ${err.cause?.message ?? err.message}`);
    return 1;
  }
  if (err instanceof WorkflowFailedError) {
    io.stderr(`run failed: ${err.cause?.message ?? err.message}`);
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  // A decision sent to a run that ended meanwhile (and that its status does not show as this decision).
  if (/already completed/i.test(message)) io.stderr(`the run has already ended; nothing changed (${message})`);
  else if (/not found/i.test(message)) io.stderr(`no such run: ${message}`);
  else if (/connect|UNAVAILABLE|ECONNREFUSED/i.test(message))
    io.stderr(`cannot reach Temporal: ${message}\nIs the stack running? Start it with: npm start`);
  else io.stderr(message);
  return 1;
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => exitAfterOutput(code),
    (err: unknown) => {
      console.error(err);
      exitAfterOutput(1);
    },
  );
}
