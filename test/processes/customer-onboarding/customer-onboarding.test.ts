/**
 * Customer onboarding on Temporal's time-skipping test server, with its real activities: the CRM (a SQLite file),
 * the local SMTP server and the team's webhook. The welcome sequence's days are skipped, not waited for.
 */
import { WorkflowFailedError } from '@temporalio/client';
import {
  answerQuestion,
  deliverEvent,
  getRunStatus,
  NoOpenRunError,
  prepareEventDelivery,
  sendEvent,
  startProcess,
  type StartedRun,
} from '../../../src/client';
import { settings } from '../../../activities/customer-onboarding/settings';
import { SqliteCrm } from '../../../activities/customer-onboarding/sqlite-crm';
import { customerOnboardingDefinition } from '../../../workflows/customer-onboarding/definition';
import type { customerOnboarding } from '../../../workflows/customer-onboarding/workflow';
import type { CustomerRequest } from '../../../workflows/customer-onboarding/types';
import { recordingEnv, saveHistory } from '../../helpers/histories';
import { decidedBy } from '../../helpers/operators';
import { fastOptions, startTestStack, statusWhen, type TestStack } from '../../helpers/test-stack';

const DAY_MS = 86_400_000;
const MANAGER = 'account.manager@example.com';
let stack: TestStack;
let crm: SqliteCrm;

beforeAll(async () => {
  // Payloads under the replay key: the happy path's history can be recorded for the replay gate.
  stack = await startTestStack({ CUSTOMER_ACCOUNT_MANAGER: MANAGER, ...recordingEnv() }, { server: 'time-skipping' });
  const { crmDbPath, loginBaseUrl } = settings.of(stack.config);
  crm = new SqliteCrm(crmDbPath, loginBaseUrl);
});
afterAll(async () => {
  crm?.close();
  await stack?.stop();
});

let counter = 0;
function newCustomer(overrides: Partial<CustomerRequest> = {}): CustomerRequest {
  counter += 1;
  const customerId = `C-${Date.now().toString(36)}${counter}`.toUpperCase();
  return {
    customerId,
    company: 'Analytical Engines Ltd',
    plan: 'growth',
    seats: 12,
    contactName: 'Ada Lovelace',
    contactEmail: `ada.${customerId.toLowerCase()}@example.com`,
    ...overrides,
  };
}

type Started = StartedRun<typeof customerOnboarding>;

async function start(customer: CustomerRequest): Promise<Started> {
  return (await startProcess(stack.client, stack.config, 'customer-onboarding', customer, { tuneOptions: fastOptions() })) as Started;
}

const emailsTo = (customer: CustomerRequest) => stack.mail.messages().filter((m) => m.to.includes(customer.contactEmail));
const stepState = (started: Started, step: string) => async () =>
  (await getRunStatus(stack.client, started.workflowId)).steps.find((s) => s.step === step)?.state;

it('opens the account, provisions access, welcomes the customer at once, tells the team, and stops the sequence when setup is complete', async () => {
  const customer = newCustomer();
  const started = await start(customer);
  const welcome = await stack.mail.waitFor(
    (m) => m.to.includes(customer.contactEmail) && m.subject === `Welcome to Overture, ${customer.company}`,
  );
  const { account, access } = await crm.customer(customer.customerId);
  expect(account).toMatchObject({ accountId: `acct-${customer.customerId.toLowerCase()}`, status: 'active', plan: 'growth' });
  expect(access).toMatchObject({ tenantId: `tenant-${customer.customerId.toLowerCase()}`, status: 'active', seats: 12 });
  expect(welcome.text).toContain(access!.loginUrl);
  // The account team hears of the company and its plan, never the contact's name or address.
  const post = await stack.webhooks.waitFor((w) => JSON.stringify(w.body).includes(customer.customerId));
  expect(JSON.stringify(post.body)).toContain('growth plan, 12 seats');
  expect(JSON.stringify(post.body)).not.toContain(customer.contactEmail);
  expect(JSON.stringify(post.body)).not.toContain(customer.contactName);

  // A day later the customer finishes setup: the tips (day 3) and the check-in (day 7) are never sent.
  await statusWhen(
    stack,
    started.workflowId,
    (s) => s.steps.find((x) => x.step === 'customerSetup')?.state === 'waiting',
    'the wait for setup',
  );
  await stack.skipTime(DAY_MS);
  await sendEvent(stack.client, started.workflowId, {
    type: 'customer.setup-completed',
    id: `setup-${customer.customerId}`,
    data: { customerId: customer.customerId },
  });
  await expect(started.handle.result()).resolves.toMatchObject({
    state: 'completed',
    setupCompleted: true,
    welcomeEmails: 1,
    skippedSteps: [],
  });
  await stack.skipTime(7 * DAY_MS);
  expect(emailsTo(customer)).toHaveLength(1);
  const status = await getRunStatus(stack.client, started.workflowId);
  expect(status.steps.map((s) => [s.step, s.state])).toEqual([
    ['createCrmAccount', 'completed'],
    ['approveContract', 'not_taken'],
    ['provisionAccess', 'completed'],
    ['welcomeDay0', 'completed'],
    ['welcomeDay3', 'not_taken'],
    ['welcomeDay7', 'not_taken'],
    ['customerSetup', 'completed'],
    ['notifyAccountTeam', 'completed'],
  ]);
  // The reminder waited, then was not needed: it ends with the run, so its duration does not keep growing.
  const day3 = status.steps.find((s) => s.step === 'welcomeDay3')!;
  expect(day3.endedAt).toBeDefined();
  expect(Date.parse(day3.endedAt!)).toBeLessThanOrEqual(Date.parse(status.endedAt!));
  expect(status.steps.find((s) => s.step === 'approveContract')!.endedAt).toBeUndefined();
  expect(JSON.stringify(status.log)).not.toContain(customer.contactEmail);
  // With OVERTURE_RECORD_HISTORIES=1, saved to ./histories for the replay gate.
  await saveHistory(started.handle, __dirname, 'setup-completed');
});

