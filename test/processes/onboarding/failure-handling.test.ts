/**
 * Retries, permanent errors and fallbacks against the real server.
 */
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { getRunStatus } from '../../../src/client';
import { fastOptions, startTestStack, statusWhen, type TestStack } from '../../helpers/test-stack';
import { newHire, startOnboarding } from './helpers';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ ESCALATION_CONTACTS: 'oncall@it.example.com,lead@it.example.com' });
});
afterAll(async () => stack.stop());

const step = (status: Awaited<ReturnType<typeof getRunStatus>>, name: string) => status.steps.find((s) => s.step === name)!;

describe('retries', () => {
  it('recovers from transient faults with the right attempt counts', async () => {
    const hire = newHire();
    const started = await startOnboarding(stack.client, stack.config, hire, {
      tuneOptions: fastOptions(),
      faults: { createAccount: { kind: 'transient', failures: 2 }, notifyTeam: { kind: 'transient', failures: 1 } },
    });
    await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });
    const status = await getRunStatus(stack.client, started.workflowId);
    expect(step(status, 'createAccount')).toMatchObject({ state: 'completed', attempts: 3, fault: 'transient:2' });
    expect(step(status, 'notifyTeam')).toMatchObject({ state: 'completed', attempts: 2 });
    expect(step(status, 'assignPermissions')).toMatchObject({ attempts: 1 });
    expect(status.log.map((l) => l.message)).toContain('createAccount completed after 3 attempts');
    expect(stack.directory.inventory(hire.employeeId).accounts).toHaveLength(1);
  });

  it('stops retrying a permanent error at once and escalates it', async () => {
    const hire = newHire({ role: 'astronaut' });
    const started = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions() });
    const status = await statusWhen(stack, started.workflowId, (s) => step(s, 'assignPermissions').state === 'escalated', 'escalation');
    expect(step(status, 'assignPermissions')).toMatchObject({
      attempts: 1,
      lastError: expect.stringContaining('role "astronaut" does not exist') as unknown,
    });
    expect(status.state).toBe('needs_attention');
    await started.handle.terminate('test done');
  });
});

describe('fallbacks', () => {
  it('opens an IT ticket when workspace provisioning keeps failing, and the run continues', async () => {
    const hire = newHire();
    const started = await startOnboarding(stack.client, stack.config, hire, {
      tuneOptions: fastOptions(),
      faults: { createWorkspace: { kind: 'transient', failures: 99 } },
    });
    const result = await started.handle.result();
    expect(result.ticketId).toMatch(/^IT-\d+$/);
    expect(result.workspaceUrl).toBeUndefined();
    const inventory = stack.directory.inventory(hire.employeeId);
    expect(inventory.tickets).toHaveLength(1);
    expect(inventory.workspaces).toHaveLength(0);
    const status = await getRunStatus(stack.client, started.workflowId);
    expect(step(status, 'createWorkspace')).toMatchObject({
      state: 'completed',
      path: 'fallback',
      attempts: 3,
      outcome: { ticketId: result.ticketId },
    });
    expect(status.log.map((l) => l.message).join('\n')).toMatch(
      /createWorkspace exhausted its retries; taking the fallback path: open an IT ticket/,
    );
    const announcement = stack.webhooks.received().find((w) => JSON.stringify(w.body).includes(String(result.ticketId)));
    expect(announcement).toBeDefined();
  });

  it('emails the team announcement to the manager when the chat webhook keeps failing', async () => {
    const hire = newHire({ managerEmail: 'fallback.manager@example.com' });
    stack.webhooks.respondWith(503);
    try {
      const started = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions() });
      await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });
      const status = await getRunStatus(stack.client, started.workflowId);
      expect(step(status, 'notifyTeam')).toMatchObject({ state: 'completed', path: 'fallback', outcome: { via: 'email' } });
      expect(step(status, 'notifyTeam').lastError).toContain('HTTP 503');
      const toManager = stack.mail.messages().filter((m) => m.to.includes('fallback.manager@example.com'));
      expect(toManager).toHaveLength(1);
      expect(toManager[0]!.text).toContain('Please welcome Katherine Johnson');
    } finally {
      stack.webhooks.respondWith(undefined);
    }
  });
});

describe('failed runs', () => {
  it('compensates when the run is cancelled through Temporal, and ends cancelled', async () => {
    const hire = newHire();
    const started = await startOnboarding(stack.client, stack.config, hire, {
      tuneOptions: fastOptions(),
      faults: { createWorkspace: { kind: 'permanent' } },
    });
    await statusWhen(stack, started.workflowId, (s) => s.state === 'needs_attention', 'escalation');
    await started.handle.cancel();
    const error = await started.handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    const inventory = stack.directory.inventory(hire.employeeId);
    expect(inventory.accounts[0]!.status).toBe('disabled');
    expect(inventory.grants).toEqual([]);
    expect(inventory.workspaces).toEqual([]);
    const status = await getRunStatus(stack.client, started.workflowId);
    expect(status.state).toBe('aborted');
    expect(status.log.map((l) => l.message)).toContain('compensated createAccount: account disabled');
  });
});
