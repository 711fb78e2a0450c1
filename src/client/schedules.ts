/**
 * Overture's schedules on Temporal's schedule API: each starts the kit's `scheduledStart` workflow, which runs
 * the process under its own workflow id (see workflows/kit/scheduled-start.ts).
 */
import { ScheduleNotFoundError, type Client, type ScheduleDescription } from '@temporalio/client';
import type { OvertureConfig } from '../config/platform';
import { findProcess } from '../registry';
import { parseInput } from '../../workflows/kit/input';
import type { ScheduledStartRequest } from '../../workflows/kit/scheduled-start';
import { fillPlaceholders, placeholderValues } from './schedule-placeholders';
import { OVERLAP_POLICIES, scheduleSpecFor, type OverlapName } from './schedule-spec';

/** The kit workflow every Overture schedule starts: how its schedules are told from others in the namespace. */
export const SCHEDULED_START_WORKFLOW = 'scheduledStart';

/** Runs missed while the server was down are still taken within a day; older ones are dropped, not piled up. */
const CATCHUP_WINDOW = '1 day';

export interface ScheduleRequest {
  name: string;
  process: string;
  /** The input template (placeholders allowed). */
  input: unknown;
  when: string;
  hour?: number;
  timezone: string;
  overlap: OverlapName;
  paused?: boolean;
}

/**
 * Checks the template now, as it would be filled in today (a template that cannot make a valid input would
 * fail on every scheduled run): throws InputError naming each bad field.
 */
export function checkTemplate(processName: string, input: unknown, timezone: string): void {
  const definition = findProcess(processName, { startable: true });
  const sample = fillPlaceholders(input, placeholderValues(new Date(), timezone));
  parseInput(definition.inputSchema, sample, `${processName} input (placeholders filled in for today)`);
}

/** Creates a schedule of a process; its runs start on the configured task queue. */
export async function createSchedule(client: Client, config: OvertureConfig, request: ScheduleRequest): Promise<void> {
  checkTemplate(request.process, request.input, request.timezone);
  const args: [ScheduledStartRequest] = [{ process: request.process, input: request.input, timezone: request.timezone }];
  await client.schedule.create({
    scheduleId: request.name,
    spec: scheduleSpecFor(request.when, { hour: request.hour, timezone: request.timezone }),
    action: {
      type: 'startWorkflow',
      workflowType: SCHEDULED_START_WORKFLOW,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId: `scheduled-${request.name}`,
      args,
    },
    policies: { overlap: OVERLAP_POLICIES[request.overlap], catchupWindow: CATCHUP_WINDOW },
    memo: { process: request.process, when: request.when, hour: request.hour, timezone: request.timezone, overlap: request.overlap },
    state: { paused: request.paused ?? false, note: request.paused ? 'created paused' : undefined },
  });
}

/** One action a schedule took, and the process run it led to. */
export interface ScheduleAction {
  scheduledAt: string;
  takenAt: string;
  /** The schedule's own run (`scheduledStart`). */
  workflowId: string;
  /** The process's run it started, once known. */
  runWorkflowId?: string;
  status?: string;
}

export interface ScheduleListing {
  id: string;
  process: string;
  when: string;
  timezone: string;
  overlap: string;
  taskQueue: string;
  paused: boolean;
  note?: string;
  nextRuns: string[];
  recent: ScheduleAction[];
}

/** The process run a scheduled action started, from the memo its `scheduledStart` run keeps. */
async function actionOutcome(client: Client, action: ScheduleDescription['info']['recentActions'][number]): Promise<ScheduleAction> {
  const { workflowId, firstExecutionRunId } = action.action.workflow;
  const base = { scheduledAt: action.scheduledAt.toISOString(), takenAt: action.takenAt.toISOString(), workflowId };
  try {
    const description = await client.workflow.getHandle(workflowId, firstExecutionRunId).describe();
    const memo = description.memo ?? {};
    return {
      ...base,
      runWorkflowId: typeof memo.runWorkflowId === 'string' ? memo.runWorkflowId : undefined,
      status: description.status.name.toLowerCase(),
    };
  } catch {
    return base; // a run past retention: the schedule still remembers when it acted
  }
}

/** A schedule as `schedule list` shows it, with its last few actions. */
async function listing(client: Client, description: ScheduleDescription, recentCount: number): Promise<ScheduleListing> {
  const memo = description.memo ?? {};
  const [request] = (description.action.args ?? []) as [ScheduledStartRequest | undefined];
  const text = (value: unknown, fallback = '') => (typeof value === 'string' ? value : fallback);
  return {
    id: description.scheduleId,
    process: text(memo.process, request?.process),
    when: text(memo.when) + (typeof memo.hour === 'number' ? ` at ${String(memo.hour).padStart(2, '0')}:00` : ''),
    timezone: text(memo.timezone, description.spec.timezone ?? 'UTC'),
    overlap: text(memo.overlap, String(description.policies.overlap)),
    taskQueue: description.action.taskQueue,
    paused: description.state.paused,
    note: description.state.note,
    nextRuns: description.info.nextActionTimes.slice(0, 3).map((d) => d.toISOString()),
    recent: await Promise.all(description.info.recentActions.slice(-recentCount).map((a) => actionOutcome(client, a))),
  };
}

/** Every Overture schedule, described afresh (the list itself is eventually consistent; each description is current). */
export async function listSchedules(client: Client, recentCount = 3): Promise<ScheduleListing[]> {
  const ids: string[] = [];
  for await (const summary of client.schedule.list()) {
    if (summary.action?.workflowType === SCHEDULED_START_WORKFLOW) ids.push(summary.scheduleId);
  }
  const described = await Promise.all(
    ids.map(async (id) => {
      try {
        return await listing(client, await client.schedule.getHandle(id).describe(), recentCount);
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) return undefined; // deleted since it was listed
        throw err;
      }
    }),
  );
  return described.filter((s): s is ScheduleListing => s !== undefined).sort((a, b) => a.id.localeCompare(b.id));
}
