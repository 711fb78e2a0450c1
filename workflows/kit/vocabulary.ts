/**
 * The words of Overture's domain, each defined once: what a person may decide, the faults that can be injected
 * and their bounds, the states of runs and steps, the kinds of questions, the operator roles, the systems an
 * operator may pause, and the types a step's output may have. The workflow's update validators, the client, the
 * CLI, the console API and the browser (which is served {@link VOCABULARY} at `/api/vocabulary`) read them here.
 *
 * Pure constants and functions: this module is bundled into the deterministic workflow sandbox.
 */

/** What a person may decide about an escalated step. */
export const ESCALATION_ACTIONS = ['retry', 'skip', 'abort'] as const;
export type EscalationAction = (typeof ESCALATION_ACTIONS)[number];

/** The escalation action with which a person gives the outputs later steps need. */
export const SKIP_ACTION: EscalationAction = 'skip';

/** Choices that end a run (shown as dangerous). */
export const ENDING_CHOICES = ['abort', 'reject'] as const;

/** The answers to an approval. */
export const APPROVAL_CHOICES = ['approve', 'reject'] as const;

/** The one answer to a manual task: done, with its output. */
export const TASK_DONE = 'done';

/** The answers when undos failed: try the failed undos again, or accept and clean up by hand. */
export const FAILED_UNDO_CHOICES = ['retry', 'accept'] as const;

/** A failure injected on purpose into one step, to show and test recovery. */
export type FaultMode = { kind: 'transient'; failures: number } | { kind: 'permanent' } | { kind: 'latency'; ms: number };

/** The bounds of an injected fault, the same whether it is given when a run starts or injected into a live run. */
export const FAULT_LIMITS = Object.freeze({ transientFailures: 100, latencyMs: 3_600_000 });

/** How a fault is spelled (the CLI's `--inject STEP=MODE`, the console's choices), for messages. */
export const FAULT_SYNTAX = `transient:N (N from 1 to ${FAULT_LIMITS.transientFailures}), permanent, latency:MS (MS up to ${FAULT_LIMITS.latencyMs}) or none`;

/** The faults the console offers for a step. */
export const FAULT_CHOICES = ['none', 'transient:2', 'permanent', 'latency:2000'] as const;
/** The fault the console's live injection offers first: the one that shows an escalation. */
export const LIVE_FAULT_DEFAULT: (typeof FAULT_CHOICES)[number] = 'permanent';

/** Renders a fault as it is spelled, e.g. "transient:2". */
export function describeFault(fault: FaultMode): string {
  switch (fault.kind) {
    case 'transient':
      return `transient:${fault.failures}`;
    case 'permanent':
      return 'permanent';
    case 'latency':
      return `latency:${fault.ms}`;
  }
}

/** Reads a fault as it is spelled: a fault, `null` for `none` (no fault), or undefined when the text is not one (or is out of bounds). */
export function readFault(mode: string): FaultMode | null | undefined {
  const [kind, value, ...rest] = mode.split(':');
  if (rest.length) return undefined;
  const count = value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (kind === 'none' && value === undefined) return null;
  if (kind === 'permanent' && value === undefined) return { kind: 'permanent' };
  if (kind === 'transient' && count >= 1 && count <= FAULT_LIMITS.transientFailures) return { kind: 'transient', failures: count };
  if (kind === 'latency' && count >= 0 && count <= FAULT_LIMITS.latencyMs) return { kind: 'latency', ms: count };
  return undefined;
}

/** Whether a value (from JSON, from an update) is a fault within its bounds, with no other fields. */
export function isFault(value: unknown): value is FaultMode {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const f = value as Record<string, unknown>;
  const keys = Object.keys(f).sort().join(',');
  const whole = (n: unknown, min: number, max: number) => Number.isInteger(n) && (n as number) >= min && (n as number) <= max;
  if (f.kind === 'permanent') return keys === 'kind';
  if (f.kind === 'transient') return keys === 'failures,kind' && whole(f.failures, 1, FAULT_LIMITS.transientFailures);
  if (f.kind === 'latency') return keys === 'kind,ms' && whole(f.ms, 0, FAULT_LIMITS.latencyMs);
  return false;
}

/** The states of a run, in the order the console lists them. */
export const RUN_STATES = [
  'running',
  'awaiting_approval',
  'awaiting_input',
  'needs_attention',
  'compensating',
  'completed',
  'aborted',
  'rejected',
  'compensation_failed',
  'failed',
] as const;
export type RunState = (typeof RUN_STATES)[number];

