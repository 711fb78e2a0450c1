/**
 * Outages handled by operators, against a real stack: a paused system holds its steps (waiting, nothing fails,
 * nothing sent) until it is resumed; a step whose retry budget is spent escalates as before; and one bulk decision
 * retries every escalation of a step, each run recording its own decision (operator and bulk id), a repeat
 * acknowledged and not applied again — from the CLI and from the console API.
 */
import { getRunStatus, injectFault, type RunStatus } from '../../src/client';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { SystemHealthStore } from '../../src/stores/system-health/sqlite-health';
import type { ProcessOptions } from '../../workflows/kit/types';
import { addOperator, envAs, type TestOperator } from '../helpers/operators';
import { runOverture } from '../helpers/processes';
import { fastOptions, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

jest.setTimeout(120_000);

let stack: TestStack;
let grace: TestOperator;
let victor: TestOperator;
beforeAll(async () => {
  stack = await startTestStack({ ESCALATION_CONTACTS: 'oncall@it.example.com' });
  grace = addOperator(stack.config.OVERTURE_DATA_DIR, 'ops.grace', 'operator');
  victor = addOperator(stack.config.OVERTURE_DATA_DIR, 'view.victor', 'viewer');
});
afterAll(async () => stack.stop());

const stepOf = (status: RunStatus, name: string) => status.steps.find((s) => s.step === name)!;
const escalations = (status: RunStatus) => status.questions.filter((q) => q.kind === 'escalation');
const welcomes = (email: string) => stack.mail.messages().filter((m) => m.to.includes(email) && m.subject.startsWith('Welcome'));

describe('pausing a system', () => {
  it('holds the email steps while paused (waiting, no failure, no escalation, no email) and lets them go on resume', async () => {
    const refused = await runOverture(['systems', 'pause', 'email'], envAs(stack.env, victor));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('needs the role operator');

    const paused = await runOverture(['systems', 'pause', 'email', '--reason', 'relay maintenance'], envAs(stack.env, grace));
    expect(paused).toMatchObject({ code: 0 });
    expect(paused.stdout).toContain('email paused by ops.grace');

    const hires = [newHire(), newHire(), newHire()];
    // Two on the fast path (local activities, as with attempt counts), one with the default email budget (an activity).
    const runs = await Promise.all(
      hires.map((hire, i) => startOnboarding(stack.client, stack.config, hire, i < 2 ? { tuneOptions: fastOptions() } : {})),
    );
    for (const run of runs) {
      const status = await statusWhen(
        stack,
        run.workflowId,
        (s) => stepOf(s, 'sendWelcomeEmail').state === 'waiting',
        'the welcome email waiting',
      );
      expect(stepOf(status, 'sendWelcomeEmail').lastError).toBe('email paused by ops.grace: relay maintenance');
      expect(status.state).toBe('running');
      expect(escalations(status)).toEqual([]);
    }
    // Held for a while: still waiting, still nothing sent, nobody asked.
    await new Promise((r) => setTimeout(r, 2_000));
    for (const [i, run] of runs.entries()) {
      const status = await getRunStatus(stack.client, run.workflowId);
      expect(stepOf(status, 'sendWelcomeEmail').state).toBe('waiting');
      expect(escalations(status)).toEqual([]);
      expect(status.log.filter((l) => l.level === 'error')).toEqual([]);
      expect(welcomes(hires[i]!.email)).toEqual([]);
    }
    const listed = await runOverture(['systems', 'list', '--json'], envAs(stack.env, victor));
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          system: 'email',
          pause: expect.objectContaining({ pausedBy: 'ops.grace', reason: 'relay maintenance' }) as unknown,
        }),
      ]),
    );

    const resumed = await runOverture(['systems', 'resume', 'email'], envAs(stack.env, grace));
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('email resumed by ops.grace; 3 waiting run(s) woken');
    const results = await Promise.all(runs.map((run) => run.handle.result()));
    expect(results.map((r) => r.state)).toEqual(['completed', 'completed', 'completed']);
    for (const [i, run] of runs.entries()) {
      const status = await getRunStatus(stack.client, run.workflowId);
      expect(stepOf(status, 'sendWelcomeEmail')).toMatchObject({ state: 'completed', path: 'primary' });
      expect(status.log.map((l) => l.message)).toContain('email resumed: sendWelcomeEmail runs again');
      expect(escalations(status)).toEqual([]);
      expect(welcomes(hires[i]!.email)).toHaveLength(1);
    }
    // Who paused and resumed, and why, is on record.
    const store = new SystemHealthStore(stack.config.systemsDbPath);
    try {
      expect(store.pauseHistory('email').map((r) => [r.action, r.by, r.role, r.reason])).toEqual([
        ['resume', 'ops.grace', 'operator', undefined],
        ['pause', 'ops.grace', 'operator', 'relay maintenance'],
      ]);
    } finally {
      store.close();
    }
  });
});

