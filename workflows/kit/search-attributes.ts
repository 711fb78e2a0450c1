/**
 * Custom search attributes that keep every run findable while it advances.
 *
 * They hold no personal data: a process name, a run state, a step name, a flag, a time and what the run waits for.
 * The SQLite dev server allows at most 3 custom attributes per type (10 for Keyword); this set fits.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

export const PROCESS = defineSearchAttributeKey('OvertureProcess', SearchAttributeType.KEYWORD);
export const RUN_STATE = defineSearchAttributeKey('OvertureStatus', SearchAttributeType.KEYWORD);
export const BLOCKING_STEP = defineSearchAttributeKey('OvertureStep', SearchAttributeType.KEYWORD);
export const NEEDS_ATTENTION = defineSearchAttributeKey('OvertureNeedsAttention', SearchAttributeType.BOOL);
export const WAITING_SINCE = defineSearchAttributeKey('OvertureWaitingSince', SearchAttributeType.DATETIME);
/** What an open run waits for: `person` | `child-person` | `event` | `time` (absent or empty when it waits for nothing). */
export const WAITING_FOR = defineSearchAttributeKey('OvertureWaitingFor', SearchAttributeType.KEYWORD);
/** The `OvertureWaitingFor` value of each kind of wait (WaitInfo's kind: a person, a child's person, an event, a time). */
export const WAITING_FOR_VALUES = { person: 'person', child: 'child-person', event: 'event', time: 'time' } as const;

/** Name and type of every custom attribute, as the server registers them (`--search-attribute Name=Type`). */
export const SEARCH_ATTRIBUTE_DEFINITIONS: ReadonlyArray<{ name: string; type: string }> = [
  { name: PROCESS.name, type: 'Keyword' },
  { name: RUN_STATE.name, type: 'Keyword' },
  { name: BLOCKING_STEP.name, type: 'Keyword' },
  { name: NEEDS_ATTENTION.name, type: 'Bool' },
  { name: WAITING_SINCE.name, type: 'Datetime' },
  { name: WAITING_FOR.name, type: 'Keyword' },
];

/**
 * The attributes a run starts with, however it is started (CLI, console, event, schedule): listed under its
 * process at once, running, needing nobody. Plain data, so an activity can hand them to a workflow.
 */
export function initialRunAttributes(processName: string): SearchAttributePair[] {
  return [
    { key: PROCESS, value: processName },
    { key: RUN_STATE, value: 'running' },
    { key: NEEDS_ATTENTION, value: false },
  ];
}
