/**
 * Escalation to a person: decisions (retry, skip, abort) through a validated update, applied once, and durable
 * while the worker is down. The reminder ladder is ./escalation-ladder.test.ts.
 */
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { getRunStatus, injectFault, resolveEscalation } from '../../../src/client';
import type { FaultMode } from '../../../workflows/kit/types';
import { fastOptions, startTestStack, statusWhen, type TestStack } from '../../helpers/test-stack';
import { decidedBy } from '../../helpers/operators';
import { newHire, startOnboarding } from './helpers';

const CONTACTS = ['oncall@it.example.com', 'lead@it.example.com'];
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ ESCALATION_CONTACTS: CONTACTS.join(',') });
});
afterAll(async () => stack.stop());

async function escalatedRun(
  step: 'createAccount' | 'sendWelcomeEmail' | 'createWorkspace' | 'notifyTeam',
  ladder = {},
  otherFaults: Partial<Record<string, FaultMode>> = {},
) {
  const hire = newHire();
  const started = await startOnboarding(stack.client, stack.config, hire, {
    tuneOptions: fastOptions(ladder),
    faults: { ...otherFaults, [step]: { kind: 'permanent' } },
  });
  const status = await statusWhen(
    stack,
    started.workflowId,
    (s) => s.questions.some((e) => e.kind === 'escalation' && e.open && e.step === step),
    `${step} escalated`,
  );
  return { hire, started, status };
}

