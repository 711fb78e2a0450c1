/**
 * What a run waits for, as clients read and show it: from a list row's search attributes, as a visibility filter, and
 * in the words `overture status` and `overture list` print.
 */
import { TypedSearchAttributes } from '@temporalio/common';
import { formatRunList, formatStatus } from '../../src/apps/cli/output';
import type { RunStatus, RunSummary } from '../../src/client';
import { listQuery } from '../../src/client/list';
import { describeWait, waitingClause, waitOfAttributes } from '../../src/client/run-waits';
import { BLOCKING_STEP, NEEDS_ATTENTION, WAITING_FOR, WAITING_SINCE } from '../../workflows/kit/search-attributes';

const SINCE = '2026-10-31T09:00:00.000Z';

describe('a list row', () => {
  it('reads a child run waiting for a person from the attributes, with the step and since when', () => {
    const attrs = new TypedSearchAttributes([
      { key: WAITING_FOR, value: 'child-person' },
      { key: NEEDS_ATTENTION, value: true },
      { key: BLOCKING_STEP, value: 'reconcileEntities' },
      { key: WAITING_SINCE, value: new Date(SINCE) },
    ]);
    expect(waitOfAttributes(attrs, true)).toEqual({ kind: 'child', step: 'reconcileEntities', since: SINCE });
    // A closed run waits for nothing, whatever its last attributes said.
    expect(waitOfAttributes(attrs, false)).toBeUndefined();
  });

  it('reads an event wait without a since, and a run from before OvertureWaitingFor that needs attention as a person', () => {
    const event = new TypedSearchAttributes([
      { key: WAITING_FOR, value: 'event' },
      { key: NEEDS_ATTENTION, value: false },
    ]);
    expect(waitOfAttributes(event, true)).toEqual({ kind: 'event' });
    const older = new TypedSearchAttributes([
      { key: NEEDS_ATTENTION, value: true },
      { key: BLOCKING_STEP, value: 'controllerSignOff' },
      { key: WAITING_SINCE, value: new Date(SINCE) },
    ]);
    expect(waitOfAttributes(older, true)).toEqual({ kind: 'person', step: 'controllerSignOff', since: SINCE });
    expect(waitOfAttributes(new TypedSearchAttributes([{ key: NEEDS_ATTENTION, value: false }]), true)).toBeUndefined();
  });
});

describe('the waiting filter', () => {
  it('names the attribute value of each kind, on open runs only', () => {
    expect(waitingClause('child')).toBe(`OvertureWaitingFor = 'child-person' AND ExecutionStatus = 'Running'`);
    expect(waitingClause('time')).toBe(`OvertureWaitingFor = 'time' AND ExecutionStatus = 'Running'`);
    expect(listQuery({ process: 'financial-close', waiting: 'person' })).toBe(
      `OvertureProcess IN ('financial-close') AND OvertureWaitingFor = 'person' AND ExecutionStatus = 'Running'`,
    );
  });
});

describe('in words', () => {
  it('names the person, the child run and its question, the event type and the times', () => {
    expect(describeWait({ kind: 'person', step: 'controllerSignOff', question: 'controllerSignOff/approval#1' })).toBe(
      'a person at controllerSignOff (question controllerSignOff/approval#1)',
    );
    expect(
      describeWait({
        kind: 'child',
        step: 'reconcileEntities',
        childWorkflowId: 'close/reconcileEntities/acme-uk',
        question: 'reconcile#1',
      }),
    ).toBe('a person in child run close/reconcileEntities/acme-uk (question reconcile#1) at reconcileEntities');
    expect(describeWait({ kind: 'event', step: 'awaitRevision', eventType: 'draft.revised', until: SINCE })).toBe(
      `an event draft.revised at awaitRevision until ${SINCE}`,
    );
    expect(describeWait({ kind: 'time', step: 'scheduledPublication', until: SINCE })).toBe(
      `a time at scheduledPublication until ${SINCE}`,
    );
  });

  it('shows the wait under the status header and in the list, through printable', () => {
    const status = {
      workflowId: 'financial-close-2026-10',
      process: 'financial-close',
      subject: '2026-10',
      state: 'running',
      startedAt: SINCE,
      steps: [],
      questions: [],
      log: [],
      waitingFor: {
        kind: 'child',
        step: 'reconcileEntities',
        childWorkflowId: 'financial-close-2026-10/x\u001b[2J',
        question: 'reconcile#1',
      },
      execution: { status: 'RUNNING', runId: 'r', historyLength: 1 },
    } as RunStatus;
    const lines = formatStatus(status, { icons: false }).split('\n');
    expect(lines[1]).toBe(
      'waiting for a person in child run financial-close-2026-10/x\\u001b[2J (question reconcile#1) at reconcileEntities',
    );
    const row: RunSummary = {
      workflowId: 'financial-close-2026-10',
      runId: 'r',
      process: 'financial-close',
      state: 'running',
      step: 'reconcileEntities',
      needsAttention: true,
      waitingFor: { kind: 'child', step: 'reconcileEntities', since: SINCE },
      waitingSince: SINCE,
      startedAt: SINCE,
      execution: 'RUNNING',
    };
    expect(formatRunList([row]).split('\n')[1]).toMatch(
      new RegExp(`reconcileEntities\\s+waits for a person in a child run since ${SINCE}$`),
    );
    expect(formatRunList([{ ...row, waitingFor: undefined, waitingSince: undefined, needsAttention: false }]).split('\n')[1]).toMatch(
      new RegExp(`${SINCE}$`),
    );
  });
});
