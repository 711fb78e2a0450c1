/**
 * The `overture` command line: start onboardings, see where runs are, and act on the ones that need a person.
 *
 * Exit codes: 0 done, 1 failed (server unreachable, decision refused, run failed), 2 bad input or usage.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ConfigError, loadConfig, type OvertureConfig } from './config';
import {
  connectClient,
  decideApproval,
  escalationDecisionId,
  getRunStatus,
  injectFault,
  listOpenQuestions,
  listRuns,
  resolveEscalation,
  startOnboarding,
} from './client';
import { InputError, parseFaultSpec, parseNewHire } from './schemas';
import { formatRunList, formatStatus, followRun } from './cli-output';
import type { FaultMode, OnboardingStep } from '../workflows/onboarding-types';

const USAGE = `usage: overture <command> [options]

  onboard FILE|-  [--inject STEP=MODE]... [--wait] [--json]   start an onboarding (JSON from a file or stdin)
  status ID [--json]                                          where a run is, step by step
  watch ID                                                    follow a run live until it ends
  list [--status S] [--process P] [--needs-attention] [--task-queue Q] [--json]
                                                              runs, longest-waiting first
  escalations [--task-queue Q] [--json]                       open escalations and approvals across runs
  resolve ID --step STEP --action retry|skip|abort [--reason TEXT] [--by NAME] [--output JSON]
  approve ID --decision approve|reject [--reason TEXT] [--by NAME]
  inject ID STEP=MODE                                         MODE: transient:N, permanent, latency:MS, none

Configuration comes from the environment (see README): TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ...`;

/** A usage mistake: exit code 2, nothing started. */
class UsageError extends Error {}

interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => string;
  isTty: boolean;
}

const defaultIo: Io = {
  stdout: (t) => process.stdout.write(t + '\n'),
  stderr: (t) => process.stderr.write(t + '\n'),
  readStdin: () => fs.readFileSync(0, 'utf8'),
  isTty: Boolean(process.stdout.isTTY),
};

function readInput(source: string, io: Io): unknown {
  let text: string;
  try {
    text = source === '-' ? io.readStdin() : fs.readFileSync(source, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError([`(input): not valid JSON (${(err as Error).message})`]);
  }
}

function faultsFrom(specs: string[]): Partial<Record<OnboardingStep, FaultMode>> {
  const faults: Partial<Record<OnboardingStep, FaultMode>> = {};
  for (const spec of specs) {
    const { step, fault } = parseFaultSpec(spec);
    if (fault) faults[step] = fault;
  }
  return faults;
}

function operator(by: string | undefined): string {
  return by ?? process.env.OVERTURE_OPERATOR ?? process.env.USER ?? 'cli';
}

interface OnboardRequest {
  raw: unknown;
  faults: Partial<Record<OnboardingStep, FaultMode>>;
  wait: boolean;
  json: boolean;
}

/** Reads and validates everything `onboard` needs before any connection is made: bad input starts nothing. */
function prepareOnboard(args: string[], io: Io): OnboardRequest {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { inject: { type: 'string', multiple: true }, wait: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new UsageError('onboard takes one FILE (or - for stdin)');
  const raw = readInput(positionals[0]!, io);
  parseNewHire(raw);
  return { raw, faults: faultsFrom(values.inject ?? []), wait: values.wait ?? false, json: values.json ?? false };
}

async function onboard(client: Client, config: OvertureConfig, request: OnboardRequest, io: Io): Promise<number> {
  const started = await startOnboarding(client, config, request.raw, { faults: request.faults });
  if (!request.json) {
    io.stdout(
      started.alreadyStarted
        ? `onboarding already exists: ${started.workflowId} (run ${started.runId}); not starting another`
        : `started ${started.workflowId} (run ${started.runId})`,
    );
    io.stdout(`history: ${config.temporalUiUrl}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${started.workflowId}`);
  }
  if (!request.wait) {
    if (request.json) io.stdout(JSON.stringify({ workflowId: started.workflowId, runId: started.runId, alreadyStarted: started.alreadyStarted }));
    return 0;
  }
  const status = await followRun(client, started.workflowId, request.json ? undefined : io.stdout, io.isTty && !request.json);
  if (request.json) io.stdout(JSON.stringify({ ...status, alreadyStarted: started.alreadyStarted }, null, 2));
  else io.stdout(`run ${status.state}`);
  return status.state === 'completed' ? 0 : 1;
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
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' }, 'task-queue': { type: 'string' } } });
  const open = await listOpenQuestions(client, { taskQueue: values['task-queue'] });
  if (values.json) io.stdout(JSON.stringify(open, null, 2));
  else if (open.length === 0) io.stdout('no open escalations or approvals');
  else for (const o of open) io.stdout(`${o.since}  ${o.workflowId}  ${o.kind}  ${o.step}  ${o.detail}`);
  return 0;
}

async function resolve(client: Client, args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { step: { type: 'string' }, action: { type: 'string' }, reason: { type: 'string' }, by: { type: 'string' }, output: { type: 'string' } },
  });
  if (positionals.length !== 1 || !values.step || !values.action) throw new UsageError('resolve takes ID --step STEP --action retry|skip|abort');
  if (!['retry', 'skip', 'abort'].includes(values.action)) throw new UsageError(`--action must be retry, skip or abort, not "${values.action}"`);
  let output: Record<string, string> | undefined;
  if (values.output) {
    try {
      output = JSON.parse(values.output) as Record<string, string>;
    } catch {
      throw new UsageError('--output must be a JSON object, e.g. {"workspaceUrl":"https://..."}');
    }
  }
  const workflowId = positionals[0]!;
  const step = values.step as OnboardingStep;
  const status = await getRunStatus(client, workflowId);
  const receipt = await resolveEscalation(client, workflowId, {
    step,
    action: values.action as 'retry' | 'skip' | 'abort',
    by: operator(values.by),
    reason: values.reason,
    output,
    decisionId: escalationDecisionId(status, step, values.action),
  });
  io.stdout(receipt.message);
  return 0;
}

