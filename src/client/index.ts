/**
 * Overture's client: start onboardings, read where runs are, and carry people's decisions to them.
 * The CLI, the console, the benchmark and the tests all go through here.
 */
import {
  ApplicationFailure,
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  isGrpcCancelledError,
  isGrpcDeadlineError,
  type Workflow,
  type WorkflowHandle,
} from '@temporalio/client';
import type { onboarding } from '../../workflows/onboarding/workflow';
import type { ScheduledRun } from '../../workflows/kit/scheduled-start';
import type { OvertureConfig } from '../config';
import { dataConverterFor } from '../temporal/codec/data-converter';
import { clientTracingInterceptors, startTracing } from '../temporal/observability/tracing';
import { connectExplained, temporalConnectionOptions } from '../temporal/connect';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { FINAL_RUN_STATES } from '../../workflows/kit/types';
import { parseInput } from '../../workflows/kit/input';
import { findProcess, PROCESSES, type ProcessDefinition } from '../registry';
import type { EventRoute } from '../registry/types';
import { onboardingWorkflowId } from '../processes/onboarding';
import { answerQuestionUpdate, fanOutProgressQuery, injectFaultUpdate, rescheduleUpdate, resolveEscalationUpdate, statusQuery, eventSignal, type ProcessEvent } from '../../workflows/kit';
import { checkAnswerForm, checkEscalationForm, checkInjectionForm, checkRescheduleForm, DECISION_LIMITS, tooMany } from '../../workflows/kit/limits';
import { BLOCKING_STEP, initialRunAttributes, NEEDS_ATTENTION, PROCESS, RUN_STATE, WAITING_SINCE } from '../../workflows/kit/search-attributes';
import type {
  DecisionReceipt,
  EscalationDecision,
  FaultMode,
  ProcessOptions,
  QuestionAnswer,
  QuestionStatus,
  RescheduleRequest,
  RunStatus as WorkflowRunStatus,
} from '../../workflows/kit/types';

export { onboardingWorkflowId };

/**
 * Connects a Temporal client to the configured server and namespace (over TLS, with an API key, when configured),
 * with the payload encryption of the configuration (src/codec); throws a ConfigError before connecting when
 * encryption is on and no key is configured, and a TemporalConnectionError that says why a TLS handshake fails.
 */
export async function connectClient(config: OvertureConfig): Promise<Client> {
  const dataConverter = dataConverterFor(config);
  // Lazy, then connected: a TLS failure explained early closes it, so gRPC stops retrying until its deadline.
  const lazy = Connection.lazy(temporalConnectionOptions(config));
  const connection = await connectExplained(config, () => lazy.ensureConnected().then(() => lazy), (c) => c.close(), () => void lazy.close());
  // A run started here begins its trace here when tracing is configured (src/observability).
  const interceptors = clientTracingInterceptors(startTracing(config, 'client'));
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter, ...(interceptors ? { interceptors } : {}) });
}

export interface StartedRun<W extends Workflow = Workflow> {
  process: string;
  workflowId: string;
  runId: string;
  /** True when a run with this id already existed and was returned instead of starting another. */
  alreadyStarted: boolean;
  handle: WorkflowHandle<W>;
}

export type StartedOnboarding = StartedRun<typeof onboarding>;

