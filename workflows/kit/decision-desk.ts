/**
 * Where a run's questions to people live — escalated steps, approvals, manual tasks and a process's own
 * questions — with the validators that refuse answers which do not apply, receipts that make a repeated
 * answer harmless, and the audit record (who, when, why) of every decision.
 */
import { describeFault, ESCALATION_ACTIONS, OUTPUT_TYPE_HINTS, readOutput, type OutputType } from './vocabulary';
import type {
  DecisionIdentity,
  DecisionReceipt,
  DecisionRecord,
  EscalationDecision,
  FaultInjection,
  FaultMode,
  QuestionAnswer,
  QuestionKind,
  QuestionStatus,
} from './types';
import type { RunTracker } from './run-tracker';
import { checkMayAnswer, requireRole } from './deciders';
import { DecisionReceipts, refusedInHandler, type DecisionRequest } from './receipts';
import {
  checkAnswerForm,
  checkEscalationForm,
  checkInjectionForm,
  checkOutputForm,
  clip,
  DECISION_LIMITS,
  STATUS_LIMITS,
  tooMany,
} from './limits';

export { DECISION_LIMITS } from './limits';

/**
 * Checks that an output holds every key the question requires, each value of its declared type (its form was
 * checked with the rest of the message): a value later steps cannot use is refused now, not when they run.
 */
function checkOutput(output: unknown, required: string[], types: Record<string, OutputType> | undefined, what: string): void {
  checkOutputForm(output, what);
  const given = (output ?? {}) as Record<string, string>;
  const missing = required.filter((key) => !given[key]?.trim());
  if (missing.length) {
    const example = JSON.stringify(Object.fromEntries(missing.map((k) => [k, '...'])));
    throw new Error(`${what} needs its output: later steps need ${missing.join(', ')} (give it with --output '${example}')`);
  }
  const wrong = Object.entries(types ?? {}).filter(([key, type]) => given[key] !== undefined && readOutput(type, given[key]) === undefined);
  if (wrong.length) throw new Error(`${what}: ${wrong.map(([key, type]) => `${key} must be ${OUTPUT_TYPE_HINTS[type]}`).join('; ')}`);
}

/** An escalation decision as its receipt compares it: the output counts only for a skip (it is ignored otherwise). */
function escalationRequest(decision: EscalationDecision): DecisionRequest {
  return { target: decision.step, choice: decision.action, output: decision.action === 'skip' ? decision.output : undefined };
}

function answerRequest(answer: QuestionAnswer): DecisionRequest {
  return { target: answer.question, choice: answer.decision, output: answer.output };
}

export interface QuestionSpec {
  prompt: string;
  choices: string[];
  requiredOutput?: string[];
  outputTypes?: Record<string, OutputType>;
  assignee?: string;
}

/** Holds the run's open questions and applies people's answers exactly once. */
export class DecisionDesk {
  /** Applied decisions, by decision id: a repeat is acknowledged, not re-applied; a different one is refused. */
  private readonly receipts = new DecisionReceipts('decisions');
  /** Questions opened so far, by step and kind: numbers stay unique when the status drops old closed questions. */
  private readonly opened = new Map<string, number>();
  /** Updates this run accepted, by kind: each is capped far below Temporal's limit on a run's updates. */
  private decisions = 0;
  private injections = 0;
  /**
   * Who each question is put to, in order, by question id (as the ladder has them): an answer is accepted from
   * those the ladder has reached. Kept here, not in the status, which is shown to every operator.
   */
  private readonly contacts = new Map<string, readonly string[]>();

  constructor(
    private readonly tracker: RunTracker,
    private readonly faults: Partial<Record<string, FaultMode>>,
  ) {}

  private get questions(): QuestionStatus[] {
    return this.tracker.status.questions;
  }

  /**
   * The audit record of a decision. A person's decision is recorded as the operator the client authenticated
   * (the typed `by` of runs recorded before identities stays as it was), with how they were authenticated and
   * their role; their address stays out of the status, which every operator can read.
   */
  record(action: string, by: string, reason: string | undefined, automatic = false, identity?: DecisionIdentity): DecisionRecord {
    const who = identity ? { by: identity.operator, via: identity.via, role: identity.role } : { by };
    return { action, ...who, reason: reason ?? '', at: new Date().toISOString(), automatic };
  }

  /** Remembers who a question is put to, in the ladder's order, for the validators (see `checkMayAnswer`). */
  rememberContacts(questionId: string, contacts: readonly string[]): void {
    this.contacts.set(questionId, [...contacts]);
  }