/** States in which a run has ended. */
export const FINAL_RUN_STATES: readonly RunState[] = ['completed', 'aborted', 'rejected', 'compensation_failed', 'failed'];

/** States of a run still going, in which people may be asked something. */
export const OPEN_RUN_STATES: readonly RunState[] = ['running', 'needs_attention', 'awaiting_approval', 'awaiting_input'];

/** The states of a step. */
export const STEP_STATES = [
  'pending',
  'running',
  'retrying',
  'waiting',
  'completed',
  'failed',
  'escalated',
  'skipped',
  'not_taken',
  'cancelled',
  'compensated',
  'compensation_failed',
] as const;
export type StepState = (typeof STEP_STATES)[number];

/**
 * What a question to a person is: an escalated step (retry | skip | abort), an approval (approve | reject),
 * a manual task (done, with its output) or a process's own question (its own choices).
 */
export const QUESTION_KINDS = ['escalation', 'approval', 'task', 'question'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

/** How a node of a process is carried out, for the graph and the tracker. */
export const STEP_KINDS = ['activity', 'manual', 'approval', 'fan-out', 'event'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** What an operator may do: each role may do everything the roles before it may. */
export const OPERATOR_ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** How a decision reached the run: the client that authenticated the person. */
export const DECISION_CHANNELS = ['cli', 'console', 'email-link', 'api'] as const;

/** The downstream systems an operator may pause (`overture systems pause SYSTEM`) and Overture watches for outages. */
export const SYSTEM_NAMES = ['email', 'chat'] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];

/**
 * The types a step's output may have. A person who skips a step gives its outputs as text; each is read as its
 * type when the decision is made (a refused decision says which output is wrong), and handed on as that type.
 * `decimal` is an exact amount kept as text (money never passes through a float), e.g. "-12.50".
 */
export const OUTPUT_TYPES = ['text', 'integer', 'number', 'decimal', 'boolean'] as const;
export type OutputType = (typeof OUTPUT_TYPES)[number];

/** The value of an output of that type. */
export type OutputValue<T extends OutputType> = T extends 'integer' | 'number' ? number : T extends 'boolean' ? boolean : string;

const DECIMAL = /^-?\d{1,15}(\.\d{1,6})?$/;

/**
 * Reads an output value as its type: from a person's text, or from a value an activity returned (a number, or in
 * runs recorded before outputs were typed, its text). Undefined when it is not of that type.
 */
export function readOutput(type: OutputType, value: unknown): string | number | boolean | undefined {
  switch (type) {
    case 'text':
      return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
    case 'integer':
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(n)) return undefined;
      return type === 'integer' && !Number.isSafeInteger(n) ? undefined : n;
    }
    case 'decimal':
      return typeof value === 'string' && DECIMAL.test(value.trim())
        ? value.trim()
        : typeof value === 'number' && Number.isFinite(value)
          ? String(value)
          : undefined;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'yes') return true;
      if (value === 'false' || value === 'no') return false;
      return undefined;
  }
}

/** How a value of each output type is written by a person, for messages. */
export const OUTPUT_TYPE_HINTS: Readonly<Record<OutputType, string>> = {
  text: 'text',
  integer: 'a whole number, e.g. 42',
  number: 'a number, e.g. 0.25',
  decimal: 'an exact amount, e.g. -12.50',
  boolean: 'true or false',
};

/** Everything above that the browser needs, as plain data (served at `/api/vocabulary`). */
export const VOCABULARY = {
  escalationActions: ESCALATION_ACTIONS,
  skipAction: SKIP_ACTION,
  endingChoices: ENDING_CHOICES,
  approvalChoices: APPROVAL_CHOICES,
  taskDone: TASK_DONE,
  faultChoices: FAULT_CHOICES,
  liveFaultDefault: LIVE_FAULT_DEFAULT,
  faultSyntax: FAULT_SYNTAX,
  faultLimits: FAULT_LIMITS,
  runStates: RUN_STATES,
  finalRunStates: FINAL_RUN_STATES,
  openRunStates: OPEN_RUN_STATES,
  stepStates: STEP_STATES,
  stepKinds: STEP_KINDS,
  questionKinds: QUESTION_KINDS,
  operatorRoles: OPERATOR_ROLES,
  systemNames: SYSTEM_NAMES,
  outputTypes: OUTPUT_TYPES,
  outputTypeHints: OUTPUT_TYPE_HINTS,
} as const;
