/**
 * Where a run's questions to people live — escalated steps, approvals, manual tasks and a process's own
 * questions — with the validators that refuse answers which do not apply, receipts that make a repeated
 * answer harmless, and the audit record (who, when, why) of every decision.
 */
import { describeFault, type DecisionReceipt, type DecisionRecord, type EscalationDecision, type FaultInjection, type FaultMode, type QuestionAnswer, type QuestionKind, type QuestionStatus } from './types';
import type { RunTracker } from './run-tracker';

const ESCALATION_ACTIONS = ['retry', 'skip', 'abort'];

/** Bounds on what a person may send: a run's history must stay small enough to read and replay. */
export const DECISION_LIMITS = { reasonChars: 1_000, outputKeys: 20, outputValueChars: 1_000, byChars: 200 };

function requirePerson(by: unknown): void {
  if (typeof by !== 'string' || by.trim() === '') throw new Error('a decision must say who made it (by)');
  if (by.length > DECISION_LIMITS.byChars) throw new Error(`"by" must be at most ${DECISION_LIMITS.byChars} characters`);
}

function checkReason(reason: unknown): void {
  if (reason === undefined) return;
  if (typeof reason !== 'string') throw new Error('a reason must be text');
  if (reason.length > DECISION_LIMITS.reasonChars) throw new Error(`a reason must be at most ${DECISION_LIMITS.reasonChars} characters`);
}

/** Checks an output's form, and that it holds every key the question requires. */
function checkOutput(output: unknown, required: string[], what: string): void {
  if (output !== undefined) {
    if (typeof output !== 'object' || output === null || Array.isArray(output) || Object.values(output).some((v) => typeof v !== 'string')) {
      throw new Error(`${what}'s output must be an object of strings`);
    }
    const entries = Object.entries(output as Record<string, string>);
    if (entries.length > DECISION_LIMITS.outputKeys) throw new Error(`${what}'s output may have at most ${DECISION_LIMITS.outputKeys} fields`);
    if (entries.some(([, v]) => v.length > DECISION_LIMITS.outputValueChars)) {
      throw new Error(`each output value must be at most ${DECISION_LIMITS.outputValueChars} characters`);
    }
  }
  const given = (output ?? {}) as Record<string, string>;
  const missing = required.filter((key) => !given[key]?.trim());
  if (missing.length) {
    const example = JSON.stringify(Object.fromEntries(missing.map((k) => [k, '...'])));
    throw new Error(`${what} needs its output: later steps need ${missing.join(', ')} (give it with --output '${example}')`);
  }
}

export interface QuestionSpec {
  prompt: string;
  choices: string[];
  requiredOutput?: string[];
  assignee?: string;
}

/** Holds the run's open questions and applies people's answers exactly once. */
export class DecisionDesk {
  /** Receipts of applied decisions, by decision id: a repeated decision is acknowledged, not re-applied. */
  private readonly receipts = new Map<string, DecisionReceipt>();

  constructor(
    private readonly tracker: RunTracker,
    private readonly faults: Partial<Record<string, FaultMode>>,
  ) {}

  private get questions(): QuestionStatus[] {
    return this.tracker.status.questions;
  }

  record(action: string, by: string, reason: string | undefined, automatic = false): DecisionRecord {
    return { action, by, reason: reason ?? '', at: new Date().toISOString(), automatic };
  }

  /** Opens a question; escalations keep the ids they had before the kit (`step#n`). */
  open(kind: QuestionKind, step: string, spec: QuestionSpec): QuestionStatus {
    const number = this.questions.filter((q) => q.step === step && q.kind === kind).length + 1;
    const question: QuestionStatus = {
      id: kind === 'escalation' ? `${step}#${number}` : `${step}/${kind}#${number}`,
      kind,
      step,
      prompt: spec.prompt,
      choices: spec.choices,
      requiredOutput: spec.requiredOutput ?? [],
      assignee: spec.assignee,
      openedAt: new Date().toISOString(),
      level: 0,
      remindersSent: 0,
      open: true,
    };
    this.questions.push(question);
    return question;
  }

  /** Opens the escalation of a failed step: retry, skip (with the outputs later steps need) or abort. */
  escalate(step: string, error: string, contact: string, requiredOutput: string[]): QuestionStatus {
    const question = this.open('escalation', step, { prompt: error, choices: ESCALATION_ACTIONS, requiredOutput });
    this.tracker.step(step).state = 'escalated';
    this.tracker.log(`${step} escalated to ${contact ? 'the escalation contact' : 'an operator'}; waiting for a decision`, step, 'error');
    this.tracker.publish();
    return question;
  }

  private openEscalation(step: string): QuestionStatus | undefined {
    return this.questions.find((q) => q.kind === 'escalation' && q.step === step && q.open);
  }

  /** Update validator: refuses escalation decisions that do not apply, before they reach the history. */
  validateEscalation(decision: EscalationDecision): void {
    if (decision.decisionId && this.receipts.has(decision.decisionId)) return;
    if (typeof decision.step !== 'string' || !this.tracker.has(decision.step)) {
      throw new Error(`unknown step "${String(decision.step)}"; steps are ${this.tracker.status.steps.map((s) => s.step).join(', ')}`);
    }
    if (!ESCALATION_ACTIONS.includes(decision.action)) {
      throw new Error(`unknown action "${String(decision.action)}"; actions are ${ESCALATION_ACTIONS.join(', ')}`);
    }
    requirePerson(decision.by);
    checkReason(decision.reason);
    const escalation = this.openEscalation(decision.step);
    if (!escalation) {
      const decided = this.questions.filter((q) => q.kind === 'escalation' && q.step === decision.step && q.decision).pop()?.decision;
      const why = decided ? `its escalation was already decided: ${decided.action} by ${decided.by}` : `it is ${this.tracker.step(decision.step).state}`;
      throw new Error(`step ${decision.step} is not escalated (${why})`);
    }
    checkOutput(decision.output, decision.action === 'skip' ? escalation.requiredOutput : [], `skipping step ${decision.step}`);
  }

