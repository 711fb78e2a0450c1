/**
 * Bounds on what people may send a run, and on what a run's status may grow to.
 *
 * Every decision, answer, reschedule and injected fault is a Temporal update. Temporal refuses every update
 * to a run that has taken 2,000 of them (the history service's `history.maxTotalUpdates`), and refuses to
 * return a status or a history past its blob size limit (2 MiB). So a run accepts far fewer updates than
 * that, each one small, and keeps its status bounded: the decision path keeps working (retry, skip, abort)
 * however many updates a run has been sent.
 *
 * Pure and deterministic: the workflow's update validators and the client (CLI, console) share these checks,
 * so the client refuses over-limit input before sending it, with the same message the run would give.
 */
import type { DecisionIdentity, EscalationDecision, FaultInjection, QuestionAnswer, RescheduleRequest } from './types';
import { DECISION_CHANNELS, FAULT_SYNTAX, isFault, OPERATOR_ROLES } from './vocabulary';

/** Frozen, typed as numbers (not literals): a limit is a bound, not a value to match. */
const numbers = <T extends Record<string, number>>(limits: T): { readonly [K in keyof T]: number } => Object.freeze(limits);

export const DECISION_LIMITS = numbers({
  /** Who decided: a name or an address. */
  byChars: 200,
  /** An operator's address (RFC 5321's longest). */
  emailChars: 254,
  reasonChars: 500,
  /** An output (a skipped step's stand-in outputs, a task's result): fields, key and value lengths, in all. */
  outputKeys: 20,
  outputKeyChars: 100,
  outputValueChars: 500,
  outputTotalChars: 4_000,
  /** Step and question names, decisions, decision ids. */
  nameChars: 200,
  /** Accepted fault injections (clearing one counts too) per run. */
  injectionsPerRun: 100,
  /** Accepted reschedules of scheduled waits per run. */
  reschedulesPerRun: 100,
  /** Accepted decisions and answers per run; an abort is taken past it, so a run can always be stopped. */
  decisionsPerRun: 1_000,
  /**
   * Acknowledged repeats of applied decisions per run (each request is an update of its own, so that its receipt
   * can say it was a repeat); past it a repeat is refused, saying the decision was applied.
   */
  repeatsPerRun: 200,
});

/**
 * Bounds on the status: the log keeps its newest lines, each line and each error at most so long, and the
 * status keeps every open question but only the newest closed ones.
 */
export const STATUS_LIMITS = numbers({
  logLines: 500,
  logLineChars: 1_000,
  /** A step's last error, and an escalation's prompt (the error). */
  errorChars: 2_000,
  closedQuestions: 50,
});

/** Shortens text to at most `max` characters, saying that it did. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 12;
  // Not between the two halves of a surrogate pair.
  if (/[\uDC00-\uDFFF]/.test(text.charAt(end))) end -= 1;
  return `${text.slice(0, end)}… (clipped)`;
}

function onlyFields(value: object, allowed: readonly string[], what: string): void {
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length)
    throw new Error(
      `unknown field${unknown.length > 1 ? 's' : ''} ${unknown
        .slice(0, 3)
        .map((k) => JSON.stringify(k.slice(0, 40)))
        .join(', ')} in ${what}; its fields are ${allowed.join(', ')}`,
    );
}

function requireObject(value: unknown, what: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} must be an object`);
}

/** A name (step, question, decision id) if given: text of at most nameChars. */
function checkName(value: unknown, field: string): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length > DECISION_LIMITS.nameChars)
    throw new Error(`${field} must be text of at most ${DECISION_LIMITS.nameChars} characters`);
}

export function checkPerson(by: unknown, what = 'a decision'): void {
  if (typeof by !== 'string' || by.trim() === '')
    throw new Error(`${what} must say who ${what === 'a reschedule' ? 'asked for it' : 'made it'} (by)`);
  if (by.length > DECISION_LIMITS.byChars) throw new Error(`"by" must be at most ${DECISION_LIMITS.byChars} characters`);
}

export function checkReason(reason: unknown): void {
  if (reason === undefined) return;
  if (typeof reason !== 'string') throw new Error('a reason must be text');
  if (reason.length > DECISION_LIMITS.reasonChars) throw new Error(`a reason must be at most ${DECISION_LIMITS.reasonChars} characters`);
}

/** An output's form, if given: an object of strings within the limits. */
export function checkOutputForm(output: unknown, what: string): void {
  if (output === undefined) return;
  if (typeof output !== 'object' || output === null || Array.isArray(output) || Object.values(output).some((v) => typeof v !== 'string')) {
    throw new Error(`${what}'s output must be an object of strings`);
  }
  const { outputKeys, outputKeyChars, outputValueChars, outputTotalChars } = DECISION_LIMITS;
  const entries = Object.entries(output as Record<string, string>);
  if (entries.length > outputKeys) throw new Error(`${what}'s output may have at most ${outputKeys} fields`);
  if (entries.some(([k]) => k === '' || k.length > outputKeyChars))
    throw new Error(`each output key must be 1-${outputKeyChars} characters`);
  if (entries.some(([, v]) => v.length > outputValueChars))
    throw new Error(`each output value must be at most ${outputValueChars} characters`);
  const total = entries.reduce((sum, [k, v]) => sum + k.length + v.length, 0);
  if (total > outputTotalChars) throw new Error(`an output may hold at most ${outputTotalChars} characters in all (keys and values)`);
}

