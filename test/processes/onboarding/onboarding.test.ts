/**
 * The happy path against the real server: every side effect happens exactly once, outputs flow forward,
 * and the status query tells where the run is.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { answerQuestion, getRunStatus, listRuns } from '../../../src/client';
import { workspaceUrlFor } from '../../../src/stores/directory/directory';
import { ONBOARDING_STEPS } from '../../../workflows/onboarding/shape';
import { defaultPayloadConverter } from '@temporalio/common';
import { eventually, fastOptions, startTestStack, statusWhen, type TestStack } from '../../helpers/test-stack';
import { decidedBy } from '../../helpers/operators';
import { newHire, startOnboarding } from './helpers';
import { messageIdFor } from '../../../activities/kit/mail';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack.stop());

describe('onboarding a new hire', () => {
  it('creates one account, one grant set, one workspace, sends one email and one notification', async () => {
    const hire = newHire({ extraPermissions: ['vpn:access'] });
    const started = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions() });
    expect(started.workflowId).toBe(`onboarding-${hire.employeeId}`);
    const result = await started.handle.result();

    const expectedUrl = workspaceUrlFor(stack.config.WORKSPACE_BASE_URL, hire.employeeId);
    expect(result).toMatchObject({ state: 'completed', accountId: `acct-${hire.employeeId.toLowerCase()}`, workspaceUrl: expectedUrl });

    const inventory = stack.directory.inventory(hire.employeeId);
    expect(inventory.accounts).toHaveLength(1);
    expect(inventory.accounts[0]!.status).toBe('active');
    expect(inventory.grants).toEqual(['chat:join', 'ci:run', 'repo:read', 'repo:write', 'vpn:access']);
    expect(inventory.workspaces).toEqual([expect.objectContaining({ url: expectedUrl })]);

    const mails = stack.mail.messages().filter((m) => m.to.includes(hire.email));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Welcome to the Flight Research team, Katherine!');
    expect(mails[0]!.text).toContain(expectedUrl);

    const posts = stack.webhooks
      .received()
      .filter((w) => JSON.stringify(w.body).includes(hire.employeeId) || JSON.stringify(w.body).includes(expectedUrl));
    expect(posts).toHaveLength(1);
    expect((posts[0]!.body as { text: string }).text).toContain('Please welcome Katherine Johnson');
    expect((posts[0]!.body as { text: string }).text).toContain(expectedUrl);
  });

  it('reports every step completed, with attempts, times and the orchestrator log', async () => {
    const hire = newHire();
    const started = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions() });
    await started.handle.result();
    const status = await getRunStatus(stack.client, started.workflowId);

    expect(status.state).toBe('completed');
    expect(status.execution.status).toBe('COMPLETED');
    expect(status.steps.map((s) => s.step)).toEqual([...ONBOARDING_STEPS]);
    // The hire lists no equipment: IT's manual step is a branch not taken.
    expect(status.steps.find((s) => s.step === 'requestEquipment')).toMatchObject({ state: 'not_taken', attempts: 0 });
    expect(status.log.map((l) => l.message)).toContain('requestEquipment not taken: the hire lists no equipment');
    for (const step of status.steps.filter((s) => s.step !== 'requestEquipment')) {
      expect(step).toMatchObject({ state: 'completed', attempts: 1, path: 'primary' });
      expect(Date.parse(step.endedAt!)).toBeGreaterThanOrEqual(Date.parse(step.startedAt!));
    }
    // The two middle steps run side by side: each starts before the other ends.
    const email = status.steps.find((s) => s.step === 'sendWelcomeEmail')!;
    const workspace = status.steps.find((s) => s.step === 'createWorkspace')!;
    expect(email.startedAt! <= workspace.endedAt! && workspace.startedAt! <= email.endedAt!).toBe(true);
    expect(status.log.map((l) => l.message)).toEqual(
      expect.arrayContaining(['createAccount started', 'notifyTeam completed', 'onboarding completed']),
    );
    // No personal data in the log.
    const log = JSON.stringify(status.log);
    expect(log).not.toContain(hire.email);
    expect(log).not.toContain(hire.fullName);
  });

  it('returns the existing run when the same employee is onboarded again', async () => {
    const hire = newHire();
    const first = await startOnboarding(stack.client, stack.config, hire, {
      tuneOptions: fastOptions(),
      faults: { createAccount: { kind: 'latency', ms: 1_500 } },
    });
    const second = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions() });
    expect(second.alreadyStarted).toBe(true);
    expect(second.runId).toBe(first.runId);
    await first.handle.result();
    const third = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions() });
    expect(third).toMatchObject({ alreadyStarted: true, runId: first.runId });
    expect(stack.directory.inventory(hire.employeeId).accounts).toHaveLength(1);
    expect(stack.mail.messages().filter((m) => m.to.includes(hire.email))).toHaveLength(1);
  });

  it('keeps search attributes current and free of personal data', async () => {
    const hire = newHire();
    const started = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions() });
    await started.handle.result();
    const description = await started.handle.describe();
    const attrs = JSON.stringify(description.typedSearchAttributes.getAll());
    expect(attrs).toContain('completed');
    expect(attrs).not.toContain(hire.email);
    expect(attrs).not.toContain(hire.fullName);
    // Visibility catches up a moment after the run: poll rather than race it.
    const runs = await eventually(
      async () => {
        const found = await listRuns(stack.client, { state: 'completed', taskQueue: stack.config.TEMPORAL_TASK_QUEUE });
        return found.some((r) => r.workflowId === started.workflowId) ? found : undefined;
      },
      10_000,
      'the completed run to be listed',
    );
    expect(runs.find((r) => r.workflowId === started.workflowId)).toMatchObject({ process: 'onboarding', needsAttention: false });
  });

  it('gives the run and each step a readable summary for the Temporal UI, without personal data', async () => {
    const hire = newHire();
    const started = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions() });
    await started.handle.result();
    const description = await started.handle.describe();
    expect(await description.staticSummary()).toBe(`Onboarding of employee ${hire.employeeId} into team Flight Research`);
    const history = await started.handle.fetchHistory();
    // Short steps run on the fast path as local activities: their summaries are on their markers.
    const markers = (history.events ?? []).filter((e) => e.markerRecordedEventAttributes && e.userMetadata?.summary);
    // Parallel steps record their markers in the order they finish.
    // Summaries are payloads like any other, encrypted at rest (src/temporal/codec): decoded as the Temporal UI's codec does.
    const codec = stack.dataConverter.payloadCodecs![0]!;
    const decoded = await codec.decode(markers.map((e) => e.userMetadata!.summary!));
    const summaries = decoded.map((p) => defaultPayloadConverter.fromPayload<string>(p)).sort();
    expect(summaries).toEqual([
      `Create the directory account (${hire.employeeId})`,
      `Grant role and permissions (${hire.employeeId})`,
      `Notify the team (${hire.employeeId})`,
      `Provision the workspace (${hire.employeeId})`,
      `Send the welcome email (${hire.employeeId})`,
    ]);
    expect(JSON.stringify(summaries)).not.toContain(hire.fullName);
    expect((history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes)).toEqual([]);
  });

  // With the test's short retries (budgets stripped) and with the default budgets of email and chat: a budgeted step
  // makes its first attempt on the fast path too, and takes a durable activity only after a transient failure.
  it.each([
    ['short retries', fastOptions()],
    ['the default retry budgets', undefined],
  ])(
    'runs the happy path (%s) in 11 history events and one workflow task: five local-activity markers, one upsert',
    async (_label, tuneOptions) => {
      const started = await startOnboarding(stack.client, stack.config, newHire(), tuneOptions ? { tuneOptions } : {});
      await started.handle.result();
      const events = (await started.handle.fetchHistory()).events ?? [];
      expect(events.length).toBeLessThanOrEqual(12);
      expect(events.filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(1);
      expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toHaveLength(5);
      expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toEqual([]);
      // No patch marker (a version 2 run has the fast path without one) and so no TemporalChangeVersion upsert:
      // the run's state changed once that an operator can filter on, running → completed.
      expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toEqual([]);
      const upserts = events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes);
      expect(upserts).toHaveLength(1);
      expect(upserts[0]!.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.OvertureStatus).toBeDefined();
    },
  );

  it('moves a budgeted send that fails on the fast path to a durable activity: same key, one email, attempts counted across both', async () => {
    // Default budgets (the email step may retry for hours), and the relay refusing the first attempt only.
    const hire = newHire();
    const started = await startOnboarding(stack.client, stack.config, hire, {
      faults: { sendWelcomeEmail: { kind: 'transient', failures: 1 } },
    });
    await started.handle.result();
    const status = await getRunStatus(stack.client, started.workflowId);
    expect(status.steps.find((s) => s.step === 'sendWelcomeEmail')).toMatchObject({ state: 'completed', attempts: 2, path: 'primary' });
    expect(status.log.map((l) => l.message)).toContainEqual(
      expect.stringMatching(/^sendWelcomeEmail: its fast attempt failed \(.*\); retrying as a durable activity for up to \d+ s$/),
    );
    expect(status.questions).toEqual([]);
    const mails = stack.mail.messages().filter((m) => m.to.includes(hire.email));
    expect(mails.map((m) => m.messageId)).toEqual([messageIdFor(`${started.workflowId}/${started.runId}/sendWelcomeEmail`)]);
    const events = (await started.handle.fetchHistory()).events ?? [];
    // One failed local attempt (its marker), then one regular activity; the other steps stay on the fast path.
    expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toHaveLength(5);
    expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toHaveLength(1);
  });

  it('asks IT to prepare listed equipment as a manual step, completed with its output by a person', async () => {
    const hire = newHire({ equipment: ['Laptop 14', 'Badge'] });
    const started = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions() });
    const waiting = await statusWhen(
      stack,
      started.workflowId,
      (s) => s.questions.some((q) => q.kind === 'task' && q.open),
      'the equipment task',
    );
    const task = waiting.questions.find((q) => q.kind === 'task')!;
    expect(task).toMatchObject({
      step: 'requestEquipment',
      choices: ['done'],
      requiredOutput: ['assetTags'],
      assignee: stack.config.ESCALATION_CONTACTS[0],
    });
    expect(task.prompt).toContain('Laptop 14, Badge');
    expect(waiting.state).toBe('awaiting_input');
    expect(waiting.steps.find((s) => s.step === 'requestEquipment')!.state).toBe('waiting');
    // The task reaches IT by email, with the command that completes it.
    const notice = await stack.mail.waitFor(
      (m) => m.to.includes(stack.config.ESCALATION_CONTACTS[0]!) && m.subject.includes('task requestEquipment'),
    );
    expect(notice.text).toContain(`overture complete ${started.workflowId} --step requestEquipment`);
    // The rest of the onboarding goes on beside it.
    await statusWhen(
      stack,
      started.workflowId,
      (s) => s.steps.find((x) => x.step === 'notifyTeam')?.state === 'completed',
      'the team notified',
    );

    const missing = answerQuestion(stack.client, started.workflowId, { question: task.id, decision: 'done', ...decidedBy('it.tech') });
    await expect(missing).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(missing).rejects.toMatchObject({ cause: { message: expect.stringContaining('later steps need assetTags') as unknown } });

    const receipt = await answerQuestion(stack.client, started.workflowId, {
      question: task.id,
      decision: 'done',
      ...decidedBy('it.tech'),
      output: { assetTags: 'LT-1042, BG-7' },
    });
    expect(receipt).toMatchObject({ applied: true, message: `done ${task.id} by it.tech` });
    await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed', equipment: 'LT-1042, BG-7' });
    const final = await getRunStatus(stack.client, started.workflowId);
    expect(final.steps.find((s) => s.step === 'requestEquipment')).toMatchObject({
      state: 'completed',
      path: 'person',
      outcome: { assetTags: 'LT-1042, BG-7' },
    });
    expect(final.questions.find((q) => q.id === task.id)!.decision).toMatchObject({ action: 'done', by: 'it.tech', automatic: false });
  });
});
