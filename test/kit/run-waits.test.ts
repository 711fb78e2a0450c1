/**
 * A run says what it waits for, on the real Temporal dev server: a parent whose fan-out child asks a person is found
 * by the needs-attention query and names the child and the question; a run waiting for an event, then a time, names
 * them too — in its status (`waitingFor`) and in its search attributes (`OvertureWaitingFor`).
 *
 * Fixture processes (./fixtures/workflows.ts, "Run waits") on a worker of this file's own.
 */
import { randomUUID } from 'node:crypto';
import type { Workflow, WorkflowStartOptions } from '@temporalio/client';
import { answerQuestion, getRunStatus, listRuns, reschedule, sendEvent } from '../../src/client';
import { processOptionsFrom } from '../../src/registry/options';
import { initialRunAttributes, NEEDS_ATTENTION, WAITING_FOR } from '../../workflows/kit/search-attributes';
import type { ProcessOptions } from '../../workflows/kit/types';
import { decidedBy } from '../helpers/operators';
import { eventually, fastOptions, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';
import { startFixtureWorker, type FixtureWorker } from './fixtures/fixture-worker';
import type { kitWaitsParent, kitWaitsTimes } from './fixtures/workflows';

let stack: TestStack;
let worker: FixtureWorker;

beforeAll(async () => {
  stack = await startTestStack({}, { worker: false });
  worker = await startFixtureWorker(stack);
}, 90_000);

afterAll(async () => {
  await worker.stop();
  await stack.stop();
});

/** A time as the status gives it: ISO 8601 in UTC by the run's clock. */
const ISO_TIME = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/) as unknown;

const options = (): ProcessOptions => fastOptions()(processOptionsFrom(stack.config, {}));

/** Starts a fixture run as the clients start runs: listed under its process at once. */
async function start<W extends Workflow>(type: string, process: string, args: Parameters<W>) {
  const workflowId = `kit-waits-${randomUUID()}`;
  const startOptions = {
    taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
    workflowId,
    args,
    typedSearchAttributes: initialRunAttributes(process),
  } as unknown as WorkflowStartOptions<W>;
  return { workflowId, handle: await stack.client.workflow.start<W>(type, startOptions) };
}

/** The run's own search attributes, as the server holds them. */
async function attributesOf(workflowId: string) {
  const { typedSearchAttributes: attrs } = await stack.client.workflow.getHandle(workflowId).describe();
  return { waitingFor: attrs.get(WAITING_FOR) ?? null, needsAttention: attrs.get(NEEDS_ATTENTION) ?? null };
}

