/**
 * A run says what it waits for, end to end with the real financial close and the CLI as a separate process: while
 * an entity's reconciliation (a child run of the close's fan-out) asks a person, `overture list --needs-attention
 * --json` lists the close itself, and `overture status --json` names the child run and its question; once the
 * person has answered and the controller is asked, the close waits for a person of its own. A publication whose editor
 * asked for changes says it waits for the author's revision (the `draft.revised` event), not just that it runs.
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

it("says a publication waits for the editor, then for the author's revision event", async () => {
  const contentId = `waits-${Date.now().toString(36)}`;
  const draft = {
    contentId,
    revision: 1,
    title: 'A story',
    body: 'A first draft.\n',
    author: { name: 'A. Writer', email: 'writer@example.com' },
    channels: ['site'],
    publishAt: new Date(Date.now() + 3_600_000).toISOString(),
  };
  const run = await startProcess(stack.client, stack.config, 'content-publishing', draft, { tuneOptions: fastOptions() });
  const asked = await statusWhen(stack, run.workflowId, (s) => s.waitingFor?.kind === 'person', 'the editor to be asked', 30_000);
  expect(asked.waitingFor).toMatchObject({ step: 'editorialReview', question: 'editorialReview/question#1' });
  await answerQuestion(stack.client, run.workflowId, {
    question: 'editorialReview',
    decision: 'request-changes',
    ...decidedBy('editor'),
    reason: 'a conclusion',
  });

  await statusWhen(stack, run.workflowId, (s) => s.waitingFor?.kind === 'event', 'the wait for a revision', 30_000);
  const shown = JSON.parse((await runOverture(['status', run.workflowId, '--json'], stack.env)).stdout) as RunStatus;
  expect(shown.state).toBe('running');
  expect(shown.waitingFor).toMatchObject({ kind: 'event', step: 'awaitRevision', eventType: 'draft.revised' });
  expect(Date.parse(shown.waitingFor!.until!)).toBeGreaterThan(Date.now());
  const row = await eventually(
    async () => {
      const listed = await runOverture(['list', '--process', 'content-publishing', '--json'], stack.env);
      return (JSON.parse(listed.stdout) as RunSummary[]).find((r) => r.workflowId === run.workflowId && r.waitingFor?.kind === 'event');
    },
    30_000,
    'the publication listed as waiting for an event',
  );
  expect(row).toMatchObject({ state: 'running', needsAttention: false, waitingFor: { kind: 'event' } });
  await run.handle.terminate('test over');
}, 120_000);
