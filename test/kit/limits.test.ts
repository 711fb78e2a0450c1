/**
 * The limits on what people send a run (workflows/kit/limits.ts), on the real Temporal dev server. Temporal
 * refuses every update to a run that has taken 2,000 (`history.maxTotalUpdates`), and a status or history past
 * its blob size limit: so a run takes at most 100 injected faults, small decisions only, and keeps its status
 * bounded, and the decision path (retry, skip, abort) keeps working however many updates it has been sent.
 *
 * Onboarding runs on the real worker; the many-decisions run is the kit's saga fixture, on a fixture worker of
 * this file's own (the undo that always fails asks again after every retry).
 */
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { answerQuestion, getRunStatus, injectFault, reschedule, resolveEscalation } from '../../src/client';
import { processOptionsFrom } from '../../src/registry/options';
import { connectSystems } from '../../workers/overture-worker';
import { DECISION_LIMITS, STATUS_LIMITS } from '../../workflows/kit/limits';
import { answerQuestionUpdate, injectFaultUpdate, resolveEscalationUpdate } from '../../workflows/kit/messages';
import type { EscalationDecision, FaultInjection, FaultMode, ProcessOptions, StepPolicy } from '../../workflows/kit/types';
import { fastOptions, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';
import { fixtureActivities } from './fixtures/activities';
import type { kitSaga, kitScheduled } from './fixtures/workflows';
import { decidedBy } from '../helpers/operators';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

let stack: TestStack;
let systems: Awaited<ReturnType<typeof connectSystems>>;
let connection: NativeConnection;
let fixtureWorker: Worker;
let fixtureRun: Promise<void>;
const fixtureQueue = () => `${stack.config.TEMPORAL_TASK_QUEUE}-fixtures`;

beforeAll(async () => {
  stack = await startTestStack({ ESCALATION_CONTACTS: 'oncall@it.example.com' });
  systems = await connectSystems(stack.config);
  connection = await NativeConnection.connect({ address: stack.config.TEMPORAL_ADDRESS });
  fixtureWorker = await Worker.create({
    connection,
    namespace: stack.config.TEMPORAL_NAMESPACE,
    taskQueue: fixtureQueue(),
    workflowsPath: require.resolve('./fixtures/workflows'),
    activities: { ...systems.activities, ...fixtureActivities },
    dataConverter: stack.dataConverter, // the stack's client encrypts what it sends
  });
  fixtureRun = fixtureWorker.run();
}, 120_000);

afterAll(async () => {
  fixtureWorker.shutdown();
  await fixtureRun;
  await connection.close();
  await systems.close();
  await stack.stop();
});

async function escalatedRun(otherFaults: Partial<Record<string, FaultMode>> = {}) {
  const started = await startOnboarding(stack.client, stack.config, newHire(), {
    tuneOptions: fastOptions(),
    faults: { ...otherFaults, createWorkspace: { kind: 'permanent' } },
  });
  await statusWhen(
    stack,
    started.workflowId,
    (s) => s.questions.some((q) => q.kind === 'escalation' && q.open && q.step === 'createWorkspace'),
    'createWorkspace escalated',
  );
  return started;
}

const HOUR_MS = 3_600_000;
const configured: StepPolicy = {
  startToCloseTimeoutMs: 60_000,
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 30_000,
  maximumAttempts: 5,
};
const fast = (p: StepPolicy): StepPolicy => ({
  ...p,
  startToCloseTimeoutMs: 10_000,
  initialIntervalMs: 50,
  maximumIntervalMs: 100,
  maximumAttempts: 2,
});

/** A fixture's options from configuration, with short retries and a ladder that never fires in these tests. */
function fixtureOptions(steps: string[]): ProcessOptions {
  const base = processOptionsFrom(stack.config, Object.fromEntries(steps.map((s) => [s, configured])));
  const slowLadder = { reminderAfterMs: HOUR_MS, nextContactAfterMs: 2 * HOUR_MS, automaticActionAfterMs: 3 * HOUR_MS };
  return {
    ...base,
    policies: Object.fromEntries(Object.entries(base.policies).map(([step, p]) => [step, fast(p)])),
    supportPolicy: fast(base.supportPolicy),
    escalation: { ...base.escalation, ladder: { ...base.escalation.ladder, ...slowLadder } },
    approval: { ladder: { ...base.approval.ladder, ...slowLadder } },
  };
}

type Event = temporal.api.history.v1.IHistoryEvent;
const history = async (handle: WorkflowHandle) => (await handle.fetchHistory()).events ?? [];
const accepted = (events: Event[]) => events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
const updateEvents = (events: Event[]) =>
  events.filter(
    (e) =>
      e.workflowExecutionUpdateAdmittedEventAttributes ||
      e.workflowExecutionUpdateAcceptedEventAttributes ||
      e.workflowExecutionUpdateCompletedEventAttributes ||
      e.workflowExecutionUpdateRejectedEventAttributes,
  );
/** Sent straight to the run, past the client's own checks: what the run's validator does with it. */
const rawDecision = (handle: WorkflowHandle, decision: object) =>
  handle.executeUpdate(resolveEscalationUpdate, { args: [decision as EscalationDecision] });

/** Runs `count` calls, at most `width` at a time, and returns their outcomes in order. */
async function inBatches<T>(count: number, width: number, call: (i: number) => Promise<T>): Promise<PromiseSettledResult<T>[]> {
  const outcomes: PromiseSettledResult<T>[] = [];
  for (let i = 0; i < count; i += width) {
    const batch = Array.from({ length: Math.min(width, count - i) }, (_, j) => call(i + j));
    outcomes.push(...(await Promise.allSettled(batch)));
  }
  return outcomes;
}

const causeOf = (err: unknown) => (err instanceof WorkflowUpdateFailedError ? err.cause?.message : `not a refusal: ${String(err)}`);

describe('fault injections', () => {
  it('takes 100 per run and refuses the other 1,901 of 2,001 with the limit, and the run still takes a decision and completes', async () => {
    const started = await escalatedRun();
    const handle = stack.client.workflow.getHandle(started.workflowId);
    const limit = `this run has taken ${DECISION_LIMITS.injectionsPerRun} fault injections, the most a run accepts (${DECISION_LIMITS.injectionsPerRun}); retry, skip and abort still work`;

    // Into a step that is done: the faults change nothing, only the count of updates grows.
    const t0 = Date.now();
    const outcomes = await inBatches(2_001, 10, (i) =>
      handle.executeUpdate(injectFaultUpdate, { args: [{ step: 'createAccount', fault: { kind: 'latency', ms: i } }] }),
    );
    const elapsed = Date.now() - t0;
    const taken = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(taken).toHaveLength(DECISION_LIMITS.injectionsPerRun);
    expect(refused).toHaveLength(2_001 - DECISION_LIMITS.injectionsPerRun);
    expect(new Set(refused.map((r) => causeOf(r.reason)))).toEqual(new Set([limit]));
    expect(elapsed).toBeLessThan(45_000);

    const status = await getRunStatus(stack.client, started.workflowId);
    expect(status.injections).toBe(DECISION_LIMITS.injectionsPerRun);
    // Given the run's status (as the CLI and the console have it), the client refuses before sending, alike.
    const early = injectFault(stack.client, started.workflowId, 'createAccount', { kind: 'permanent' }, status);
    await expect(early).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(early).rejects.toMatchObject({ cause: { message: limit } });

    // 2,001 updates sent, 100 taken: the decision is the 101st update the run took, far from Temporal's 2,000.
    const receipt = await resolveEscalation(stack.client, started.workflowId, {
      step: 'createWorkspace',
      action: 'retry',
      ...decidedBy('ops.lim'),
      reason: 'provider back',
    });
    expect(receipt).toMatchObject({ applied: true, message: 'retry createWorkspace by ops.lim' });
    await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });

    // Refused updates never reach the history: 100 injections and the decision do.
    const events = await history(handle);
    expect(accepted(events)).toHaveLength(DECISION_LIMITS.injectionsPerRun + 1);
    expect(events.filter((e) => e.workflowExecutionUpdateRejectedEventAttributes)).toHaveLength(0);
  }, 90_000);
});