export interface StartOptions {
  faults?: Partial<Record<string, FaultMode>>;
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

/** Validates the input against the process's schema and freezes the run's options; throws InputError on bad input. */
export function prepareRunStart(config: OvertureConfig, definition: ProcessDefinition<unknown>, raw: unknown, opts: StartOptions = {}): RunStart {
  const processName = definition.shape.name;
  const input = parseInput(definition.inputSchema, raw, `${processName} input`);
  const base = { ...definition.options(config), faults: opts.faults ?? {} };
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
function startOptionsOf(run: RunStart, config: OvertureConfig) {
  const { workflowId, args, typedSearchAttributes, staticSummary, staticDetails, workflowIdReusePolicy } = run;
  return { taskQueue: config.TEMPORAL_TASK_QUEUE, workflowId, args, typedSearchAttributes, staticSummary, staticDetails, workflowIdReusePolicy };
}

/**
 * Validates the input against the process's schema and starts a run, or returns the run that already has
 * this input's workflow id. Throws InputError (and starts nothing) on bad input.
 */
export async function startProcess(client: Client, config: OvertureConfig, processName: string, raw: unknown, opts: StartOptions = {}): Promise<StartedRun> {
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

/** Starts an employee's onboarding (the shortcut of `overture onboard`). */
export async function startOnboarding(client: Client, config: OvertureConfig, raw: unknown, opts: StartOptions = {}): Promise<StartedOnboarding> {
  return (await startProcess(client, config, 'onboarding', raw, opts)) as StartedOnboarding;
}

/** A run's status needs a worker to answer its query, and none did in time. */
export class NoWorkerError extends Error {
  override readonly name = 'NoWorkerError';
}

export interface RunStatus extends WorkflowRunStatus {
  /** Temporal's own view: RUNNING, COMPLETED, FAILED, TERMINATED… */
  execution: { status: string; runId: string; historyLength: number };
}

/**
 * The run's status query, completed with what only the server knows while a step is in flight:
 * the live attempt number and last error of activities being retried.
 */
export async function getRunStatus(client: Client, workflowId: string, queryTimeoutMs = 10_000): Promise<RunStatus> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  let status: WorkflowRunStatus;
  const deadline = Date.now() + queryTimeoutMs;
  try {
    // Only a worker can answer a query: without one it would wait for the RPC's own, much longer, deadline.
    status = await client.withDeadline(deadline, () => handle.query(statusQuery));
  } catch (err) {
    // grpc-js reports an expired deadline as DEADLINE_EXCEEDED, or now and then as CANCELLED.
    const timedOut = isGrpcDeadlineError(err) || (isGrpcCancelledError(err) && Date.now() >= deadline);
    if (!timedOut) throw err;
    throw new NoWorkerError(`no worker answered the status query of ${workflowId} within ${queryTimeoutMs / 1000} s: is a worker polling task queue ${description.taskQueue}? (npm run worker)`);
  }
  for (const pending of description.raw.pendingActivities ?? []) {
    const stepName = pending.activityType?.name;
    const step = status.steps.find((s) => s.step === stepName);
    if (!step || step.state !== 'running') continue;
    const attempt = pending.attempt ?? 1;
    step.attempts += attempt;
    if (attempt > 1 || pending.lastFailure) {
      step.state = 'retrying';
      // The message is in the failure's (encrypted) encoded attributes: decoded with the client's converter.
      const lastFailure = await decodeOptionalFailureToOptionalError(client.options.loadedDataConverter, pending.lastFailure);
      step.lastError = lastFailure?.message ?? step.lastError;
    }
  }
  await addFanOutProgress(client, status, description.raw.pendingChildren ?? []);
  return {
    ...status,
    execution: { status: description.status.name, runId: description.runId, historyLength: description.historyLength },
  };
}

/** A running fan-out step's live counts, from its fan-out workflow (the run itself learns them when it joins). */
async function addFanOutProgress(client: Client, status: WorkflowRunStatus, children: Array<{ workflowId?: string | null; workflowTypeName?: string | null }>): Promise<void> {
  for (const child of children) {
    if (child.workflowTypeName !== 'fanOut' || !child.workflowId) continue;
    const stepName = child.workflowId.slice(status.workflowId.length + 1).replace(/#\d+$/, '');
    const step = status.steps.find((s) => s.step === stepName);
    if (!step || step.state !== 'running') continue;
    try {
      const progress = await client.workflow.getHandle(child.workflowId).query(fanOutProgressQuery);
      const { total, running, completed, failed, failedItems } = progress;
      const counts = { total, running, completed, failed, failedItems };
      // Items completed in earlier rounds (before a retry) are in the run's own counts.
      const earlier = step.fanOut ? step.fanOut.completed : 0;
      step.fanOut = { ...counts, total: step.fanOut?.total ?? counts.total, completed: earlier + counts.completed };
    } catch {
      // The fan-out's worker did not answer: the run's own counts stand.
    }
  }
}

export interface RunSummary {
  workflowId: string;
  runId: string;
  process: string;
  state: string;
  step?: string;
  needsAttention: boolean;
  waitingSince?: string;
  startedAt: string;
  closedAt?: string;
  execution: string;
}

export interface ListFilters {
  state?: string;
  process?: string;
  needsAttention?: boolean;
  /** Only runs on this task queue: one deployment's runs when several share a namespace. */
  taskQueue?: string;
  limit?: number;
}

const FINAL_STATES = new Set<string>(FINAL_RUN_STATES);

const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The visibility query for a set of filters. */
export function listQuery(filters: ListFilters): string {
  const processes = filters.process ? [filters.process] : PROCESSES.map((p) => p.shape.name);
  const clauses = [`${PROCESS.name} IN (${processes.map(quote).join(', ')})`];
  if (filters.state) clauses.push(`${RUN_STATE.name} = ${quote(filters.state)}`);
  // A run terminated while it waited keeps its last attributes; only open runs can still need a person.
  if (filters.needsAttention === true) clauses.push(`${NEEDS_ATTENTION.name} = true AND ExecutionStatus = 'Running'`);
  if (filters.needsAttention === false) clauses.push(`(${NEEDS_ATTENTION.name} = false OR ExecutionStatus != 'Running')`);
  if (filters.taskQueue) clauses.push(`TaskQueue = ${quote(filters.taskQueue)}`);
  return clauses.join(' AND ');
}

/** Runs that match the filters, those waiting longest for a person first, then the newest. */
export async function listRuns(client: Client, filters: ListFilters = {}): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  for await (const execution of client.workflow.list({ query: listQuery(filters) })) {
    const attrs = execution.typedSearchAttributes;
    const open = execution.status.name === 'RUNNING';
    const recorded = attrs.get(RUN_STATE);
    // A run ended from outside (terminated, timed out) never recorded a final state: Temporal's status says it.
    const state = !open && (!recorded || !FINAL_STATES.has(recorded)) ? execution.status.name.toLowerCase() : recorded ?? 'running';
    const waitingSince = open ? attrs.get(WAITING_SINCE) : undefined;
    runs.push({
      workflowId: execution.workflowId,
      runId: execution.runId,
      process: attrs.get(PROCESS) ?? execution.type,
      state,
      step: open ? attrs.get(BLOCKING_STEP) : undefined,
      needsAttention: open && (attrs.get(NEEDS_ATTENTION) ?? false),
      waitingSince: waitingSince?.toISOString(),
      startedAt: execution.startTime.toISOString(),
      closedAt: execution.closeTime?.toISOString(),
      execution: execution.status.name,
    });
    if (filters.limit && runs.length >= filters.limit) break;
  }
  return runs.sort((a, b) => {
    if (a.waitingSince && b.waitingSince) return a.waitingSince.localeCompare(b.waitingSince);
    if (a.waitingSince) return -1;
    if (b.waitingSince) return 1;
    return b.startedAt.localeCompare(a.startedAt);
  });
}

/**
 * Refuses, before sending, what the run's validator would refuse whatever the run's state (over the kit's
 * limits, malformed): the same error, with the same message, as the run's own refusal.
 */
function refuseEarly(check: () => void): void {
  try {
    check();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ message, type: 'DecisionRefused', nonRetryable: true }));
  }
}

