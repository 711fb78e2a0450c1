/**
 * A run says what it waits for, end to end with the real financial close and the CLI as a separate process: while
 * an entity's reconciliation (a child run of the close's fan-out) asks a person, `overture list --needs-attention
 * --json` lists the close itself, and `overture status --json` names the child run and its question; once the
 * person has answered and the controller is asked, the close waits for a person of its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { answerQuestion, resolveEscalation, startProcess, type RunStatus, type RunSummary } from '../../src/client';
import { settings as closeSettings } from '../../activities/financial-close/settings';
import { decidedBy } from '../helpers/operators';
import { ROOT, runOverture } from '../helpers/processes';
import { eventually, fastOptions, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';

const ENTITIES = ['acme-us', 'acme-uk', 'acme-de'];
const EXAMPLE_BANK = path.join(ROOT, 'examples', 'financial-close', 'bank');

let stack: TestStack;

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(process.env.OVERTURE_TEST_DIR ?? '/tmp', 'run-waits-'));
  fs.mkdirSync(path.join(dir, 'bank'));
  stack = await startTestStack({
    BANK_STATEMENTS_DIR: path.join(dir, 'bank'),
    RATES_SOURCE: path.join(dir, 'rates.json'),
    ESCALATION_CONTACTS: 'finance-oncall@close.example.com',
  });
});
afterAll(async () => stack.stop());

/** A period of its own (the close's id is its period), with the example's October statements: acme-uk differs by a fee. */
function freshPeriod(): string {
  const period = `${2700 + Math.floor(Math.random() * 90)}-10`;
  for (const entity of ENTITIES) {
    fs.copyFileSync(
      path.join(EXAMPLE_BANK, `${entity}-2026-10.csv`),
      path.join(closeSettings.of(stack.config).bankStatementsDir, `${entity}-${period}.csv`),
    );
  }
  fs.writeFileSync(
    closeSettings.of(stack.config).ratesSource,
    JSON.stringify({ period, publishedAt: `${period}-31T16:00:00Z`, base: 'USD', rates: { GBP: 1.27, EUR: 1.08 } }),
  );
  return period;
}

/** `overture list --needs-attention --json`, as a person would run it. */
async function needingAttention(): Promise<RunSummary[]> {
  const listed = await runOverture(['list', '--needs-attention', '--json'], stack.env);
  expect(listed.code).toBe(0);
  return JSON.parse(listed.stdout) as RunSummary[];
}

it('lists the close as needing attention while its reconciliation child asks a person, and names the child and question', async () => {
  const period = freshPeriod();
  const close = await startProcess(
    stack.client,
    stack.config,
    'financial-close',
    { period, entities: ENTITIES, controllerEmail: 'controller@close.example.com', toleranceCents: 0 },
    { tuneOptions: fastOptions() },
  );
  const child = `${close.workflowId}/reconcileEntities/acme-uk`;
  await statusWhen(stack, child, (s) => s.questions.some((q) => q.kind === 'escalation' && q.open), 'acme-uk to escalate', 30_000);

  const row = await eventually(
    async () => (await needingAttention()).find((r) => r.workflowId === close.workflowId),
    30_000,
    'the close in `list --needs-attention`',
  );
  expect(row).toMatchObject({
    process: 'financial-close',
    state: 'running',
    step: 'reconcileEntities',
    needsAttention: true,
    waitingFor: { kind: 'child', step: 'reconcileEntities' },
  });
  expect(row.waitingSince).toEqual(expect.any(String));

  const shown = await runOverture(['status', close.workflowId, '--json'], stack.env);
  expect(shown.code).toBe(0);
  const status = JSON.parse(shown.stdout) as RunStatus;
  expect(status.state).toBe('running');
  expect(status.waitingFor).toEqual({
    kind: 'child',
    step: 'reconcileEntities',
    childWorkflowId: child,
    question: 'reconcile#1',
    since: row.waitingSince,
  });

  await resolveEscalation(stack.client, child, {
    step: 'reconcile',
    action: 'skip',
    ...decidedBy('fin.ops'),
    reason: 'bank fee not booked',
    output: { adjustment: '-1250.00', memo: 'bank fee' },
  });
  // Then the close asks the controller itself: a person in this run, its approval question named.
  const signOff = await statusWhen(stack, close.workflowId, (s) => s.waitingFor?.kind === 'person', 'the sign-off', 30_000);
  expect(signOff.waitingFor).toMatchObject({ kind: 'person', step: 'controllerSignOff', question: 'controllerSignOff/approval#1' });
  const own = await eventually(
    async () => (await needingAttention()).find((r) => r.workflowId === close.workflowId && r.waitingFor?.kind === 'person'),
    30_000,
    'the close waiting for its controller',
  );
  expect(own).toMatchObject({ state: 'awaiting_approval', step: 'controllerSignOff' });

  await answerQuestion(stack.client, close.workflowId, { decision: 'approve', ...decidedBy('controller') });
  await close.handle.result();
  await eventually(
    async () => !(await needingAttention()).some((r) => r.workflowId === close.workflowId),
    30_000,
    'the closed close to leave the list',
  );
}, 120_000);