describe('reschedules', () => {
  it('takes 100 per run, refuses the 101st with the limit, and still takes "now"', async () => {
    const workflowId = `kit-limits-scheduled-${Date.now()}`;
    const later = (hours: number) => new Date(Date.now() + hours * HOUR_MS).toISOString();
    const handle = await stack.client.workflow.start<typeof kitScheduled>('kitScheduled', {
      taskQueue: fixtureQueue(),
      workflowId,
      args: [{ options: fixtureOptions(['prepare', 'afterWait']), at: later(1) }],
    });
    try {
      await statusWhen(stack, workflowId, (s) => s.steps.some((x) => x.step === 'dueTime' && x.state === 'waiting'), 'the wait to begin');
      const outcomes = await inBatches(DECISION_LIMITS.reschedulesPerRun + 1, 1, (i) =>
        reschedule(stack.client, workflowId, { at: later(2 + i), ...decidedBy('ops.lim') }),
      );
      expect(outcomes.slice(0, -1).every((o) => o.status === 'fulfilled')).toBe(true);
      const last = outcomes.at(-1)!;
      expect(last.status === 'rejected' && causeOf(last.reason)).toBe(
        `this run has taken ${DECISION_LIMITS.reschedulesPerRun} reschedules, the most a run accepts (${DECISION_LIMITS.reschedulesPerRun}); it still goes at its due time, or now if asked`,
      );
      expect(await reschedule(stack.client, workflowId, { now: true, ...decidedBy('ops.lim') })).toMatchObject({ applied: true });
      expect(await handle.result()).toMatchObject({ trigger: 'now', rescheduled: DECISION_LIMITS.reschedulesPerRun + 1 });
    } finally {
      await handle.terminate('test done').catch(() => undefined);
    }
  }, 60_000);
});