/**
 * Sends a decision on an escalated step; the validator's refusal surfaces as a rejected promise. The update id is
 * the decision id unless one is given (a bulk repeat gives a fresh one, so that the run itself acknowledges it).
 */
export async function resolveEscalation(client: Client, workflowId: string, decision: EscalationDecision, updateId?: string): Promise<DecisionReceipt> {
  refuseEarly(() => checkEscalationForm(decision));
  const handle = client.workflow.getHandle(workflowId);
  return handle.executeUpdate(resolveEscalationUpdate, { args: [decision], updateId: updateId ?? decision.decisionId });
}

/** Answers an approval, a manual task or a process's own question. */
export async function answerQuestion(client: Client, workflowId: string, answer: QuestionAnswer): Promise<DecisionReceipt> {
  refuseEarly(() => checkAnswerForm(answer));
  const handle = client.workflow.getHandle(workflowId);
  return handle.executeUpdate(answerQuestionUpdate, { args: [answer], updateId: answer.decisionId });
}

/** Sends the approver's decision (the only open approval or question of the run, unless one is named). */
export function decideApproval(client: Client, workflowId: string, decision: QuestionAnswer): Promise<DecisionReceipt> {
  return answerQuestion(client, workflowId, decision);
}

/**
 * Injects (or clears, with no fault) a failure into a step of a running run. Given the run's status (as the
 * CLI and the console have it), a run that has taken its share of injections is refused before sending.
 */
