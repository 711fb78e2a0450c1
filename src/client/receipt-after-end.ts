/**
 * The receipt of a decision that reaches its run after the run ended. Temporal refuses the update ("already
 * completed"), which says nothing of the decision; the run's status still does: when the question the decision id
 * names was decided as this request asks, the request was a repeat; when with another output, it is refused.
 */
import { ApplicationFailure, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { differingKeys } from '../../workflows/kit/receipts';
import type { DecisionReceipt, QuestionStatus } from '../../workflows/kit/types';
import { getRunStatus } from './status';

/**
 * The one place decision ids are made, for the CLI and the console alike: the same decision on the same
 * question has the same id, so a decision sent twice (a double click, a retried command) is acknowledged
 * the second time as a repeat instead of applied again, and a different one (another output) is refused.
 */
export function decisionIdFor(question: Pick<QuestionStatus, 'id'>, decision: string): string {
  return `${question.id}:${decision}`;
}

/** A refusal as the run's validator gives it: the same error the client sees when the run refuses. */
export function refusal(message: string): WorkflowUpdateFailedError {
  return new WorkflowUpdateFailedError(
    'Workflow Update failed',
    ApplicationFailure.create({ message, type: 'DecisionRefused', nonRetryable: true }),
  );
}

/** What a request decided, as far as an ended run's status can compare it: its choice, and its output if it counts. */
export interface EndedRunRequest {
  decisionId?: string;
  /** The output, when it is part of the decision (a skip, an answer); undefined when it is ignored (retry, abort). */
  output?: Readonly<Record<string, string>>;
  outputCounts: boolean;
}

/**
 * Sends a decision; if the run has ended meanwhile, answers from its status as the run would have (a repeat, or a
 * refusal of a different decision under the used id). Any other failure, or a decision the status does not show,
 * is thrown as it came.
 */
export async function sendDecision(
  client: Client,
  workflowId: string,
  request: EndedRunRequest,
  send: () => Promise<DecisionReceipt>,
): Promise<DecisionReceipt> {
  try {
    return await send();
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError) || !request.decisionId) throw err;
    const status = await getRunStatus(client, workflowId).catch(() => undefined);
    const question = status?.questions.find(
      (q) => q.decision && !q.decision.automatic && decisionIdFor(q, q.decision.action) === request.decisionId,
    );
    if (!status || !question?.decision) throw err;
    const { action, by, at } = question.decision;
    // As the run words its receipts (decision-desk.ts).
    const what = question.kind === 'escalation' ? ` ${question.step}` : question.kind === 'approval' ? '' : ` ${question.id}`;
    const applied = `${action}${what} by ${by}`;
    const keys = request.outputCounts ? differingKeys(question.output, request.output) : [];
    if (keys.length) {
      const message = `decision ${request.decisionId} was already applied at ${at} (${applied}), and this one differs: its output differs (${keys.join(', ')}). An applied decision is not changed`;
      throw refusal(message);
    }
    return {
      applied: false,
      repeat: true,
      decisionId: request.decisionId,
      at,
      message: `already applied at ${at}: ${applied}; the run has since ended (${status.state}); nothing changed`,
    };
  }
}