  /** Opens a question; escalations keep the ids they had before the kit (`step#n`). */
  open(kind: QuestionKind, step: string, spec: QuestionSpec): QuestionStatus {
    const key = `${kind}/${step}`;
    const number = (this.opened.get(key) ?? 0) + 1;
    this.opened.set(key, number);
    const question: QuestionStatus = {
      id: kind === 'escalation' ? `${step}#${number}` : `${step}/${kind}#${number}`,
      kind,
      step,
      prompt: clip(spec.prompt, STATUS_LIMITS.errorChars),
      choices: spec.choices,
      requiredOutput: spec.requiredOutput ?? [],
      ...(spec.outputTypes ? { outputTypes: spec.outputTypes } : {}),
      assignee: spec.assignee,
      openedAt: new Date().toISOString(),
      level: 0,
      remindersSent: 0,
      open: true,
    };
    this.questions.push(question);
    this.dropOldQuestions();
    return question;
  }

  /** Opens the escalation of a failed step: retry, skip (with the outputs later steps need) or abort. */
  escalate(
    step: string,
    error: string,
    contact: string,
    requiredOutput: string[],
    outputTypes?: Record<string, OutputType>,
  ): QuestionStatus {
    const question = this.open('escalation', step, { prompt: error, choices: [...ESCALATION_ACTIONS], requiredOutput, outputTypes });
    this.tracker.step(step).state = 'escalated';
    this.tracker.log(`${step} escalated to ${contact ? 'the escalation contact' : 'an operator'}; waiting for a decision`, step, 'error');
    this.tracker.publish();
    return question;
  }

  /** Keeps every open question and the newest closed ones: the status stays small however many were asked. */
  private dropOldQuestions(): void {
    let excess = this.questions.filter((q) => !q.open).length - STATUS_LIMITS.closedQuestions;
    if (excess <= 0) return;
    this.tracker.status.questionsDropped = (this.tracker.status.questionsDropped ?? 0) + excess;
    // In place, oldest first: others hold this array.
    for (let i = 0; i < this.questions.length && excess > 0;) {
      if (this.questions[i]!.open) i += 1;
      else {
        this.questions.splice(i, 1);
        excess -= 1;
      }
    }
  }

  /** Refuses a decision past the run's share, unless it ends the run: a run can always be stopped. */
  private checkDecisionCount(ends: boolean): void {
    if (ends) return;
    const refusal = tooMany(this.decisions, DECISION_LIMITS.decisionsPerRun, 'decisions', 'it can still be aborted (or rejected)');
    if (refusal) throw refusal;
  }

  private openEscalation(step: string): QuestionStatus | undefined {
    return this.questions.find((q) => q.kind === 'escalation' && q.step === step && q.open);
  }

  /** Update validator: refuses escalation decisions that do not apply, before they reach the history. */
  validateEscalation(decision: EscalationDecision): void {
    // The form first, before the receipts: what is accepted, even as a repeat, is written to the history.
    checkEscalationForm(decision);
    requireRole(decision.identity!, 'operator', 'deciding an escalated step');
    if (this.receipts.isRepeat(decision.decisionId, escalationRequest(decision))) return;
    if (typeof decision.step !== 'string' || !this.tracker.has(decision.step)) {
      throw new Error(`unknown step "${String(decision.step)}"; steps are ${this.tracker.status.steps.map((s) => s.step).join(', ')}`);
    }
    if (!(ESCALATION_ACTIONS as readonly string[]).includes(decision.action)) {
      throw new Error(`unknown action "${String(decision.action)}"; actions are ${ESCALATION_ACTIONS.join(', ')}`);
    }
    const escalation = this.openEscalation(decision.step);
    if (!escalation) {
      const decided = this.questions.filter((q) => q.kind === 'escalation' && q.step === decision.step && q.decision).pop()?.decision;
      const why = decided
        ? `its escalation was already decided: ${decided.action} by ${decided.by}`
        : `it is ${this.tracker.step(decision.step).state}`;
      throw new Error(`step ${decision.step} is not escalated (${why})`);
    }
    checkOutput(
      decision.output,
      decision.action === 'skip' ? escalation.requiredOutput : [],
      decision.action === 'skip' ? escalation.outputTypes : undefined,
      `skipping step ${decision.step}`,
    );
    this.checkDecisionCount(decision.action === 'abort');
  }