describe('a permanent fault', () => {
  it('escalates, lets the independent branch finish, and a retry completes the run with one email and one notification', async () => {
    const { hire, started, status } = await escalatedRun('sendWelcomeEmail');
    expect(status.state).toBe('needs_attention');
    expect(status.currentStep).toBe('sendWelcomeEmail');
    // The parallel branch keeps going while the escalated one waits.
    const workspaceDone = await statusWhen(
      stack,
      started.workflowId,
      (s) => s.steps.find((x) => x.step === 'createWorkspace')?.state === 'completed',
      'workspace',
    );
    expect(workspaceDone.steps.find((x) => x.step === 'notifyTeam')!.state).toBe('pending');

    // The escalation notice names the run, the step, the error and how to act, by email and webhook.
    const notice = await stack.mail.waitFor((m) => m.to.includes(CONTACTS[0]!) && m.subject.includes(started.workflowId));
    expect(notice.subject).toContain('sendWelcomeEmail');
    expect(notice.text).toContain('injected permanent fault');
    expect(notice.text).toContain(`overture resolve ${started.workflowId} --step sendWelcomeEmail`);
    await stack.webhooks.waitFor((w) => JSON.stringify(w.body).includes(`${started.workflowId}: step sendWelcomeEmail needs a decision`));

    const receipt = await resolveEscalation(stack.client, started.workflowId, {
      step: 'sendWelcomeEmail',
      action: 'retry',
      ...decidedBy('ops.alice'),
      reason: 'SMTP relay fixed',
    });
    expect(receipt).toMatchObject({ applied: true, message: 'retry sendWelcomeEmail by ops.alice' });
    await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });

    expect(stack.mail.messages().filter((m) => m.to.includes(hire.email))).toHaveLength(1);
    expect(
      stack.webhooks
        .received()
        .filter((w) => JSON.stringify(w.body).includes(':wave:') && JSON.stringify(w.body).includes(hire.employeeId.toLowerCase())),
    ).toHaveLength(1);
    const final = await getRunStatus(stack.client, started.workflowId);
    const email = final.steps.find((s) => s.step === 'sendWelcomeEmail')!;
    expect(email).toMatchObject({ state: 'completed', attempts: 2 });
    expect(email.fault).toBeUndefined();
    expect(final.questions[0]!.decision).toMatchObject({ action: 'retry', by: 'ops.alice', reason: 'SMTP relay fixed', automatic: false });
    expect(final.log.map((l) => l.message)).toContain('decision on sendWelcomeEmail: retry by ops.alice (SMTP relay fixed)');
  });

  it('can be skipped, with an output supplied by the person', async () => {
    const { started } = await escalatedRun('createWorkspace');
    await resolveEscalation(stack.client, started.workflowId, {
      step: 'createWorkspace',
      action: 'skip',
      ...decidedBy('ops.bob'),
      output: { workspaceUrl: 'https://manual.example.com/w/1' },
    });
    const result = await started.handle.result();
    expect(result).toMatchObject({ state: 'completed', workspaceUrl: 'https://manual.example.com/w/1', skippedSteps: ['createWorkspace'] });
    await stack.webhooks.waitFor((w) => JSON.stringify(w.body).includes('https://manual.example.com/w/1'));
  });

  it('refuses to skip a step whose output later steps need, unless the person supplies it', async () => {
    const { hire, started } = await escalatedRun('createAccount');
    const bare = resolveEscalation(stack.client, started.workflowId, { step: 'createAccount', action: 'skip', ...decidedBy('ops.dan') });
    await expect(bare).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(bare).rejects.toMatchObject({
      cause: {
        message: `skipping step createAccount needs its output: later steps need accountId (give it with --output '{"accountId":"..."}')`,
      },
    });
    // The person made the account by hand and gives its id: every later step uses it.
    const byHand = await stack.directory.createAccount({
      employeeId: hire.employeeId,
      fullName: hire.fullName,
      email: hire.email,
      role: hire.role,
      team: hire.team,
    });
    await resolveEscalation(stack.client, started.workflowId, {
      step: 'createAccount',
      action: 'skip',
      ...decidedBy('ops.dan'),
      output: { accountId: byHand.accountId },
    });
    await expect(started.handle.result()).resolves.toMatchObject({
      state: 'completed',
      accountId: byHand.accountId,
      skippedSteps: ['createAccount'],
    });
    const welcome = stack.mail.messages().find((m) => m.to.includes(hire.email));
    expect(welcome?.text).toContain(`Your account: ${byHand.accountId}`);
  });

  it('can be aborted, which undoes every completed step in reverse order', async () => {
    const { hire, started } = await escalatedRun('createWorkspace');
    await statusWhen(
      stack,
      started.workflowId,
      (s) => s.steps.find((x) => x.step === 'sendWelcomeEmail')?.state === 'completed',
      'email sent',
    );
    await resolveEscalation(stack.client, started.workflowId, {
      step: 'createWorkspace',
      action: 'abort',
      ...decidedBy('ops.carol'),
      reason: 'hire withdrew',
    });
    const error = await started.handle.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toContain('aborted by ops.carol: hire withdrew');

    const inventory = stack.directory.inventory(hire.employeeId);
    expect(inventory.accounts.map((a) => a.status)).toEqual(['disabled']);
    expect(inventory.grants).toEqual([]);
    expect(inventory.workspaces).toEqual([]);
    const status = await getRunStatus(stack.client, started.workflowId);
    expect(status.state).toBe('aborted');
    const log = status.log.map((l) => l.message);
    const order = [
      'compensated createWorkspace: workspace deleted',
      'compensated assignPermissions: permissions revoked',
      'compensated createAccount: account disabled',
    ];
    expect(order.map((line) => log.indexOf(line))).toEqual([...order.map((line) => log.indexOf(line))].sort((a, b) => a - b));
    expect(order.every((line) => log.includes(line))).toBe(true);
    await stack.webhooks.waitFor(
      (w) => JSON.stringify(w.body).includes(`onboarding of employee ${hire.employeeId}`) && JSON.stringify(w.body).includes('cancelled'),
    );
  });
});