describe('a decision', () => {
  it('with a 1 MB reason, field or name is refused with a clear message before it reaches the history; status still works', async () => {
    // A slow last step keeps the run open after the decision, so the repeat below meets the run.
    const started = await escalatedRun({ notifyTeam: { kind: 'latency', ms: 4_000 } });
    const handle = stack.client.workflow.getHandle(started.workflowId);
    const mb = 'x'.repeat(1_000_000);
    const base = { step: 'createWorkspace', action: 'retry', ...decidedBy('ops.lim') } as const;
    const cases: Array<[object, string]> = [
      [{ ...base, reason: mb }, `a reason must be at most ${DECISION_LIMITS.reasonChars} characters`],
      [{ ...base, by: mb }, `"by" must be at most ${DECISION_LIMITS.byChars} characters`],
      [{ ...base, decisionId: mb }, `a decision id must be text of at most ${DECISION_LIMITS.nameChars} characters`],
      [{ ...base, step: mb }, `the step must be text of at most ${DECISION_LIMITS.nameChars} characters`],
      [{ ...base, note: mb }, 'unknown field "note" in a decision; its fields are step, action, by, reason, output, decisionId, identity'],
    ];
    for (const [decision, message] of cases) {
      // The run's validator refuses it ...
      const refused = rawDecision(handle, decision);
      await expect(refused).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await expect(refused).rejects.toMatchObject({ cause: { message } });
      // ... and the client refuses it before sending, with the same message.
      const early = resolveEscalation(stack.client, started.workflowId, decision as EscalationDecision);
      await expect(early).rejects.toMatchObject({ cause: { message } });
    }
    const junkFault = handle.executeUpdate(injectFaultUpdate, {
      args: [{ step: 'createAccount', fault: { kind: 'permanent', note: mb } } as unknown as FaultInjection],
    });
    await expect(junkFault).rejects.toMatchObject({
      cause: { message: 'a fault is transient:N (N from 1 to 100), permanent, latency:MS (MS up to 3600000) or none' },
    });
    const answer = handle.executeUpdate(answerQuestionUpdate, { args: [{ decision: 'approve', ...decidedBy('ops.lim'), reason: mb }] });
    await expect(answer).rejects.toMatchObject({
      cause: { message: `a reason must be at most ${DECISION_LIMITS.reasonChars} characters` },
    });

    let events = await history(handle);
    expect(updateEvents(events)).toEqual([]);
    expect(JSON.stringify(events).length).toBeLessThan(100_000);
    const waiting = await getRunStatus(stack.client, started.workflowId);
    expect(waiting.state).toBe('needs_attention');
    expect(JSON.stringify(waiting).length).toBeLessThan(50_000);

    // A reason at the limit is taken; a repeat of the applied decision that smuggles 1 MB is refused all the same.
    const reason = 'r'.repeat(DECISION_LIMITS.reasonChars);
    const decision = { ...base, reason, decisionId: 'createWorkspace#1:retry' };
    expect(await resolveEscalation(stack.client, started.workflowId, decision)).toMatchObject({ applied: true });
    await expect(rawDecision(handle, { ...decision, note: mb })).rejects.toMatchObject({
      cause: { message: expect.stringContaining('unknown field "note"') as unknown },
    });
    await expect(rawDecision(handle, decision)).resolves.toMatchObject({ applied: false }); // the plain repeat is acknowledged

    await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });
    events = await history(handle);
    expect(accepted(events)).toHaveLength(2);
    expect(JSON.stringify(events).length).toBeLessThan(100_000);
    const final = await getRunStatus(stack.client, started.workflowId);
    expect(final.questions[0]!.decision).toMatchObject({ action: 'retry', by: 'ops.lim', reason });
  }, 60_000);

  it('refuses an output with too many fields, a long key, a long value or too much in all, in the client and in the validator alike', async () => {
    const started = await escalatedRun();
    const handle = stack.client.workflow.getHandle(started.workflowId);
    const { outputKeys, outputKeyChars, outputValueChars, outputTotalChars } = DECISION_LIMITS;
    const fields = (n: number, value = 'v') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value]));
    const cases: Array<[string, unknown, string]> = [
      ['too many fields', fields(outputKeys + 1), `skipping step createWorkspace's output may have at most ${outputKeys} fields`],
      ['a long key', { ['k'.repeat(outputKeyChars + 1)]: 'v' }, `each output key must be 1-${outputKeyChars} characters`],
      [
        'a long value',
        { workspaceUrl: 'v'.repeat(outputValueChars + 1) },
        `each output value must be at most ${outputValueChars} characters`,
      ],
      [
        'too much in all',
        fields(Math.ceil(outputTotalChars / outputValueChars) + 1, 'v'.repeat(outputValueChars)),
        `an output may hold at most ${outputTotalChars} characters in all (keys and values)`,
      ],
      ['a value that is not text', { workspaceUrl: 42 }, "skipping step createWorkspace's output must be an object of strings"],
    ];
    for (const [what, output, message] of cases) {
      const decision = { step: 'createWorkspace', action: 'skip', ...decidedBy('ops.lim'), output };
      const inRun = await rawDecision(handle, decision).catch(causeOf);
      const inClient = await resolveEscalation(stack.client, started.workflowId, decision as EscalationDecision).catch(causeOf);
      expect({ what, inRun, inClient }).toEqual({ what, inRun: message, inClient: message });
    }
    expect(updateEvents(await history(handle))).toEqual([]);

    const output = { ...fields(outputKeys - 1, 'v'.repeat(100)), workspaceUrl: 'https://workspace.example.com/by-hand' };
    expect(
      await resolveEscalation(stack.client, started.workflowId, {
        step: 'createWorkspace',
        action: 'skip',
        ...decidedBy('ops.lim'),
        output,
      }),
    ).toMatchObject({ applied: true });
    await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed', skippedSteps: ['createWorkspace'] });
  });
});