  resolveEscalation(decision: EscalationDecision): DecisionReceipt {
    const earlier = decision.decisionId ? this.receipts.get(decision.decisionId) : undefined;
    if (earlier) return { applied: false, message: `already applied: ${earlier.message}` };
    const escalation = this.openEscalation(decision.step)!;
    escalation.open = false;
    escalation.decision = this.record(decision.action, decision.by, decision.reason);
    if (decision.action === 'skip') escalation.output = decision.output ?? {};
    const reason = decision.reason ? ` (${decision.reason})` : '';
    this.tracker.log(`decision on ${decision.step}: ${decision.action} by ${decision.by}${reason}`, decision.step, 'warn');
    if (decision.action === 'retry' && this.faults[decision.step]?.kind === 'permanent') {
      this.clearFault(decision.step, 'lifted by the retry decision: the outage is over');
    }
    this.tracker.publish();
    return this.remember(decision.decisionId, { applied: true, message: `${decision.action} ${decision.step} by ${decision.by}` });
  }

  /** The question an answer is for: named, or the only open non-escalation question. */
  private questionFor(answer: QuestionAnswer): QuestionStatus {
    const open = this.questions.filter((q) => q.open && q.kind !== 'escalation');
    if (answer.question === undefined) {
      if (open.length === 1) return open[0]!;
      if (open.length === 0) throw new Error('this run is not waiting for an approval or an answer');
      throw new Error(`several questions are open (${open.map((q) => q.id).join(', ')}): say which`);
    }
    const named = this.questions.find((q) => q.id === answer.question || (q.open && q.kind !== 'escalation' && q.step === answer.question));
    if (!named) throw new Error(`no question "${String(answer.question)}" in this run`);
    if (named.kind === 'escalation') throw new Error(`${named.id} is an escalation: decide it with resolve (retry, skip or abort)`);
    if (!named.open) throw new Error(`question ${named.id} was already answered: ${named.decision?.action ?? ''} by ${named.decision?.by ?? ''}`);
    return named;
  }

  /** Update validator of answers to approvals, manual tasks and a process's own questions. */
  validateAnswer(answer: QuestionAnswer): void {
    if (answer.decisionId && this.receipts.has(answer.decisionId)) return;
    const question = this.questionFor(answer);
    if (!question.choices.includes(answer.decision)) {
      throw new Error(`unknown decision "${String(answer.decision)}"; decisions are ${question.choices.join(', ')}`);
    }
    requirePerson(answer.by);
    checkReason(answer.reason);
    const required = question.kind === 'task' || answer.decision !== 'reject' ? question.requiredOutput : [];
    checkOutput(answer.output, required, question.kind === 'task' ? `task ${question.step}` : `answering ${question.id}`);
  }

  answer(answer: QuestionAnswer): DecisionReceipt {
    const earlier = answer.decisionId ? this.receipts.get(answer.decisionId) : undefined;
    if (earlier) return { applied: false, message: `already applied: ${earlier.message}` };
    const question = this.questionFor(answer);
    question.open = false;
    question.decision = this.record(answer.decision, answer.by, answer.reason);
    question.output = answer.output;
    const reason = answer.reason ? ` (${answer.reason})` : '';
    if (question.kind === 'approval') {
      this.tracker.log(`approval ${answer.decision === 'approve' ? 'granted' : 'refused'} by ${answer.by}${reason}`, question.step, 'warn');
    } else if (question.kind === 'task') {
      this.tracker.log(`task ${question.step} done by ${answer.by}${reason}`, question.step, 'warn');
    } else {
      this.tracker.log(`answer to ${question.id}: ${answer.decision} by ${answer.by}${reason}`, question.step, 'warn');
    }
    this.tracker.publish();
    const message = question.kind === 'approval' ? `${answer.decision} by ${answer.by}` : `${answer.decision} ${question.id} by ${answer.by}`;
    return this.remember(answer.decisionId, { applied: true, message });
  }

  /** Closes a question nobody answered before its deadline, with the ladder's action. */
  decideAutomatically(question: QuestionStatus, action: string, reason: string, logMessage: string): void {
    question.open = false;
    question.decision = this.record(action, 'overture', reason, true);
    this.tracker.log(logMessage, question.step, 'warn');
    this.tracker.publish();
  }

  private remember(decisionId: string | undefined, receipt: DecisionReceipt): DecisionReceipt {
    if (decisionId) this.receipts.set(decisionId, receipt);
    return receipt;
  }

  validateInjection(injection: FaultInjection): void {
    if (typeof injection.step !== 'string' || !this.tracker.has(injection.step)) {
      throw new Error(`unknown step "${String(injection.step)}"; steps are ${this.tracker.status.steps.map((s) => s.step).join(', ')}`);
    }
    const fault = injection.fault;
    if (fault === undefined) return;
    const valid =
      fault.kind === 'permanent' ||
      (fault.kind === 'transient' && Number.isInteger(fault.failures) && fault.failures > 0 && fault.failures <= 100) ||
      (fault.kind === 'latency' && Number.isInteger(fault.ms) && fault.ms >= 0 && fault.ms <= 3_600_000);
    if (!valid) throw new Error('a fault is transient:N (0 < N <= 100), permanent, or latency:MS (MS <= 3600000)');
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

  private clearFault(step: string, why: string): void {
    delete this.faults[step];
    this.tracker.step(step).fault = undefined;
    this.tracker.log(`injected fault on ${step} ${why}`, step);
  }
}
