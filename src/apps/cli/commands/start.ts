/**
 * `overture start PROCESS FILE|-` and the shortcuts processes add (e.g. `overture onboard FILE`): starts a run with its
 * input, after checking that input and the caller's token, and optionally follows it to its end.
 */
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import type { OvertureConfig } from '../../../config';
import { startProcess } from '../../../client';
import { parseFaultSpec, parseInput } from '../../../../workflows/kit/input';
import { FAULT_SYNTAX } from '../../../../workflows/kit/vocabulary';
import type { FaultMode } from '../../../../workflows/kit/types';
import { familyShapes, findProcess, STARTABLE_PROCESSES } from '../../../registry';
import { parseManualList, resolveManualSteps } from '../../../../workflows/kit/manual-steps';
import { authorisedCaller } from '../identity';
import { decorates, readInput, UsageError, type Io } from '../io';
import { followRun } from '../output';
import type { CliCommand, CliEnv } from '../command';

const OPTIONS = ['inject=', 'manual=', 'wait', 'json'] as const;

const SYNOPSIS = 'FILE|- [--inject STEP=MODE]... [--manual STEPS] [--wait] [--json]';

const startUsage = (synopsis: string, what: string) => `usage: overture ${synopsis} ${SYNOPSIS}

${what}. FILE is the input as JSON (- reads stdin); it is checked before anything starts.

  --inject STEP=MODE   make a step fail for this run (MODE: ${FAULT_SYNTAX}); repeatable
  --manual STEPS       people do these steps by hand in this run (manual first, then automate): each waits as a
                       task with the step's instructions, done with overture complete ID --step STEP --output JSON.
                       STEPS: step names, comma-separated, or \`all\` for the whole run as a checklist; repeatable;
                       adds to MANUAL_STEPS. An approval, a fan-out or an event wait cannot be done by hand (exit 2)
  --wait               follow the run until it ends; exit 0 only when it completed
  --json               print {process, workflowId, runId, alreadyStarted}; with --wait, the run's final status
                       (as status --json) and alreadyStarted

Acts as the operator whose token you hold (OVERTURE_TOKEN, OVERTURE_TOKEN_FILE or ~/.config/overture/token).
Exit codes: 0 started (or completed with --wait), 1 failed or unreachable, 2 bad input or usage.`;

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
  /** Steps done by hand in this run, as given (checked against the process's steps). */
  manual: string[];
  wait: boolean;
  json: boolean;
}

/** Reads and validates everything `start` needs before any connection is made: bad input starts nothing. */
function prepareStart(processName: string | undefined, args: string[], io: Io, command: string): StartRequest {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      inject: { type: 'string', multiple: true },
      manual: { type: 'string', multiple: true },
      wait: { type: 'boolean' },
      json: { type: 'boolean' },
    },
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
  const manual = (values.manual ?? []).flatMap(parseManualList);
  // Refused here, before the token is read or Temporal reached: a step that cannot be done by hand starts nothing.
  resolveManualSteps(familyShapes(definition), manual, `${processName} --manual`);
  return {
    process: processName,
    raw,
    faults: faultsFrom(values.inject ?? [], steps),
    manual,
    wait: values.wait ?? false,
    json: values.json ?? false,
  };
}

async function start(client: Client, config: OvertureConfig, request: StartRequest, io: Io): Promise<number> {
  const started = await startProcess(client, config, request.process, request.raw, { faults: request.faults, manual: request.manual });
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
  const status = await followRun(client, started.workflowId, {
    print: request.json ? undefined : io.stdout,
    redraw: io.isTty && !request.json,
    icons: decorates(io),
  });
  if (request.json) io.stdout(JSON.stringify({ ...status, alreadyStarted: started.alreadyStarted }, null, 2));
  else io.stdout(`run ${status.state}`);
  return status.state === 'completed' ? 0 : 1;
}

/** Checks the input, then the caller's token, then connects and starts. */
async function startChecked(processName: string | undefined, args: string[], io: Io, env: CliEnv, command: string): Promise<number> {
  const request = prepareStart(processName, args, io, command);
  await authorisedCaller(env.config(), 'operator', 'starting a run');
  return start(await env.client(), env.config(), request, io);
}

/** `overture start PROCESS FILE|-`. */
export const command: CliCommand = {
  name: 'start',
  args: ['process', 'file'],
  summary: 'start a run of a process (input JSON from a file or stdin)',
  usage: startUsage('start PROCESS', 'Starts a run of PROCESS (see overture processes)'),
  options: OPTIONS,
  run: (args, io, env) => startChecked(args[0], args.slice(1), io, env, 'start'),
};

/** The commands the installed processes add as shortcuts of `start NAME` (e.g. `onboard FILE`). */
export const shortcutCommands: CliCommand[] = STARTABLE_PROCESSES.flatMap((p) =>
  p.shortcut
    ? [
        {
          name: p.shortcut.command,
          summary: p.shortcut.summary,
          usage: startUsage(p.shortcut.command, `${p.shortcut.summary}: the same as overture start ${p.shape.name} FILE`),
          options: OPTIONS,
          args: ['file'],
          run: (args: string[], io: Io, env) => startChecked(p.shape.name, args, io, env, p.shortcut!.command),
        } satisfies CliCommand,
      ]
    : [],
);