export async function injectFault(client: Client, workflowId: string, step: string, fault?: FaultMode, known?: Pick<WorkflowRunStatus, 'injections'>): Promise<DecisionReceipt> {
  refuseEarly(() => {
    checkInjectionForm(fault === undefined ? { step } : { step, fault });
    const refusal = tooMany(known?.injections ?? 0, DECISION_LIMITS.injectionsPerRun, 'fault injections', 'retry, skip and abort still work');
    if (refusal) throw refusal;
  });
  const handle = client.workflow.getHandle(workflowId);
  return handle.executeUpdate(injectFaultUpdate, { args: [{ step, fault }] });
}

/** Moves a run's scheduled wait to a new time (`at`) or to now; the validator's refusal surfaces as a rejected promise. */
export async function reschedule(client: Client, workflowId: string, request: RescheduleRequest): Promise<DecisionReceipt> {
  refuseEarly(() => checkRescheduleForm(request));
  return client.workflow.getHandle(workflowId).executeUpdate(rescheduleUpdate, { args: [request], updateId: request.decisionId });
}

/** Delivers an event to a running run (a run waiting for it takes it; an early one is kept). */
export async function sendEvent(client: Client, workflowId: string, event: ProcessEvent): Promise<void> {
  await client.workflow.getHandle(workflowId).signal(eventSignal, event);
}

/** An event ready to deliver: validated, its run found from its correlation key, and how to start that run if none is open. */
export interface EventDelivery {
  event: ProcessEvent;
  run: RunStart;
}

/**
 * Validates an event's data with its route's schema, and the start input the route derives from it with the
 * process's schema; throws InputError (naming fields, never values) on either. Nothing is sent.
 */
export function prepareEventDelivery(
  config: OvertureConfig,
  definition: ProcessDefinition<unknown>,
  route: EventRoute,
  event: { id: string; data: unknown },
  opts: StartOptions = {},
): EventDelivery {
  const data = parseInput(route.schema, event.data, `${route.type} event data`);
  const run = prepareRunStart(config, definition, route.startInput(data), opts);
  return { event: { type: route.type, id: event.id, data: data as Record<string, unknown> }, run: { ...run, workflowId: route.workflowId(data) } };
}

export interface DeliveredEvent {
  process: string;
  workflowId: string;
  runId: string;
  /** True when no run was open and the event started one. */
  started: boolean;
}

