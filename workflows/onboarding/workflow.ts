/**
 * Employee onboarding: createAccount → assignPermissions → (sendWelcomeEmail ‖ createWorkspace) → notifyTeam.
 *
 * Each step is one activity with its own retry policy. A step that cannot succeed takes its fallback path
 * when it has one, and is otherwise escalated to a person, who decides (retry, skip, abort) through an update.
 * Privileged permissions wait for the manager's approval. An abandoned run undoes its completed steps.
 */
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineUpdate,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { OnboardingActivities, StepAttempt } from '../activities';
import { describeStepFailure, isCancellation } from './failures';
import { waitForPerson } from './escalation-ladder';
import { RunTracker } from './run-tracker';
import { EscalationDesk } from './escalation-desk';
import {
  ONBOARDING_STEPS,
  describeFault,
  type ApprovalDecision,
  type DecisionReceipt,
  type DecisionRecord,
  type EscalationDecision,
  type FaultInjection,
  type OnboardingInput,
  type OnboardingResult,
  type OnboardingStatus,
  type OnboardingStep,
  type StepPolicy,
} from './onboarding-types';

export const statusQuery = defineQuery<OnboardingStatus>('status');
export const resolveEscalationUpdate = defineUpdate<DecisionReceipt, [EscalationDecision]>('resolveEscalation');
export const decideApprovalUpdate = defineUpdate<DecisionReceipt, [ApprovalDecision]>('decideApproval');
export const injectFaultUpdate = defineUpdate<DecisionReceipt, [FaultInjection]>('injectFault');

type Outcome = Record<string, string>;

/** Why the run is being abandoned: a person's abort, an automatic abort, or a refused approval. */
interface Abandonment {
  kind: 'abort' | 'reject';
  record: DecisionRecord;
}

/** Temporal activity options for a step's policy, with a summary for the Temporal UI. */
function activityOptions(policy: StepPolicy, summary: string) {
  return {
    summary,
    startToCloseTimeout: policy.startToCloseTimeoutMs,
    retry: {
      initialInterval: policy.initialIntervalMs,
      backoffCoefficient: policy.backoffCoefficient,
      maximumInterval: policy.maximumIntervalMs,
      maximumAttempts: policy.maximumAttempts,
    },
  };
}

