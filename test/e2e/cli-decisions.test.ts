/**
 * Acting on runs from the CLI: escalations, resolve, approve and inject, with clear errors and exit codes.
 */
import { NoWorkerError, getRunStatus, startOnboarding } from '../../src/client';
import { fastOptions, newHire, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';
import { runOverture } from '../helpers/processes';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack.stop());

it('lists an open escalation and resolves it with retry', async () => {
  const run = await startOnboarding(stack.client, stack.config, newHire(), { tuneOptions: fastOptions(), faults: { createWorkspace: { kind: 'permanent' } } });
  await statusWhen(stack, run.workflowId, (s) => s.state === 'needs_attention', 'escalation');

  const listed = await runOverture(['escalations', '--json'], stack.env);
  expect(listed.code).toBe(0);
  expect(JSON.parse(listed.stdout)).toEqual(
    expect.arrayContaining([expect.objectContaining({ workflowId: run.workflowId, kind: 'escalation', step: 'createWorkspace', detail: expect.stringContaining('injected permanent fault') as unknown })]),
  );

  const wrongStep = await runOverture(['resolve', run.workflowId, '--step', 'notifyTeam', '--action', 'retry'], stack.env);
  expect(wrongStep.code).toBe(1);
  expect(wrongStep.stderr).toContain('refused: step notifyTeam is not escalated (it is pending)');

  const badAction = await runOverture(['resolve', run.workflowId, '--step', 'createWorkspace', '--action', 'explode'], stack.env);
  expect(badAction.code).toBe(2);
  expect(badAction.stderr).toContain('--action must be retry, skip or abort');

  const resolved = await runOverture(['resolve', run.workflowId, '--step', 'createWorkspace', '--action', 'retry', '--reason', 'disk replaced', '--by', 'ops.erin'], stack.env);
  expect(resolved.stderr).toBe('');
  expect(resolved).toMatchObject({ code: 0, stdout: 'retry createWorkspace by ops.erin\n' });
  // Sent again by an impatient operator: the same decision is acknowledged, not applied twice.
  const again = await runOverture(['resolve', run.workflowId, '--step', 'createWorkspace', '--action', 'retry', '--by', 'ops.erin'], stack.env);
  expect(again).toMatchObject({ code: 0, stdout: 'retry createWorkspace by ops.erin\n' });
  await expect(run.handle.result()).resolves.toMatchObject({ state: 'completed' });
  const status = await getRunStatus(stack.client, run.workflowId);
  expect(status.log.filter((l) => l.message.startsWith('decision on createWorkspace'))).toHaveLength(1);
});

it('approves a privileged onboarding and shows pending approvals', async () => {
  const run = await startOnboarding(stack.client, stack.config, newHire({ role: 'admin' }), { tuneOptions: fastOptions() });
  await statusWhen(stack, run.workflowId, (s) => s.state === 'awaiting_approval', 'approval');
  const listed = await runOverture(['escalations'], stack.env);
  expect(listed.stdout).toContain(`${run.workflowId}  approval  assignPermissions/approval#1  privileged permissions (admin)`);
  const bad = await runOverture(['approve', run.workflowId, '--decision', 'perhaps'], stack.env);
  expect(bad.code).toBe(2);
  const approved = await runOverture(['approve', run.workflowId, '--decision', 'approve', '--reason', 'ok', '--by', 'manager.frank'], stack.env);
  expect(approved).toMatchObject({ code: 0, stdout: 'approve by manager.frank\n' });
  await expect(run.handle.result()).resolves.toMatchObject({ state: 'completed' });
});

it('injects a fault into a running run, and refuses an unknown step', async () => {
  // The slow first step keeps the run open while two CLI processes start: the rest takes milliseconds.
  const run = await startOnboarding(stack.client, stack.config, newHire(), { tuneOptions: fastOptions(), faults: { createAccount: { kind: 'latency', ms: 6_000 } } });
  const unknown = await runOverture(['inject', run.workflowId, 'makeCoffee=permanent'], stack.env);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('unknown step makeCoffee');
  const injected = await runOverture(['inject', run.workflowId, 'notifyTeam=transient:2'], stack.env);
  expect(injected).toMatchObject({ code: 0, stdout: 'notifyTeam=transient:2 injected\n' });
  await run.handle.result();
  const status = await getRunStatus(stack.client, run.workflowId);
  expect(status.steps.find((s) => s.step === 'notifyTeam')).toMatchObject({ state: 'completed', attempts: 3, fault: 'transient:2' });
});

it('starts an onboarding with an injected fault from the command line', async () => {
  const hire = newHire();
  const result = await runOverture(['onboard', '-', '--inject', 'createAccount=transient:1', '--wait', '--json'], stack.env, JSON.stringify(hire));
  expect(result.code).toBe(0);
  const status = JSON.parse(result.stdout) as Awaited<ReturnType<typeof getRunStatus>>;
  expect(status.steps[0]).toMatchObject({ step: 'createAccount', attempts: 2, fault: 'transient:1' });
});

it('still lists a waiting run when no worker answers for it', async () => {
  const run = await startOnboarding(stack.client, stack.config, newHire(), { tuneOptions: fastOptions(), faults: { notifyTeam: { kind: 'permanent' } } });
  await statusWhen(stack, run.workflowId, (s) => s.state === 'needs_attention', 'escalation');
  await stack.stopWorker();
  try {
    const listed = await runOverture(['escalations', '--task-queue', stack.config.TEMPORAL_TASK_QUEUE, '--json'], stack.env);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ workflowId: run.workflowId, kind: 'escalation', step: 'notifyTeam', detail: '(details unavailable: no worker answered the status query)' }),
    ]);
    // The status of one run says why it cannot be read, instead of hanging.
    const status = getRunStatus(stack.client, run.workflowId, 1_000);
    await expect(status).rejects.toBeInstanceOf(NoWorkerError);
    await expect(status).rejects.toThrow(`is a worker polling task queue ${stack.config.TEMPORAL_TASK_QUEUE}?`);
  } finally {
    await stack.startWorker();
    await run.handle.terminate('test done');
  }
});
