/**
 * What a run waits for, as clients read it: from its search attributes (a list row) or its status (WaitInfo), and in
 * words for people (`overture status` / `list`, the console).
 */
import type { TypedSearchAttributes } from '@temporalio/common';
import { BLOCKING_STEP, NEEDS_ATTENTION, WAITING_FOR, WAITING_FOR_VALUES, WAITING_SINCE } from '../../workflows/kit/search-attributes';
import type { WaitInfo } from '../../workflows/kit/types';

/** What a run waits for, as the `waiting` filter names it (the `OvertureWaitingFor` values: 'child' is 'child-person'). */
export const WAIT_KINDS = ['person', 'child', 'event', 'time'] as const;
export type WaitKind = (typeof WAIT_KINDS)[number];

export type { WaitInfo } from '../../workflows/kit/types';

/** The visibility clause of runs waiting for `kind` (open runs only: a closed run waits for nothing). */
export function waitingClause(kind: WaitKind): string {
  return `${WAITING_FOR.name} = '${WAITING_FOR_VALUES[kind]}' AND ExecutionStatus = 'Running'`;
}

const KIND_OF_VALUE = new Map<string, WaitKind>(Object.entries(WAITING_FOR_VALUES).map(([kind, value]) => [value, kind as WaitKind]));

/**
 * What an open run waits for, as far as its search attributes say: the kind, the step, since when. A run from before
 * `OvertureWaitingFor` that needs attention waits for a person of its own.
 */
export function waitOfAttributes(attrs: TypedSearchAttributes, open: boolean): WaitInfo | undefined {
  if (!open) return undefined;
  const value = attrs.get(WAITING_FOR);
  const kind = value ? KIND_OF_VALUE.get(value) : attrs.get(NEEDS_ATTENTION) ? 'person' : undefined;
  if (!kind) return undefined;
  const step = attrs.get(BLOCKING_STEP);
  const since = kind === 'person' || kind === 'child' ? attrs.get(WAITING_SINCE) : undefined;
  return { kind, ...(step ? { step } : {}), ...(since ? { since: since.toISOString() } : {}) };
}

/** The kind of wait in a few words, for a list row: "a person in a child run". */
export function waitSummary(wait: WaitInfo): string {
  return { person: 'a person', child: 'a person in a child run', event: 'an event', time: 'a time' }[wait.kind];
}

/** The wait in words, e.g. "a person in child run close-2026-10/reconcileEntities/acme-uk (question reconcile#1)". */
export function describeWait(wait: WaitInfo): string {
  const step = wait.step ? ` at ${wait.step}` : '';
  const until = wait.until ? ` until ${wait.until}` : '';
  switch (wait.kind) {
    case 'person':
      return `a person${step}${wait.question ? ` (question ${wait.question})` : ''}`;
    case 'child':
      return `a person in ${wait.childWorkflowId ? `child run ${wait.childWorkflowId}` : 'a child run'}${wait.question ? ` (question ${wait.question})` : ''}${step}`;
    case 'event':
      return `an event${wait.eventType ? ` ${wait.eventType}` : ''}${step}${until}`;
    case 'time':
      return `a time${step}${until}`;
  }
}
