/**
 * The types every process shares: policies, options, questions to people, decisions and the status. The words
 * they use (states, actions, fault modes, roles) are defined in ./vocabulary.ts, shapes in ./shape.ts; both are
 * re-exported here.
 *
 * Pure types and constants only: this module is bundled into the deterministic workflow sandbox and read by
 * clients, activities and the console alike. It names no process.
 */
import type {
  DECISION_CHANNELS,
  EscalationAction,
  FaultMode,
  OperatorRole,
  OutputType,
  QuestionKind,
  RunState,
  StepState,
} from './vocabulary';

export {
  describeFault,
  FINAL_RUN_STATES,
  OPERATOR_ROLES,
  SYSTEM_NAMES,
  type FaultMode,
  type OperatorRole,
  type QuestionKind,
  type RunState,
  type StepKind,
  type StepState,
  type SystemName,
} from './vocabulary';
export type { OutputField, ProcessShape, StepDefinition } from './shape';

/** Retry policy and timeout of one step (Temporal RetryPolicy fields, in milliseconds). */
export interface StepPolicy {
  startToCloseTimeoutMs: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  maximumAttempts: number;
  /**
   * A retry budget in time instead of a count: transient failures are retried until this much time has passed
   * since the step's first attempt (`maximumAttempts` is then ignored), with waits of at most
   * `maximumIntervalMs`. For steps that send through a system that may be down for minutes (email, chat).
   */
  retryBudgetMs?: number;
  /**
   * For a long step that reports its progress: the longest silence between its heartbeats before Temporal counts
   * the attempt as lost (a killed worker) and retries it, with the last progress reported, on another worker.
   */
  heartbeatTimeoutMs?: number;
  /**
   * `local`: the fast path — the step runs as a local activity inside the workflow task (no round trip through the
   * server's task queues, one marker in the history). For short steps; `activity` (the default) for long ones.
   */
  runAs?: 'activity' | 'local';
}

/** The failure type of an attempt refused before its side effect because its system is paused. */
export const SYSTEM_PAUSED = 'SystemPaused';

/** Details of a {@link SYSTEM_PAUSED} failure: which system, paused by whom and why (never personal data). */
export interface SystemPausedDetails {
  attempt: number;
  injected: false;
  system: string;
  pausedBy: string;
  reason?: string;
}

export type AutomaticAction = 'abort' | 'skip';

/** Durable timers of a question to a person: remind after T1, hand to the next contact after T2, act alone after T3. */
export interface EscalationLadder {
  reminderAfterMs: number;
  nextContactAfterMs: number;
  automaticActionAfterMs: number;
  automaticAction: AutomaticAction;
}

/** Everything configurable about a run, resolved by the client from configuration and frozen into the run's input. */
export interface ProcessOptions {
  /** Policy of each step by name; a step without one uses `supportPolicy`. */
  policies: Record<string, StepPolicy>;
  /** Policy of compensations, notices and fallbacks. */
  supportPolicy: StepPolicy;
  escalation: { contacts: string[]; ladder: EscalationLadder };
  /** Ladder of approvals, manual tasks and other questions a process asks. */
  approval: { ladder: EscalationLadder };
  faults: Partial<Record<string, FaultMode>>;
  /**
   * Base URL of the starting client's console. Kept in the input for older runs: notices now link to the
   * console of the worker that sends them (activities/email.ts `withConsoleLink`).
   */
  consoleUrl: string;
  /** The kit version the run was started with (kit-version.ts); runs from before versions have none and are version 1. */
  kitVersion?: number;
  /**
   * Steps a person does by hand in this run instead of their activity (workflows/kit/manual-steps.ts); absent when
   * every step runs as the process automates it.
   */
  manualSteps?: string[];
}

/** Progress of a fan-out step: one child run per item. */
export interface FanOutProgress {
  total: number;
  running: number;
  completed: number;
  failed: number;
  /** Items that failed, with why (bounded: the first 20). */
  failedItems: Array<{ item: string; error: string }>;
}

export interface StepStatus {
  step: string;
  state: StepState;
  /** Activity attempts made so far, over every execution of the step. */
  attempts: number;
  startedAt?: string;
  endedAt?: string;
  lastError?: string;
  /** Which path produced the step's outcome. */
  path?: 'primary' | 'fallback' | 'person';
  /** The fault injected into the step, if any, e.g. "transient:2". */
  fault?: string;
  /** Output flowing forward: ids, URLs, counts. */
  outcome?: ShownOutcome;
  fanOut?: FanOutProgress;
}

export interface LogLine {
  at: string;
  level: 'info' | 'warn' | 'error';
  step?: string;
  message: string;
}

/** Who decided what, when and why: the audit record of every answer to a question. */
export interface DecisionRecord {
  action: string;
  /** The authenticated operator's name (a typed name in runs recorded before identities; `overture` when automatic). */
  by: string;
  reason: string;
  at: string;
  automatic: boolean;
  /** How the operator was authenticated, and their role then (absent for automatic decisions and older runs). */
  via?: DecisionIdentity['via'];
  role?: OperatorRole;
}

