/**
 * Receipts that say what happened to each request (workflows/kit/receipts.ts), on the real Temporal dev server:
 * a hundred identical decisions sent at once are applied once and the ninety-nine others are told they repeated
 * it; a different decision under a used decision id is refused; and an output that is not of its declared type is
 * refused when the decision is made, leaving the run decidable. Repeats are capped per run, like decisions.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type Workflow, type WorkflowStartOptions } from '@temporalio/client';
import { answerQuestion, getRunStatus, resolveEscalation, type RunStatus } from '../../src/client';
import { escalationDecisionId } from '../../src/client/decisions';
import { processOptionsFrom } from '../../src/registry/options';
import { DECISION_LIMITS } from '../../workflows/kit/limits';
import { resolveEscalationUpdate } from '../../workflows/kit/messages';
import type { DecisionReceipt, EscalationDecision, ProcessOptions, StepPolicy } from '../../workflows/kit/types';
import { startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';
import { decidedBy } from '../helpers/operators';
import { openGate } from './fixtures/activities';
import { startFixtureWorker, type FixtureWorker } from './fixtures/fixture-worker';
import type { kitManual, kitSkip } from './fixtures/workflows';

const HOUR_MS = 3_600_000;
const FAST: StepPolicy = {
  startToCloseTimeoutMs: 10_000,
  initialIntervalMs: 50,
  backoffCoefficient: 2,
  maximumIntervalMs: 100,
  maximumAttempts: 2,
};

let stack: TestStack;
let worker: FixtureWorker;

beforeAll(async () => {
  stack = await startTestStack({}, { worker: false });
  worker = await startFixtureWorker(stack);
}, 90_000);

/** Runs whose next step waits at the gate `held`: opened after each test, so that no activity outlives it. */
const held: string[] = [];
afterEach(() => {
  for (const workflowId of held.splice(0)) openGate(workflowId, 'held');
});

afterAll(async () => {
  await worker.stop();
  await stack.stop();
});

/** Fast retries, and ladders too slow to decide anything on their own during a test. */
function options(): ProcessOptions {
  const base = processOptionsFrom(stack.config, { createThing: FAST, useThing: FAST, issueBadge: FAST, useBadge: FAST });
  const slowLadder = { reminderAfterMs: HOUR_MS, nextContactAfterMs: 2 * HOUR_MS, automaticActionAfterMs: 3 * HOUR_MS };
  return {
    ...base,
    supportPolicy: FAST,
    escalation: { ...base.escalation, ladder: { ...base.escalation.ladder, ...slowLadder } },
    approval: { ladder: { ...base.approval.ladder, ...slowLadder } },
  };
}

async function start<W extends Workflow>(type: string, args: Parameters<W>) {
  const workflowId = `kit-receipts-${type}-${randomUUID()}`;
  held.push(workflowId);
  const startOptions = { taskQueue: stack.config.TEMPORAL_TASK_QUEUE, workflowId, args } as unknown as WorkflowStartOptions<W>;
  return { workflowId, handle: await stack.client.workflow.start<W>(type, startOptions) };
}

/** A kitSkip run whose createThing failed and waits for a person; after it, useThing waits at the gate `held`. */
async function escalatedRun() {
  const run = await start<typeof kitSkip>('kitSkip', [{ options: options(), gate: 'held' }]);
  const status = await statusWhen(
    stack,
    run.workflowId,
    (s) => s.questions.some((q) => q.kind === 'escalation' && q.step === 'createThing' && q.open),
    'createThing to escalate',
  );
  return { ...run, decisionId: escalationDecisionId(status, 'createThing', 'skip')! };
}

const decisionLines = (status: RunStatus) => status.log.filter((l) => l.message.startsWith('decision on createThing'));
const causeOf = (err: unknown) => (err instanceof WorkflowUpdateFailedError ? err.cause?.message : `not a refusal: ${String(err)}`);

