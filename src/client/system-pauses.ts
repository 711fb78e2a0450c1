/**
 * Pausing and resuming a downstream system, for the CLI (and any other client): the record in the shared health
 * store, and on resume the `systemResumed` signal to each open run the pause held, so that its waiting step runs
 * again at once (a run missed here wakes on its own backstop timer within minutes).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { systemResumedSignal } from '../../workflows/kit/system-pause';
import { SYSTEM_NAMES, type DecisionIdentity, type SystemName } from '../../workflows/kit/types';
import { hasUnsafeText } from '../../workflows/kit/safe-text';
import type { SystemHealthRecords } from '../stores/system-health/sqlite-health';

/** Longest reason kept with a pause: it is shown on every waiting step. */
export const MAX_PAUSE_REASON_CHARS = 300;

/** The system named, or an error that lists the systems there are. */
export function systemNamed(name: string | undefined): SystemName {
  if (name && (SYSTEM_NAMES as readonly string[]).includes(name)) return name as SystemName;
  throw new RangeError(`unknown system "${name ?? ''}": the systems are ${SYSTEM_NAMES.join(', ')}`);
}

/** A reason fit to show on a waiting step: bounded, no control or direction characters. */
export function checkPauseReason(reason: string | undefined): string | undefined {
  if (reason === undefined || reason.trim() === '') return undefined;
  if (reason.length > MAX_PAUSE_REASON_CHARS)
    throw new RangeError(`--reason is ${reason.length} characters; at most ${MAX_PAUSE_REASON_CHARS}`);
  if (hasUnsafeText(reason)) throw new RangeError('--reason may not hold control or direction characters');
  return reason.trim();
}

/** What a resume did: whether the system was paused, and the runs woken (and those that had ended meanwhile). */
export interface ResumeReport {
  wasPaused: boolean;
  signalled: string[];
  ended: string[];
}

/** Resumes the system and signals the open runs its pause refused, a few at a time. */
export async function resumeSystem(
  client: Client,
  store: SystemHealthRecords,
  system: SystemName,
  identity: DecisionIdentity,
  reason?: string,
): Promise<ResumeReport> {
  const { wasPaused, refusedRuns } = await store.resume(system, identity, reason);
  const report: ResumeReport = { wasPaused, signalled: [], ended: [] };
  const queue = [...refusedRuns];
  const worker = async () => {
    for (let workflowId = queue.shift(); workflowId !== undefined; workflowId = queue.shift()) {
      try {
        const handle = client.workflow.getHandle(workflowId);
        const { status } = await handle.describe();
        if (status.name !== 'RUNNING') {
          report.ended.push(workflowId);
          continue;
        }
        await handle.signal(systemResumedSignal, { system });
        report.signalled.push(workflowId);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        report.ended.push(workflowId);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker));
  return report;
}
