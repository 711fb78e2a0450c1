/**
 * Structured logs end to end: a worker process with LOG_FORMAT=json on the test dev server runs an onboarding whose
 * first step fails once. Every line it writes to stdout is JSON with a level and a message; each step's lines carry
 * the run id, the process and the step; nothing below LOG_LEVEL and none of the new hire's personal data is there.
 */
import { kill, spawnWorker, type WorkerProcess } from '../helpers/processes';
import { fastOptions, startTestStack, type TestStack } from '../helpers/test-stack';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

jest.setTimeout(180_000);

let stack: TestStack;
let worker: WorkerProcess;
let stdout = '';

beforeAll(async () => {
  stack = await startTestStack({ LOG_FORMAT: 'json', LOG_LEVEL: 'info' }, { worker: false });
  worker = spawnWorker(stack.env);
  worker.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  await worker.ready;
});

afterAll(async () => {
  if (worker) await kill(worker.child, 'SIGTERM');
  await stack?.stop();
});

type Entry = Record<string, unknown>;

test('a run on a worker with LOG_FORMAT=json: JSON lines with level, run id, process and step, and no personal data', async () => {
  const hire = newHire();
  const run = await startOnboarding(stack.client, stack.config, hire, {
    tuneOptions: fastOptions(),
    faults: { createAccount: { kind: 'transient', failures: 1 } },
  });
  const status = (await run.handle.result()) as { state: string };
  expect(status.state).toBe('completed');
  const { runId } = await run.handle.describe();
  // The worker drains and says it stopped: everything it had to say about the run is written by then.
  await kill(worker.child, 'SIGTERM');

  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const entries = lines.map((line) => {
    try {
      return JSON.parse(line) as Entry;
    } catch {
      throw new Error(`not a JSON line: ${line}`);
    }
  });
  for (const entry of entries) {
    expect(typeof entry.msg).toBe('string');
    expect(['info', 'warn', 'error', 'fatal']).toContain(entry.level);
  }
  expect(entries).toContainEqual(expect.objectContaining({ level: 'info', component: 'worker', msg: 'worker stopped' }));

  const ofRun = entries.filter((e) => e.runId === runId);
  // Each step done, on an info line of its activity.
  for (const step of ['createAccount', 'assignPermissions', 'sendWelcomeEmail', 'createWorkspace', 'notifyTeam'])
    expect(ofRun).toContainEqual(
      expect.objectContaining({ level: 'info', msg: 'step completed', runId, process: 'onboarding', step, workflowId: run.workflowId }),
    );
  // The failed first attempt, a warning of the SDK's with the step's error.
  const failed = ofRun.find((e) => e.msg === 'Activity failed');
  expect(failed).toMatchObject({ level: 'warn', process: 'onboarding', step: 'createAccount', attempt: 1 });
  expect((failed?.err as { message?: string } | undefined)?.message).toContain('injected transient fault');

  for (const personal of [hire.fullName, hire.email, hire.managerEmail, 'Johnson']) expect(stdout).not.toContain(personal);
});
