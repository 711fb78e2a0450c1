/** Where a run is: its status query, completed with what only the server knows while a step is in flight. */
import { isGrpcCancelledError, isGrpcDeadlineError, type Client } from '@temporalio/client';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { fanOutProgressQuery, statusQuery } from '../../workflows/kit';
import type { RunStatus as WorkflowRunStatus } from '../../workflows/kit/types';

export class NoWorkerError extends Error {
  override readonly name = 'NoWorkerError';
}

export interface RunStatus extends WorkflowRunStatus {
  /** Temporal's own view: RUNNING, COMPLETED, FAILED, TERMINATED… */
  execution: { status: string; runId: string; historyLength: number };
}

/**
 * The run's status query, completed with what only the server knows while a step is in flight:
 * the live attempt number and last error of activities being retried.
 */
export async function getRunStatus(client: Client, workflowId: string, queryTimeoutMs = 10_000): Promise<RunStatus> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  let status: WorkflowRunStatus;
  const deadline = Date.now() + queryTimeoutMs;
  try {
    // Only a worker can answer a query: without one it would wait for the RPC's own, much longer, deadline.
    status = await client.withDeadline(deadline, () => handle.query(statusQuery));
  } catch (err) {
    // grpc-js reports an expired deadline as DEADLINE_EXCEEDED, or now and then as CANCELLED.
    const timedOut = isGrpcDeadlineError(err) || (isGrpcCancelledError(err) && Date.now() >= deadline);
    if (!timedOut) throw err;
    throw new NoWorkerError(
      `no worker answered the status query of ${workflowId} within ${queryTimeoutMs / 1000} s: is a worker polling task queue ${description.taskQueue}? (npm run worker)`,
    );
  }
  for (const pending of description.raw.pendingActivities ?? []) {
    const stepName = pending.activityType?.name;
    const step = status.steps.find((s) => s.step === stepName);
    if (!step || step.state !== 'running') continue;
    const attempt = pending.attempt ?? 1;
    step.attempts += attempt;
    if (attempt > 1 || pending.lastFailure) {
      step.state = 'retrying';
      // The message is in the failure's (encrypted) encoded attributes: decoded with the client's converter.
      const lastFailure = await decodeOptionalFailureToOptionalError(client.options.loadedDataConverter, pending.lastFailure);
      step.lastError = lastFailure?.message ?? step.lastError;
    }
  }
  await addFanOutProgress(client, status, description.raw.pendingChildren ?? []);
  return {
    ...status,
    execution: { status: description.status.name, runId: description.runId, historyLength: description.historyLength },
  };
}

/** A running fan-out step's live counts, from its fan-out workflow (the run itself learns them when it joins). */
async function addFanOutProgress(
  client: Client,
  status: WorkflowRunStatus,
  children: Array<{ workflowId?: string | null; workflowTypeName?: string | null }>,
): Promise<void> {
  for (const child of children) {
    if (child.workflowTypeName !== 'fanOut' || !child.workflowId) continue;
    const stepName = child.workflowId.slice(status.workflowId.length + 1).replace(/#\d+$/, '');
    const step = status.steps.find((s) => s.step === stepName);
    if (!step || step.state !== 'running') continue;
    try {
      const progress = await client.workflow.getHandle(child.workflowId).query(fanOutProgressQuery);
      const { total, running, completed, failed, failedItems } = progress;
      const counts = { total, running, completed, failed, failedItems };
      // Items completed in earlier rounds (before a retry) are in the run's own counts.
      const earlier = step.fanOut ? step.fanOut.completed : 0;
      step.fanOut = { ...counts, total: step.fanOut?.total ?? counts.total, completed: earlier + counts.completed };
    } catch {
      // The fan-out's worker did not answer: the run's own counts stand.
    }
  }
}