async function approve(client: Client, args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { decision: { type: 'string' }, reason: { type: 'string' }, by: { type: 'string' } },
  });
  if (positionals.length !== 1 || !values.decision) throw new UsageError('approve takes ID --decision approve|reject');
  if (!['approve', 'reject'].includes(values.decision)) throw new UsageError(`--decision must be approve or reject, not "${values.decision}"`);
  const workflowId = positionals[0]!;
  const receipt = await decideApproval(client, workflowId, {
    decision: values.decision as 'approve' | 'reject',
    by: operator(values.by),
    reason: values.reason,
    decisionId: `approval:${values.decision}`,
  });
  io.stdout(receipt.message);
  return 0;
}

async function inject(client: Client, args: string[], io: Io): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 2) throw new UsageError('inject takes ID STEP=MODE');
  const { step, fault } = parseFaultSpec(positionals[1]!);
  const receipt = await injectFault(client, positionals[0]!, step, fault);
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
  resolve: (c, _cfg, a, io) => resolve(c, a, io),
  approve: (c, _cfg, a, io) => approve(c, a, io),
  inject: (c, _cfg, a, io) => inject(c, a, io),
};

/** Runs the CLI with the given arguments and returns its exit code. */
export async function runCli(argv: string[], io: Io = defaultIo): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run && command !== 'onboard') {
    io.stderr(`unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  let client: Client | undefined;
  try {
    const config = loadConfig();
    if (command === 'onboard') {
      const request = prepareOnboard(args, io);
      client = await connectClient(config);
      return await onboard(client, config, request, io);
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
  if (err instanceof InputError || err instanceof UsageError || err instanceof ConfigError) {
    io.stderr(err.message);
    return 2;
  }
  if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
    io.stderr(`${err.message}\n\n${USAGE}`);
    return 2;
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
  if (/not found/i.test(message)) io.stderr(`no such run: ${message}`);
  else if (/connect|UNAVAILABLE|ECONNREFUSED/i.test(message)) io.stderr(`cannot reach Temporal: ${message}\nIs the stack running? Start it with: npm start`);
  else io.stderr(message);
  return 1;
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
