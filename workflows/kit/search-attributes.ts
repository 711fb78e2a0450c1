/**
 * Custom search attributes that keep every run findable while it advances.
 *
 * They hold no personal data: a process name, a run state, a step name, a flag and a time.
 * The SQLite dev server allows at most 3 custom attributes per type (10 for Keyword); this set fits.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

export const PROCESS = defineSearchAttributeKey('OvertureProcess', SearchAttributeType.KEYWORD);
export const RUN_STATE = defineSearchAttributeKey('OvertureStatus', SearchAttributeType.KEYWORD);
export const BLOCKING_STEP = defineSearchAttributeKey('OvertureStep', SearchAttributeType.KEYWORD);
export const NEEDS_ATTENTION = defineSearchAttributeKey('OvertureNeedsAttention', SearchAttributeType.BOOL);
export const WAITING_SINCE = defineSearchAttributeKey('OvertureWaitingSince', SearchAttributeType.DATETIME);

/** Name and type of every custom attribute, as the server registers them (`--search-attribute Name=Type`). */
export const SEARCH_ATTRIBUTE_DEFINITIONS: ReadonlyArray<{ name: string; type: string }> = [
  { name: PROCESS.name, type: 'Keyword' },
  { name: RUN_STATE.name, type: 'Keyword' },
  { name: BLOCKING_STEP.name, type: 'Keyword' },
  { name: NEEDS_ATTENTION.name, type: 'Bool' },
  { name: WAITING_SINCE.name, type: 'Datetime' },
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
