/**
 * Overture's client: start onboardings, read where runs are, and carry people's decisions to them.
 * The CLI, the console, the benchmark and the tests all go through here.
 */
import {
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  isGrpcCancelledError,
  isGrpcDeadlineError,
  type WorkflowHandle,
} from '@temporalio/client';
import type { OvertureConfig } from './config';
import { onboardingOptionsFrom } from './config';
import { parseNewHire } from './schemas';
import { onboarding, decideApprovalUpdate, injectFaultUpdate, resolveEscalationUpdate, statusQuery } from '../workflows/onboarding';
import { BLOCKING_STEP, NEEDS_ATTENTION, PROCESS, RUN_STATE, WAITING_SINCE } from '../workflows/search-attributes';
import type {
  ApprovalDecision,
  DecisionReceipt,
  EscalationDecision,
  FaultMode,
  OnboardingOptions,
  OnboardingStatus,
  OnboardingStep,
} from '../workflows/onboarding-types';
import { ONBOARDING_STEPS } from '../workflows/onboarding-types';

/** The workflow ID of an employee's onboarding: the employee id only, never a name or an address. */
export function onboardingWorkflowId(employeeId: string): string {
  return `onboarding-${employeeId}`;
}

/** Connects a Temporal client to the configured server and namespace. */
export async function connectClient(config: OvertureConfig): Promise<Client> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}

export interface StartedOnboarding {
  workflowId: string;
  runId: string;
  /** True when a run for this employee already existed and was returned instead of starting another. */
  alreadyStarted: boolean;
  handle: WorkflowHandle<typeof onboarding>;
}

export interface StartOptions {
  faults?: Partial<Record<OnboardingStep, FaultMode>>;
  /** Adjusts the options frozen into the run, e.g. shorter timers in tests. */
  tuneOptions?: (options: OnboardingOptions) => OnboardingOptions;
}

/**
 * Validates the input and starts the employee's onboarding, or returns the employee's existing run.
 * Throws InputError (and starts nothing) on bad input.
 */
export async function startOnboarding(client: Client, config: OvertureConfig, raw: unknown, opts: StartOptions = {}): Promise<StartedOnboarding> {
  const hire = parseNewHire(raw);
  const base = { ...onboardingOptionsFrom(config), faults: opts.faults ?? {} };
  const options = opts.tuneOptions ? opts.tuneOptions(base) : base;
  const workflowId = onboardingWorkflowId(hire.employeeId);
  try {
    const handle = await client.workflow.start(onboarding, {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [{ hire, options }],
      // A failed or aborted onboarding may be run again; a running or completed one is returned instead.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      typedSearchAttributes: [
        { key: PROCESS, value: 'onboarding' },
        { key: RUN_STATE, value: 'running' },
        { key: NEEDS_ATTENTION, value: false },
      ],
      staticSummary: `Onboarding of employee ${hire.employeeId} into team ${hire.team}`,
      staticDetails: `Process: onboarding\nEmployee id: ${hire.employeeId}\nTeam: ${hire.team}\nRole: ${hire.role}`,
    });
    return { workflowId, runId: handle.firstExecutionRunId, alreadyStarted: false, handle };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const handle = client.workflow.getHandle<typeof onboarding>(workflowId);
    const description = await handle.describe();
    return { workflowId, runId: description.runId, alreadyStarted: true, handle };
  }
}

/** A run's status needs a worker to answer its query, and none did in time. */
export class NoWorkerError extends Error {
  override readonly name = 'NoWorkerError';
}

export interface RunStatus extends OnboardingStatus {
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
  let status: OnboardingStatus;
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
    if (!stepName || !(ONBOARDING_STEPS as readonly string[]).includes(stepName)) continue;
    const step = status.steps.find((s) => s.step === stepName);
    if (!step || step.state !== 'running') continue;
    const attempt = pending.attempt ?? 1;
    step.attempts += attempt;
    if (attempt > 1 || pending.lastFailure) {
      step.state = 'retrying';
      step.lastError = pending.lastFailure?.message ?? step.lastError;
    }
  }
  return {
    ...status,
    execution: { status: description.status.name, runId: description.runId, historyLength: description.historyLength },
  };
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

