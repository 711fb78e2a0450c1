/**
 * What a schedule starts: a small generic workflow that turns the schedule's input template into a process's
 * run at the scheduled time, and runs it as a child under the process's own workflow id. So a scheduled close
 * of 2026-10 and a manual one are the same run, and the schedule's overlap policy acts on a run that lasts as
 * long as the process's run. It names no process: an activity resolves the template through the registry.
 */
import {
  defineSearchAttributeKey,
  SearchAttributeType,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  type SearchAttributePair,
} from '@temporalio/common';
import { executeChild, proxyLocalActivities, upsertMemo, workflowInfo } from '@temporalio/workflow';

/** The schedule's action: which process, its input (placeholders like `{{previousMonth}}` allowed), the zone dates are read in. */
export interface ScheduledStartRequest {
  process: string;
  input: unknown;
  /** IANA time zone in which `{{today}}` and the like are read; UTC by default. */
  timezone?: string;
}

/** How to start the process's run: plain data, as the client would start it (src/client/start.ts RunStart extends it). */
export interface ScheduledRun {
  process: string;
  workflowType: string;
  workflowId: string;
  args: unknown[];
  typedSearchAttributes: SearchAttributePair[];
  staticSummary: string;
  staticDetails: string;
}

export interface ScheduledStartActivities {
  /** Fills the placeholders for the scheduled time and validates the input with the process's schema. */
  resolveScheduledStart(request: ScheduledStartRequest & { scheduledAt: string }): Promise<ScheduledRun>;
}

export interface ScheduledStartOutcome {
  process: string;
  workflowId: string;
  scheduledAt: string;
  /** `completed`: the run this schedule started ended; `already-started`: a run with that id was running or had completed. */
  outcome: 'completed' | 'already-started';
}

/** Set by Temporal on every run a schedule starts: the time it was due (for a manual trigger, when it was triggered). */
const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

const { resolveScheduledStart } = proxyLocalActivities<ScheduledStartActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5 },
  summary: 'Resolve the scheduled input',
});

/** The scheduled time: relative inputs are read against it, not against when a buffered run finally started. */
function scheduledTime(): Date {
  const info = workflowInfo();
  return info.typedSearchAttributes.get(SCHEDULED_START_TIME) ?? info.runStartTime;
}

/** Starts the scheduled process's run as a child and waits for it, unless a run with that id was already started. */
export async function scheduledStart(request: ScheduledStartRequest): Promise<ScheduledStartOutcome> {
  const scheduledAt = scheduledTime().toISOString();
  const run = await resolveScheduledStart({ ...request, scheduledAt });
  // `overture schedule list` reads which run this action started from here.
  upsertMemo({ process: run.process, runWorkflowId: run.workflowId });
  const outcome = { process: run.process, workflowId: run.workflowId, scheduledAt };
  try {
    // The default parent-close policy (terminate) is deliberate: cancelling or terminating this run (the overlap
    // policies cancel-other and terminate-other) acts on the process's run.
    await executeChild(run.workflowType, {
      workflowId: run.workflowId,
      args: run.args,
      typedSearchAttributes: run.typedSearchAttributes,
      staticSummary: run.staticSummary,
      staticDetails: run.staticDetails,
      // As for a manual start: a failed or aborted run may run again; a running or completed one stands.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    });
    return { ...outcome, outcome: 'completed' };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { ...outcome, outcome: 'already-started' };
    throw err;
  }
}