const ESCALATION_FIELDS = ['step', 'action', 'by', 'reason', 'output', 'decisionId', 'identity'] as const;
const ANSWER_FIELDS = ['question', 'decision', 'by', 'reason', 'output', 'decisionId', 'identity'] as const;
const RESCHEDULE_FIELDS = ['step', 'at', 'now', 'by', 'reason', 'decisionId', 'identity'] as const;
const IDENTITY_FIELDS = ['operator', 'email', 'role', 'via'] as const;

/**
 * Who made a decision, as the client authenticated them: a person's decision without one is refused (a name
 * typed by hand proves nothing). Automatic decisions are taken by the run itself and never pass here.
 */
export function checkIdentity(identity: unknown): asserts identity is DecisionIdentity {
  const problem = 'decisions need an authenticated operator';
  if (identity === undefined)
    throw new Error(`${problem}: this one names none (decide with the CLI or console, signed in with your operator token)`);
  requireObject(identity, 'the identity');
  onlyFields(identity, IDENTITY_FIELDS, 'the identity');
  const { operator, email, role, via } = identity;
  if (typeof operator !== 'string' || operator.trim() === '' || operator.length > DECISION_LIMITS.byChars)
    throw new Error(`${problem}: the identity's operator must be a name of 1-${DECISION_LIMITS.byChars} characters`);
  if (email !== undefined && (typeof email !== 'string' || email.length > DECISION_LIMITS.emailChars))
    throw new Error(`${problem}: the identity's email must be an address of at most ${DECISION_LIMITS.emailChars} characters`);
  if (!(OPERATOR_ROLES as readonly unknown[]).includes(role))
    throw new Error(`${problem}: the identity's role must be one of ${OPERATOR_ROLES.join(', ')}`);
  if (!(DECISION_CHANNELS as readonly unknown[]).includes(via))
    throw new Error(`${problem}: the identity's via must be one of ${DECISION_CHANNELS.join(', ')}`);
}
const INJECTION_FIELDS = ['step', 'fault'] as const;

/** What an escalation decision may hold, whatever the run's state. */
export function checkEscalationForm(decision: EscalationDecision): void {
  requireObject(decision, 'a decision');
  onlyFields(decision, ESCALATION_FIELDS, 'a decision');
  checkName(decision.step, 'the step');
  checkName(decision.decisionId, 'a decision id');
  checkPerson(decision.by);
  checkIdentity(decision.identity);
  checkReason(decision.reason);
  checkOutputForm(decision.output, `skipping step ${String(decision.step)}`);
}

/** What an answer to an approval, a task or a question may hold, whatever the run's state. */
export function checkAnswerForm(answer: QuestionAnswer): void {
  requireObject(answer, 'an answer');
  onlyFields(answer, ANSWER_FIELDS, 'an answer');
  checkName(answer.question, 'the question');
  checkName(answer.decision, 'the decision');
  checkName(answer.decisionId, 'a decision id');
  checkPerson(answer.by);
  checkIdentity(answer.identity);
  checkReason(answer.reason);
  checkOutputForm(answer.output, 'the answer');
}

/** What a reschedule may hold, whatever the run's state. */
export function checkRescheduleForm(request: RescheduleRequest): void {
  requireObject(request, 'a reschedule');
  onlyFields(request, RESCHEDULE_FIELDS, 'a reschedule');
  checkName(request.step, 'the step');
  checkName(request.at, 'the time (at)');
  checkName(request.decisionId, 'a decision id');
  checkPerson(request.by, 'a reschedule');
  checkIdentity(request.identity);
  if (request.reason !== undefined && (typeof request.reason !== 'string' || request.reason.length > DECISION_LIMITS.reasonChars)) {
    throw new Error(`a reason must be text of at most ${DECISION_LIMITS.reasonChars} characters`);
  }
}

/** What a fault injection may hold, whatever the run's state. */
export function checkInjectionForm(injection: FaultInjection): void {
  requireObject(injection, 'a fault injection');
  onlyFields(injection, INJECTION_FIELDS, 'a fault injection');
  checkName(injection.step, 'the step');
  const fault = injection.fault as unknown;
  // The same bounds as a fault given when the run starts (./vocabulary.ts).
  if (fault !== undefined && !isFault(fault)) throw new Error(`a fault is ${FAULT_SYNTAX}`);
}

/** The refusal once a run has taken its share of some kind of update. */
export function tooMany(count: number, limit: number, what: string, instead: string): Error | undefined {
  if (count < limit) return undefined;
  return new Error(`this run has taken ${count} ${what}, the most a run accepts (${limit}); ${instead}`);
}
