/**
 * What the bench reads from run histories: how many events a run writes, where a run's time goes step by step,
 * and how long a person's decision takes to reach the next step. Times are the server's event times.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { tsToMs } from '@temporalio/common/lib/time';
import type { ActivitySpan } from './activity-clock';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
export type HistoryEvent = NonNullable<History['events']>[number];

/** The marker the SDK's core records for a local activity: its details hold the activity type and result. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** The server's time of an event, in epoch milliseconds. */
const at = (event: HistoryEvent): number => tsToMs(event.eventTime);

/** The event's kind, from the one attributes field it carries, e.g. `activityTaskScheduled`. */
export function eventKind(event: HistoryEvent): string {
  const key = Object.keys(event).find(
    (k) => k.endsWith('EventAttributes') && event[k as keyof HistoryEvent] !== null && event[k as keyof HistoryEvent] !== undefined,
  );
  return key ? key.slice(0, -'EventAttributes'.length) : 'unknown';
}

/** How many events of each kind a history holds. */
export function eventKinds(events: readonly HistoryEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) {
    const kind = event.markerRecordedEventAttributes ? `marker:${event.markerRecordedEventAttributes.markerName ?? ''}` : eventKind(event);
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/** The activity type of a local-activity marker, or undefined for any other event. */
export function localActivityType(event: HistoryEvent): string | undefined {
  const marker = event.markerRecordedEventAttributes;
  if (!marker || marker.markerName !== LOCAL_ACTIVITY_MARKER) return undefined;
  const payload = marker.details?.data?.payloads?.[0];
  if (!payload) return 'unknown';
  try {
    // Core writes the marker data as JSON with snake_case fields. Its complete_time is not when the activity ended
    // (tens of ms before the worker's own timing of it, here), so the bench times local activities itself.
    return defaultPayloadConverter.fromPayload<{ activity_type?: string }>(payload).activity_type ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** One step's times in one run, in milliseconds; offsets count from the run's start. */
export interface StepTiming {
  step: string;
  kind: 'activity' | 'local';
  /** Activities only: scheduled → a worker started it (queueing in the server and the worker's poll). */
  scheduleToStartMs?: number;
  /** Started → completed (a local activity: as its worker timed it, when it did). */
  executionMs?: number;
  /** Activity: scheduled → completed. Local activity: the workflow task it ran in started → its marker. */
  endToEndMs: number;
  /** Activity: scheduled. Local activity: started in the worker, else the start of its workflow task. */
  startOffsetMs: number;
  /** When the step's work was done: an activity's completion; a local activity's as its worker timed it. */
  doneOffsetMs?: number;
  /** When history recorded the step's end: the activity's completion, or the local activity's marker. */
  endOffsetMs: number;
}

/**
 * Every step (activity or local activity) of a run with its times, in history order; `skip` leaves out some types.
 * `spans` (the worker's timing of the run's local activities) adds when each local activity really ran.
 */
export function stepTimings(
  events: readonly HistoryEvent[],
  skip: ReadonlySet<string> = new Set(),
  spans: readonly ActivitySpan[] = [],
): StepTiming[] {
  // The n-th marker of a type is the n-th local execution of that type.
  const localSpans = new Map<string, ActivitySpan[]>();
  for (const span of spans.filter((s) => s.local)) localSpans.set(span.type, [...(localSpans.get(span.type) ?? []), span]);
  const runStart = events[0] ? at(events[0]) : NaN;
  const scheduled = new Map<string, { type: string; at: number }>();
  const started = new Map<string, number>();
  const steps: StepTiming[] = [];
  let taskStartedAt = runStart;
  for (const event of events) {
    const id = String(event.eventId);
    if (event.workflowTaskStartedEventAttributes) taskStartedAt = at(event);
    const sched = event.activityTaskScheduledEventAttributes;
    if (sched) scheduled.set(id, { type: sched.activityType?.name ?? 'unknown', at: at(event) });
    const start = event.activityTaskStartedEventAttributes;
    if (start) started.set(String(start.scheduledEventId), at(event));
    const done = event.activityTaskCompletedEventAttributes;
    if (done) {
      const key = String(done.scheduledEventId);
      const s = scheduled.get(key);
      const startedAt = started.get(key);
      if (s && !skip.has(s.type)) {
        steps.push({
          step: s.type,
          kind: 'activity',
          scheduleToStartMs: startedAt === undefined ? undefined : startedAt - s.at,
          executionMs: startedAt === undefined ? undefined : at(event) - startedAt,
          endToEndMs: at(event) - s.at,
          startOffsetMs: s.at - runStart,
          doneOffsetMs: at(event) - runStart,
          endOffsetMs: at(event) - runStart,
        });
      }
    }
    const local = localActivityType(event);
    if (local !== undefined && !skip.has(local)) {
      // A local activity runs inside a workflow task: history knows that task's start and the marker, written when
      // the task completes; the worker's timing, when there is one, shows when it really ran.
      const span = localSpans.get(local)?.shift();
      steps.push({
        step: local,
        kind: 'local',
        endToEndMs: at(event) - taskStartedAt,
        ...(span ? { executionMs: span.endMs - span.startMs, doneOffsetMs: span.endMs - runStart } : {}),
        startOffsetMs: (span?.startMs ?? taskStartedAt) - runStart,
        endOffsetMs: at(event) - runStart,
      });
    }
  }
  return steps;
}

/** The run's duration in its history: started → completed (or the last event). */
export function runDurationMs(events: readonly HistoryEvent[]): number {
  const first = events[0];
  const last = events[events.length - 1];
  return first && last ? at(last) - at(first) : NaN;
}

/** How long a decision took to reach the next step, from the server's and from the sender's point of view. */
export interface DecisionLatency {
  /** The update's Accepted (else Completed) event → the next step's first event. */
  fromUpdateEventMs: number;
  /** The client sending the decision → the next step's first event. */
  fromSendMs: number;
  /** The client sending the decision → the workflow task that took it started (dispatch to the worker). */
  sendToTaskStartMs: number;
}

/**
 * The latency of the first update in the history, to the next step: the first ActivityTaskScheduled or
 * local-activity marker of the workflow task that took the decision or a later one. (A local activity that runs
 * in the same workflow task may be recorded just before the update's events: they are written together.)
 */
export function decisionLatency(
  events: readonly HistoryEvent[],
  sentAtMs: number,
  skip: ReadonlySet<string> = new Set(),
): DecisionLatency | undefined {
  const updateIndex = events.findIndex(
    (e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateCompletedEventAttributes,
  );
  if (updateIndex < 0) return undefined;
  let taskStarted = updateIndex;
  while (taskStarted > 0 && !events[taskStarted]!.workflowTaskStartedEventAttributes) taskStarted--;
  const next = events.slice(taskStarted).find((e) => {
    const type = e.activityTaskScheduledEventAttributes?.activityType?.name ?? localActivityType(e);
    return type !== undefined && !skip.has(type);
  });
  if (!next) return undefined;
  return {
    fromUpdateEventMs: at(next) - at(events[updateIndex]!),
    fromSendMs: at(next) - sentAtMs,
    sendToTaskStartMs: at(events[taskStarted]!) - sentAtMs,
  };
}

/** Workflow tasks a run took: its WorkflowTaskCompleted events (each one a round trip server → worker → server). */
export function workflowTasks(events: readonly HistoryEvent[]): number {
  return events.filter((e) => e.workflowTaskCompletedEventAttributes).length;
}

/**
 * Why each workflow task after the first was scheduled: the kind of the event just before its WorkflowTaskScheduled
 * (an activity's completion, a timer, a signal, an update...), counted by kind.
 */
export function whyTasks(events: readonly HistoryEvent[]): Record<string, number> {
  const why: Record<string, number> = {};
  let seenFirst = false;
  events.forEach((event, i) => {
    if (!event.workflowTaskScheduledEventAttributes) return;
    if (!seenFirst) {
      seenFirst = true;
      return;
    }
    const before = i > 0 ? eventKind(events[i - 1]!) : 'none';
    why[before] = (why[before] ?? 0) + 1;
  });
  return why;
}

/** Search-attribute upserts a run wrote; each is a visibility write besides the start's and the close's. */
export function upserts(events: readonly HistoryEvent[]): number {
  return events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).length;
}

/** Bytes of every payload's data in the history (as stored: encoded and encrypted), found wherever it sits. */
export function payloadBytes(events: readonly HistoryEvent[]): number {
  let bytes = 0;
  const seen = new Set<object>();
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (ArrayBuffer.isView(value)) return;
    const record = value as Record<string, unknown>;
    // A Payload is { metadata, data }: the data is what the server stores and sends back.
    if ('metadata' in record && ArrayBuffer.isView(record.data)) {
      bytes += record.data.byteLength;
      return;
    }
    for (const child of Object.values(record)) walk(child);
  };
  for (const event of events) walk(event);
  return bytes;
}
