/**
 * Where a run's questions to people live: open escalations, the pending approval, injected faults,
 * and the validators that refuse decisions which do not apply.
 */
import {
  ONBOARDING_STEPS,
  describeFault,
  type ApprovalDecision,
  type ApprovalStatus,
  type AutomaticAction,
  type DecisionReceipt,
  type DecisionRecord,
  type EscalationDecision,
  type EscalationStatus,
  type FaultInjection,
  type FaultMode,
  type OnboardingStep,
} from './onboarding-types';
import type { RunTracker } from './run-tracker';

const ESCALATION_ACTIONS = ['retry', 'skip', 'abort'];
const APPROVAL_DECISIONS = ['approve', 'reject'];

function isStep(value: unknown): value is OnboardingStep {
  return typeof value === 'string' && (ONBOARDING_STEPS as readonly string[]).includes(value);
}

function requirePerson(by: unknown): void {
  if (typeof by !== 'string' || by.trim() === '') throw new Error('a decision must say who made it (by)');
}

/** Holds the run's open questions and applies people's answers exactly once. */
export class EscalationDesk {
  /** Receipts of applied decisions, by decision id: a repeated decision is acknowledged, not re-applied. */
  private readonly receipts = new Map<string, DecisionReceipt>();
  readonly skippedOutputs = new Map<string, Record<string, string>>();

  constructor(
    private readonly tracker: RunTracker,
    private readonly faults: Partial<Record<OnboardingStep, FaultMode>>,
  ) {}

  private record(action: string, by: string, reason: string | undefined, automatic = false): DecisionRecord {
    return { action, by, reason: reason ?? '', at: new Date().toISOString(), automatic };
  }

  open(step: OnboardingStep, error: string, contact: string): EscalationStatus {
    const number = this.tracker.status.escalations.filter((e) => e.step === step).length + 1;
    const escalation: EscalationStatus = {
      id: `${step}#${number}`,
      step,
      error,
      openedAt: new Date().toISOString(),
      level: 0,
      remindersSent: 0,
      open: true,
    };
    this.tracker.status.escalations.push(escalation);
    this.tracker.step(step).state = 'escalated';
    this.tracker.log(`${step} escalated to ${contact ? 'the escalation contact' : 'an operator'}; waiting for a decision`, step, 'error');
    this.tracker.publish();
    return escalation;
  }

  private openEscalation(step: OnboardingStep): EscalationStatus | undefined {
    return this.tracker.status.escalations.find((e) => e.step === step && e.open);
  }

  /** Update validator: refuses decisions that do not apply, before they reach the history. */
  validateResolution(decision: EscalationDecision): void {
    if (decision.decisionId && this.receipts.has(decision.decisionId)) return;
    if (!isStep(decision.step)) throw new Error(`unknown step "${String(decision.step)}"; steps are ${ONBOARDING_STEPS.join(', ')}`);
    if (!ESCALATION_ACTIONS.includes(decision.action)) {
      throw new Error(`unknown action "${String(decision.action)}"; actions are ${ESCALATION_ACTIONS.join(', ')}`);
    }
    requirePerson(decision.by);
    if (!this.openEscalation(decision.step)) {
      const decided = this.tracker.status.escalations.filter((e) => e.step === decision.step && e.decision).pop()?.decision;
      const why = decided ? `its escalation was already decided: ${decided.action} by ${decided.by}` : `it is ${this.tracker.step(decision.step).state}`;
      throw new Error(`step ${decision.step} is not escalated (${why})`);
    }
    if (decision.output !== undefined && (typeof decision.output !== 'object' || Object.values(decision.output).some((v) => typeof v !== 'string'))) {
      throw new Error('a skipped step\'s output must be an object of strings');
    }
  }

  resolve(decision: EscalationDecision): DecisionReceipt {
    const earlier = decision.decisionId ? this.receipts.get(decision.decisionId) : undefined;
    if (earlier) return { applied: false, message: `already applied: ${earlier.message}` };
    const escalation = this.openEscalation(decision.step)!;
    escalation.open = false;
    escalation.decision = this.record(decision.action, decision.by, decision.reason);
    if (decision.action === 'skip' && decision.output) this.skippedOutputs.set(escalation.id, decision.output);
    const reason = decision.reason ? ` (${decision.reason})` : '';
    this.tracker.log(`decision on ${decision.step}: ${decision.action} by ${decision.by}${reason}`, decision.step, 'warn');
    if (decision.action === 'retry' && this.faults[decision.step]?.kind === 'permanent') {
      this.clearFault(decision.step, 'lifted by the retry decision: the outage is over');
    }
    this.tracker.publish();
    const receipt = { applied: true, message: `${decision.action} ${decision.step} by ${decision.by}` };
    if (decision.decisionId) this.receipts.set(decision.decisionId, receipt);
    return receipt;
  }