describe('bulk decisions', () => {
  /** Three runs whose account step fails on every attempt (a transient fault that never ends), escalated. */
  async function threeEscalatedRuns() {
    const runs = await Promise.all(
      [0, 1, 2].map(() =>
        startOnboarding(stack.client, stack.config, newHire(), {
          tuneOptions: fastOptions(),
          faults: { createAccount: { kind: 'transient', failures: 100 } },
        }),
      ),
    );
    for (const run of runs) await statusWhen(stack, run.workflowId, (s) => escalations(s).some((q) => q.open), 'the escalation');
    return runs;
  }

  it('retries every escalation of a step from the CLI, each run recording the operator and the bulk id; a repeat is acknowledged', async () => {
    const runs = await threeEscalatedRuns();
    const ids = runs.map((r) => r.workflowId).sort();
    const bulk = await runOverture(
      [
        'resolve',
        '--all',
        '--step',
        'createAccount',
        '--action',
        'retry',
        '--reason',
        'directory fixed',
        '--task-queue',
        stack.config.TEMPORAL_TASK_QUEUE,
        '--json',
      ],
      envAs(stack.env, grace),
    );
    expect(bulk.code).toBe(0);
    const report = JSON.parse(bulk.stdout) as {
      bulkId: string;
      outcomes: Array<{ workflowId: string; applied: boolean; ok: boolean }>;
      applied: number;
      failed: number;
    };
    expect(report.bulkId).toMatch(/^bulk-[0-9a-f]{10}$/);
    expect(report.outcomes.map((o) => [o.workflowId, o.ok, o.applied])).toEqual(ids.map((id) => [id, true, true]));

    for (const run of runs) {
      // Retried: the step ran again (and, its fault still on, escalated again).
      const status = await statusWhen(
        stack,
        run.workflowId,
        (s) => escalations(s).length === 2 && escalations(s)[1]!.open,
        'the second escalation',
      );
      expect(escalations(status)[0]!.decision).toMatchObject({
        action: 'retry',
        by: 'ops.grace',
        reason: `directory fixed (bulk ${report.bulkId})`,
        automatic: false,
      });
    }

    // The same bulk again: every run acknowledges it, none applies it to its new escalation.
    const repeat = await runOverture(
      [
        'resolve',
        '--all',
        '--step',
        'createAccount',
        '--action',
        'retry',
        '--bulk-id',
        report.bulkId,
        '--task-queue',
        stack.config.TEMPORAL_TASK_QUEUE,
      ],
      envAs(stack.env, grace),
    );
    expect(repeat.code).toBe(0);
    for (const id of ids)
      expect(repeat.stdout).toMatch(
        new RegExp(`${id}  acknowledged  already applied .*: retry createAccount by ops\\.grace; .*nothing changed`),
      );
    expect(repeat.stdout).toContain(`bulk ${report.bulkId}: retry createAccount on 3 run(s): 0 applied, 3 already applied, 0 failed`);
    for (const run of runs) {
      const status = await getRunStatus(stack.client, run.workflowId);
      expect(escalations(status)).toHaveLength(2);
      expect(escalations(status)[1]!.open).toBe(true);
    }

    // A viewer may not decide in bulk.
    const viewer = await runOverture(
      ['resolve', '--all', '--step', 'createAccount', '--action', 'abort', '--task-queue', stack.config.TEMPORAL_TASK_QUEUE],
      envAs(stack.env, victor),
    );
    expect(viewer.code).not.toBe(0);
    expect(viewer.stderr).toContain('needs the role operator');

    // The console's bulk route, once the fault is gone: every run goes on and completes.
    for (const run of runs) await injectFault(stack.client, run.workflowId, 'createAccount', undefined);
    const console_: RunningConsole = await startOperatorConsole({
      client: stack.client,
      config: stack.config,
      host: '127.0.0.1',
      port: 0,
      log: () => undefined,
    });
    try {
      const auth = { Authorization: `Bearer ${grace.token}` };
      const session = (await (await fetch(`${console_.url}/api/session`, { headers: auth })).json()) as { csrfToken: string };
      const post = (body: unknown) =>
        fetch(`${console_.url}/api/escalations/bulk`, {
          method: 'POST',
          headers: { ...auth, 'X-CSRF-Token': session.csrfToken, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
      const bad = await post({ step: 'createAccount', action: 'explode' });
      expect(bad.status).toBe(400);
      const answer = await post({ step: 'createAccount', action: 'retry', reason: 'fault cleared', process: 'onboarding' });
      expect(answer.status).toBe(200);
      const consoleReport = (await answer.json()) as {
        bulkId: string;
        applied: number;
        failed: number;
        outcomes: Array<{ workflowId: string }>;
      };
      expect(consoleReport).toMatchObject({ applied: 3, failed: 0 });
      expect(consoleReport.outcomes.map((o) => o.workflowId)).toEqual(ids);
      const results = await Promise.all(runs.map((run) => run.handle.result()));
      expect(results.map((r) => r.state)).toEqual(['completed', 'completed', 'completed']);
      for (const run of runs) {
        const status = await getRunStatus(stack.client, run.workflowId);
        expect(escalations(status)[1]!.decision).toMatchObject({
          action: 'retry',
          by: 'ops.grace',
          reason: `fault cleared (bulk ${consoleReport.bulkId})`,
        });
      }
    } finally {
      await console_.stop();
    }
  });
});

describe('retry budgets', () => {
  it('escalates a step as before once its time budget is spent', async () => {
    await stack.stopMail();
    try {
      const tune = fastOptions();
      const budgeted = <O extends ProcessOptions>(options: O): O => {
        const tuned = tune(options);
        tuned.policies.sendWelcomeEmail = {
          ...tuned.policies.sendWelcomeEmail!,
          retryBudgetMs: 6_000,
          initialIntervalMs: 100,
          maximumIntervalMs: 200,
        };
        return tuned;
      };
      const started = Date.now();
      const run = await startOnboarding(stack.client, stack.config, newHire(), { tuneOptions: budgeted });
      const status = await statusWhen(
        stack,
        run.workflowId,
        (s) => stepOf(s, 'sendWelcomeEmail').state === 'escalated',
        'the escalation',
        30_000,
      );
      // Retried for the budget (more than maximumAttempts: 3), then handed to a person. The budget is twice what
      // three quick tries need, with short intervals, so a loaded CI machine still fits well over three tries in it.
      expect(Date.now() - started).toBeGreaterThan(6_000);
      expect(stepOf(status, 'sendWelcomeEmail').lastError).toMatch(/^retry budget spent: /);
      // More tries than its maximumAttempts (3) failed meanwhile, as the shared health record counted them.
      const store = new SystemHealthStore(stack.config.systemsDbPath);
      try {
        expect(store.currentOutage('email')?.failures).toBeGreaterThan(3);
      } finally {
        store.close();
      }
      expect(escalations(status)).toHaveLength(1);
      await run.handle.terminate('test done');
    } finally {
      await stack.restartMail();
    }
  });
});