const FINAL_STATES = new Set(['completed', 'aborted', 'rejected', 'failed']);

const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The visibility query for a set of filters. */
export function listQuery(filters: ListFilters): string {
  const clauses = [`${PROCESS.name} = ${quote(filters.process ?? 'onboarding')}`];
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

/** Sends a decision on an escalated step; the validator's refusal surfaces as a rejected promise. */
export async function resolveEscalation(client: Client, workflowId: string, decision: EscalationDecision): Promise<DecisionReceipt> {
  const handle = client.workflow.getHandle(workflowId);
  return handle.executeUpdate(resolveEscalationUpdate, { args: [decision], updateId: decision.decisionId });
}

/** Sends the approver's decision on privileged permissions. */
export async function decideApproval(client: Client, workflowId: string, decision: ApprovalDecision): Promise<DecisionReceipt> {
  const handle = client.workflow.getHandle(workflowId);
  return handle.executeUpdate(decideApprovalUpdate, { args: [decision], updateId: decision.decisionId });
}

/** Injects (or clears, with no fault) a failure into a step of a running run. */
export async function injectFault(client: Client, workflowId: string, step: OnboardingStep, fault?: FaultMode): Promise<DecisionReceipt> {
  const handle = client.workflow.getHandle(workflowId);
  return handle.executeUpdate(injectFaultUpdate, { args: [{ step, fault }] });
}

/**
 * A decision id that is the same for the same decision on the step's latest escalation, so a decision sent
 * twice (a double click, a retried command) is acknowledged the second time instead of applied again.
 */
export function escalationDecisionId(status: OnboardingStatus, step: OnboardingStep, action: string): string | undefined {
  const latest = status.escalations.filter((e) => e.step === step).pop();
  return latest ? `${latest.id}:${action}` : undefined;
}

/** A question a run is waiting on a person to answer: an escalated step or a pending approval. */
export interface OpenQuestion {
  workflowId: string;
  kind: 'escalation' | 'approval';
  step: string;
  /** The step's error, or the permissions awaiting approval. */
  detail: string;
  since: string;
  /** Index of the contact currently asked (0 = first). */
  level: number;
}

/**
 * Every open escalation and approval across runs. Runs are found through search attributes; a run whose
 * worker does not answer within a few seconds is still listed, from its search attributes alone.
 */
export async function listOpenQuestions(client: Client, filters: Pick<ListFilters, 'taskQueue' | 'process'> = {}, queryTimeoutMs = 3_000): Promise<OpenQuestion[]> {
  const waiting = await listRuns(client, { ...filters, needsAttention: true });
  const perRun = await Promise.all(
    waiting.map(async (run): Promise<OpenQuestion[]> => {
      try {
        const status = await getRunStatus(client, run.workflowId, queryTimeoutMs);
        const questions: OpenQuestion[] = status.escalations
          .filter((e) => e.open)
          .map((e) => ({ workflowId: run.workflowId, kind: 'escalation', step: e.step, detail: e.error, since: e.openedAt, level: e.level }));
        if (status.approval?.open) {
          const a = status.approval;
          questions.push({ workflowId: run.workflowId, kind: 'approval', step: 'assignPermissions', detail: `approve ${a.permissions.join(', ')}`, since: a.requestedAt, level: a.level });
        }
        return questions;
      } catch {
        return [
          {
            workflowId: run.workflowId,
            kind: run.state === 'awaiting_approval' ? 'approval' : 'escalation',
            step: run.step ?? 'unknown',
            detail: '(details unavailable: no worker answered the status query)',
            since: run.waitingSince ?? run.startedAt,
            level: 0,
          },
        ];
      }
    }),
  );
  return perRun.flat().sort((a, b) => a.since.localeCompare(b.since));
}