describe('the status of a run with many decisions', () => {
  it('keeps every open question and the newest 50 closed ones, with unique ids, and stays under a size bound', async () => {
    const workflowId = `kit-limits-saga-${Date.now()}`;
    const handle = await stack.client.workflow.start<typeof kitSaga>('kitSaga', {
      taskQueue: fixtureQueue(),
      workflowId,
      args: [{ options: fixtureOptions(['s1', 's2', 's3', 'breaks']) }],
    });
    const by = 'b'.repeat(DECISION_LIMITS.byChars);
    const reason = 'r'.repeat(DECISION_LIMITS.reasonChars);
    const asked = (n: number) =>
      statusWhen(stack, workflowId, (s) => s.questions.some((q) => q.id === `s2/question#${n}` && q.open), `undo question #${n}`);
    try {
      await statusWhen(
        stack,
        workflowId,
        (s) => s.questions.some((q) => q.kind === 'escalation' && q.step === 'breaks' && q.open),
        'breaks to escalate',
      );
      await resolveEscalation(stack.client, workflowId, { step: 'breaks', action: 'abort', ...decidedBy(by), reason });
      // Each retry runs the undo that always fails, and the run asks again: one more question per decision.
      const RETRIES = 60;
      for (let n = 1; n <= RETRIES; n += 1) {
        await asked(n);
        await answerQuestion(stack.client, workflowId, { question: `s2/question#${n}`, decision: 'retry', ...decidedBy(by), reason });
      }
      const last = await asked(RETRIES + 1);
      // 1 escalation and 61 undo questions were asked: the 50 newest closed ones are kept, with the open one.
      expect(last.questions).toHaveLength(STATUS_LIMITS.closedQuestions + 1);
      expect(last.questionsDropped).toBe(RETRIES + 1 - STATUS_LIMITS.closedQuestions);
      expect(last.questions.at(-1)).toMatchObject({ id: `s2/question#${RETRIES + 1}`, open: true });
      expect(last.questions[0]!.id).toBe(`s2/question#${RETRIES + 1 - STATUS_LIMITS.closedQuestions}`);
      expect(new Set(last.questions.map((q) => q.id)).size).toBe(last.questions.length);

      // The decision path still works, and the status stays bounded: ~1 KB a question, ~1 KB a log line.
      const receipt = await answerQuestion(stack.client, workflowId, {
        question: `s2/question#${RETRIES + 1}`,
        decision: 'accept',
        ...decidedBy(by),
        reason,
      });
      expect(receipt).toMatchObject({ applied: true, message: `accept s2/question#${RETRIES + 1} by ${by}` });
      const error = await handle.result().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const final = await getRunStatus(stack.client, workflowId);
      expect(final.state).toBe('compensation_failed');
      expect(final.questions.length).toBeLessThanOrEqual(STATUS_LIMITS.closedQuestions + 1);
      expect(final.log.length).toBeLessThanOrEqual(STATUS_LIMITS.logLines);
      expect(final.log.every((l) => l.message.length <= STATUS_LIMITS.logLineChars)).toBe(true);
      const size = JSON.stringify(final).length;
      expect(size).toBeLessThan((STATUS_LIMITS.closedQuestions + 1) * 1_500 + STATUS_LIMITS.logLines * 1_200);
      expect(final.log.map((l) => l.message)).toContain(`answer to s2/question#${RETRIES + 1}: accept by ${by} (${reason})`);
    } finally {
      await handle.terminate('test done').catch(() => undefined);
    }
  }, 120_000);
});
