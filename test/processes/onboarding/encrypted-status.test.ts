/**
 * With payload encryption, failure messages are ciphertext at rest (src/temporal/codec/failure-converter.ts); the run's
 * status still tells a retrying step's last error in words, decoded by the client.
 */
import { getRunStatus } from '../../../src/client';
import { eventually, fastOptions, startTestStack, type TestStack } from '../../helpers/test-stack';
import { newHire, startOnboarding } from './helpers';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack.stop());

it("shows a retrying step's last error decoded, while the server holds it encrypted", async () => {
  // Slow retries, so the step is seen between attempts.
  const slowRetries = <O extends Parameters<ReturnType<typeof fastOptions>>[0]>(options: O): O => {
    const fast = fastOptions()(options);
    return {
      ...fast,
      policies: {
        ...fast.policies,
        createWorkspace: {
          ...fast.policies.createWorkspace!,
          runAs: 'activity',
          initialIntervalMs: 3_000,
          maximumIntervalMs: 3_000,
          maximumAttempts: 5,
        },
      },
    };
  };
  const started = await startOnboarding(stack.client, stack.config, newHire(), {
    faults: { createWorkspace: { kind: 'transient', failures: 2 } },
    tuneOptions: slowRetries,
  });
  const step = await eventually(
    async () => {
      const status = await getRunStatus(stack.client, started.workflowId);
      const s = status.steps.find((x) => x.step === 'createWorkspace');
      return s?.state === 'retrying' ? s : undefined;
    },
    20_000,
    'createWorkspace retrying',
  );
  expect(step.lastError).toMatch(/^injected transient fault \(1 of 2\)/);
  const described = await started.handle.describe();
  const pending = described.raw.pendingActivities?.find((a) => a.activityType?.name === 'createWorkspace');
  expect(pending?.lastFailure?.message).toBe('Encoded failure');
  await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });
});
