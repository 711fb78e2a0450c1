/**
 * Step activities against real systems: a SQLite directory file, the local SMTP server through a real
 * nodemailer transport, and the local webhook receiver. MockActivityEnvironment is the SDK's harness
 * for running one activity function with an activity Context (workflow execution, attempt number).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { createDirectoryActivities } from '../../../activities/onboarding/directory';
import { createWelcomeActivities } from '../../../activities/onboarding/welcome';
import { createNoticeActivities } from '../../../activities/kit/notices';
import { idempotencyKey, PermanentError, redactPersonalData, toStepFailure, TransientError } from '../../../activities/kit/step-attempt';
import { SqliteDeliveryLedger } from '../../../src/stores/delivery-ledger/sqlite-ledger';
import { startMailReceiver, type MailReceiver } from '../../../src/tools/dev-stack/mail-receiver';
import { startWebhookReceiver, type WebhookReceiver } from '../../../src/tools/dev-stack/webhook-receiver';
import { workspaceUrlFor } from '../../../src/stores/directory/directory';
import { SqliteDirectory } from '../../../src/stores/directory/sqlite-directory';
import type { StepFailureDetails } from '../../../workflows/kit/failures';
import type { FaultMode } from '../../../workflows/kit/types';
import type { NewHire } from '../../../workflows/onboarding/types';
import { ActivityEnv, activityEnvFor, failureOf } from '../../helpers/activity-env';

const WORKFLOW_ID = 'onboarding-E1';
const WORKSPACE_BASE_URL = 'https://workspaces.overture.test';

/** The activity Context of one attempt of one activity in this file's workflow run. */
function activityEnv(attempt = 1, runId = 'run-1'): ActivityEnv {
  return activityEnvFor(WORKFLOW_ID, attempt, runId);
}

function detailsOf(failure: ApplicationFailure): StepFailureDetails {
  return failure.details?.[0] as StepFailureDetails;
}

const hire: NewHire = {
  employeeId: 'E1',
  fullName: 'Ada Lovelace',
  email: 'ada.lovelace@example.com',
  role: 'engineer',
  team: 'Analytical Engines',
  managerEmail: 'charles.babbage@example.com',
  startDate: '2026-12-07',
  extraPermissions: [],
};

const accountInput = (fault?: FaultMode) => ({
  employeeId: hire.employeeId,
  fullName: hire.fullName,
  email: hire.email,
  role: hire.role,
  team: hire.team,
  fault,
});

