/**
 * Starting runs: the input validated against the process's schema (bad input starts nothing), the options frozen
 * into it, the run named by its business key; starting it again returns the run that has that name.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  type Client,
  type Workflow,
  type WorkflowHandle,
} from '@temporalio/client';
import type { OvertureConfig } from '../config/platform';
import { faultableSteps, findProcess, manualStepsFor, optionsFor, type ProcessDefinition } from '../registry';
import type { ScheduledRun } from '../../workflows/kit/scheduled-start';
import { initialRunAttributes } from '../../workflows/kit/search-attributes';
import { InputError, parseInput } from '../../workflows/kit/input';
import type { ProcessOptions } from '../../workflows/kit/types';
import { FAULT_SYNTAX, isFault, type FaultMode } from '../../workflows/kit/vocabulary';

export interface StartedRun<W extends Workflow = Workflow> {
  process: string;
  workflowId: string;
  runId: string;
  /** True when a run with this id already existed and was returned instead of starting another. */
  alreadyStarted: boolean;
  handle: WorkflowHandle<W>;
}

export interface StartOptions {
  faults?: Partial<Record<string, FaultMode>>;
  /** Steps a person does by hand in this run (`all`: every step a person can do), beside those MANUAL_STEPS configures. */
  manual?: readonly string[];
  /** Adjusts the options frozen into the run, e.g. shorter timers in tests; it keeps a process's own options. */
  tuneOptions?: <O extends ProcessOptions>(options: O) => O;
}

/**
 * How to start a run of a process, as plain data: the workflow, its id, its arguments with the options frozen
 * in, its first search attributes and what the Temporal UI shows. A client starts it, a schedule's workflow
 * starts it as a child: either way the run looks the same.
 */
export interface RunStart extends ScheduledRun {
  /** A failed or aborted run may be run again; a running or completed one stands. */
  workflowIdReusePolicy: typeof WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY;
}

/**
 * Refuses faults a run could not take live either: each on a step of the process (or of one it starts), within the
 * bounds of a live injection (workflows/kit/vocabulary.ts), so `--inject x=transient:1000` starts nothing.
 */
function checkStartFaults(definition: ProcessDefinition<unknown, unknown>, faults: Partial<Record<string, FaultMode>>): void {
  const steps = faultableSteps(definition);
  const problems = Object.entries(faults).flatMap(([step, fault]) => {
    if (!steps.includes(step)) return [`faults.${step}: unknown step; steps are ${steps.join(', ')}`];
    return fault === undefined || isFault(fault) ? [] : [`faults.${step}: a fault is ${FAULT_SYNTAX}`];
  });
  if (problems.length) throw new InputError(problems, `${definition.shape.name} faults`);
}

/** Validates the input against the process's schema and freezes the run's options; throws InputError on bad input. */
export function prepareRunStart(
  config: OvertureConfig,
  definition: ProcessDefinition<unknown, unknown>,
  raw: unknown,
  opts: StartOptions = {},
): RunStart {
  const processName = definition.shape.name;
  const input = parseInput(definition.inputSchema, raw, `${processName} input`);
  checkStartFaults(definition, opts.faults ?? {});
  const manualSteps = manualStepsFor(config, definition, opts.manual);
  // Only a run with manual steps carries the field: every other run's input stays as it always was.
  const base = { ...optionsFor(config, definition), faults: opts.faults ?? {}, ...(manualSteps.length ? { manualSteps } : {}) };
  const options = opts.tuneOptions ? opts.tuneOptions(base) : base;
  const { summary, details } = definition.describe(input);
  return {
    process: processName,
    workflowType: definition.workflowType,
    workflowId: definition.workflowId(input),
    args: definition.workflowArgs(input, options),
    typedSearchAttributes: initialRunAttributes(processName),
    staticSummary: summary,
    staticDetails: details,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
  };
}

/** The options of Temporal's start (and signal-with-start) for a run, on the configured task queue. */
export function startOptionsOf(run: RunStart, config: OvertureConfig) {
  const { workflowId, args, typedSearchAttributes, staticSummary, staticDetails, workflowIdReusePolicy } = run;
  return {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowId,
    args,
    typedSearchAttributes,
    staticSummary,
    staticDetails,
    workflowIdReusePolicy,
  };
}

/**
 * Validates the input against the process's schema and starts a run, or returns the run that already has
 * this input's workflow id. Throws InputError (and starts nothing) on bad input.
 */
export async function startProcess(
  client: Client,
  config: OvertureConfig,
  processName: string,
  raw: unknown,
  opts: StartOptions = {},
): Promise<StartedRun> {
  const run = prepareRunStart(config, findProcess(processName, { startable: true }), raw, opts);
  const { workflowId } = run;
  try {
    const handle = await client.workflow.start(run.workflowType, startOptionsOf(run, config));
    return { process: processName, workflowId, runId: handle.firstExecutionRunId, alreadyStarted: false, handle };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    return { process: processName, workflowId, runId: description.runId, alreadyStarted: true, handle };
  }
}
