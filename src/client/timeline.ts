/**
 * A run's event timeline: what Temporal recorded (started, each step's activity scheduled and how it ended with
 * its attempts, timers, signals, people's decisions as updates, child runs, the end), merged with the run's own
 * log. Built from event types, names and times only: no payload is read, so it shows no personal data beyond
 * what the run's status already shows (its log).
 */
import { temporal } from '@temporalio/proto';
import type { Client } from '@temporalio/client';
import { optionalTsToMs, tsToMs } from '@temporalio/common/lib/time';
import { getRunStatus } from './status';

const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** One moment of a run. */
export interface TimelineEvent {
  at: string;
  kind: string;
  step?: string;
  detail: string;
}

export interface Timeline {
  events: TimelineEvent[];
  /** Events left out past {@link MAX_TIMELINE_EVENTS} (the newest are kept). */
  dropped?: number;
}

/** The most events a timeline holds: a long run's history can have tens of thousands. */
export const MAX_TIMELINE_EVENTS = 2_000;

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The SDK's marker of a local activity (the kit runs quick steps so first): Temporal's own JSON, never a run's payload. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** The step, attempt and outcome a local activity's marker records, or undefined for any other marker. */
function localActivityOf(
  attributes: temporal.api.history.v1.IMarkerRecordedEventAttributes | null | undefined,
): { step: string; attempt: number; failed: boolean } | undefined {
  if (attributes?.markerName !== LOCAL_ACTIVITY_MARKER) return undefined;
  const payload = attributes.details?.data?.payloads?.[0];
  if (!payload?.data) return undefined;
  try {
    const data = JSON.parse(Buffer.from(payload.data).toString('utf8')) as Record<string, unknown>;
    const step = data.activity_type ?? data.activityType;
    const attempt = Number(data.attempt ?? 1);
    if (typeof step !== 'string') return undefined;
    return { step, attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : 1, failed: Boolean(attributes.failure) };
  } catch {
    return undefined; // not the JSON the SDK writes: leave it out rather than guess
  }
}

/** The timeline events of a history, in order. */
export function historyTimeline(history: HistoryEvent[]): TimelineEvent[] {
  const steps = new Map<string, string>(); // scheduled event id -> step (activity type)
  const attempts = new Map<string, number>(); // scheduled event id -> attempt of its started event
  const timers = new Map<string, string>(); // timer id -> its summary
  const events: TimelineEvent[] = [];
  for (const event of history) {
    const at = new Date(tsToMs(event.eventTime)).toISOString();
    const add = (kind: string, detail: string, step?: string) => events.push({ at, kind, detail, ...(step ? { step } : {}) });
    const id = String(event.eventId ?? '');
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        add('started', `run started (${event.workflowExecutionStartedEventAttributes?.workflowType?.name ?? 'workflow'})`);
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        const step = event.activityTaskScheduledEventAttributes?.activityType?.name ?? 'activity';
        steps.set(id, step);
        add('step-scheduled', `${step} scheduled`, step);
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const a = event.activityTaskStartedEventAttributes;
        attempts.set(String(a?.scheduledEventId ?? ''), a?.attempt ?? 1);
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED: {
        const scheduled = String(
          (
            event.activityTaskCompletedEventAttributes ??
            event.activityTaskFailedEventAttributes ??
            event.activityTaskTimedOutEventAttributes ??
            event.activityTaskCanceledEventAttributes
          )?.scheduledEventId ?? '',
        );
        const step = steps.get(scheduled) ?? 'activity';
        const tries = plural(attempts.get(scheduled) ?? 1, 'attempt');
        const outcome =
          event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
            ? ['step-completed', `${step} completed after ${tries}`]
            : event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED
              ? ['step-failed', `${step} failed after ${tries}`]
              : event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT
                ? ['step-timed-out', `${step} timed out after ${tries}`]
                : ['step-canceled', `${step} canceled`];
        add(outcome[0]!, outcome[1]!, step);
        break;
      }
      case EventType.EVENT_TYPE_TIMER_STARTED: {
        const a = event.timerStartedEventAttributes;
        const after = optionalTsToMs(a?.startToFireTimeout);
        const detail = `timer set for ${after === undefined ? 'later' : seconds(after)}`;
        timers.set(a?.timerId ?? '', detail);
        add('timer-started', detail);
        break;
      }
      case EventType.EVENT_TYPE_TIMER_FIRED:
        add('timer-fired', `${timers.get(event.timerFiredEventAttributes?.timerId ?? '') ?? 'timer'}: fired`);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        add('signal', `signal ${event.workflowExecutionSignaledEventAttributes?.signalName ?? ''}`.trim());
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        // People's decisions arrive as updates; only accepted ones reach the history.
        add('decision', `decision ${event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? ''}`.trim());
        break;
      case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
        add(
          'child-started',
          `child run ${event.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId ?? ''} started`,
        );
        break;
      case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
        add(
          'child-completed',
          `child run ${event.childWorkflowExecutionCompletedEventAttributes?.workflowExecution?.workflowId ?? ''} completed`,
        );
        break;
      case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
        add('child-failed', `child run ${event.childWorkflowExecutionFailedEventAttributes?.workflowExecution?.workflowId ?? ''} failed`);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
        add('ended', 'run completed');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
        add('ended', 'run failed');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
        add('ended', 'run terminated');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
        add('ended', 'run canceled');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
        add('ended', 'run timed out');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
        add('ended', 'run continued as new');
        break;
      case EventType.EVENT_TYPE_MARKER_RECORDED: {
        const local = localActivityOf(event.markerRecordedEventAttributes);
        if (!local) break;
        const tries = plural(local.attempt, 'attempt');
        if (local.failed) add('step-failed', `${local.step} failed after ${tries}`, local.step);
        else add('step-completed', `${local.step} completed after ${tries}`, local.step);
        break;
      }
      default:
        break; // workflow tasks and the like say nothing a person reads
    }
  }
  return events;
}

/**
 * The run's timeline: its history's events and its log, by time (history first at the same instant). The log
 * comes from the status query; a run no worker answers for gets its history alone.
 */
export async function runTimeline(client: Client, workflowId: string, queryTimeoutMs = 3_000): Promise<Timeline> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const fromHistory = historyTimeline(history.events ?? []);
  let fromLog: TimelineEvent[] = [];
  try {
    const status = await getRunStatus(client, workflowId, queryTimeoutMs);
    fromLog = status.log.map((line) => ({
      at: line.at,
      kind: `log-${line.level}`,
      detail: line.message,
      ...(line.step ? { step: line.step } : {}),
    }));
  } catch {
    // No worker answered: Temporal's record still says what happened.
  }
  const events = [...fromHistory.map((e, i) => ({ e, i, o: 0 })), ...fromLog.map((e, i) => ({ e, i, o: 1 }))]
    .sort((a, b) => a.e.at.localeCompare(b.e.at) || a.o - b.o || a.i - b.i)
    .map(({ e }) => e);
  const dropped = Math.max(0, events.length - MAX_TIMELINE_EVENTS);
  return { events: events.slice(dropped), ...(dropped ? { dropped } : {}) };
}