export interface QuestionStatus {
  id: string;
  kind: QuestionKind;
  step: string;
  /** What is asked: the step's error, what awaits approval, the task's instructions, the question. */
  prompt: string;
  /** The answers a person may give. */
  choices: string[];
  /** Output keys an answer must supply (a manual task's output, a skipped step's outputs). */
  requiredOutput: string[];
  /** The declared types of the step's outputs (an escalation's) or of the task's: an answer's values are read as these. */
  outputTypes?: Record<string, OutputType>;
  /** Who is asked first (an address or a role); the ladder then hands over to the escalation contacts. */
  assignee?: string;
  openedAt: string;
  /** Index of who is currently asked (0 = the first). */
  level: number;
  remindersSent: number;
  open: boolean;
  decision?: DecisionRecord;
  /** Output the person supplied with the decision. */
  output?: Record<string, string>;
}

/** What the `status` query returns: where the run is, step by step. */
export interface RunStatus {
  workflowId: string;
  process: string;
  /** The business key of the run (an employee id, a period): never personal data. */
  subject: string;
  state: RunState;
  startedAt: string;
  endedAt?: string;
  currentStep?: string;
  steps: StepStatus[];
  questions: QuestionStatus[];
  log: LogLine[];
  /** Log lines dropped from the front to keep the status small (the log keeps the newest). */
  logDropped?: number;
  /** Closed questions dropped from the front to keep the status small (every open one is kept). */
  questionsDropped?: number;
  /** Fault injections the run accepted (it accepts at most DECISION_LIMITS.injectionsPerRun). */
  injections?: number;
  /** What the run waits for now, if anything (./run-waits.ts): its state says `running` while a child run asks a person. */
  waitingFor?: WaitInfo;
}

/**
 * What a run waits for: a person (a question in this run), a person asked in a child run (or a child's child), an
 * event, or a time. A person comes first, then a child's person, then an event, then a time.
 */
export interface WaitInfo {
  kind: 'person' | 'child' | 'event' | 'time';
  /** The step that waits; for `child`, this run's step that started the child run. */
  step?: string;
  /** The open question's id, in this run or (for `child`) in the run `childWorkflowId`. */
  question?: string;
  /** For `child`: the run where the person is asked. */
  childWorkflowId?: string;
  /** For `event`: the event type awaited. */
  eventType?: string;
  /** When the wait ends by itself (ISO 8601): the event's deadline, the scheduled time. */
  until?: string;
  /** When the wait began (ISO 8601): the question was asked, the step began to wait. */
  since?: string;
}

/**
 * Who made a decision, as authenticated by the client that carried it (a personal token on the CLI, a console
 * session, a signed email link). Never typed by the person: the client fills it from the credential.
 */
export interface DecisionIdentity {
  /** The operator's name as registered (`overture operators add NAME`), or the approver's address for an email link. */
  operator: string;
  /** The operator's address: how approvals are matched to the approver and the escalation contacts. */
  email?: string;
  role: OperatorRole;
  via: (typeof DECISION_CHANNELS)[number];
}

/** A person's decision on an escalated step. */
export interface EscalationDecision {
  step: string;
  action: EscalationAction;
  by: string;
  reason?: string;
  /** Output to use for a skipped step, e.g. a workspace URL created by hand. */
  output?: Record<string, string>;
  /**
   * Idempotency key: the same decision sent again under it is acknowledged as a repeat, not applied again; a
   * different one (another step, action or output) is refused.
   */
  decisionId?: string;
  /** Who decided, authenticated; required of new decisions (runs recorded before identities have none). */
  identity?: DecisionIdentity;
}

/** A person's answer to an approval, a manual task or a process's own question. */
export interface QuestionAnswer {
  /** The question's id; may be left out when exactly one such question is open. */
  question?: string;
  /** One of the question's choices: approve | reject, done, or the process's own. */
  decision: string;
  by: string;
  reason?: string;
  output?: Record<string, string>;
  decisionId?: string;
  identity?: DecisionIdentity;
}

/** A person moving a scheduled wait: to a new time, or to now. */
export interface RescheduleRequest {
  /** The waiting step; may be left out while only one wait is open. */
  step?: string;
  /** The new due time, ISO 8601 with a zone (e.g. 2026-12-01T09:00:00Z). */
  at?: string;
  /** Go now instead of waiting. */
  now?: boolean;
  by: string;
  reason?: string;
  decisionId?: string;
  identity?: DecisionIdentity;
}

/**
 * What happened to one request: applied (it changed the run) or a repeat of a decision already applied under
 * its decision id (nothing changed); either way, which request applied the decision, and when.
 */
export interface DecisionReceipt {
  /** True only for the request that applied the decision. */
  applied: boolean;
  message: string;
  /** True when this request repeated a decision already applied: nothing changed. */
  repeat?: boolean;
  decisionId?: string;
  /** The request (update id) that applied the decision (absent in runs recorded before receipts named it). */
  request?: string;
  /** When the decision was applied, by the run's clock. */
  at?: string;
}

export interface FaultInjection {
  step: string;
  /** undefined clears the step's fault. */
  fault?: FaultMode;
}

/** A step's output, with the attempt that produced it so the run can report attempts. */
export interface StepResult<T> {
  output: T;
  attempt: number;
}

/**
 * What a step hands forward: a flat record of text, numbers and flags, shown in the status and passed to later
 * steps. The outputs a shape declares are read as their declared types (./vocabulary.ts `readOutput`).
 */
export type Outcome = Record<string, string | number | boolean | undefined>;

/** A step's outcome as the status shows it. */
export type ShownOutcome = Record<string, string | number | boolean>;