it('applies one of 100 identical decisions sent at once, and tells the 99 others they repeated it', async () => {
  const run = await escalatedRun();
  const decision: EscalationDecision = {
    step: 'createThing',
    action: 'skip',
    ...decidedBy('ops.rae'),
    output: { id: 'manual-1' },
    decisionId: run.decisionId,
  };
  const receipts: DecisionReceipt[] = await Promise.all(
    Array.from({ length: 100 }, () => resolveEscalation(stack.client, run.workflowId, decision)),
  );

  const applied = receipts.filter((r) => r.applied);
  expect(applied).toHaveLength(1);
  const first = applied[0]!;
  expect(first).toMatchObject({ message: 'skip createThing by ops.rae', decisionId: run.decisionId });
  expect(first.repeat).toBeUndefined();
  expect(first.request).toMatch(new RegExp(`^${run.decisionId}@[0-9a-f]{12}$`));
  const repeats = receipts.filter((r) => !r.applied);
  expect(repeats).toHaveLength(99);
  for (const repeat of repeats) {
    expect(repeat).toEqual({
      applied: false,
      repeat: true,
      decisionId: run.decisionId,
      request: first.request,
      at: first.at,
      message: `already applied by request ${first.request} at ${first.at}: skip createThing by ops.rae; nothing changed`,
    });
  }
  openGate(run.workflowId, 'held'); // useThing goes on
  await expect(run.handle.result()).resolves.toMatchObject({ skipped: ['createThing'], used: { id: 'manual-1' } });
  expect(decisionLines(await getRunStatus(stack.client, run.workflowId))).toHaveLength(1);
}, 60_000);

it('refuses a different output under a used decision id, in the validator and in the handler alike', async () => {
  const run = await escalatedRun();
  const decision: EscalationDecision = {
    step: 'createThing',
    action: 'skip',
    ...decidedBy('ops.rae'),
    output: { id: 'manual-2' },
    decisionId: run.decisionId,
  };
  const handle = stack.client.workflow.getHandle(run.workflowId);
  // Sent together, straight to the run: whichever is applied first, the other is refused, not acknowledged.
  const other = { ...decision, output: { id: 'manual-3' } };
  const outcomes = await Promise.allSettled([
    handle.executeUpdate(resolveEscalationUpdate, { args: [decision] }),
    handle.executeUpdate(resolveEscalationUpdate, { args: [other] }),
  ]);
  const fulfilled = outcomes.filter((o): o is PromiseFulfilledResult<DecisionReceipt> => o.status === 'fulfilled');
  expect(fulfilled).toHaveLength(1);
  expect(fulfilled[0]!.value).toMatchObject({ applied: true });
  const refused = outcomes.find((o) => o.status === 'rejected')!.reason as unknown;
  expect(causeOf(refused)).toMatch(
    new RegExp(
      `^decision ${run.decisionId} was already applied by request .+ \\(skip createThing by ops\\.rae\\), and this one differs: its output differs \\(id\\)\\. An applied decision is not changed$`,
    ),
  );
  const kept = (await getRunStatus(stack.client, run.workflowId)).questions[0]!.output;
  expect([decision.output, other.output]).toContainEqual(kept);

  // Later, through the client: the same refusal, and the output first applied stays.
  const later = await resolveEscalation(stack.client, run.workflowId, { ...decision, output: { id: 'manual-4' } }).catch(causeOf);
  expect(later).toContain(`decision ${run.decisionId} was already applied`);
  expect(later).toContain('its output differs (id)');
  openGate(run.workflowId, 'held'); // useThing goes on
  await expect(run.handle.result()).resolves.toMatchObject({ used: kept });
  const status = await getRunStatus(stack.client, run.workflowId);
  expect(status.questions[0]!.output).toEqual(kept);
  expect(decisionLines(status)).toHaveLength(1);
}, 60_000);