/** Onboards one new hire, durably, from account creation to the team's welcome. */
export async function onboarding(input: OnboardingInput): Promise<OnboardingResult> {
  const { hire, options } = input;
  const { workflowId } = workflowInfo();
  const tracker = new RunTracker(workflowId, hire.employeeId);
  const faults = { ...options.faults };
  const desk = new EscalationDesk(tracker, faults);
  const started = new Set<OnboardingStep>();
  let abandonment: Abandonment | undefined;
  const provisioning = new CancellationScope();

  const step = (name: OnboardingStep, summary: string) =>
    proxyActivities<OnboardingActivities>(activityOptions(options.policies[name], `${summary} (${hire.employeeId})`));
  const support = (summary: string) =>
    proxyActivities<OnboardingActivities>(activityOptions(options.supportPolicy, `${summary} (${hire.employeeId})`));

  for (const [name, fault] of Object.entries(faults)) {
    if (fault) tracker.step(name as OnboardingStep).fault = describeFault(fault);
  }

  setHandler(statusQuery, () => tracker.status);
  setHandler(resolveEscalationUpdate, (decision) => desk.resolve(decision), {
    validator: (decision: EscalationDecision) => desk.validateResolution(decision),
  });
  setHandler(decideApprovalUpdate, (decision) => desk.decideApproval(decision), {
    validator: (decision: ApprovalDecision) => desk.validateApproval(decision),
  });
  setHandler(injectFaultUpdate, (injection) => desk.inject(injection), {
    validator: (injection: FaultInjection) => desk.validateInjection(injection),
  });

  /** Sends a notice by email and webhook; a notice that cannot be delivered is logged, never fatal. */
  async function notify(key: string, to: string, subject: string, text: string): Promise<void> {
    const notices = support('Send a notice to a person');
    const results = await Promise.allSettled([
      // Without an address the notice goes to the webhook only: an email nobody can receive would just retry.
      ...(to ? [notices.sendNotice({ key, to, subject, text })] : []),
      notices.postNotice({ key, text: `${subject}\n${text}` }),
    ]);
    for (const r of results) {
      if (r.status === 'rejected') tracker.log(`could not deliver notice "${subject}": ${describeStepFailure(r.reason, 1).message}`, undefined, 'warn');
    }
  }

  function abandon(kind: Abandonment['kind'], record: DecisionRecord): never {
    abandonment = { kind, record };
    provisioning.cancel();
    throw new CancelledFailure(`onboarding ${kind === 'reject' ? 'rejected' : 'aborted'} by ${record.by}`);
  }

  function howToAct(name: OnboardingStep): string {
    const console = options.consoleUrl ? `\nOr open ${options.consoleUrl}/runs/${encodeURIComponent(workflowId)}` : '';
    return `Decide with: overture resolve ${workflowId} --step ${name} --action retry|skip|abort --reason "..."${console}`;
  }

  /** Runs a step until it succeeds, takes its fallback, or a person (or the ladder) decides what happens. */
  async function runStep(
    name: OnboardingStep,
    attempt: () => Promise<StepAttempt<Outcome>>,
    fallback?: { describe: string; run: (reason: string) => Promise<Outcome> },
  ): Promise<Outcome | undefined> {
    started.add(name);
    for (;;) {
      tracker.stepStarted(name);
      let failure;
      try {
        const result = await attempt();
        tracker.stepCompleted(name, result.attempt, result.output, 'primary');
        return result.output;
      } catch (err) {
        if (isCancellation(err)) throw err;
        failure = describeStepFailure(err, options.policies[name].maximumAttempts);
      }
      const injected = failure.injected ? ' [injected fault]' : '';
      tracker.stepFailed(name, failure.attempts, failure.message + injected);

      if (fallback && !failure.permanent) {
        tracker.log(`${name} exhausted its retries; taking the fallback path: ${fallback.describe}`, name, 'warn');
        try {
          const output = await fallback.run(failure.message);
          tracker.stepCompleted(name, 0, output, 'fallback');
          return output;
        } catch (err) {
          if (isCancellation(err)) throw err;
          const fallbackFailure = describeStepFailure(err, options.supportPolicy.maximumAttempts);
          tracker.log(`fallback for ${name} failed too: ${fallbackFailure.message}`, name, 'error');
        }
      }

      const escalation = desk.open(name, failure.message + injected, options.escalation.contacts[0] ?? '');
      const contacts = options.escalation.contacts;
      const subject = `[Overture] ${workflowId}: step ${name} needs a decision`;
      const body = `Step ${name} of ${workflowId} failed: ${failure.message}${injected}\n${howToAct(name)}`;
      await notify(`${escalation.id}:notice`, contacts[0] ?? '', subject, body);
      await waitForPerson(options.escalation.ladder, () => escalation.decision !== undefined, {
        remind: async () => {
          escalation.remindersSent += 1;
          tracker.log(`reminder sent about escalated step ${name}`, name, 'warn');
          await notify(`${escalation.id}:reminder`, contacts[escalation.level] ?? '', `Reminder: ${subject}`, body);
        },
        handOver: async () => {
          escalation.level = Math.min(escalation.level + 1, Math.max(contacts.length - 1, 0));
          tracker.log(`escalated step ${name} handed to escalation contact #${escalation.level + 1}`, name, 'warn');
          await notify(`${escalation.id}:next-contact`, contacts[escalation.level] ?? '', `Escalated: ${subject}`, body);
        },
        actAlone: () => desk.decideAutomatically(escalation, options.escalation.ladder.automaticAction),
      });
      const decision = escalation.decision!;
      if (decision.action === 'abort') abandon('abort', decision);
      if (decision.action === 'skip') {
        const s = tracker.step(name);
        s.state = 'skipped';
        s.outcome = desk.skippedOutputs.get(escalation.id) ?? {};
        s.endedAt = new Date().toISOString();
        tracker.publish();
        return s.outcome;
      }
      // retry: loop and run the step again, as a new activity execution.
    }
  }

  /** Waits for the manager to approve privileged permissions, with the same reminder ladder as escalations. */
  async function approvalGate(privileged: string[]): Promise<void> {
    const approval = desk.requestApproval(privileged);
    const subject = `[Overture] ${workflowId}: approve privileged permissions (${privileged.join(', ')})`;
    const body = `Employee ${hire.employeeId} is to receive ${privileged.join(', ')}.\nDecide with: overture approve ${workflowId} --decision approve|reject --reason "..."`;
    await notify('approval:request', hire.managerEmail, subject, body);
    const contacts = [hire.managerEmail, ...options.escalation.contacts];
    await waitForPerson(options.approval.ladder, () => approval.decision !== undefined, {
      remind: async () => {
        approval.remindersSent += 1;
        tracker.log('reminder sent to the manager about the pending approval', 'assignPermissions', 'warn');
        await notify('approval:reminder', hire.managerEmail, `Reminder: ${subject}`, body);
      },
      handOver: async () => {
        approval.level = 1;
        tracker.log('pending approval handed to escalation contact #1', 'assignPermissions', 'warn');
        await notify('approval:next-contact', contacts[1] ?? hire.managerEmail, `Escalated: ${subject}`, body);
      },
      actAlone: () => desk.decideApprovalAutomatically(),
    });
    const decision = approval.decision!;
    if (decision.action === 'reject') abandon('reject', decision);
  }

  async function provision(): Promise<OnboardingResult> {
    const account = await runStep('createAccount', () =>
      step('createAccount', 'Create the directory account').createAccount({
        employeeId: hire.employeeId,
        fullName: hire.fullName,
        email: hire.email,
        role: hire.role,
        team: hire.team,
        fault: faults.createAccount,
      }),
    );
    const accountId = account?.accountId ?? `unknown-${hire.employeeId}`;

    const privileged = [hire.role, ...hire.extraPermissions].filter((p) => options.approval.privilegedPermissions.includes(p));
    if (privileged.length > 0) await approvalGate(privileged);

    await runStep('assignPermissions', () =>
      step('assignPermissions', 'Grant role and permissions').assignPermissions({
        employeeId: hire.employeeId,
        accountId,
        role: hire.role,
        extraPermissions: hire.extraPermissions,
        fault: faults.assignPermissions,
      }),
    );

    const [, workspace] = await Promise.all([
      runStep('sendWelcomeEmail', () =>
        step('sendWelcomeEmail', 'Send the welcome email').sendWelcomeEmail({ hire, accountId, fault: faults.sendWelcomeEmail }),
      ),
      runStep(
        'createWorkspace',
        () =>
          step('createWorkspace', 'Provision the workspace').createWorkspace({
            employeeId: hire.employeeId,
            accountId,
            team: hire.team,
            fault: faults.createWorkspace,
          }),
        {
          describe: 'open an IT ticket to provision the workspace by hand',
          run: async (reason) => {
            const ticket = await support('Open an IT ticket for the workspace').openWorkspaceTicket({
              employeeId: hire.employeeId,
              accountId,
              team: hire.team,
              reason,
            });
            tracker.log(`opened IT ticket ${ticket.ticketId} for the workspace`, 'createWorkspace', 'warn');
            return { ticketId: ticket.ticketId };
          },
        },
      ),
    ]);

    const team = {
      employeeId: hire.employeeId,
      fullName: hire.fullName,
      role: hire.role,
      team: hire.team,
      startDate: hire.startDate,
      workspaceUrl: workspace?.workspaceUrl,
      ticketId: workspace?.ticketId,
    };
    await runStep(
      'notifyTeam',
      () => step('notifyTeam', 'Notify the team').notifyTeam({ ...team, fault: faults.notifyTeam }),
      {
        describe: "email the team's announcement to the manager",
        run: async () => {
          const sent = await support("Email the team's announcement to the manager").emailTeamAnnouncement({
            ...team,
            to: hire.managerEmail,
          });
          tracker.log('team announcement emailed to the manager instead of the webhook', 'notifyTeam', 'warn');
          return { messageId: sent.messageId, via: 'email' };
        },
      },
    );

    return {
      state: 'completed',
      accountId,
      workspaceUrl: workspace?.workspaceUrl,
      ticketId: workspace?.ticketId,
      skippedSteps: tracker.status.steps.filter((s) => s.state === 'skipped').map((s) => s.step),
    };
  }

  /** Undoes what the run did, newest first; every compensation is idempotent and keyed by employee. */
  async function compensate(reason: string): Promise<void> {
    tracker.setState('compensating');
    tracker.log(`compensating completed steps: ${reason}`, undefined, 'warn');
    const undo = support('Undo an onboarding step');
    const target = { employeeId: hire.employeeId };
    const plan: Array<[OnboardingStep, string, () => Promise<unknown>]> = [
      ['createWorkspace', 'workspace deleted', () => undo.deleteWorkspace(target)],
      ['assignPermissions', 'permissions revoked', () => undo.revokePermissions(target)],
      ['createAccount', 'account disabled', () => undo.disableAccount(target)],
    ];
    for (const [name, done, run] of plan) {
      if (!started.has(name)) continue;
      await run();
      const s = tracker.step(name);
      s.state = 'compensated';
      tracker.log(`compensated ${name}: ${done}`, name);
    }
    if (started.has('sendWelcomeEmail')) tracker.log('the welcome email cannot be recalled', 'sendWelcomeEmail', 'warn');
    for (const s of tracker.status.steps) if (s.state === 'pending' || s.state === 'running' || s.state === 'escalated') s.state = 'cancelled';
    await undo.announceCancellation({ employeeId: hire.employeeId, team: hire.team, reason });
    tracker.log('team told that the onboarding was cancelled');
  }

  tracker.log(`onboarding ${hire.employeeId} started (${ONBOARDING_STEPS.length} steps)`);
  tracker.publish();
  try {
    const result = await provisioning.run(provision);
    tracker.setState('completed');
    tracker.log('onboarding completed');
    await condition(allHandlersFinished);
    return result;
  } catch (err) {
    if (!isCancellation(err)) {
      tracker.setState('failed');
      throw err;
    }
    // A person's or the ladder's abort, a refused approval, or a cancellation requested through Temporal.
    const ending = abandonment ?? {
      kind: 'abort' as const,
      record: { action: 'abort', by: 'temporal', reason: 'workflow cancellation requested', at: new Date().toISOString(), automatic: false },
    };
    const reason = `${ending.kind === 'reject' ? 'approval rejected' : 'aborted'} by ${ending.record.by}: ${ending.record.reason}`;
    await CancellationScope.nonCancellable(async () => {
      await compensate(reason);
      tracker.setState(ending.kind === 'reject' ? 'rejected' : 'aborted');
      await condition(allHandlersFinished);
    });
    if (!abandonment) throw err;
    throw ApplicationFailure.create({
      type: ending.kind === 'reject' ? 'OnboardingRejected' : 'OnboardingAborted',
      message: `onboarding of ${hire.employeeId} ${reason}`,
      nonRetryable: true,
    });
  }
}
