/** What the bench reads from a run's history per run: workflow tasks, why each extra one, upserts, payload bytes. */
import { payloadBytes, upserts, whyTasks, workflowTasks, type HistoryEvent } from '../../src/tools/bench/history';

const ev = (fields: Record<string, unknown>) => fields as unknown as HistoryEvent;
const payload = (bytes: number) => ({ metadata: { encoding: new Uint8Array(3) }, data: new Uint8Array(bytes) });

/** Started, WFT 1 with a scheduled activity, its completion, WFT 2 with an upsert, completed. */
const history = [
  ev({ workflowExecutionStartedEventAttributes: { input: { payloads: [payload(100)] } } }),
  ev({ workflowTaskScheduledEventAttributes: {} }),
  ev({ workflowTaskStartedEventAttributes: {} }),
  ev({ workflowTaskCompletedEventAttributes: {} }),
  ev({ markerRecordedEventAttributes: { markerName: 'core_local_activity', details: { data: { payloads: [payload(40)] } } } }),
  ev({ activityTaskScheduledEventAttributes: { input: { payloads: [payload(20), payload(5)] } } }),
  ev({ activityTaskStartedEventAttributes: {} }),
  ev({ activityTaskCompletedEventAttributes: { result: { payloads: [payload(7)] } } }),
  ev({ workflowTaskScheduledEventAttributes: {} }),
  ev({ workflowTaskStartedEventAttributes: {} }),
  ev({ workflowTaskCompletedEventAttributes: {} }),
  ev({ upsertWorkflowSearchAttributesEventAttributes: { searchAttributes: { indexedFields: { Status: payload(9) } } } }),
  ev({ workflowExecutionCompletedEventAttributes: { result: { payloads: [payload(11)] } } }),
];

describe('history figures', () => {
  it('counts workflow tasks by their completions', () => {
    expect(workflowTasks(history)).toBe(2);
    expect(workflowTasks(history.slice(0, 5))).toBe(1);
  });

  it('names the event that woke each workflow task after the first', () => {
    expect(whyTasks(history)).toEqual({ activityTaskCompleted: 1 });
    expect(whyTasks(history.slice(0, 5))).toEqual({});
  });

  it('counts upserts', () => {
    expect(upserts(history)).toBe(1);
  });

  it("sums every payload's data, wherever it sits, and not its metadata", () => {
    expect(payloadBytes(history)).toBe(100 + 40 + 20 + 5 + 7 + 9 + 11);
  });
});
