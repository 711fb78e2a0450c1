/**
 * The approval gate: privileged permissions wait for the manager before assignPermissions.
 */
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { decideApproval, getRunStatus, startOnboarding } from '../../src/client';
import type { EscalationLadder, FaultMode, QuestionStatus } from '../../workflows/kit/types';
import { fastOptions, newHire, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ ESCALATION_CONTACTS: 'oncall@it.example.com' });
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

  const receipt = await decideApproval(stack.client, started.workflowId, { decision: 'approve', by: 'the.manager', reason: 'needed for on-call' });
  expect(receipt.applied).toBe(true);
  await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });
  expect(stack.directory.inventory(hire.employeeId).grants).toContain('admin');
  const final = await getRunStatus(stack.client, started.workflowId);
  expect(approvalOf(final)!.decision).toMatchObject({ action: 'approve', by: 'the.manager', reason: 'needed for on-call' });
});

it('ends the run with compensation when the manager rejects', async () => {
  const { hire, started } = await privilegedRun();
  await decideApproval(stack.client, started.workflowId, { decision: 'reject', by: 'the.manager', reason: 'not this role' });
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
  const { started } = await privilegedRun({ reminderAfterMs: 500, nextContactAfterMs: 1_000, automaticActionAfterMs: 1_500 });
  await expect(started.handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  const status = await getRunStatus(stack.client, started.workflowId);
  expect(status.state).toBe('rejected');
  expect(approvalOf(status)).toMatchObject({ remindersSent: 1, level: 1, decision: { action: 'reject', by: 'overture', automatic: true } });
  expect(stack.mail.messages().some((m) => m.to.includes(MANAGER) && m.subject.startsWith('Reminder:') && m.subject.includes(started.workflowId))).toBe(true);
  expect(stack.mail.messages().some((m) => m.to.includes('oncall@it.example.com') && m.subject.startsWith('Escalated:') && m.subject.includes(started.workflowId))).toBe(true);
});

it('refuses approval decisions that do not apply', async () => {
  // A slow last step keeps the run open after the approval, so the late decision meets the run, not its end.
  const { started } = await privilegedRun({}, { notifyTeam: { kind: 'latency', ms: 3_000 } });
  await expect(decideApproval(stack.client, started.workflowId, { decision: 'maybe', by: 'm' })).rejects.toMatchObject({
    cause: { message: 'unknown decision "maybe"; decisions are approve, reject' },
  });
  await decideApproval(stack.client, started.workflowId, { decision: 'approve', by: 'm' });
  const late = decideApproval(stack.client, started.workflowId, { decision: 'reject', by: 'm' });
  await expect(late).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
  await expect(late).rejects.toMatchObject({ cause: { message: 'this run is not waiting for an approval or an answer' } });
  await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });
});