  decideAutomatically(escalation: EscalationStatus, action: AutomaticAction): void {
    escalation.open = false;
    escalation.decision = this.record(action, 'overture', 'no decision before the deadline', true);
    this.tracker.log(`no decision on ${escalation.step} before the deadline: automatic ${action}`, escalation.step, 'warn');
    this.tracker.publish();
  }

  requestApproval(permissions: string[]): ApprovalStatus {
    const approval: ApprovalStatus = {
      requestedAt: new Date().toISOString(),
      permissions,
      level: 0,
      remindersSent: 0,
      open: true,
    };
    this.tracker.status.approval = approval;
    this.tracker.log(`privileged permissions (${permissions.join(', ')}) wait for the manager's approval`, 'assignPermissions', 'warn');
    this.tracker.publish();
    return approval;
  }

  validateApproval(decision: ApprovalDecision): void {
    if (decision.decisionId && this.receipts.has(decision.decisionId)) return;
    if (!APPROVAL_DECISIONS.includes(decision.decision)) {
      throw new Error(`unknown decision "${String(decision.decision)}"; decisions are approve, reject`);
    }
    requirePerson(decision.by);
    if (!this.tracker.status.approval?.open) throw new Error('this run is not waiting for an approval');
  }

  decideApproval(decision: ApprovalDecision): DecisionReceipt {
    const earlier = decision.decisionId ? this.receipts.get(decision.decisionId) : undefined;
    if (earlier) return { applied: false, message: `already applied: ${earlier.message}` };
    const approval = this.tracker.status.approval!;
    approval.open = false;
    approval.decision = this.record(decision.decision, decision.by, decision.reason);
    const reason = decision.reason ? ` (${decision.reason})` : '';
    this.tracker.log(`approval ${decision.decision === 'approve' ? 'granted' : 'refused'} by ${decision.by}${reason}`, 'assignPermissions', 'warn');
    this.tracker.publish();
    const receipt = { applied: true, message: `${decision.decision} by ${decision.by}` };
    if (decision.decisionId) this.receipts.set(decision.decisionId, receipt);
    return receipt;
  }

  decideApprovalAutomatically(): void {
    const approval = this.tracker.status.approval!;
    approval.open = false;
    approval.decision = this.record('reject', 'overture', 'no approval before the deadline', true);
    this.tracker.log('no approval before the deadline: rejected automatically', 'assignPermissions', 'warn');
    this.tracker.publish();
  }

  validateInjection(injection: FaultInjection): void {
    if (!isStep(injection.step)) throw new Error(`unknown step "${String(injection.step)}"; steps are ${ONBOARDING_STEPS.join(', ')}`);
    const fault = injection.fault;
    if (fault === undefined) return;
    const valid =
      fault.kind === 'permanent' ||
      (fault.kind === 'transient' && Number.isInteger(fault.failures) && fault.failures > 0) ||
      (fault.kind === 'latency' && Number.isInteger(fault.ms) && fault.ms >= 0);
    if (!valid) throw new Error('a fault is transient:N (N > 0), permanent, or latency:MS');
  }

  inject(injection: FaultInjection): DecisionReceipt {
    if (!injection.fault) {
      this.clearFault(injection.step, 'cleared');
      return { applied: true, message: `fault on ${injection.step} cleared` };
    }
    this.faults[injection.step] = injection.fault;
    const mode = describeFault(injection.fault);
    this.tracker.step(injection.step).fault = mode;
    this.tracker.log(`fault injected into ${injection.step}: ${mode}`, injection.step, 'warn');
    return { applied: true, message: `${injection.step}=${mode} injected` };
  }

  private clearFault(step: OnboardingStep, why: string): void {
    delete this.faults[step];
    this.tracker.step(step).fault = undefined;
    this.tracker.log(`injected fault on ${step} ${why}`, step);
  }
}
