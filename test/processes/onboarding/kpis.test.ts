/**
 * KPIs of real runs: onboardings run by the stack's worker (built from the registry, as `npm run worker` builds it)
 * land in its KPI projection (kpis.db in the data directory) through the kit's `kpis` sink — the run, each step with
 * its mode, the manual task's wait for a person, a failed step's escalation — and the KPIs read them.
 */
import { answerQuestion, resolveEscalation } from '../../../src/client';
import { SqliteKpiStore } from '../../../src/stores/kpis/sqlite-kpis';
import { processKpis } from '../../../src/kpis/aggregate';
import { stepOrderOf } from '../../../src/kpis/steps-of';
import { eventually, fastOptions, startTestStack, statusWhen, type TestStack } from '../../helpers/test-stack';
import { decidedBy } from '../../helpers/operators';
import { newHire, startOnboarding } from './helpers';

let stack: TestStack;
let store: SqliteKpiStore;
beforeAll(async () => {
  stack = await startTestStack({ ESCALATION_CONTACTS: 'oncall@it.example.com' });
  store = new SqliteKpiStore(stack.config.kpisDbPath);
});
afterAll(async () => {
  await store?.close();
  await stack?.stop();
});

const stepsOf = (workflowId: string) =>
  store.query('SELECT step, mode, outcome, errors, escalations, person_wait_ms FROM kpi_steps WHERE workflow_id = ? ORDER BY step', [
    workflowId,
  ]);

it('lands a completed onboarding with a manual equipment task and an escalated welcome email, step by step', async () => {
  const hire = newHire({ equipment: ['Laptop 14'] });
  const started = await startOnboarding(stack.client, stack.config, hire, {
    tuneOptions: fastOptions(),
    faults: { sendWelcomeEmail: { kind: 'permanent' } },
  });
  const waiting = await statusWhen(
    stack,
    started.workflowId,
    (s) => s.questions.some((q) => q.kind === 'task' && q.open) && s.questions.some((q) => q.kind === 'escalation' && q.open),
    'the equipment task and the escalation',
  );
  await resolveEscalation(stack.client, started.workflowId, {
    step: 'sendWelcomeEmail',
    action: 'skip',
    ...decidedBy('the.operator'),
    reason: 'told in person',
  });
  const task = waiting.questions.find((q) => q.kind === 'task')!;
  await answerQuestion(stack.client, started.workflowId, {
    question: task.id,
    decision: 'done',
    ...decidedBy('it.tech'),
    output: { assetTags: 'LT-1' },
  });
  await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });

  const run = await eventually(
    async () => {
      const [row] = await store.query('SELECT process, state, started_at, ended_at FROM kpi_runs WHERE workflow_id = ?', [
        started.workflowId,
      ]);
      return row?.state === 'completed' ? row : undefined;
    },
    10_000,
    'the run in the projection',
  );
  expect(run).toMatchObject({ process: 'onboarding', state: 'completed' });
  expect(Number(run.ended_at)).toBeGreaterThan(Number(run.started_at));

  const steps = new Map((await stepsOf(started.workflowId)).map((s) => [String(s.step), s]));
  expect([...steps.keys()].sort()).toEqual([
    'assignPermissions',
    'createAccount',
    'createWorkspace',
    'notifyTeam',
    'requestEquipment',
    'sendWelcomeEmail',
  ]);
  expect(steps.get('createAccount')).toMatchObject({ mode: 'automated', outcome: 'completed', errors: 0, escalations: 0 });
  expect(steps.get('requestEquipment')).toMatchObject({ mode: 'manual', outcome: 'completed' });
  expect(Number(steps.get('requestEquipment')!.person_wait_ms)).toBeGreaterThan(0);
  expect(steps.get('sendWelcomeEmail')).toMatchObject({ mode: 'automated', outcome: 'skipped', errors: 1, escalations: 1 });
  expect(Number(steps.get('sendWelcomeEmail')!.person_wait_ms)).toBeGreaterThan(0);

  const kpis = await processKpis(store, 'onboarding', { since: Date.now() - 3_600_000, until: Date.now() + 1 }, stepOrderOf('onboarding'));
  expect(kpis.runs).toMatchObject({ started: 1, completed: 1 });
  expect(kpis.steps.map((s) => s.step)).toEqual([
    'createAccount',
    'assignPermissions',
    'sendWelcomeEmail',
    'createWorkspace',
    'requestEquipment',
    'notifyTeam',
  ]);
  expect(kpis.steps.find((s) => s.step === 'sendWelcomeEmail')).toMatchObject({ escalationRate: 1, errorRate: 1 });
  expect(kpis.steps.find((s) => s.step === 'requestEquipment')).toMatchObject({ manual: { runs: 1 }, automated: { runs: 0 } });
});