  resolveEscalation(decision: EscalationDecision): DecisionReceipt {
    const repeat = this.receipts.repeatOf(decision.decisionId, escalationRequest(decision));
    if (repeat) return repeat;
    // Another request may have decided it after this one was accepted: refused, as the validator would have.
    const escalation = refusedInHandler(() => {
      const open = this.openEscalation(decision.step);
      if (!open) throw new Error(`step ${decision.step} is not escalated (its escalation was decided meanwhile)`);
      return open;
    });
    this.decisions += 1;
    escalation.open = false;
    escalation.decision = this.record(decision.action, decision.by, decision.reason, false, decision.identity);
    const by = escalation.decision.by;
    if (decision.action === 'skip') escalation.output = decision.output ?? {};
    const reason = decision.reason ? ` (${decision.reason})` : '';
    this.tracker.log(`decision on ${decision.step}: ${decision.action} by ${by}${reason}`, decision.step, 'warn');
    if (decision.action === 'retry' && this.faults[decision.step]?.kind === 'permanent') {
      this.clearFault(decision.step, 'lifted by the retry decision: the outage is over');
    }
    this.tracker.publish();
    const { choice, output } = escalationRequest(decision);
    return this.receipts.remember(
      decision.decisionId,
      { targets: [decision.step], choice, output },
      `${decision.action} ${decision.step} by ${by}`,
    );
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
    if (!named.open)
      throw new Error(`question ${named.id} was already answered: ${named.decision?.action ?? ''} by ${named.decision?.by ?? ''}`);
    return named;
  }

  /** Update validator of answers to approvals, manual tasks and a process's own questions. */
  validateAnswer(answer: QuestionAnswer): void {
    checkAnswerForm(answer);
    const earlier = this.receipts.appliedUnder(answer.decisionId);
    if (earlier) {
      // A repeat is recorded too: only from someone who may answer the question it repeats.
      const answered = this.questions.find((q) => q.id === earlier.targets[0]);
      if (answered) checkMayAnswer(answered, this.contacts.get(answered.id), answer.identity!);
      else requireRole(answer.identity!, 'operator', 'repeating an answer');
      this.receipts.isRepeat(answer.decisionId, answerRequest(answer));
      return;
    }
    const question = this.questionFor(answer);
    checkMayAnswer(question, this.contacts.get(question.id), answer.identity!);
    if (!question.choices.includes(answer.decision)) {
      throw new Error(`unknown decision "${String(answer.decision)}"; decisions are ${question.choices.join(', ')}`);
    }
    const required = question.kind === 'task' || answer.decision !== 'reject' ? question.requiredOutput : [];
    checkOutput(
      answer.output,
      required,
      question.outputTypes,
      question.kind === 'task' ? `task ${question.step}` : `answering ${question.id}`,
    );
    this.checkDecisionCount(question.kind === 'approval' && answer.decision === 'reject');
  }

  answer(answer: QuestionAnswer): DecisionReceipt {
    const repeat = this.receipts.repeatOf(answer.decisionId, answerRequest(answer));
    if (repeat) return repeat;
    // Another request may have answered it after this one was accepted: refused, as the validator would have.
    const question = refusedInHandler(() => this.questionFor(answer));
    this.decisions += 1;
    question.open = false;
    question.decision = this.record(answer.decision, answer.by, answer.reason, false, answer.identity);
    const by = question.decision.by;
    question.output = answer.output;
    const reason = answer.reason ? ` (${answer.reason})` : '';
    if (question.kind === 'approval') {
      this.tracker.log(`approval ${answer.decision === 'approve' ? 'granted' : 'refused'} by ${by}${reason}`, question.step, 'warn');
    } else if (question.kind === 'task') {
      this.tracker.log(`task ${question.step} done by ${by}${reason}`, question.step, 'warn');
    } else {
      this.tracker.log(`answer to ${question.id}: ${answer.decision} by ${by}${reason}`, question.step, 'warn');
    }
    this.tracker.publish();
    const message = question.kind === 'approval' ? `${answer.decision} by ${by}` : `${answer.decision} ${question.id} by ${by}`;
    const applied = { targets: [question.id, question.step], choice: answer.decision, output: answer.output };
    return this.receipts.remember(answer.decisionId, applied, message);
  }

  /** Closes a question nobody answered before its deadline, with the ladder's action. */
  decideAutomatically(question: QuestionStatus, action: string, reason: string, logMessage: string): void {
    question.open = false;
    question.decision = this.record(action, 'overture', reason, true);
    this.tracker.log(logMessage, question.step, 'warn');
    this.tracker.publish();
  }

  validateInjection(injection: FaultInjection): void {
    checkInjectionForm(injection);
    if (typeof injection.step !== 'string' || !this.tracker.has(injection.step)) {
      throw new Error(`unknown step "${String(injection.step)}"; steps are ${this.tracker.status.steps.map((s) => s.step).join(', ')}`);
    }
    const refusal = tooMany(this.injections, DECISION_LIMITS.injectionsPerRun, 'fault injections', 'retry, skip and abort still work');
    if (refusal) throw refusal;
  }

  inject(injection: FaultInjection): DecisionReceipt {
    this.injections += 1;
    this.tracker.status.injections = this.injections;
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