it('sends the tips on day 3 and the check-in on day 7 when the customer never completes setup, each once', async () => {
  const customer = newCustomer();
  const started = await start(customer);
  await stack.mail.waitFor((m) => m.to.includes(customer.contactEmail) && m.subject.startsWith('Welcome'));
  await statusWhen(
    stack,
    started.workflowId,
    (s) => s.steps.find((x) => x.step === 'welcomeDay3')?.state === 'waiting',
    'the wait for day 3',
  );
  // Not yet: two days on, nothing more was sent.
  await stack.skipTime(2 * DAY_MS);
  expect(emailsTo(customer)).toHaveLength(1);
  await stack.skipTime(DAY_MS + 60_000);
  await stack.mail.waitFor((m) => m.to.includes(customer.contactEmail) && m.subject.startsWith('Three steps'));
  await stack.skipTime(4 * DAY_MS + 60_000);
  await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed', setupCompleted: false, welcomeEmails: 3 });
  expect(emailsTo(customer).map((m) => m.subject)).toEqual([
    `Welcome to Overture, ${customer.company}`,
    `Three steps to finish setting up ${customer.company}`,
    `How is ${customer.company} getting on?`,
  ]);
  await expect(stepState(started, 'customerSetup')()).resolves.toBe('completed');
});

it('waits for the account manager on an enterprise contract, and a refusal closes the account it opened', async () => {
  const customer = newCustomer({ plan: 'enterprise' });
  const started = await start(customer);
  const waiting = await statusWhen(
    stack,
    started.workflowId,
    (s) => s.questions.some((q) => q.kind === 'approval' && q.open),
    'the approval',
  );
  expect(waiting.steps.find((s) => s.step === 'provisionAccess')!.state).toBe('pending');
  const notice = await stack.mail.waitFor((m) => m.to.includes(MANAGER) && m.subject.includes(started.workflowId));
  expect(notice.text).toContain('enterprise plan, 12 seats');
  const question = waiting.questions.find((q) => q.kind === 'approval')!.id;
  await answerQuestion(stack.client, started.workflowId, {
    question,
    decision: 'reject',
    ...decidedBy('account.manager', 'approver', MANAGER),
    reason: 'no signed contract',
  });
  await expect(started.handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  await expect(crm.customer(customer.customerId)).resolves.toEqual({ account: expect.objectContaining({ status: 'closed' }) as unknown });
  expect(emailsTo(customer)).toHaveLength(0);
});

it('takes customer.setup-completed only for an open run: the event starts nothing', async () => {
  const route = customerOnboardingDefinition.events!.find((r) => r.type === 'customer.setup-completed')!;
  const lonely = prepareEventDelivery(stack.config, customerOnboardingDefinition, route, {
    id: 'setup-lonely',
    data: { customerId: 'c-no-run' },
  });
  expect(lonely).toMatchObject({ workflowId: 'customer-onboarding-C-NO-RUN', process: 'customer-onboarding' });
  expect(lonely.run).toBeUndefined();
  await expect(deliverEvent(stack.client, stack.config, lonely)).rejects.toBeInstanceOf(NoOpenRunError);

  const customer = newCustomer();
  const started = await start(customer);
  await statusWhen(
    stack,
    started.workflowId,
    (s) => s.steps.find((x) => x.step === 'customerSetup')?.state === 'waiting',
    'the wait for setup',
  );
  const delivery = prepareEventDelivery(stack.config, customerOnboardingDefinition, route, {
    id: `setup-${customer.customerId}`,
    data: { customerId: customer.customerId.toLowerCase() },
  });
  await expect(deliverEvent(stack.client, stack.config, delivery)).resolves.toMatchObject({
    workflowId: started.workflowId,
    started: false,
  });
  await expect(started.handle.result()).resolves.toMatchObject({ setupCompleted: true });
});