describe('onboarding activities on real systems', () => {
  let mail: MailReceiver;
  let webhooks: WebhookReceiver;
  let tmp: string;
  let directory: SqliteDirectory;
  let ledger: SqliteDeliveryLedger;

  const mailOf = (smtpUrl = mail.url) => ({
    transport: createTransport({ url: smtpUrl, ignoreTLS: true, connectionTimeout: 5_000 }),
    from: 'Overture <overture@overture.local>',
    ledger,
  });
  const chatOf = (webhookUrl = webhooks.url) => ({ webhookUrl, ledger, timeoutMs: 5_000 });
  const emailActivities = (smtpUrl = mail.url) => ({
    ...createWelcomeActivities({ mail: mailOf(smtpUrl), chat: chatOf(), workspaceBaseUrl: WORKSPACE_BASE_URL }),
    ...createNoticeActivities({ mail: mailOf(smtpUrl), chat: chatOf() }),
  });
  const chatActivities = (webhookUrl = webhooks.url) => ({
    ...createWelcomeActivities({ mail: mailOf(), chat: chatOf(webhookUrl), workspaceBaseUrl: WORKSPACE_BASE_URL }),
    ...createNoticeActivities({ mail: mailOf(), chat: chatOf(webhookUrl) }),
  });
  const directoryActivities = () => createDirectoryActivities(directory);

  beforeAll(async () => {
    mail = await startMailReceiver();
    webhooks = await startWebhookReceiver();
  });

  afterAll(async () => {
    await mail.stop();
    await webhooks.stop();
  });

  beforeEach(() => {
    mail.clear();
    mail.rejectRecipients(undefined, 550);
    webhooks.clear();
    webhooks.respondWith(undefined);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'overture-activities-'));
    directory = new SqliteDirectory(path.join(tmp, 'directory.db'), WORKSPACE_BASE_URL);
    ledger = new SqliteDeliveryLedger(path.join(tmp, 'overture.db'));
  });

  afterEach(() => {
    directory.close();
    ledger.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  describe('sendWelcomeEmail', () => {
    const input = { hire, accountId: 'acct-e1' };

    it('sends exactly one mail per workflow run, however often the activity runs', async () => {
      const { sendWelcomeEmail } = emailActivities();
      const env = activityEnv();

      const first = await env.runActivity(sendWelcomeEmail, input);
      const second = await env.runActivity(sendWelcomeEmail, input);

      expect(second).toEqual(first);
      expect(first.attempt).toBe(1);
      expect(mail.messages()).toHaveLength(1);
      const [received] = mail.messages();
      expect(received!.to).toEqual([hire.email]);
      expect(received!.subject).toBe('Welcome to the Analytical Engines team, Ada!');
      expect(received!.text).toContain(workspaceUrlFor(WORKSPACE_BASE_URL, hire.employeeId));
      expect(received!.text).toContain('https://workspaces.overture.test/w/e1');
      expect(received!.messageId).toBe(first.output.messageId);
      expect(ledger.count('email', `${WORKFLOW_ID}/run-1/`)).toBe(1);
    });

    it('a retry attempt of the same run does not send again', async () => {
      const { sendWelcomeEmail } = emailActivities();

      await activityEnv(1).runActivity(sendWelcomeEmail, input);
      const retried = await activityEnv(2).runActivity(sendWelcomeEmail, input);

      expect(retried.attempt).toBe(2);
      expect(mail.messages()).toHaveLength(1);
    });

    it('a new run (different runId) sends a second mail', async () => {
      const { sendWelcomeEmail } = emailActivities();

      const first = await activityEnv(1, 'run-1').runActivity(sendWelcomeEmail, input);
      const second = await activityEnv(1, 'run-2').runActivity(sendWelcomeEmail, input);

      expect(mail.messages()).toHaveLength(2);
      expect(second.output.messageId).not.toBe(first.output.messageId);
      expect(mail.messages().every((m) => m.to.length === 1 && m.to[0] === hire.email)).toBe(true);
    });

    it('a recipient refused with 550 is a non-retryable failure without the address, and nothing is recorded', async () => {
      mail.rejectRecipients(/^ada\.lovelace@/, 550);
      const { sendWelcomeEmail } = emailActivities();

      const failure = await failureOf(activityEnv(1).runActivity(sendWelcomeEmail, input));

      expect(failure.nonRetryable).toBe(true);
      expect(failure.type).toBe('PermanentError');
      expect(failure.message).toMatch(/550/);
      expect(failure.message).not.toContain(hire.email);
      expect(failure.message).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.-]+/);
      expect(detailsOf(failure)).toEqual({ attempt: 1, injected: false });
      expect(mail.messages()).toHaveLength(0);
      expect(ledger.count('email')).toBe(0);

      // Once the mailbox accepts mail again, a later attempt still sends.
      mail.rejectRecipients(undefined, 550);
      const retried = await activityEnv(2).runActivity(sendWelcomeEmail, input);
      expect(retried.attempt).toBe(2);
      expect(mail.messages()).toHaveLength(1);
      expect(ledger.count('email')).toBe(1);
    });

    it('redacts the address when the SMTP server names it in its refusal', async () => {
      // Real relays often echo the recipient ("550 5.1.1 <x@y>: Recipient address rejected"); mail-receiver does not.
      const relay = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onRcptTo: (address, _session, cb) =>
          cb(Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected`), { responseCode: 550 })),
      });
      await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
      try {
        const address = relay.server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        const { sendWelcomeEmail } = emailActivities(`smtp://127.0.0.1:${port}`);

        const failure = await failureOf(activityEnv(1).runActivity(sendWelcomeEmail, input));

        expect(failure.nonRetryable).toBe(true);
        expect(failure.message).toContain('Recipient address rejected');
        expect(failure.message).toContain('<email>');
        expect(failure.message).not.toContain(hire.email);
        expect(failure.message).not.toContain('ada.lovelace');
        expect(ledger.count('email')).toBe(0);
      } finally {
        await new Promise<void>((resolve) => relay.close(resolve));
      }
    });

    it('a recipient refused with 451 is a retryable failure, nothing is recorded, and the retry sends', async () => {
      mail.rejectRecipients(/^ada\.lovelace@/, 451);
      const { sendWelcomeEmail } = emailActivities();

      const failure = await failureOf(activityEnv(1).runActivity(sendWelcomeEmail, input));

      expect(failure.nonRetryable).toBe(false);
      expect(failure.type).toBe('TransientError');
      expect(failure.message).toMatch(/451/);
      expect(failure.message).not.toContain(hire.email);
      expect(detailsOf(failure)).toEqual({ attempt: 1, injected: false });
      expect(ledger.count('email')).toBe(0);

      mail.rejectRecipients(undefined, 550);
      await activityEnv(2).runActivity(sendWelcomeEmail, input);
      expect(mail.messages()).toHaveLength(1);
      expect(mail.messages()[0]!.to).toEqual([hire.email]);
    });

    it('an SMTP server that refuses connections is a retryable failure', async () => {
      const gone = await startMailReceiver();
      const goneUrl = gone.url;
      await gone.stop();
      const { sendWelcomeEmail } = emailActivities(goneUrl);

      const failure = await failureOf(activityEnv(1).runActivity(sendWelcomeEmail, input));

      expect(failure.nonRetryable).toBe(false);
      expect(failure.type).toBe('TransientError');
      expect(failure.message).not.toContain(hire.email);
      expect(ledger.count('email')).toBe(0);
    });
  });

  describe('notifyTeam', () => {
    const announcement = {
      employeeId: hire.employeeId,
      fullName: hire.fullName,
      role: hire.role,
      team: hire.team,
      startDate: hire.startDate,
      workspaceUrl: workspaceUrlFor(WORKSPACE_BASE_URL, hire.employeeId),
    };

    it('posts once per workflow run, with the name and workspace URL in the text', async () => {
      const { notifyTeam } = chatActivities();
      const env = activityEnv();

      const first = await env.runActivity(notifyTeam, announcement);
      const second = await env.runActivity(notifyTeam, announcement);

      expect(second).toEqual(first);
      expect(webhooks.received()).toHaveLength(1);
      const [hook] = webhooks.received();
      expect(hook!.path).toBe('/hooks/team');
      expect(hook!.headers['x-idempotency-key']).toBe(`${WORKFLOW_ID}/run-1/notifyTeam`);
      const body = hook!.body as { text: string };
      expect(typeof body.text).toBe('string');
      expect(body.text).toContain('Ada Lovelace');
      expect(body.text).toContain('https://workspaces.overture.test/w/e1');
      expect(ledger.count('webhook')).toBe(1);
    });

    it.each([
      [500, false],
      [503, false],
      [429, false],
      [404, true],
      [400, true],
    ])('webhook answering HTTP %i fails with nonRetryable %s and records nothing', async (status, nonRetryable) => {
      webhooks.respondWith(status);
      const { notifyTeam } = chatActivities();

      const failure = await failureOf(activityEnv(1).runActivity(notifyTeam, announcement));

      expect(failure.nonRetryable).toBe(nonRetryable);
      expect(failure.type).toBe(nonRetryable ? 'PermanentError' : 'TransientError');
      expect(failure.message).toContain(String(status));
      expect(detailsOf(failure)).toEqual({ attempt: 1, injected: false });
      expect(webhooks.received()).toHaveLength(0);
      expect(ledger.count('webhook')).toBe(0);

      webhooks.respondWith(undefined);
      await activityEnv(2).runActivity(notifyTeam, announcement);
      expect(webhooks.received()).toHaveLength(1);
    });

    it('an unreachable webhook is a retryable failure', async () => {
      const gone = await startWebhookReceiver();
      const goneUrl = gone.url;
      await gone.stop();
      const { notifyTeam } = chatActivities(goneUrl);

      const failure = await failureOf(activityEnv(1).runActivity(notifyTeam, announcement));

      expect(failure.nonRetryable).toBe(false);
      expect(failure.message).toMatch(/webhook unreachable/);
      expect(ledger.count('webhook')).toBe(0);
    });
  });

  describe('injected faults', () => {
    it('transient:2 fails attempts 1 and 2 before any side effect, and succeeds on attempt 3', async () => {
      const { createAccount } = directoryActivities();
      const fault: FaultMode = { kind: 'transient', failures: 2 };

      for (const attempt of [1, 2]) {
        const failure = await failureOf(activityEnv(attempt).runActivity(createAccount, accountInput(fault)));
        expect(failure.nonRetryable).toBe(false);
        expect(failure.type).toBe('InjectedTransientFault');
        expect(detailsOf(failure)).toEqual({ attempt, injected: true });
        expect(directory.inventory(hire.employeeId).accounts).toEqual([]);
      }

      const result = await activityEnv(3).runActivity(createAccount, accountInput(fault));

      expect(result.attempt).toBe(3);
      expect(result.output.accountId).toBe('acct-e1');
      expect(directory.inventory(hire.employeeId).accounts).toHaveLength(1);
    });

    it('permanent fails non-retryably, marked injected, and does nothing', async () => {
      const { createAccount } = directoryActivities();

      const failure = await failureOf(activityEnv(4).runActivity(createAccount, accountInput({ kind: 'permanent' })));

      expect(failure.nonRetryable).toBe(true);
      expect(failure.type).toBe('InjectedPermanentFault');
      expect(detailsOf(failure)).toEqual({ attempt: 4, injected: true });
      expect(directory.inventory(hire.employeeId).accounts).toEqual([]);
    });

    it('latency:300 delays the step by at least 300 ms, heartbeating, and then succeeds', async () => {
      const { createAccount, createWorkspace } = directoryActivities();
      const account = await activityEnv().runActivity(createAccount, accountInput());
      const env = activityEnv();
      let heartbeats = 0;
      env.on('heartbeat', () => (heartbeats += 1));

      const started = Date.now();
      const result = await env.runActivity(createWorkspace, {
        employeeId: hire.employeeId,
        accountId: account.output.accountId,
        team: hire.team,
        fault: { kind: 'latency', ms: 300 },
      });
      const elapsed = Date.now() - started;

      expect(elapsed).toBeGreaterThanOrEqual(300);
      expect(elapsed).toBeLessThan(5_000);
      expect(heartbeats).toBeGreaterThanOrEqual(1);
      expect(result.output).toEqual({ workspaceId: 'ws-e1', workspaceUrl: workspaceUrlFor(WORKSPACE_BASE_URL, hire.employeeId) });
      expect(directory.inventory(hire.employeeId).workspaces).toHaveLength(1);
    });

    it('a fault on one step leaves an activity without a fault untouched', async () => {
      const { createAccount } = directoryActivities();
      const result = await activityEnv(1).runActivity(createAccount, accountInput());
      expect(result).toEqual({ output: { accountId: 'acct-e1', username: 'ada.lovelace' }, attempt: 1 });
    });
  });

  describe('createAccount', () => {
    it('is idempotent across attempts', async () => {
      const { createAccount } = directoryActivities();
      const first = await activityEnv(1).runActivity(createAccount, accountInput());
      const second = await activityEnv(2).runActivity(createAccount, accountInput());

      expect(second.output).toEqual(first.output);
      expect(directory.inventory(hire.employeeId).accounts).toHaveLength(1);
    });

    it('a conflicting account (same email, other employee) is a non-retryable failure', async () => {
      const { createAccount } = directoryActivities();
      await activityEnv().runActivity(createAccount, accountInput());

      const failure = await failureOf(activityEnv().runActivity(createAccount, { ...accountInput(), employeeId: 'E2' }));

      expect(failure.nonRetryable).toBe(true);
      expect(failure.type).toBe('PermanentError');
      expect(failure.message).toMatch(/directory conflict/);
      expect(failure.message).not.toContain(hire.email);
      expect(detailsOf(failure)).toEqual({ attempt: 1, injected: false });
      expect(directory.inventory('E2').accounts).toEqual([]);
    });
  });

  describe('step-attempt helpers', () => {
    it('redactPersonalData masks every email address and keeps the rest', () => {
      expect(redactPersonalData('refused <ada.lovelace@example.com> and bob+x@mail.example.co.uk, not @handles')).toBe(
        'refused <<email>> and <email>, not @handles',
      );
      expect(redactPersonalData('nothing personal here')).toBe('nothing personal here');
    });

    it('toStepFailure classifies permanent and transient errors, with the attempt, redacted', () => {
      const permanent = toStepFailure(new PermanentError('mailbox ada@example.com is gone'), 3);
      const transient = toStepFailure(new TransientError('timeout'), 2);
      const other = toStepFailure(new Error('boom'), 1);

      expect(permanent).toBeInstanceOf(ApplicationFailure);
      expect(permanent).toMatchObject({ type: 'PermanentError', nonRetryable: true, message: 'mailbox <email> is gone' });
      expect(detailsOf(permanent)).toEqual({ attempt: 3, injected: false });
      expect(transient).toMatchObject({ type: 'TransientError', nonRetryable: false, message: 'timeout' });
      expect(detailsOf(transient)).toEqual({ attempt: 2, injected: false });
      expect(other).toMatchObject({ type: 'Error', nonRetryable: false });
    });

    it('toStepFailure keeps an ApplicationFailure that already carries details', () => {
      const injected = ApplicationFailure.create({
        type: 'InjectedPermanentFault',
        message: 'x',
        nonRetryable: true,
        details: [{ attempt: 1, injected: true }],
      });
      expect(toStepFailure(injected, 5)).toBe(injected);
    });

    it('idempotencyKey is workflow ID / run ID / purpose, and refuses an activity outside a workflow', async () => {
      await expect(activityEnv(1, 'run-9').runActivity(async () => idempotencyKey('sendWelcomeEmail'))).resolves.toBe(
        `${WORKFLOW_ID}/run-9/sendWelcomeEmail`,
      );
      const standalone = new ActivityEnv({ workflowExecution: undefined, inWorkflow: false }, { logger: new DefaultLogger('ERROR') });
      await expect(standalone.runActivity(async () => idempotencyKey('x'))).rejects.toThrow(/only meaningful/);
    });
  });

  describe('support activities', () => {
    it('openWorkspaceTicket opens one ticket per run', async () => {
      const { createAccount, openWorkspaceTicket } = directoryActivities();
      await activityEnv().runActivity(createAccount, accountInput());
      const input = { employeeId: hire.employeeId, accountId: 'acct-e1', team: hire.team, reason: 'workspace service down' };

      const first = await activityEnv(1).runActivity(openWorkspaceTicket, input);
      const again = await activityEnv(2).runActivity(openWorkspaceTicket, input);
      const newRun = await activityEnv(1, 'run-2').runActivity(openWorkspaceTicket, input);

      expect(again).toEqual(first);
      expect(newRun.ticketId).not.toBe(first.ticketId);
      expect(directory.inventory(hire.employeeId).tickets).toHaveLength(2);
    });

    it('compensations succeed twice without error', async () => {
      const { createAccount, assignPermissions, createWorkspace, revokePermissions, deleteWorkspace, disableAccount } =
        directoryActivities();
      await activityEnv().runActivity(createAccount, accountInput());
      await activityEnv().runActivity(assignPermissions, {
        employeeId: hire.employeeId,
        accountId: 'acct-e1',
        role: 'engineer',
        extraPermissions: [],
      });
      await activityEnv().runActivity(createWorkspace, { employeeId: hire.employeeId, accountId: 'acct-e1', team: hire.team });

      const env = activityEnv();
      expect(await env.runActivity(revokePermissions, { employeeId: hire.employeeId })).toEqual({ revoked: 4 });
      expect(await env.runActivity(deleteWorkspace, { employeeId: hire.employeeId })).toEqual({ deleted: true });
      expect(await env.runActivity(disableAccount, { employeeId: hire.employeeId })).toEqual({ disabled: true });
      expect(await env.runActivity(revokePermissions, { employeeId: hire.employeeId })).toEqual({ revoked: 0 });
      expect(await env.runActivity(deleteWorkspace, { employeeId: hire.employeeId })).toEqual({ deleted: false });
      expect(await env.runActivity(disableAccount, { employeeId: hire.employeeId })).toEqual({ disabled: false });
    });
  });
});
