/**
 * The messages every run answers, whatever its process: the status query and the updates that carry
 * people's decisions and injected faults. Updates are validated before they reach the history.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { DecisionReceipt, EscalationDecision, FaultInjection, QuestionAnswer, RescheduleRequest, RunStatus } from './types';

export const statusQuery = defineQuery<RunStatus>('status');
export const resolveEscalationUpdate = defineUpdate<DecisionReceipt, [EscalationDecision]>('resolveEscalation');
export const answerQuestionUpdate = defineUpdate<DecisionReceipt, [QuestionAnswer]>('answerQuestion');
/**
 * The approval update's name before the kit: same handler as answerQuestion. Kept so that runs (and recorded
 * histories) from before the kit still find their handler.
 */
export const decideApprovalUpdate = defineUpdate<DecisionReceipt, [QuestionAnswer]>('decideApproval');
export const injectFaultUpdate = defineUpdate<DecisionReceipt, [FaultInjection]>('injectFault');
/** Moves a run's scheduled wait (see scheduled-wait.ts): a new due time, or now. */
export const rescheduleUpdate = defineUpdate<DecisionReceipt, [RescheduleRequest]>('reschedule');