it('refuses an output that is not of its declared type when the decision is made, and the run stays decidable', async () => {
  const run = await escalatedRun();
  const skip = (output: Record<string, string>) =>
    resolveEscalation(stack.client, run.workflowId, {
      step: 'createThing',
      action: 'skip',
      ...decidedBy('ops.rae'),
      output,
      decisionId: run.decisionId,
    });
  for (const size of ['NaN', 'Infinity', '1e999', '12abc', '1.5']) {
    expect(await skip({ id: 'manual-5', size }).catch(causeOf)).toBe('skipping step createThing: size must be a whole number, e.g. 42');
  }
  // An amount (a decimal, as the close's adjustment is) of "NaN" is refused just the same.
  for (const amount of ['NaN', '-Infinity', '1,250.00', '']) {
    expect(await skip({ id: 'manual-5', amount }).catch(causeOf)).toBe(
      'skipping step createThing: amount must be an exact amount, e.g. -12.50',
    );
  }
  const status = await getRunStatus(stack.client, run.workflowId);
  expect(status.questions[0]).toMatchObject({ open: true });
  expect(status.steps.find((s) => s.step === 'createThing')!.state).toBe('escalated');
  // The same decision id, now with a valid output: applied, and handed on as its type.
  expect(await skip({ id: 'manual-5', size: '42', amount: '-1250.00' })).toMatchObject({ applied: true });
  openGate(run.workflowId, 'held'); // useThing goes on
  await expect(run.handle.result()).resolves.toMatchObject({ skipped: ['createThing'], size: 42 });
}, 60_000);

it('tells a repeated answer to a task that it was a repeat, and refuses one with another output', async () => {
  const run = await start<typeof kitManual>('kitManual', [{ options: options(), gate: 'held' }]);
  await statusWhen(stack, run.workflowId, (s) => s.questions.some((q) => q.kind === 'task' && q.open), 'the badge task');
  const answer = { question: 'issueBadge', decision: 'done', ...decidedBy('ops.rae'), output: { badgeId: 'B-7' } };
  const decisionId = 'issueBadge/task#1:done';
  const [a, b] = await Promise.all([
    answerQuestion(stack.client, run.workflowId, { ...answer, decisionId }),
    answerQuestion(stack.client, run.workflowId, { ...answer, decisionId }),
  ]);
  expect([a.applied, b.applied].sort()).toEqual([false, true]);
  const repeat = a.applied ? b : a;
  expect(repeat.message).toMatch(
    /^already applied by request issueBadge\/task#1:done@[0-9a-f]{12} at .+: done issueBadge\/task#1 by ops\.rae; nothing changed$/,
  );
  const different = await answerQuestion(stack.client, run.workflowId, { ...answer, output: { badgeId: 'B-8' }, decisionId }).catch(
    causeOf,
  );
  expect(different).toContain('this one differs: its output differs (badgeId)');
  openGate(run.workflowId, 'held'); // useBadge goes on
  await expect(run.handle.result()).resolves.toMatchObject({ badgeId: 'B-7' });
}, 60_000);

it('acknowledges 200 repeats in a run and refuses the next, saying the decision was applied', async () => {
  const run = await escalatedRun();
  const decision: EscalationDecision = {
    step: 'createThing',
    action: 'skip',
    ...decidedBy('ops.rae'),
    output: { id: 'manual-6' },
    decisionId: run.decisionId,
  };
  const first = await resolveEscalation(stack.client, run.workflowId, decision);
  expect(first.applied).toBe(true);
  // Each repeat is an update in the run's history: a run records at most so many (Temporal takes 2,000 updates in all).
  for (let sent = 0; sent < DECISION_LIMITS.repeatsPerRun; sent += 5) {
    const batch = await Promise.all(Array.from({ length: 5 }, () => resolveEscalation(stack.client, run.workflowId, decision)));
    expect(batch.every((r) => r.repeat === true && !r.applied)).toBe(true);
  }
  const refused = await resolveEscalation(stack.client, run.workflowId, decision).catch(causeOf);
  expect(refused).toBe(
    `already applied by request ${first.request!} at ${first.at!}: skip createThing by ops.rae; nothing changed; this run has taken ${DECISION_LIMITS.repeatsPerRun} repeated decisions, the most a run accepts (${DECISION_LIMITS.repeatsPerRun}); further repeats are refused`,
  );
  openGate(run.workflowId, 'held'); // useThing goes on
  await expect(run.handle.result()).resolves.toMatchObject({ used: { id: 'manual-6' } });
}, 90_000);
