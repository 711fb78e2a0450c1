/**
 * Carrying people's decisions to runs as Updates: what the run's validator would refuse whatever its state is
 * refused here first, with the same message; decision ids are made in one place, so a decision sent twice is
 * applied once.
 */
import { ApplicationFailure, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
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

/**
 * Refuses, before sending, what the run's validator would refuse whatever the run's state (over the kit's
 * limits, malformed): the same error, with the same message, as the run's own refusal.
 */
function refuseEarly(check: () => void): void {
  try {
    check();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new WorkflowUpdateFailedError(
      'Workflow Update failed',
      ApplicationFailure.create({ message, type: 'DecisionRefused', nonRetryable: true }),
    );
  }
}

/**
 * Sends a decision on an escalated step; the validator's refusal surfaces as a rejected promise. The update id is
 * the decision id unless one is given (a bulk repeat gives a fresh one, so that the run itself acknowledges it).
 */
export async function resolveEscalation(
  client: Client,
  workflowId: string,
  decision: EscalationDecision,
  updateId?: string,
): Promise<DecisionReceipt> {
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
  return client.workflow.getHandle(workflowId).executeUpdate(rescheduleUpdate, { args: [request], updateId: request.decisionId });
}

/** Delivers an event to a running run (a run waiting for it takes it; an early one is kept). */

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