describe('decisions', () => {
  it('are taken from an operator or above, recorded as the authenticated operator; a viewer is refused', async () => {
    const { started } = await escalatedRun('createWorkspace');
    const byViewer = resolveEscalation(stack.client, started.workflowId, {
      step: 'createWorkspace',
      action: 'abort',
      ...decidedBy('ops.watcher', 'viewer'),
    });
    await expect(byViewer).rejects.toMatchObject({
      cause: { message: 'deciding an escalated step needs the role operator or above; ops.watcher is viewer' },
    });
    // `by` says one name, the identity another: the identity is what is recorded.
    const receipt = await resolveEscalation(stack.client, started.workflowId, {
      step: 'createWorkspace',
      action: 'skip',
      by: 'someone.else',
      identity: decidedBy('ops.olga', 'operator').identity,
      output: { workspaceUrl: 'https://manual.example.com/w/9' },
    });
    expect(receipt).toMatchObject({ applied: true, message: 'skip createWorkspace by ops.olga' });
    await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });
    const decision = (await getRunStatus(stack.client, started.workflowId)).questions.find((q) => q.kind === 'escalation')!.decision;
    expect(decision).toMatchObject({ action: 'skip', by: 'ops.olga', via: 'api', role: 'operator', automatic: false });
  });

  it('refuses a decision for a step that is not escalated, and an unknown action, with a clear message', async () => {
    const { started } = await escalatedRun('createWorkspace');
    const notEscalated = resolveEscalation(stack.client, started.workflowId, {
      step: 'createAccount',
      action: 'retry',
      ...decidedBy('ops'),
    });
    await expect(notEscalated).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(notEscalated).rejects.toMatchObject({ cause: { message: 'step createAccount is not escalated (it is completed)' } });
    const unknown = resolveEscalation(stack.client, started.workflowId, {
      step: 'createWorkspace',
      action: 'explode' as 'retry',
      ...decidedBy('ops'),
    });
    await expect(unknown).rejects.toMatchObject({ cause: { message: 'unknown action "explode"; actions are retry, skip, abort' } });
    const anonymous = resolveEscalation(stack.client, started.workflowId, { step: 'createWorkspace', action: 'retry', ...decidedBy(' ') });
    await expect(anonymous).rejects.toMatchObject({ cause: { message: 'a decision must say who made it (by)' } });
    await started.handle.terminate('test done');
  });

  it('applies the same decision sent twice only once', async () => {
    // A slow last step keeps the run open after the decision, so the third one meets the run, not its end.
    const { started } = await escalatedRun('createWorkspace', {}, { notifyTeam: { kind: 'latency', ms: 3_000 } });
    const decision = {
      step: 'createWorkspace' as const,
      action: 'skip' as const,
      ...decidedBy('ops'),
      decisionId: 'createWorkspace#1:skip',
    };
    const first = await resolveEscalation(stack.client, started.workflowId, decision);
    const again = await resolveEscalation(stack.client, started.workflowId, decision);
    expect(first.applied).toBe(true);
    // A request of its own, told that it repeated the first: nothing changed.
    expect(again).toEqual({
      ...first,
      applied: false,
      repeat: true,
      message: `already applied by request ${first.request!} at ${first.at!}: skip createWorkspace by ops; nothing changed`,
    });
    // The same decision under another id reaches the validator, which refuses it: nothing is applied twice.
    const third = resolveEscalation(stack.client, started.workflowId, { ...decision, decisionId: 'another-id' });
    await expect(third).rejects.toMatchObject({
      cause: { message: 'step createWorkspace is not escalated (its escalation was already decided: skip by ops)' },
    });
    await expect(started.handle.result()).resolves.toMatchObject({ skippedSteps: ['createWorkspace'] });
    const status = await getRunStatus(stack.client, started.workflowId);
    expect(status.log.filter((l) => l.message.startsWith('decision on createWorkspace'))).toHaveLength(1);
  });

  it('applies a decision sent while the worker is down once the worker returns', async () => {
    const { started } = await escalatedRun('createWorkspace');
    await stack.stopWorker();
    const pending = resolveEscalation(stack.client, started.workflowId, {
      step: 'createWorkspace',
      action: 'retry',
      ...decidedBy('ops.dave'),
    });
    await new Promise((r) => setTimeout(r, 1_500));
    await stack.startWorker();
    await expect(pending).resolves.toMatchObject({ applied: true });
    await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });
  });
});

describe('failure injection on a running run', () => {
  it('injects a permanent fault into a later step, which then escalates', async () => {
    const hire = newHire();
    const started = await startOnboarding(stack.client, stack.config, hire, {
      tuneOptions: fastOptions(),
      faults: { createAccount: { kind: 'latency', ms: 1_500 } },
    });
    const receipt = await injectFault(stack.client, started.workflowId, 'notifyTeam', { kind: 'permanent' });
    expect(receipt.message).toBe('notifyTeam=permanent injected');
    const status = await statusWhen(
      stack,
      started.workflowId,
      (s) => s.steps.find((x) => x.step === 'notifyTeam')?.state === 'escalated',
      'notifyTeam escalated',
    );
    expect(status.steps.find((x) => x.step === 'notifyTeam')).toMatchObject({
      fault: 'permanent',
      lastError: 'injected permanent fault [injected fault]',
    });
    await resolveEscalation(stack.client, started.workflowId, { step: 'notifyTeam', action: 'retry', ...decidedBy('ops') });
    await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });
  });
});
