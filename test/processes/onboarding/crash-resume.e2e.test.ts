/**
 * Checkpoint and resume: the worker process is killed with SIGKILL while a step is in flight;
 * a new worker picks the run up and every side effect still happens exactly once.
 */
import type { ProcessOptions } from '../../../workflows/kit/types';
import { getRunStatus } from '../../../src/client';
import { eventually, fastOptions, startTestStack, type TestStack } from '../../helpers/test-stack';
import { kill, spawnWorker, type WorkerProcess } from '../../helpers/processes';
import { newHire, startOnboarding } from './helpers';

let stack: TestStack;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  stack = await startTestStack({}, { worker: false });
});
afterAll(async () => {
  for (const w of workers) await kill(w.child);
  await stack.stop();
});

it('completes with each side effect exactly once after the worker is killed mid-step', async () => {
  const first = spawnWorker(stack.env);
  workers.push(first);
  await first.ready;

  const hire = newHire();
  const tune = fastOptions();
  const started = await startOnboarding(stack.client, stack.config, hire, {
    // createWorkspace takes 3 s, so the kill lands while it is in flight; its timeout lets the server notice the dead worker.
    faults: { createWorkspace: { kind: 'latency', ms: 3_000 } },
    tuneOptions: <O extends ProcessOptions>(o: O): O => {
      const tuned = tune(o);
      tuned.policies.createWorkspace = { ...tuned.policies.createWorkspace!, startToCloseTimeoutMs: 5_000 };
      return tuned;
    },
  });

  await eventually(
    async () => {
      const status = await getRunStatus(stack.client, started.workflowId);
      const workspace = status.steps.find((s) => s.step === 'createWorkspace');
      return workspace?.state === 'running' ? status : undefined;
    },
    20_000,
    'createWorkspace to be in flight',
  );

  await kill(first.child, 'SIGKILL');
  const beforeRestart = stack.directory.inventory(hire.employeeId);
  expect(beforeRestart.accounts).toHaveLength(1);
  expect(beforeRestart.workspaces).toHaveLength(0);

  const second = spawnWorker(stack.env);
  workers.push(second);
  await second.ready;
  const result = await started.handle.result();
  expect(result.state).toBe('completed');

  const inventory = stack.directory.inventory(hire.employeeId);
  expect(inventory.accounts).toHaveLength(1);
  expect(inventory.workspaces).toHaveLength(1);
  expect(inventory.grants.length).toBeGreaterThan(0);
  expect(stack.mail.messages().filter((m) => m.to.includes(hire.email))).toHaveLength(1);
  expect(stack.webhooks.received().filter((w) => JSON.stringify(w.body).includes('Katherine Johnson'))).toHaveLength(1);

  const status = await getRunStatus(stack.client, started.workflowId);
  const workspace = status.steps.find((s) => s.step === 'createWorkspace')!;
  expect(workspace.state).toBe('completed');
  expect(workspace.attempts).toBeGreaterThanOrEqual(2);
}, 90_000);

// With the test's short retries, and with the default retry budget of email and chat, whose first attempt is on the
// fast path too (workflows/kit/step-proxies.ts): the kill lands during that attempt, before any durable activity.
it.each([
  ['short retries', fastOptions()],
  ['the default retry budgets', undefined],
])(
  'completes with each side effect exactly once after the worker is killed during a local-activity step (%s)',
  async (_label, tuneOptions) => {
    // The earlier tests' workers stop first (gracefully): their pooled SMTP connections would skip the slow greeting.
    await Promise.all(workers.map((w) => kill(w.child, 'SIGTERM')));
    const first = spawnWorker(stack.env);
    workers.push(first);
    await first.ready;
    // A slow mail relay holds the welcome email (a local activity, the fast path) in flight for seconds.
    stack.mail.delayGreeting(4_000);
    const hire = newHire();
    const started = await startOnboarding(stack.client, stack.config, hire, tuneOptions ? { tuneOptions } : {});
    // The parallel branch is done in the directory while the email waits for the relay's greeting.
    await eventually(() => stack.directory.inventory(hire.employeeId).workspaces.length === 1 || undefined, 20_000, 'the workspace');
    expect(stack.mail.messages().filter((m) => m.to.includes(hire.email))).toHaveLength(0);
    await kill(first.child, 'SIGKILL');
    stack.mail.delayGreeting(0);

    const second = spawnWorker(stack.env);
    workers.push(second);
    await second.ready;
    await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });

    // Nothing of the killed workflow task was recorded, so its local activities ran again: every one is idempotent.
    const inventory = stack.directory.inventory(hire.employeeId);
    expect(inventory.accounts).toHaveLength(1);
    expect(inventory.workspaces).toHaveLength(1);
    expect(stack.mail.messages().filter((m) => m.to.includes(hire.email))).toHaveLength(1);
    expect(stack.webhooks.received().filter((w) => JSON.stringify(w.body).includes(hire.employeeId.toLowerCase()))).toHaveLength(1);
    const events = (await started.handle.fetchHistory()).events ?? [];
    expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toHaveLength(5);
    expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toEqual([]);
  },
  90_000,
);
