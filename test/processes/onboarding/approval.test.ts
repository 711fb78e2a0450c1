/**
 * The approval gate: privileged permissions wait for the manager before assignPermissions. On the time-skipping
 * test server: the ladder's hours (the embedded defaults: reminder after 8 h, the next contact after 24 h, rejected
 * after 72 h) are skipped, not waited for.
 */
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { decideApproval, getRunStatus } from '../../../src/client';
import type { EscalationLadder, FaultMode, QuestionStatus } from '../../../workflows/kit/types';
import { fastOptions, startTestStack, statusWhen, type TestStack } from '../../helpers/test-stack';
import { decidedBy } from '../../helpers/operators';
import { newHire, startOnboarding } from './helpers';

const HOUR_MS = 3_600_000;
/** The approval ladder of the embedded defaults (APPROVAL_REMINDER_HOURS, APPROVAL_NEXT_CONTACT_HOURS, APPROVAL_TIMEOUT_HOURS). */
const CONFIGURED_LADDER = { reminderAfterMs: 8 * HOUR_MS, nextContactAfterMs: 24 * HOUR_MS, automaticActionAfterMs: 72 * HOUR_MS };

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ ESCALATION_CONTACTS: 'oncall@it.example.com' }, { server: 'time-skipping' });
});
afterAll(async () => stack.stop());

const MANAGER = 'approving.manager@example.com';

const approvalOf = (s: { questions: QuestionStatus[] }) => s.questions.find((q) => q.kind === 'approval');

async function privilegedRun(approvalLadder: Partial<EscalationLadder> = {}, faults: Partial<Record<string, FaultMode>> = {}) {
  const hire = newHire({ role: 'admin', managerEmail: MANAGER });
  const started = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions({}, approvalLadder), faults });
  const status = await statusWhen(stack, started.workflowId, (s) => approvalOf(s)?.open === true, 'approval requested');
  return { hire, started, status };
}

it('waits for the manager and completes once approved', async () => {
  const { hire, started, status } = await privilegedRun();
  expect(status.state).toBe('awaiting_approval');
  expect(approvalOf(status)!.prompt).toBe('privileged permissions (admin)');
  expect(status.steps.find((s) => s.step === 'assignPermissions')!.state).toBe('pending');
  const request = await stack.mail.waitFor((m) => m.to.includes(MANAGER) && m.subject.includes(started.workflowId));
  expect(request.text).toContain(`overture approve ${started.workflowId} --decision approve|reject`);

  const receipt = await decideApproval(stack.client, started.workflowId, {
    decision: 'approve',
    ...decidedBy('the.manager'),
    reason: 'needed for on-call',
  });
  expect(receipt.applied).toBe(true);
  await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });
  expect(stack.directory.inventory(hire.employeeId).grants).toContain('admin');
  const final = await getRunStatus(stack.client, started.workflowId);
  expect(approvalOf(final)!.decision).toMatchObject({ action: 'approve', by: 'the.manager', reason: 'needed for on-call' });
});

it('ends the run with compensation when the manager rejects', async () => {
  const { hire, started } = await privilegedRun();
  await decideApproval(stack.client, started.workflowId, { decision: 'reject', ...decidedBy('the.manager'), reason: 'not this role' });
  const error = await started.handle.result().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  expect((error as WorkflowFailedError).cause?.message).toContain('approval rejected by the.manager: not this role');
  const inventory = stack.directory.inventory(hire.employeeId);
  expect(inventory.accounts.map((a) => a.status)).toEqual(['disabled']);
  expect(inventory.grants).toEqual([]);
  const status = await getRunStatus(stack.client, started.workflowId);
  expect(status.state).toBe('rejected');
  expect(status.steps.find((s) => s.step === 'assignPermissions')!.state).toBe('cancelled');
});

