/**
 * The process kit, one pattern at a time, on the real Temporal dev server: DAG order and parallelism,
 * branches, fan-out under each failure policy and at scale (continue-as-new), event waits, a saga whose
 * middle undo fails, manual steps, a bug in workflow code, skipping a step that declares outputs, and a
 * scheduled wait that people move with the `reschedule` update.
 *
 * Fixture processes (./fixtures/workflows.ts) run on a worker of this file's own, with fixture activities that
 * record when they ran (./fixtures/activities.ts) and the real notice activities (SMTP and webhook receivers).
 */
import { randomUUID } from 'node:crypto';
import {
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Workflow,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { answerQuestion, getRunStatus, reschedule, resolveEscalation, sendEvent, type RunStatus } from '../../src/client';
import { processOptionsFrom } from '../../src/registry/options';
import { rescheduleUpdate } from '../../workflows/kit/messages';
import { NEEDS_ATTENTION, RUN_STATE } from '../../workflows/kit/search-attributes';
import type { ProcessOptions, RescheduleRequest, StepPolicy, StepStatus } from '../../workflows/kit/types';
import { eventually, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';
import { startFixtureWorker, type FixtureWorker } from './fixtures/fixture-worker';
import { openGate, recordedCalls, setBroken, type Call } from './fixtures/activities';
import type {
  FanOutFixtureInput,
  kitBranches,
  kitBug,
  kitDag,
  kitEvents,
  kitFanOut,
  kitManual,
  kitSaga,
  kitScheduled,
  kitSkip,
} from './fixtures/workflows';
import { decidedBy } from '../helpers/operators';

const HOUR_MS = 3_600_000;
/** What a deployment would configure; the tests shorten it like `fastOptions` does. */
const CONFIGURED_POLICY: StepPolicy = {
  startToCloseTimeoutMs: 60_000,
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 30_000,
  maximumAttempts: 5,
};
const FIXTURE_STEPS = [
  'a',
  'b',
  'c',
  'd',
  'process',
  'work',
  'prepare',
  's1',
  's2',
  's3',
  'breaks',
  'useBadge',
  'first',
  'second',
  'createThing',
  'useThing',
  'afterWait',
];

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

/** Run options from configuration, with retries and ladders short enough for tests. */
function kitOptions(): ProcessOptions {
  const base = processOptionsFrom(stack.config, Object.fromEntries(FIXTURE_STEPS.map((s) => [s, CONFIGURED_POLICY])));
  const fast = (p: StepPolicy): StepPolicy => ({
    ...p,
    startToCloseTimeoutMs: 10_000,
    initialIntervalMs: 50,
    maximumIntervalMs: 100,
    maximumAttempts: 2,
  });
  const slowLadder = { reminderAfterMs: HOUR_MS, nextContactAfterMs: 2 * HOUR_MS, automaticActionAfterMs: 3 * HOUR_MS };
  return {
    ...base,
    policies: Object.fromEntries(Object.entries(base.policies).map(([step, p]) => [step, fast(p)])),
    supportPolicy: fast(base.supportPolicy),
    escalation: { ...base.escalation, ladder: { ...base.escalation.ladder, ...slowLadder } },
    approval: { ladder: { ...base.approval.ladder, ...slowLadder } },
  };
}

const newWorkflowId = (what: string) => `kit-${what}-${randomUUID()}`;

async function start<W extends Workflow>(type: string, args: Parameters<W>, workflowId = newWorkflowId(type)) {
  // TypeScript cannot resolve WorkflowStartOptions' conditional `args` for a generic W; call sites are typed by Parameters<W>.
  const options = { taskQueue: stack.config.TEMPORAL_TASK_QUEUE, workflowId, args } as unknown as WorkflowStartOptions<W>;
  const handle = await stack.client.workflow.start<W>(type, options);
  return { workflowId, handle };
}

const stepOf = (status: RunStatus, step: string): StepStatus => status.steps.find((s) => s.step === step)!;
const logOf = (status: RunStatus) => status.log.map((l) => l.message);
const workCalls = (workflowId: string) => recordedCalls((c) => c.workflowId === workflowId && c.activity === 'work');
const byName = (calls: Call[]) => Object.fromEntries(calls.map((c) => [c.name, c])) as Record<string, Call>;
const escalated = (step: string) => (s: RunStatus) => s.questions.some((q) => q.kind === 'escalation' && q.step === step && q.open);

describe('a DAG', () => {
  it('runs a first, then b and c in parallel, then d once both are done', async () => {
    const { workflowId, handle } = await start<typeof kitDag>('kitDag', [
      { options: kitOptions(), ms: { a: 100, b: 800, c: 800, d: 100 } },
    ]);
    const finished = await handle.result();
    expect(finished[0]).toBe('a');
    expect([...finished.slice(1, 3)].sort()).toEqual(['b', 'c']);
    expect(finished[3]).toBe('d');

    const calls = workCalls(workflowId);
    expect(calls.map((c) => c.name).sort()).toEqual(['a', 'b', 'c', 'd']);
    const { a, b, c, d } = byName(calls) as Record<'a' | 'b' | 'c' | 'd', Required<Call>>;
    expect(a.endedAt).toBeLessThanOrEqual(Math.min(b.startedAt, c.startedAt));
    // b and c overlap: each started before the other ended.
    expect(Math.max(b.startedAt, c.startedAt)).toBeLessThan(Math.min(b.endedAt, c.endedAt));
    expect(d.startedAt).toBeGreaterThanOrEqual(Math.max(b.endedAt, c.endedAt));
    // In parallel, b and c together take about one of them, not both.
    expect(d.startedAt - a.endedAt).toBeLessThan(1_500);

    const status = await getRunStatus(stack.client, workflowId);
    expect(status.state).toBe('completed');
    expect(status.steps.map((s) => [s.step, s.state, s.attempts, s.path])).toEqual([
      ['a', 'completed', 1, 'primary'],
      ['b', 'completed', 1, 'primary'],
      ['c', 'completed', 1, 'primary'],
      ['d', 'completed', 1, 'primary'],
    ]);
  });
});

describe('a branch', () => {
  it('runs the node whose condition holds, does not take the other, and still runs the dependent of the one not taken', async () => {
    const { workflowId, handle } = await start<typeof kitBranches>('kitBranches', [{ options: kitOptions(), route: 'b' }]);
    const ran = await handle.result();
    expect([...ran].sort()).toEqual(['a', 'b', 'd']);
    expect(
      workCalls(workflowId)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['a', 'b', 'd']);

    const status = await getRunStatus(stack.client, workflowId);
    expect(status.state).toBe('completed');
    expect(status.steps.map((s) => [s.step, s.state])).toEqual([
      ['a', 'completed'],
      ['b', 'completed'],
      ['c', 'not_taken'],
      ['d', 'completed'],
    ]);
    expect(stepOf(status, 'c').startedAt).toBeUndefined();
    expect(logOf(status)).toContain('c not taken: the route is not c');
    expect(logOf(status)).not.toContain('b not taken: the route is not b');
  });

  it('takes the other branch on the other route, reading the first node output, and its dependent waits for it', async () => {
    const { workflowId, handle } = await start<typeof kitBranches>('kitBranches', [{ options: kitOptions(), route: 'c' }]);
    expect(await handle.result()).toEqual(['a', 'c', 'd']);
    const { c, d } = byName(workCalls(workflowId));
    expect(d!.startedAt).toBeGreaterThanOrEqual(c!.endedAt!);
    const status = await getRunStatus(stack.client, workflowId);
    expect(stepOf(status, 'b').state).toBe('not_taken');
    expect(logOf(status)).toContain('b not taken: the route is not b');
  });
});

describe('a fan-out with one item failing', () => {
  const KEYS = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6'];
  const itemId = (workflowId: string, key: string) => `${workflowId}/process/${key}`;
  const itemCalls = (workflowId: string) =>
    recordedCalls((c) => c.activity === 'itemWork' && c.workflowId.startsWith(`${workflowId}/process/`));
  const fanOutInput = (onItemFailure: FanOutFixtureInput['onItemFailure'], ms: Record<string, number>): FanOutFixtureInput => ({
    options: kitOptions(),
    items: KEYS.map((key) => ({ key, ms: ms[key] ?? 400 })),
    itemWorkflow: 'kitItem',
    maxConcurrent: 2,
    onItemFailure,
  });

  /** Most items running at the same time, from the recorded start and end of their work. */
  function mostAtOnce(calls: Call[]): number {
    const edges = calls.flatMap((c) => [
      { at: c.startedAt, delta: 1 },
      { at: c.endedAt!, delta: -1 },
    ]);
    edges.sort((x, y) => x.at - y.at || x.delta - y.delta);
    let running = 0;
    let most = 0;
    for (const e of edges) most = Math.max(most, (running += e.delta));
    return most;
  }

  it("'continue' completes the process with the other results joined in item order and the failure reported, two at a time", async () => {
    const workflowId = newWorkflowId('fan-out-continue');
    setBroken(itemId(workflowId, 'k3'), true);
    const { handle } = await start<typeof kitFanOut>(
      'kitFanOut',
      [fanOutInput('continue', { k1: 300, k2: 300, k3: 300, k4: 300, k5: 300, k6: 300 })],
      workflowId,
    );
    const outcome = await handle.result();
    expect(outcome.results).toEqual(['k1', 'k2', 'k4', 'k5', 'k6'].map((key) => ({ key, result: `${key}:done` })));
    expect(outcome.failures).toEqual([{ key: 'k3', error: 'item k3 is broken' }]);

    const calls = itemCalls(workflowId);
    expect(calls.map((c) => c.name).sort()).toEqual(KEYS);
    expect(calls.every((c) => c.endedAt !== undefined)).toBe(true);
    expect(mostAtOnce(calls)).toBe(2);

    const status = await getRunStatus(stack.client, workflowId);
    expect(status.state).toBe('completed');
    expect(stepOf(status, 'process')).toMatchObject({
      state: 'completed',
      outcome: { completed: 5, failed: 1 },
      fanOut: { total: 6, running: 0, completed: 5, failed: 1, failedItems: [{ item: 'k3', error: 'item k3 is broken' }] },
    });
  });

  it("'stop' escalates naming the failed item, never starts the rest, and a retry runs only the items that had not completed", async () => {
    const workflowId = newWorkflowId('fan-out-stop');
    setBroken(itemId(workflowId, 'k3'), true);
    // k1, k2 run first; k3 fails 100 ms after it and k4 start, while k4 still runs; k5 and k6 wait their turn.
    const { handle } = await start<typeof kitFanOut>('kitFanOut', [fanOutInput('stop', { k3: 100 })], workflowId);
    const status = await statusWhen(stack, workflowId, escalated('process'), 'the fan-out step to escalate');
    expect(status.state).toBe('needs_attention');
    const question = status.questions.find((q) => q.kind === 'escalation')!;
    expect(question.prompt).toContain('k3: item k3 is broken');
    expect(question.prompt).toContain('k4: cancelled: the fan-out stopped');
    expect(question.prompt).toContain('2 not started');
    expect(stepOf(status, 'process')).toMatchObject({ state: 'escalated', fanOut: { total: 6, completed: 2 } });

    // k4 was running and was cancelled; k5 and k6 were never started at all.
    expect(
      itemCalls(workflowId)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['k1', 'k2', 'k3', 'k4']);
    expect((await stack.client.workflow.getHandle(itemId(workflowId, 'k4')).describe()).status.name).toBe('CANCELLED');
    for (const key of ['k5', 'k6']) {
      await expect(stack.client.workflow.getHandle(itemId(workflowId, key)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    }

    setBroken(itemId(workflowId, 'k3'), false);
    const retriedAt = Date.now();
    await resolveEscalation(stack.client, workflowId, {
      step: 'process',
      action: 'retry',
      ...decidedBy('ops.dana'),
      reason: 'k3 repaired',
    });
    const outcome = await handle.result();
    expect(outcome.results).toEqual(KEYS.map((key) => ({ key, result: `${key}:done` })));
    expect(outcome.failures).toEqual([]);
    const calls = itemCalls(workflowId);
    expect(
      calls
        .filter((c) => c.startedAt >= retriedAt)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['k3', 'k4', 'k5', 'k6']);
    expect(Object.fromEntries(KEYS.map((key) => [key, calls.filter((c) => c.name === key).length]))).toEqual({
      k1: 1,
      k2: 1,
      k3: 2,
      k4: 2,
      k5: 1,
      k6: 1,
    });
    expect(mostAtOnce(calls.filter((c) => c.startedAt >= retriedAt))).toBe(2);

    const final = await getRunStatus(stack.client, workflowId);
    expect(final.state).toBe('completed');
    expect(stepOf(final, 'process')).toMatchObject({ state: 'completed', attempts: 2, fanOut: { total: 6, completed: 6, failed: 0 } });
  });

  it('a threshold of one failure lets the first failure pass and stops after the second', async () => {
    const workflowId = newWorkflowId('fan-out-threshold');
    setBroken(itemId(workflowId, 'k2'), true);
    setBroken(itemId(workflowId, 'k4'), true);
    // k2 fails at ~100 ms (k3 starts); k1 ends at ~400 ms (k4 starts); k4 fails at ~500 ms while k3 runs to ~1000 ms.
    const { handle } = await start<typeof kitFanOut>(
      'kitFanOut',
      [fanOutInput({ stopAfterFailures: 1 }, { k2: 100, k3: 900, k4: 100 })],
      workflowId,
    );
    const status = await statusWhen(stack, workflowId, escalated('process'), 'the fan-out step to escalate');
    const prompt = status.questions.find((q) => q.kind === 'escalation')!.prompt;
    expect(prompt).toContain('k2: item k2 is broken');
    expect(prompt).toContain('k4: item k4 is broken');
    expect(prompt).toContain('k3: cancelled: the fan-out stopped');
    expect(prompt).toContain('2 not started');

    const calls = byName(itemCalls(workflowId));
    expect(Object.keys(calls).sort()).toEqual(['k1', 'k2', 'k3', 'k4']);
    // The first failure did not stop the fan-out: k3 and k4 started after k2 had failed.
    expect(calls.k3!.startedAt).toBeGreaterThanOrEqual(calls.k2!.endedAt!);
    expect(calls.k4!.startedAt).toBeGreaterThanOrEqual(calls.k2!.endedAt!);
    expect((await stack.client.workflow.getHandle(itemId(workflowId, 'k3')).describe()).status.name).toBe('CANCELLED');
    await handle.terminate('test done');
  });
});

describe('a fan-out at scale', () => {
  it('joins 1200 items in order while the fan-out continues as new every 500 items and the process history stays small', async () => {
    const COUNT = 1_200;
    const workflowId = newWorkflowId('fan-out-scale');
    const items = Array.from({ length: COUNT }, (_, i) => i);
    const { handle } = await start<typeof kitFanOut>(
      'kitFanOut',
      [{ options: kitOptions(), items, itemWorkflow: 'kitTrivialItem', maxConcurrent: 100, onItemFailure: 'stop', batchSize: 500 }],
      workflowId,
    );
    const outcome = await handle.result();
    expect(outcome.failures).toEqual([]);
    expect(outcome.results).toHaveLength(COUNT);
    expect(outcome.results).toEqual(items.map((i) => ({ key: `i${i}`, result: i * 2 })));

    // One run of the fan-out workflow per batch: 500 + 500 + 200 items.
    const fanOutId = `${workflowId}/process#1`;
    const runs = await eventually(
      async () => {
        const found = [];
        for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${fanOutId}'` })) found.push(run);
        return found.length === 3 && found.every((r) => r.status.name !== 'RUNNING') ? found : undefined;
      },
      15_000,
      'the fan-out runs to be listed',
    );
    expect(runs.map((r) => r.status.name).sort()).toEqual(['COMPLETED', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW']);
    // Each child costs its parent 3 events at least: together the runs hold them all, but each run only its batch.
    expect(runs.reduce((sum, r) => sum + r.historyLength, 0)).toBeGreaterThanOrEqual(COUNT * 3);
    for (const run of runs) expect(run.historyLength).toBeLessThan(COUNT * 3);
    const latest = await stack.client.workflow.getHandle(fanOutId).describe();
    expect(latest.status.name).toBe('COMPLETED');
    expect(latest.historyLength).toBeLessThan(Math.max(...runs.map((r) => r.historyLength)));

    const status = await getRunStatus(stack.client, workflowId);
    expect(status.execution.historyLength).toBeLessThan(200);
    expect(stepOf(status, 'process')).toMatchObject({ state: 'completed', fanOut: { total: COUNT, completed: COUNT, failed: 0 } });
  }, 120_000);
});

describe('waiting for an event', () => {
  const approval = (id: string, ref: string, type = 'approvalGranted') => ({ type, id, data: { ref } });

  it('ignores events that do not match and completes the step with the matching one', async () => {
    const { workflowId, handle } = await start<typeof kitEvents>('kitEvents', [{ options: kitOptions() }]);
    await statusWhen(stack, workflowId, (s) => stepOf(s, 'awaitApproval').state === 'waiting', 'the wait to begin');
    await sendEvent(stack.client, workflowId, approval('evt-y', 'Y'));
    await sendEvent(stack.client, workflowId, approval('evt-other-type', 'X', 'paymentReceived'));
    const ignored = await statusWhen(
      stack,
      workflowId,
      (s) => logOf(s).includes('event paymentReceived received (evt-other-type)'),
      'both events to arrive',
    );
    expect(logOf(ignored)).toContain('event approvalGranted received (evt-y)');
    expect(stepOf(ignored, 'awaitApproval').state).toBe('waiting');
    expect(ignored.state).toBe('running');

    await sendEvent(stack.client, workflowId, approval('evt-x', 'X'));
    expect(await handle.result()).toEqual({ timedOut: false, eventId: 'evt-x' });
    const status = await getRunStatus(stack.client, workflowId);
    expect(stepOf(status, 'awaitApproval')).toMatchObject({ state: 'completed', outcome: { event: 'evt-x' } });
  });

  it('takes an event that arrived before the wait began', async () => {
    const { workflowId, handle } = await start<typeof kitEvents>('kitEvents', [{ options: kitOptions(), gate: 'prepare' }]);
    await statusWhen(stack, workflowId, (s) => stepOf(s, 'prepare').state === 'running', 'prepare to run');
    await sendEvent(stack.client, workflowId, approval('evt-early', 'X'));
    const early = await statusWhen(
      stack,
      workflowId,
      (s) => logOf(s).includes('event approvalGranted received (evt-early)'),
      'the early event',
    );
    expect(stepOf(early, 'awaitApproval').state).toBe('pending');
    openGate(workflowId, 'prepare');

    expect(await handle.result()).toEqual({ timedOut: false, eventId: 'evt-early' });
    const status = await getRunStatus(stack.client, workflowId);
    const log = logOf(status);
    expect(log.indexOf('event approvalGranted received (evt-early)')).toBeLessThan(
      log.indexOf('awaitApproval waits for a approvalGranted event (up to 5 s)'),
    );
    const step = stepOf(status, 'awaitApproval');
    expect(step).toMatchObject({ state: 'completed', outcome: { event: 'evt-early' } });
    expect(Date.parse(step.endedAt!) - Date.parse(step.startedAt!)).toBeLessThan(1_000);
  });

  it('times out on a durable timer when the event never comes: the step fails and the run says so', async () => {
    const { workflowId, handle } = await start<typeof kitEvents>('kitEvents', [{ options: kitOptions() }]);
    expect(await handle.result()).toEqual({ timedOut: true });
    const status = await getRunStatus(stack.client, workflowId);
    const step = stepOf(status, 'awaitApproval');
    expect(step).toMatchObject({ state: 'failed', lastError: 'no approvalGranted event within 5 s' });
    expect(Date.parse(step.endedAt!) - Date.parse(step.startedAt!)).toBeGreaterThanOrEqual(5_000);
    const events = (await handle.fetchHistory()).events ?? [];
    const timers = events
      .filter((e) => e.timerStartedEventAttributes)
      .map((e) => Number(e.timerStartedEventAttributes!.startToFireTimeout!.seconds));
    expect(timers).toEqual([5]);
    expect(events.filter((e) => e.timerFiredEventAttributes)).toHaveLength(1);
  });
});

describe('a saga whose middle undo fails', () => {
  it('undoes newest first past the failed undo, asks a person, and ends compensation_failed when they accept', async () => {
    const { workflowId, handle } = await start<typeof kitSaga>('kitSaga', [{ options: kitOptions() }]);
    await statusWhen(stack, workflowId, escalated('breaks'), 'the breaking step to escalate');
    await resolveEscalation(stack.client, workflowId, {
      step: 'breaks',
      action: 'abort',
      ...decidedBy('ops.erin'),
      reason: 'order withdrawn',
    });

    const asked = await statusWhen(stack, workflowId, (s) => s.questions.some((q) => q.kind === 'question' && q.open), 'the undo question');
    expect(asked.state).toBe('compensating');
    expect(asked.questions.find((q) => q.open)).toMatchObject({
      id: 's2/question#1',
      kind: 'question',
      step: 's2',
      choices: ['retry', 'accept'],
    });
    expect(asked.questions.find((q) => q.open)!.prompt).toContain('undo failed for s2');
    const undos = () => recordedCalls((c) => c.workflowId === workflowId && c.activity !== 'work');
    expect(undos().map((c) => c.name)).toEqual(['u3', 'u2', 'u1']);
    // A permanent error is not retried: one attempt.
    expect(undos().map((c) => c.attempt)).toEqual([1, 1, 1]);
    await stack.webhooks.waitFor((w) => JSON.stringify(w.body).includes(`${workflowId}: undo of s2 failed`));

    // retry runs only the failed undo again; it fails again and the run asks again.
    await answerQuestion(stack.client, workflowId, { decision: 'retry', ...decidedBy('ops.erin') });
    await statusWhen(stack, workflowId, (s) => s.questions.some((q) => q.id === 's2/question#2' && q.open), 'the second undo question');
    expect(undos().map((c) => c.name)).toEqual(['u3', 'u2', 'u1', 'u2']);

    const receipt = await answerQuestion(stack.client, workflowId, {
      decision: 'accept',
      ...decidedBy('ops.erin'),
      reason: 'will clean up by hand',
    });
    expect(receipt).toMatchObject({ applied: true, message: 'accept s2/question#2 by ops.erin' });
    const error = await handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toBe(
      'kit-saga saga aborted by ops.erin: order withdrawn (some undos failed: see the run)',
    );

    const status = await getRunStatus(stack.client, workflowId);
    expect(status.state).toBe('compensation_failed');
    expect(status.steps.map((s) => [s.step, s.state])).toEqual([
      ['s1', 'compensated'],
      ['s2', 'compensation_failed'],
      ['s3', 'compensated'],
      ['breaks', 'cancelled'],
    ]);
    const log = logOf(status);
    const order = [
      'compensated s3: u3 done',
      'could not undo s2: u2 cannot be undone: the record is locked; the remaining undos go on',
      'compensated s1: u1 done',
    ];
    expect(order.map((line) => log.indexOf(line)).every((i, n, all) => i >= 0 && (n === 0 || i > all[n - 1]!))).toBe(true);
    expect(status.questions.filter((q) => q.kind === 'question').map((q) => q.decision?.action)).toEqual(['retry', 'accept']);
    expect(undos()).toHaveLength(4);
  });
});

describe('a manual step', () => {
  it('refuses done without its required output, then completes with it and hands it to later steps', async () => {
    const { workflowId, handle } = await start<typeof kitManual>('kitManual', [{ options: kitOptions() }]);
    const waiting = await statusWhen(stack, workflowId, (s) => s.questions.some((q) => q.kind === 'task' && q.open), 'the task');
    expect(waiting.state).toBe('awaiting_input');
    expect(waiting.questions[0]).toMatchObject({
      id: 'issueBadge/task#1',
      step: 'issueBadge',
      choices: ['done'],
      requiredOutput: ['badgeId'],
      prompt: 'Print a badge and report its number',
    });
    expect(stepOf(waiting, 'issueBadge').state).toBe('waiting');

    for (const output of [undefined, { badgeId: '  ' }]) {
      const refused = answerQuestion(stack.client, workflowId, { decision: 'done', ...decidedBy('it.frank'), output });
      await expect(refused).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await expect(refused).rejects.toMatchObject({
        cause: { message: `task issueBadge needs its output: later steps need badgeId (give it with --output '{"badgeId":"..."}')` },
      });
    }
    expect(stepOf(await getRunStatus(stack.client, workflowId), 'issueBadge').state).toBe('waiting');
    expect(workCalls(workflowId)).toEqual([]);

    const receipt = await answerQuestion(stack.client, workflowId, {
      decision: 'done',
      ...decidedBy('it.frank'),
      output: { badgeId: 'B-42' },
    });
    expect(receipt).toMatchObject({ applied: true, message: 'done issueBadge/task#1 by it.frank' });
    expect(await handle.result()).toEqual({ name: 'useBadge', badgeId: 'B-42' });
    expect(workCalls(workflowId).map((c) => [c.name, c.input])).toEqual([['useBadge', { badgeId: 'B-42' }]]);
    const status = await getRunStatus(stack.client, workflowId);
    expect(stepOf(status, 'issueBadge')).toMatchObject({ state: 'completed', path: 'person', outcome: { badgeId: 'B-42' } });
  });
});

describe('a bug in workflow code', () => {
  it('fails the workflow task, not the run and not a person', async () => {
    const { workflowId, handle } = await start<typeof kitBug>('kitBug', [{ options: kitOptions() }]);
    try {
      const failed = await eventually(
        async () => {
          const events = (await handle.fetchHistory()).events ?? [];
          return events.find((e) => e.workflowTaskFailedEventAttributes);
        },
        20_000,
        'a failed workflow task',
      );
      // The message and stack are in the failure's encoded attributes, encrypted (src/temporal/codec/failure-converter.ts).
      const failure = failed.workflowTaskFailedEventAttributes!.failure!;
      expect(failure.message).toBe('Encoded failure');
      const [encoded] = await stack.dataConverter.payloadCodecs![0]!.decode([failure.encodedAttributes as Payload]);
      expect(defaultPayloadConverter.fromPayload<{ message: string }>(encoded!).message).toContain("reading 'retries'");

      const description = await handle.describe();
      expect(description.status.name).toBe('RUNNING');
      const events = (await handle.fetchHistory()).events ?? [];
      expect(events.some((e) => e.workflowExecutionFailedEventAttributes)).toBe(false);
      expect(events.filter((e) => e.activityTaskCompletedEventAttributes)).toHaveLength(1);
      expect(workCalls(workflowId).map((c) => c.name)).toEqual(['first']);
      // Nobody is asked: the run's published state (its search attributes; a run whose task fails cannot answer
      // the status query) says running with no question waiting, and no notice went out.
      const attributes = description.typedSearchAttributes;
      expect(attributes.get(RUN_STATE)).toBe('running');
      expect(attributes.get(NEEDS_ATTENTION)).toBe(false);
      expect(stack.mail.messages().filter((m) => m.subject.includes(workflowId))).toEqual([]);
      expect(stack.webhooks.received().filter((w) => JSON.stringify(w.body).includes(workflowId))).toEqual([]);
    } finally {
      await handle.terminate('test done');
    }
  });
});

describe('skipping a step that declares outputs', () => {
  it('is refused without the outputs, and with them later steps receive them', async () => {
    const { workflowId, handle } = await start<typeof kitSkip>('kitSkip', [{ options: kitOptions() }]);
    const status = await statusWhen(stack, workflowId, escalated('createThing'), 'createThing to escalate');
    expect(status.questions[0]).toMatchObject({
      kind: 'escalation',
      requiredOutput: ['id'],
      prompt: 'createThing cannot be done: the record is invalid',
    });
    expect(stepOf(status, 'createThing').attempts).toBe(1);

    const refused = resolveEscalation(stack.client, workflowId, { step: 'createThing', action: 'skip', ...decidedBy('ops.gus') });
    await expect(refused).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(refused).rejects.toMatchObject({
      cause: { message: `skipping step createThing needs its output: later steps need id (give it with --output '{"id":"..."}')` },
    });
    const wrongKey = resolveEscalation(stack.client, workflowId, {
      step: 'createThing',
      action: 'skip',
      ...decidedBy('ops.gus'),
      output: { ident: 'manual-7' },
    });
    await expect(wrongKey).rejects.toMatchObject({ cause: { message: expect.stringContaining('later steps need id') as unknown } });
    expect(stepOf(await getRunStatus(stack.client, workflowId), 'createThing').state).toBe('escalated');

    await resolveEscalation(stack.client, workflowId, {
      step: 'createThing',
      action: 'skip',
      ...decidedBy('ops.gus'),
      output: { id: 'manual-7' },
    });
    expect(await handle.result()).toEqual({ used: { name: 'useThing', id: 'manual-7' }, skipped: ['createThing'] });
    expect(workCalls(workflowId).map((c) => [c.name, c.input])).toEqual([
      ['createThing', undefined],
      ['useThing', { id: 'manual-7' }],
    ]);
    const final = await getRunStatus(stack.client, workflowId);
    expect(stepOf(final, 'createThing')).toMatchObject({ state: 'skipped', outcome: { id: 'manual-7' } });
  });
});

describe('a scheduled wait', () => {
  const ISO_TIME = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/) as unknown;
  const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
  /** The same instant written with a +02:00 offset instead of Z. */
  const atPlusTwo = (iso: string) => new Date(Date.parse(iso) + 2 * HOUR_MS).toISOString().replace('Z', '+02:00');
  const waiting = (s: RunStatus) => stepOf(s, 'dueTime').state === 'waiting';
  const afterWait = (workflowId: string) => workCalls(workflowId).find((c) => c.name === 'afterWait');
  const moves = (status: RunStatus) => logOf(status).filter((m) => m.startsWith('dueTime rescheduled') || m.startsWith('dueTime goes now'));
  /** The update events in a run's history: an update refused by its validator leaves none. */
  async function updateEvents(workflowId: string) {
    const events = (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    return events.filter(
      (e) =>
        e.workflowExecutionUpdateAdmittedEventAttributes ||
        e.workflowExecutionUpdateAcceptedEventAttributes ||
        e.workflowExecutionUpdateCompletedEventAttributes,
    );
  }

  it("waits on a durable timer until the due time, then fires 'due' and goes on", async () => {
    const at = inMs(4_000);
    const dueMs = Date.parse(at);
    const { workflowId, handle } = await start<typeof kitScheduled>('kitScheduled', [{ options: kitOptions(), at }]);
    const before = await statusWhen(stack, workflowId, waiting, 'the wait to begin');
    expect(stepOf(before, 'dueTime').outcome).toEqual({ dueAt: at });
    expect(logOf(before)).toContain(`dueTime waits until ${at}`);

    const outcome = await handle.result();
    expect(outcome).toEqual({ dueAt: at, firedAt: ISO_TIME, trigger: 'due', rescheduled: 0 });
    expect(Date.parse(outcome.firedAt)).toBeGreaterThanOrEqual(dueMs);
    // The step after the wait ran only once it was due.
    expect(afterWait(workflowId)).toMatchObject({ input: { trigger: 'due' } });
    expect(afterWait(workflowId)!.startedAt).toBeGreaterThanOrEqual(dueMs);

    const status = await getRunStatus(stack.client, workflowId);
    expect(status.state).toBe('completed');
    expect(stepOf(status, 'dueTime')).toMatchObject({
      state: 'completed',
      path: 'primary',
      outcome: { dueAt: at, firedAt: outcome.firedAt, trigger: 'due', rescheduled: '0' },
    });
    // One durable timer, for what was left of the 4 s when the wait began.
    const events = (await handle.fetchHistory()).events ?? [];
    const timers = events
      .filter((e) => e.timerStartedEventAttributes)
      .map((e) => {
        const { seconds, nanos } = e.timerStartedEventAttributes!.startToFireTimeout!;
        return Number(seconds) * 1_000 + (nanos ?? 0) / 1e6;
      });
    expect(timers).toHaveLength(1);
    expect(timers[0]).toBeGreaterThan(1_000);
    expect(timers[0]).toBeLessThanOrEqual(4_000);
    expect(events.filter((e) => e.timerFiredEventAttributes)).toHaveLength(1);
  });

  it('moves to a later time on reschedule: the status shows the new due time and the wait fires then, not before', async () => {
    const at = inMs(5_000);
    const { workflowId, handle } = await start<typeof kitScheduled>('kitScheduled', [{ options: kitOptions(), at }]);
    await statusWhen(stack, workflowId, waiting, 'the wait to begin');
    const later = new Date(Date.parse(at) + 4_000).toISOString();

    // Given with an offset; the run keeps (and shows) the instant in UTC.
    const receipt = await reschedule(stack.client, workflowId, {
      at: atPlusTwo(later),
      ...decidedBy('ops.hana'),
      reason: 'the partner asked for later',
    });
    expect(receipt).toMatchObject({ applied: true, message: `dueTime rescheduled to ${later} by ops.hana` });
    const moved = await getRunStatus(stack.client, workflowId);
    expect(stepOf(moved, 'dueTime')).toMatchObject({ state: 'waiting', outcome: { dueAt: later } });
    expect(moves(moved)).toEqual([`dueTime rescheduled to ${later} by ops.hana (the partner asked for later)`]);

    const outcome = await handle.result();
    expect(outcome).toEqual({ dueAt: later, firedAt: ISO_TIME, trigger: 'due', rescheduled: 1 });
    expect(Date.parse(outcome.firedAt)).toBeGreaterThanOrEqual(Date.parse(later));
    expect(afterWait(workflowId)!.startedAt).toBeGreaterThanOrEqual(Date.parse(later));
    const status = await getRunStatus(stack.client, workflowId);
    expect(stepOf(status, 'dueTime')).toMatchObject({
      state: 'completed',
      path: 'person',
      outcome: { dueAt: later, trigger: 'due', rescheduled: '1' },
    });
  });

  it("fires at once with trigger 'now' when a person says now", async () => {
    const at = inMs(HOUR_MS);
    const { workflowId, handle } = await start<typeof kitScheduled>('kitScheduled', [{ options: kitOptions(), at }]);
    await statusWhen(stack, workflowId, waiting, 'the wait to begin');

    const receipt = await reschedule(stack.client, workflowId, { now: true, ...decidedBy('ops.ivan'), reason: 'go-live moved up' });
    expect(receipt).toMatchObject({ applied: true, message: 'dueTime goes now, by ops.ivan' });
    const outcome = await handle.result();
    expect(outcome).toEqual({ dueAt: at, firedAt: ISO_TIME, trigger: 'now', rescheduled: 1 });
    // Fired well before the hour it was due.
    expect(Date.parse(outcome.firedAt)).toBeLessThan(Date.parse(at) - HOUR_MS / 2);
    expect(afterWait(workflowId)).toMatchObject({ input: { trigger: 'now' } });

    const status = await getRunStatus(stack.client, workflowId);
    expect(stepOf(status, 'dueTime')).toMatchObject({
      state: 'completed',
      path: 'person',
      outcome: { dueAt: at, firedAt: outcome.firedAt, trigger: 'now', rescheduled: '1' },
    });
    expect(moves(status)).toEqual(['dueTime goes now, by ops.ivan (go-live moved up)']);
  });

  it('refuses, in the validator, a reschedule with no wait open, a time without a zone, both a time and now, or no "by": nothing reaches the history', async () => {
    const at = inMs(HOUR_MS);
    const { workflowId, handle } = await start<typeof kitScheduled>('kitScheduled', [{ options: kitOptions(), at, gate: 'prepare' }]);
    const refusedWith = async (request: RescheduleRequest, message: string) => {
      const refused = reschedule(stack.client, workflowId, request);
      await expect(refused).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await expect(refused).rejects.toMatchObject({ cause: { message } });
    };
    try {
      await statusWhen(stack, workflowId, (s) => stepOf(s, 'prepare').state === 'running', 'prepare to run');
      await refusedWith({ at: inMs(60_000), ...decidedBy('ops.jo') }, 'nothing is scheduled: this run is not waiting for a time');
      openGate(workflowId, 'prepare');
      await statusWhen(stack, workflowId, waiting, 'the wait to begin');

      await refusedWith(
        { at: '2026-12-01T09:00:00', ...decidedBy('ops.jo') },
        'give now, or a new time as ISO 8601 with a zone, e.g. 2026-12-01T09:00:00Z',
      );
      await refusedWith({ at: inMs(60_000), now: true, ...decidedBy('ops.jo') }, 'give a new time (at) or now, not both');
      await refusedWith({ now: true } as RescheduleRequest, 'a reschedule must say who asked for it (by)');
      await refusedWith({ at: inMs(60_000), ...decidedBy('  ') }, 'a reschedule must say who asked for it (by)');

      expect(await updateEvents(workflowId)).toEqual([]);
      const still = await getRunStatus(stack.client, workflowId);
      expect(stepOf(still, 'dueTime')).toMatchObject({ state: 'waiting', outcome: { dueAt: at } });
      expect(moves(still)).toEqual([]);

      // A valid reschedule after them is the first to count, and it does reach the history.
      await reschedule(stack.client, workflowId, { now: true, ...decidedBy('ops.jo') });
      expect(await handle.result()).toEqual({ dueAt: at, firedAt: ISO_TIME, trigger: 'now', rescheduled: 1 });
      expect((await updateEvents(workflowId)).length).toBeGreaterThanOrEqual(2);
    } finally {
      await handle.terminate('test done').catch(() => undefined);
    }
  });

  it('acknowledges a repeated decision id without applying it twice', async () => {
    const at = inMs(HOUR_MS);
    const { workflowId, handle } = await start<typeof kitScheduled>('kitScheduled', [{ options: kitOptions(), at }]);
    await statusWhen(stack, workflowId, waiting, 'the wait to begin');
    const later = new Date(Date.parse(at) + HOUR_MS).toISOString();
    const decision: RescheduleRequest = { at: later, ...decidedBy('ops.kim'), decisionId: 'dueTime:move-1' };

    const first = await reschedule(stack.client, workflowId, decision);
    expect(first).toMatchObject({ applied: true, message: `dueTime rescheduled to ${later} by ops.kim`, decisionId: 'dueTime:move-1' });
    // Sent again, it reaches the run as a request of its own, which is told it repeated the first and changed nothing.
    const repeated = `already applied by request ${first.request!} at ${first.at!}: dueTime rescheduled to ${later} by ops.kim; nothing changed`;
    expect(await reschedule(stack.client, workflowId, decision)).toEqual({ ...first, applied: false, repeat: true, message: repeated });
    const again = await stack.client.workflow
      .getHandle(workflowId)
      .executeUpdate(rescheduleUpdate, { args: [decision], updateId: 'another-update-id' });
    expect(again).toMatchObject({ applied: false, repeat: true, message: repeated });
    // Another time under the used id is refused: an applied decision is not changed.
    const other = reschedule(stack.client, workflowId, { ...decision, at: new Date(Date.parse(later) + HOUR_MS).toISOString() });
    await expect(other).rejects.toMatchObject({
      cause: { message: expect.stringContaining('this one differs: it decides at ') as unknown },
    });

    const status = await getRunStatus(stack.client, workflowId);
    expect(stepOf(status, 'dueTime')).toMatchObject({ state: 'waiting', outcome: { dueAt: later } });
    expect(moves(status)).toEqual([`dueTime rescheduled to ${later} by ops.kim`]);

    await reschedule(stack.client, workflowId, { now: true, ...decidedBy('ops.kim'), decisionId: 'dueTime:now-1' });
    // Two changes: the move and now; the repeats were not counted.
    expect(await handle.result()).toEqual({ dueAt: later, firedAt: ISO_TIME, trigger: 'now', rescheduled: 2 });
  });
});
