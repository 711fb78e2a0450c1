/**
 * Carrying people's decisions to runs as Updates: what the run's validator would refuse whatever its state is
 * refused here first, with the same message; decision ids are made in one place, so a decision sent twice is
 * applied once. Each request is an update of its own (its id names the request): the run, which sees every
 * request in order, says in its receipt whether this one applied the decision or repeated it.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { answerQuestionUpdate, injectFaultUpdate, rescheduleUpdate, resolveEscalationUpdate } from '../../workflows/kit';
import {
  checkAnswerForm,
  checkEscalationForm,
  checkInjectionForm,
  checkRescheduleForm,
  DECISION_LIMITS,
  tooMany,
} from '../../workflows/kit/limits';
import type {
  DecisionReceipt,
  EscalationDecision,
  FaultMode,
  QuestionAnswer,
  QuestionStatus,
  RescheduleRequest,
  RunStatus as WorkflowRunStatus,
} from '../../workflows/kit/types';
import { decisionIdFor, refusal, sendDecision } from './receipt-after-end';

export { decisionIdFor } from './receipt-after-end';

/**
 * Refuses, before sending, what the run's validator would refuse whatever the run's state (over the kit's
 * limits, malformed): the same error, with the same message, as the run's own refusal.
 */
function refuseEarly(check: () => void): void {
  try {
    check();
  } catch (err) {
    throw refusal(err instanceof Error ? err.message : String(err));
  }
}

/**
 * The update id of one request: the decision id (for reading a history) and a part of its own. Not the decision id
 * alone: Temporal answers every update under a used id with the first one's outcome, so each of a hundred retries
 * would be told it applied the decision, and a different decision under the id would be told it was applied.
 */
export function requestIdFor(decisionId: string | undefined): string {
  return `${decisionId ?? 'decision'}@${randomBytes(6).toString('hex')}`;
}

/** Sends a decision on an escalated step; the validator's refusal surfaces as a rejected promise. */
export async function resolveEscalation(client: Client, workflowId: string, decision: EscalationDecision): Promise<DecisionReceipt> {
  refuseEarly(() => checkEscalationForm(decision));
  const handle = client.workflow.getHandle(workflowId);
  const send = () => handle.executeUpdate(resolveEscalationUpdate, { args: [decision], updateId: requestIdFor(decision.decisionId) });
  const asked = { decisionId: decision.decisionId, output: decision.output, outputCounts: decision.action === 'skip' };
  return sendDecision(client, workflowId, asked, send);
}

/** Answers an approval, a manual task or a process's own question. */
export async function answerQuestion(client: Client, workflowId: string, answer: QuestionAnswer): Promise<DecisionReceipt> {
  refuseEarly(() => checkAnswerForm(answer));
  const handle = client.workflow.getHandle(workflowId);
  const send = () => handle.executeUpdate(answerQuestionUpdate, { args: [answer], updateId: requestIdFor(answer.decisionId) });
  return sendDecision(client, workflowId, { decisionId: answer.decisionId, output: answer.output, outputCounts: true }, send);
}

/** Sends the approver's decision (the only open approval or question of the run, unless one is named). */
export function decideApproval(client: Client, workflowId: string, decision: QuestionAnswer): Promise<DecisionReceipt> {
  return answerQuestion(client, workflowId, decision);
}

/**
 * Injects (or clears, with no fault) a failure into a step of a running run. Given the run's status (as the
 * CLI and the console have it), a run that has taken its share of injections is refused before sending.
 */
export async function injectFault(
  client: Client,
  workflowId: string,
  step: string,
  fault?: FaultMode,
  known?: Pick<WorkflowRunStatus, 'injections'>,
): Promise<DecisionReceipt> {
  refuseEarly(() => {
    checkInjectionForm(fault === undefined ? { step } : { step, fault });
    const refusal = tooMany(
      known?.injections ?? 0,
      DECISION_LIMITS.injectionsPerRun,
      'fault injections',
      'retry, skip and abort still work',
    );
    if (refusal) throw refusal;
  });
  const handle = client.workflow.getHandle(workflowId);
  return handle.executeUpdate(injectFaultUpdate, { args: [{ step, fault }] });
}

/** Moves a run's scheduled wait to a new time (`at`) or to now; the validator's refusal surfaces as a rejected promise. */
export async function reschedule(client: Client, workflowId: string, request: RescheduleRequest): Promise<DecisionReceipt> {
  refuseEarly(() => checkRescheduleForm(request));
  const updateId = requestIdFor(request.decisionId);
  return client.workflow.getHandle(workflowId).executeUpdate(rescheduleUpdate, { args: [request], updateId });
}

/** Delivers an event to a running run (a run waiting for it takes it; an early one is kept). */

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
