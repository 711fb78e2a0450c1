/**
 * The escalation ladder on durable timers, with the embedded defaults' hours (a reminder after 4 h, the next contact
 * after 24 h, the automatic action after 72 h), on the time-skipping test server: the hours are skipped, and the
 * run's own clock says when each rung came.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { getRunStatus } from '../../../src/client';
import type { EscalationLadder } from '../../../workflows/kit/types';
import { eventually, fastOptions, startTestStack, statusWhen, type TestStack } from '../../helpers/test-stack';
import { newHire, startOnboarding } from './helpers';

const HOUR_MS = 3_600_000;
const CONTACTS = ['oncall@it.example.com', 'lead@it.example.com'];
/** ESCALATION_REMINDER_HOURS, ESCALATION_NEXT_CONTACT_HOURS and ESCALATION_AUTO_ACTION_HOURS of the embedded defaults. */
const CONFIGURED = { reminderAfterMs: 4 * HOUR_MS, nextContactAfterMs: 24 * HOUR_MS, automaticActionAfterMs: 72 * HOUR_MS };

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ ESCALATION_CONTACTS: CONTACTS.join(',') }, { server: 'time-skipping' });
});
afterAll(async () => stack.stop());

async function escalatedRun(step: 'createWorkspace' | 'notifyTeam', ladder: Partial<EscalationLadder>) {
  const hire = newHire();
  const started = await startOnboarding(stack.client, stack.config, hire, {
    tuneOptions: fastOptions(ladder),
    faults: { [step]: { kind: 'permanent' } },
  });
  const status = await statusWhen(
    stack,
    started.workflowId,
    (s) => s.questions.some((e) => e.kind === 'escalation' && e.open && e.step === step),
    `${step} escalated`,
  );
  return { hire, started, openedAt: Date.parse(status.questions[0]!.openedAt) };
}

const mailed = (to: string, prefix: string, workflowId: string) => (m: { to: string[]; subject: string }) =>
  m.to.includes(to) && m.subject.startsWith(prefix) && m.subject.includes(workflowId);

it('reminds after T1, hands over to the next contact after T2, and acts alone after T3', async () => {
  const { started, openedAt } = await escalatedRun('createWorkspace', { ...CONFIGURED, automaticAction: 'skip' });
  // Three hours on, nobody has been reminded; at four, the first contact is.
  await stack.skipTime(3 * HOUR_MS);
  expect(stack.mail.messages().some(mailed(CONTACTS[0]!, 'Reminder:', started.workflowId))).toBe(false);
  await stack.skipTime(HOUR_MS + 60_000);
  await stack.mail.waitFor(mailed(CONTACTS[0]!, 'Reminder:', started.workflowId));
  await stack.skipTime(20 * HOUR_MS);
  await stack.mail.waitFor(mailed(CONTACTS[1]!, 'Escalated:', started.workflowId));
  expect((await getRunStatus(stack.client, started.workflowId)).questions[0]).toMatchObject({ open: true, level: 1, remindersSent: 1 });
  await stack.skipTime(48 * HOUR_MS);

  const result = await started.handle.result();
  expect(result.skippedSteps).toEqual(['createWorkspace']);
  const final = await getRunStatus(stack.client, started.workflowId);
  const escalation = final.questions[0]!;
  expect(escalation).toMatchObject({
    level: 1,
    remindersSent: 1,
    open: false,
    decision: { action: 'skip', by: 'overture', automatic: true },
  });
  // On the run's clock, the automatic skip came at T3, not before.
  expect(Date.parse(escalation.decision!.at) - openedAt).toBeGreaterThanOrEqual(72 * HOUR_MS);
  // The first contact got the notice and one reminder; nothing failed to go out.
  const subjects = stack.mail
    .messages()
    .filter((m) => m.to.includes(CONTACTS[0]!) && m.subject.includes(started.workflowId))
    .map((m) => m.subject.split(':')[0]);
  const undelivered = final.log.filter((l) => l.message.startsWith('could not deliver notice')).map((l) => l.message);
  expect({ subjects: subjects.sort(), undelivered }).toEqual({
    subjects: ['Reminder', `[Overture] ${started.workflowId}`],
    undelivered: [],
  });
});

it('aborts automatically when so configured', async () => {
  const { hire, started } = await escalatedRun('notifyTeam', { ...CONFIGURED, automaticAction: 'abort' });
  await stack.skipTime(72 * HOUR_MS + 60_000);
  await expect(started.handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  const status = await getRunStatus(stack.client, started.workflowId);
  expect(status.state).toBe('aborted');
  expect(status.questions[0]!.decision).toMatchObject({ action: 'abort', automatic: true });
  await eventually(() => stack.directory.inventory(hire.employeeId).accounts[0]?.status === 'disabled');
});
