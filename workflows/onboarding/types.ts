/**
 * Types shared by the onboarding workflow, its activities and its clients.
 *
 * Pure types and constants only: this module is bundled into the deterministic workflow sandbox.
 */

/** The five business steps of an employee onboarding, in the order they are shown. */
export const ONBOARDING_STEPS = [
  'createAccount',
  'assignPermissions',
  'sendWelcomeEmail',
  'createWorkspace',
  'notifyTeam',
] as const;

export type OnboardingStep = (typeof ONBOARDING_STEPS)[number];

/** The person being onboarded. Personal data: never put it in workflow IDs, search attributes or logs. */
export interface NewHire {
  employeeId: string;
  fullName: string;
  email: string;
  role: string;
  team: string;
  managerEmail: string;
  /** ISO date, YYYY-MM-DD. */
  startDate: string;
  extraPermissions: string[];
}

/** A failure injected on purpose into one step, to show and test recovery. */
export type FaultMode =
  | { kind: 'transient'; failures: number }
  | { kind: 'permanent' }
  | { kind: 'latency'; ms: number };

/** Retry policy and timeout of one step (Temporal RetryPolicy fields, in milliseconds). */
export interface StepPolicy {
  startToCloseTimeoutMs: number;
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  maximumAttempts: number;
}

export type AutomaticAction = 'abort' | 'skip';

/** Durable timers of an escalation: remind after T1, hand to the next contact after T2, act alone after T3. */
export interface EscalationLadder {
  reminderAfterMs: number;
  nextContactAfterMs: number;
  automaticActionAfterMs: number;
  automaticAction: AutomaticAction;
}

/** Everything configurable about a run, resolved by the client from configuration and frozen into the run's input. */
export interface OnboardingOptions {
  policies: Record<OnboardingStep, StepPolicy>;
  /** Policy of compensations, escalation notices and fallbacks. */
  supportPolicy: StepPolicy;
  escalation: { contacts: string[]; ladder: EscalationLadder };
  approval: { privilegedPermissions: string[]; ladder: EscalationLadder };
  faults: Partial<Record<OnboardingStep, FaultMode>>;
  /** Base URL of the operator console, used in escalation notices; empty when there is none. */
  consoleUrl: string;
}

export interface OnboardingInput {
  hire: NewHire;
  options: OnboardingOptions;
}

export type StepState =
  | 'pending'
  | 'running'
  | 'retrying'
  | 'completed'
  | 'failed'
  | 'escalated'
  | 'skipped'
  | 'cancelled'
  | 'compensated';

export type RunState =
  | 'running'
  | 'awaiting_approval'
  | 'needs_attention'
  | 'compensating'
  | 'completed'
  | 'aborted'
  | 'rejected'
  | 'failed';

export interface StepStatus {
  step: OnboardingStep;
  state: StepState;
  /** Activity attempts made so far, over every execution of the step. */
  attempts: number;
  startedAt?: string;
  endedAt?: string;
  lastError?: string;
  /** Which path produced the step's outcome. */
  path?: 'primary' | 'fallback';
  /** The fault injected into the step, if any, e.g. "transient:2". */
  fault?: string;
  /** Output flowing forward: account id, workspace URL, ticket id, message id. */
  outcome?: Record<string, string>;
}

export interface LogLine {
  at: string;
  level: 'info' | 'warn' | 'error';
  step?: OnboardingStep;
  message: string;
}

export type EscalationAction = 'retry' | 'skip' | 'abort';

export interface DecisionRecord {
  action: string;
  by: string;
  reason: string;
  at: string;
  automatic: boolean;
}

export interface EscalationStatus {
  id: string;
  step: OnboardingStep;
  error: string;
  openedAt: string;
  /** Index into the escalation contacts of who is currently asked to act. */
  level: number;
  remindersSent: number;
  open: boolean;
  decision?: DecisionRecord;
}

export interface ApprovalStatus {
  requestedAt: string;
  permissions: string[];
  level: number;
  remindersSent: number;
  open: boolean;
  decision?: DecisionRecord;
}

/** What the `status` query returns: where the run is, step by step. */
export interface OnboardingStatus {
  workflowId: string;
  process: 'onboarding';
  employeeId: string;
  state: RunState;
  startedAt: string;
  endedAt?: string;
  currentStep?: OnboardingStep;
  steps: StepStatus[];
  escalations: EscalationStatus[];
  approval?: ApprovalStatus;
  log: LogLine[];
}

export interface OnboardingResult {
  state: 'completed';
  accountId: string;
  workspaceUrl?: string;
  ticketId?: string;
  skippedSteps: OnboardingStep[];
}

/** A person's decision on an escalated step. */
export interface EscalationDecision {
  step: OnboardingStep;
  action: EscalationAction;
  by: string;
  reason?: string;
  /** Output to use for a skipped step, e.g. a workspace URL created by hand. */
  output?: Record<string, string>;
  /** Idempotency key: a decision with an id already applied is acknowledged, not applied again. */
  decisionId?: string;
}

export interface ApprovalDecision {
  decision: 'approve' | 'reject';
  by: string;
  reason?: string;
  decisionId?: string;
}

export interface DecisionReceipt {
  applied: boolean;
  message: string;
}

export interface FaultInjection {
  step: OnboardingStep;
  /** undefined clears the step's fault. */
  fault?: FaultMode;
}

/** Renders a fault as the CLI spells it, e.g. "transient:2". */
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