it('rejects automatically after the timeout, after reminding the manager and the next contact', async () => {
  const { started } = await privilegedRun(CONFIGURED_LADDER);
  const mailed = (to: string, prefix: string) => (m: { to: string[]; subject: string }) =>
    m.to.includes(to) && m.subject.startsWith(prefix) && m.subject.includes(started.workflowId);
  // Seven hours on, nobody has been reminded yet; at eight, the manager is.
  await stack.skipTime(7 * HOUR_MS);
  expect(stack.mail.messages().some(mailed(MANAGER, 'Reminder:'))).toBe(false);
  await stack.skipTime(HOUR_MS + 60_000);
  await stack.mail.waitFor(mailed(MANAGER, 'Reminder:'));
  await stack.skipTime(16 * HOUR_MS);
  await stack.mail.waitFor(mailed('oncall@it.example.com', 'Escalated:'));
  expect((await getRunStatus(stack.client, started.workflowId)).state).toBe('awaiting_approval');
  await stack.skipTime(48 * HOUR_MS);
  await expect(started.handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  const status = await getRunStatus(stack.client, started.workflowId);
  expect(status.state).toBe('rejected');
  expect(approvalOf(status)).toMatchObject({ remindersSent: 1, level: 1, decision: { action: 'reject', by: 'overture', automatic: true } });
  expect(
    stack.mail
      .messages()
      .some((m) => m.to.includes(MANAGER) && m.subject.startsWith('Reminder:') && m.subject.includes(started.workflowId)),
  ).toBe(true);
  expect(
    stack.mail
      .messages()
      .some((m) => m.to.includes('oncall@it.example.com') && m.subject.startsWith('Escalated:') && m.subject.includes(started.workflowId)),
  ).toBe(true);
});

it('refuses approval decisions that do not apply', async () => {
  // A slow last step keeps the run open after the approval, so the late decision meets the run, not its end.
  const { started } = await privilegedRun({}, { notifyTeam: { kind: 'latency', ms: 3_000 } });
  await expect(decideApproval(stack.client, started.workflowId, { decision: 'maybe', ...decidedBy('m') })).rejects.toMatchObject({
    cause: { message: 'unknown decision "maybe"; decisions are approve, reject' },
  });
  await decideApproval(stack.client, started.workflowId, { decision: 'approve', ...decidedBy('m') });
  const late = decideApproval(stack.client, started.workflowId, { decision: 'reject', ...decidedBy('m') });
  await expect(late).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
  await expect(late).rejects.toMatchObject({ cause: { message: 'this run is not waiting for an approval or an answer' } });
  await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });
});

describe('who may approve', () => {
  const NOT_THEIRS = 'may be answered only by the person it was sent to, the escalation contacts it has reached so far, or an admin';

  it('refuses an approver the request was not sent to, and a decision with no identity; takes the manager, matched by address', async () => {
    const { started } = await privilegedRun();
    const stranger = decideApproval(stack.client, started.workflowId, {
      decision: 'approve',
      ...decidedBy('ops.eve', 'approver', 'eve@example.com'),
    });
    await expect(stranger).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(stranger).rejects.toMatchObject({
      cause: { message: expect.stringContaining(`${NOT_THEIRS}; ops.eve is none of them`) as unknown },
    });
    // A typed name alone is no identity: refused before it reaches the run, and by the run itself.
    const typed = decideApproval(stack.client, started.workflowId, { decision: 'approve', by: 'the.manager' });
    await expect(typed).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/^decisions need an authenticated operator: /) as unknown },
    });
    const raw = started.handle.executeUpdate('answerQuestion', { args: [{ decision: 'approve', by: 'the.manager' }] });
    await expect(raw).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/^decisions need an authenticated operator: /) as unknown },
    });
    expect(approvalOf(await getRunStatus(stack.client, started.workflowId))!.open).toBe(true);

    const receipt = await decideApproval(stack.client, started.workflowId, {
      decision: 'approve',
      ...decidedBy('dorothy', 'approver', MANAGER.toUpperCase()),
    });
    expect(receipt).toMatchObject({ applied: true, message: 'approve by dorothy' });
    await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });
    const decision = approvalOf(await getRunStatus(stack.client, started.workflowId))!.decision;
    expect(decision).toMatchObject({ action: 'approve', by: 'dorothy', via: 'api', role: 'approver', automatic: false });
    // The approver's address stays out of the status.
    expect(JSON.stringify(decision)).not.toContain(MANAGER.toUpperCase());
  });

  it('takes an admin in place of the manager', async () => {
    const { started } = await privilegedRun();
    expect(
      await decideApproval(stack.client, started.workflowId, { decision: 'approve', ...decidedBy('root.admin', 'admin') }),
    ).toMatchObject({
      applied: true,
      message: 'approve by root.admin',
    });
    await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });
  });

  it('takes an escalation contact only once the ladder has handed the approval to them', async () => {
    const { started } = await privilegedRun(CONFIGURED_LADDER);
    const oncall = decidedBy('ops.oncall', 'approver', 'oncall@it.example.com');
    // Reminded (8 h), but not yet handed over (24 h): the escalation contact may not decide.
    await stack.skipTime(12 * HOUR_MS);
    const early = decideApproval(stack.client, started.workflowId, { decision: 'approve', ...oncall });
    await expect(early).rejects.toMatchObject({ cause: { message: expect.stringContaining(NOT_THEIRS) as unknown } });
    await stack.skipTime(12 * HOUR_MS + 60_000);
    await statusWhen(stack, started.workflowId, (s) => approvalOf(s)?.level === 1, 'the approval handed to the escalation contact');
    expect(await decideApproval(stack.client, started.workflowId, { decision: 'approve', ...oncall })).toMatchObject({
      applied: true,
      message: 'approve by ops.oncall',
    });
    await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });
  });
});