/** The run id of the open run with this workflow id, if there is one. */
async function openRunId(client: Client, workflowId: string): Promise<string | undefined> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    return description.status.name === 'RUNNING' ? description.runId : undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/**
 * Signals the event to its open run, or starts the run with the event as its first signal: one atomic
 * signal-with-start, so an event arriving before its run is never lost. Throws WorkflowExecutionAlreadyStartedError
 * when the run already completed: like startProcess, a completed run is never started again.
 */
export async function deliverEvent(client: Client, config: OvertureConfig, delivery: EventDelivery): Promise<DeliveredEvent> {
  const { run } = delivery;
  // Temporal's reply says whether it started a run, but the SDK drops it: the open run before tells instead.
  const before = await openRunId(client, run.workflowId);
  const handle = await client.workflow.signalWithStart(run.workflowType, {
    ...startOptionsOf(run, config),
    signal: eventSignal,
    signalArgs: [delivery.event],
  });
  return { process: run.process, workflowId: run.workflowId, runId: handle.signaledRunId, started: handle.signaledRunId !== before };
}

/**
 * The one place decision ids are made, for the CLI and the console alike: the same decision on the same
 * question has the same id, so a decision sent twice (a double click, a retried command) is acknowledged
 * the second time instead of applied again.
 */
export function decisionIdFor(question: Pick<QuestionStatus, 'id'>, decision: string): string {
  return `${question.id}:${decision}`;
}

/** The decision id of an escalation decision on the step's latest escalation. */
export function escalationDecisionId(status: WorkflowRunStatus, step: string, action: string): string | undefined {
  const latest = status.questions.filter((q) => q.kind === 'escalation' && q.step === step).pop();
  return latest ? decisionIdFor(latest, action) : undefined;
}

/** The question an answer is for: the named one (by id or step), or the run's only open non-escalation question. */
export function questionFor(status: WorkflowRunStatus, name?: string): QuestionStatus | undefined {
  const open = status.questions.filter((q) => q.open && q.kind !== 'escalation');
  if (name === undefined) return open.length === 1 ? open[0] : undefined;
  return status.questions.find((q) => q.id === name) ?? open.find((q) => q.step === name);
}

/** A question a run is waiting on a person to answer. */
export interface OpenQuestion {
  workflowId: string;
  process: string;
  question: string;
  kind: QuestionStatus['kind'];
  step: string;
  /** The step's error, what awaits approval, the task's instructions, or the question. */
  detail: string;
  choices: string[];
  requiredOutput: string[];
  since: string;
  /** Index of the contact currently asked (0 = first). */
  level: number;
}

/**
 * Every open question across runs. Runs are found through search attributes; a run whose worker does not
 * answer within a few seconds is still listed, from its search attributes alone.
 */
export async function listOpenQuestions(client: Client, filters: Pick<ListFilters, 'taskQueue' | 'process'> = {}, queryTimeoutMs = 3_000): Promise<OpenQuestion[]> {
  const waiting = await listRuns(client, { ...filters, needsAttention: true });
  const perRun = await Promise.all(
    waiting.map(async (run): Promise<OpenQuestion[]> => {
      try {
        const status = await getRunStatus(client, run.workflowId, queryTimeoutMs);
        return status.questions
          .filter((q) => q.open)
          .map((q) => ({
            workflowId: run.workflowId,
            process: run.process,
            question: q.id,
            kind: q.kind,
            step: q.step,
            detail: q.prompt,
            choices: q.choices,
            requiredOutput: q.requiredOutput,
            since: q.openedAt,
            level: q.level,
          }));
      } catch {
        return [
          {
            workflowId: run.workflowId,
            process: run.process,
            question: '',
            kind: run.state === 'needs_attention' ? 'escalation' : 'approval',
            step: run.step ?? 'unknown',
            detail: '(details unavailable: no worker answered the status query)',
            choices: [],
            requiredOutput: [],
            since: run.waitingSince ?? run.startedAt,
            level: 0,
          },
        ];
      }
    }),
  );
  return perRun.flat().sort((a, b) => a.since.localeCompare(b.since));
}