describe('a parent whose child run asks a person', () => {
  it('says so in its status and search attributes, is found by needs-attention, and stops saying so once answered', async () => {
    const { workflowId, handle } = await start<typeof kitWaitsParent>('kitWaitsParent', 'kit-waits', [
      {
        options: options(),
        items: [
          { key: 'acme-us', ask: false },
          { key: 'acme-uk', ask: true },
        ],
      },
    ]);
    const child = `${workflowId}/reconcile/acme-uk`;

    const asking = await statusWhen(stack, child, (s) => s.waitingFor !== undefined, 'the child to ask');
    expect(asking.waitingFor).toEqual({ kind: 'person', step: 'check', question: 'check/question#1', since: ISO_TIME });

    const parent = await statusWhen(stack, workflowId, (s) => s.waitingFor?.kind === 'child', 'the parent to hear of it');
    expect(parent.waitingFor).toEqual({
      kind: 'child',
      step: 'reconcile',
      question: 'check/question#1',
      childWorkflowId: child,
      since: asking.waitingFor!.since,
    });
    // Its own state stays in the vocabulary it had: it runs, and has no question of its own.
    expect(parent.state).toBe('running');
    expect(parent.questions).toEqual([]);

    expect(await attributesOf(workflowId)).toEqual({ waitingFor: 'child-person', needsAttention: true });
    expect(await attributesOf(child)).toEqual({ waitingFor: 'person', needsAttention: true });
    const found = await eventually(
      async () => (await listRuns(stack.client, { process: 'kit-waits', needsAttention: true })).find((r) => r.workflowId === workflowId),
      20_000,
      'the parent in the needs-attention list',
    );
    expect(found).toMatchObject({
      state: 'running',
      step: 'reconcile',
      needsAttention: true,
      waitingFor: { kind: 'child', step: 'reconcile' },
      waitingSince: asking.waitingFor!.since,
    });
    const byKind = await eventually(
      async () => (await listRuns(stack.client, { process: 'kit-waits', waiting: 'child' })).find((r) => r.workflowId === workflowId),
      20_000,
      'the parent in the waiting=child list',
    );
    expect(byKind.workflowId).toBe(workflowId);

    await answerQuestion(stack.client, child, { question: 'check/question#1', decision: 'ok', ...decidedBy('ops.alice') });
    const outcome = await handle.result();
    expect(outcome.results.map((r) => r.result)).toEqual(['acme-us:unchecked', 'acme-uk:ok']);
    const done = await getRunStatus(stack.client, workflowId);
    expect(done.waitingFor).toBeUndefined();
    expect(await attributesOf(workflowId)).toEqual({ waitingFor: null, needsAttention: false });
  });

  it('no longer needs attention once the child has answered, while the parent still runs', async () => {
    const { workflowId, handle } = await start<typeof kitWaitsParent>('kitWaitsParent', 'kit-waits', [
      {
        options: options(),
        items: [
          { key: 'first', ask: true },
          { key: 'second', ask: true },
        ],
      },
    ]);
    const first = `${workflowId}/reconcile/first`;
    const second = `${workflowId}/reconcile/second`;
    await statusWhen(stack, second, (s) => s.waitingFor?.kind === 'person', 'the second child to ask');
    await statusWhen(stack, workflowId, (s) => s.waitingFor?.kind === 'child', 'the parent to hear of both');

    await answerQuestion(stack.client, first, { question: 'check/question#1', decision: 'ok', ...decidedBy('ops.alice') });
    const still = await statusWhen(stack, workflowId, (s) => s.waitingFor?.childWorkflowId === second, 'the parent to name the second');
    expect(still.waitingFor).toMatchObject({ kind: 'child', childWorkflowId: second, question: 'check/question#1' });
    expect(await attributesOf(workflowId)).toEqual({ waitingFor: 'child-person', needsAttention: true });

    await answerQuestion(stack.client, second, { question: 'check/question#1', decision: 'ok', ...decidedBy('ops.alice') });
    await handle.result();
    expect(await attributesOf(workflowId)).toEqual({ waitingFor: null, needsAttention: false });
  });
});

describe('a run waiting for an event, then a time', () => {
  it('names the event type and its deadline, then the scheduled time, and moves it when rescheduled', async () => {
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const { workflowId, handle } = await start<typeof kitWaitsTimes>('kitWaitsTimes', 'kit-waits-times', [{ options: options(), at }]);

    const onEvent = await statusWhen(stack, workflowId, (s) => s.waitingFor?.kind === 'event', 'the event wait');
    expect(onEvent.waitingFor).toEqual({
      kind: 'event',
      step: 'awaitRevision',
      eventType: 'draft.revised',
      since: ISO_TIME,
      until: ISO_TIME,
    });
    expect(Date.parse(onEvent.waitingFor!.until!) - Date.parse(onEvent.waitingFor!.since!)).toBe(3_600_000);
    expect(onEvent.state).toBe('running');
    expect(await attributesOf(workflowId)).toEqual({ waitingFor: 'event', needsAttention: false });
    await eventually(
      async () => (await listRuns(stack.client, { process: 'kit-waits-times', waiting: 'event' })).find((r) => r.workflowId === workflowId),
      20_000,
      'the run in the waiting=event list',
    );

    await sendEvent(stack.client, workflowId, { type: 'draft.revised', id: 'rev-2', data: {} });
    const onTime = await statusWhen(stack, workflowId, (s) => s.waitingFor?.kind === 'time', 'the time wait');
    expect(onTime.waitingFor).toEqual({ kind: 'time', step: 'publishAt', since: ISO_TIME, until: at });
    expect(await attributesOf(workflowId)).toEqual({ waitingFor: 'time', needsAttention: false });

    const later = new Date(Date.now() + 7_200_000).toISOString();
    await reschedule(stack.client, workflowId, { at: later, ...decidedBy('ops.alice') });
    expect((await getRunStatus(stack.client, workflowId)).waitingFor).toMatchObject({ kind: 'time', until: later });

    await reschedule(stack.client, workflowId, { now: true, ...decidedBy('ops.alice') });
    expect(await handle.result()).toMatchObject({ trigger: 'now' });
    expect((await getRunStatus(stack.client, workflowId)).waitingFor).toBeUndefined();
    expect(await attributesOf(workflowId)).toEqual({ waitingFor: null, needsAttention: false });
  });
});
