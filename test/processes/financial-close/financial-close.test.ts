/**
 * The month-end financial close end to end on the real server and the embedded books: a discrepancy
 * resolved by a person's adjustment, a rejection at sign-off that compensates, and a worker killed with
 * SIGKILL during the fan-out that resumes with each entity reconciled once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { answerQuestion, getRunStatus, resolveEscalation, startProcess, type StartedRun } from '../../../src/client';
import { SqliteGeneralLedger } from '../../../activities/financial-close/sqlite-general-ledger';
import type { FinancialCloseResult } from '../../../workflows/financial-close/types';
import { kill, ROOT, spawnWorker, type WorkerProcess } from '../../helpers/processes';
import { fastOptions, startTestStack, statusWhen, type TestStack } from '../../helpers/test-stack';
import { decidedBy } from '../../helpers/operators';
import { settings as closeSettings } from '../../../activities/financial-close/settings';

const ENTITIES = ['acme-us', 'acme-uk', 'acme-de'];
const CONTROLLER = 'controller@close.example.com';
const EXAMPLE_BANK = path.join(ROOT, 'examples', 'financial-close', 'bank');

let stack: TestStack;
let books: SqliteGeneralLedger;
const workers: WorkerProcess[] = [];
// Periods go backwards: an adjustment posted by one test's close must not be in a later test's balances.
let nextYear = 2900 + Math.floor(Math.random() * 90);

/**
 * A fresh period for each test (the close's workflow id is its period): the example's October statements
 * copied under that period's name, and rates published for it, so the books read as in October.
 */
function freshPeriod(opts: { liveRates: boolean }): string {
  nextYear -= 1;
  const period = `${nextYear}-10`;
  for (const entity of ENTITIES) {
    fs.copyFileSync(
      path.join(EXAMPLE_BANK, `${entity}-2026-10.csv`),
      path.join(closeSettings.of(stack.config).bankStatementsDir, `${entity}-${period}.csv`),
    );
  }
  if (opts.liveRates) {
    fs.writeFileSync(
      closeSettings.of(stack.config).ratesSource,
      JSON.stringify({ period, publishedAt: `${period}-31T16:00:00Z`, base: 'USD', rates: { GBP: 1.27, EUR: 1.08 } }),
    );
  } else {
    fs.rmSync(closeSettings.of(stack.config).ratesSource, { force: true });
  }
  return period;
}

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(process.env.OVERTURE_TEST_DIR ?? '/tmp', 'close-'));
  fs.mkdirSync(path.join(dir, 'bank'));
  stack = await startTestStack(
    {
      BANK_STATEMENTS_DIR: path.join(dir, 'bank'),
      RATES_SOURCE: path.join(dir, 'rates.json'),
      ESCALATION_CONTACTS: 'finance-oncall@close.example.com',
    },
    { worker: false },
  );
});
afterAll(async () => {
  for (const w of workers) await kill(w.child);
  await stack.stopWorker();
  books?.close();
  await stack.stop();
});

async function startClose(period: string): Promise<StartedRun> {
  return startProcess(
    stack.client,
    stack.config,
    'financial-close',
    { period, entities: ENTITIES, controllerEmail: CONTROLLER, toleranceCents: 0 },
    { tuneOptions: fastOptions() },
  );
}

/** The acme-uk child run escalates its difference; a person enters the adjustment that makes it match. */
async function adjustAcmeUk(closeId: string): Promise<void> {
  const child = `${closeId}/reconcileEntities/acme-uk`;
  const escalated = await statusWhen(
    stack,
    child,
    (s) => s.questions.some((q) => q.kind === 'escalation' && q.open),
    'acme-uk to escalate',
    30_000,
  );
  expect(escalated.process).toBe('reconcile-entity');
  expect(escalated.questions[0]!.prompt).toContain('acme-uk');
  expect(escalated.questions[0]!.prompt).toContain('difference -1250.00 GBP');
  await resolveEscalation(stack.client, child, {
    step: 'reconcile',
    action: 'skip',
    ...decidedBy('fin.ops'),
    reason: 'bank fee not booked',
    output: { adjustment: '-1250.00', memo: 'bank fee' },
  });
}

async function waitForSignOff(closeId: string) {
  return statusWhen(stack, closeId, (s) => s.questions.some((q) => q.kind === 'approval' && q.open), 'the controller to be asked', 30_000);
}

describe('financial close', () => {
  beforeAll(async () => {
    await stack.startWorker();
    books = new SqliteGeneralLedger(closeSettings.of(stack.config).accountingDbPath);
  });

  it('closes the books with the discrepancy adjusted by a person, signed off, statements published once', async () => {
    const period = freshPeriod({ liveRates: true });
    const close = await startClose(period);
    await adjustAcmeUk(close.workflowId);

    const asking = await waitForSignOff(close.workflowId);
    expect(asking.steps.find((s) => s.step === 'reconcileEntities')).toMatchObject({
      state: 'completed',
      fanOut: { total: 3, completed: 3, failed: 0 },
    });
    expect(asking.steps.find((s) => s.step === 'controllerSignOff')!.state).toBe('waiting');
    const request = await stack.mail.waitFor((m) => m.to.includes(CONTROLLER) && m.subject.includes(`approve the ${period} close`));
    expect(request.text).toContain('adjusted: acme-uk (-1250.00)');
    for (const entity of ENTITIES) expect(await books.periodStatus(entity, period)).toBe('locked');

    await answerQuestion(stack.client, close.workflowId, { decision: 'approve', ...decidedBy('the.controller'), reason: 'books agree' });
    const result = (await close.handle.result()) as FinancialCloseResult;
    expect(result).toMatchObject({ state: 'completed', period, rateSource: 'live' });
    expect(result.reconciliations).toEqual([
      { entity: 'acme-us', result: 'matched', difference: '0.00' },
      { entity: 'acme-uk', result: 'adjusted', adjustment: '-1250.00' },
      { entity: 'acme-de', result: 'matched', difference: '0.00' },
    ]);
    // The adjustment made the ledger agree with the bank, and was posted once.
    expect((await books.entries('acme-uk', period)).filter((e) => e.kind === 'adjustment')).toHaveLength(1);
    expect(await books.cashBalance('acme-uk', period)).toBe(10_865_000);
    expect((await books.entries('acme-us', period)).filter((e) => e.kind === 'accrual').length).toBeGreaterThan(0);
    // Statements written under the data directory and sent to the controller exactly once.
    expect(fs.readFileSync(result.trialBalancePath!, 'utf8')).toContain('acme-uk');
    expect(fs.readFileSync(result.incomeStatementPath!, 'utf8')).toContain('<html');
    const statements = stack.mail.messages().filter((m) => m.to.includes(CONTROLLER) && !m.subject.includes('approve'));
    expect(statements).toHaveLength(1);
  });

  it('compensates when the controller rejects: the period is unlocked and the accruals reversed, nothing deleted', async () => {
    const period = freshPeriod({ liveRates: false });
    const close = await startClose(period);
    await adjustAcmeUk(close.workflowId);
    const asking = await waitForSignOff(close.workflowId);
    // The rates file was missing: the close revalued at the last published rates and says so.
    expect(asking.steps.find((s) => s.step === 'revalueForeignCurrency')).toMatchObject({ state: 'completed', path: 'fallback' });
    expect(asking.log.map((l) => l.message).join('\n')).toContain('revalued at the last published rates (2026-09)');
    const accrued = (await books.entries('acme-de', period)).filter((e) => e.kind === 'accrual');
    expect(accrued.length).toBeGreaterThan(0);

    await answerQuestion(stack.client, close.workflowId, {
      decision: 'reject',
      ...decidedBy('the.controller'),
      reason: 'accruals look wrong',
    });
    const error: unknown = await close.handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toContain('approval rejected by the.controller: accruals look wrong');

    for (const entity of ENTITIES) expect(await books.periodStatus(entity, period)).toBe('open');
    const entries = await books.entries('acme-de', period);
    const accruals = entries.filter((e) => e.kind === 'accrual');
    const reversals = entries.filter((e) => e.kind === 'accrual-reversal');
    expect(accruals).toHaveLength(accrued.length);
    expect(reversals.map((r) => r.reverses).sort()).toEqual(accruals.map((a) => a.entryId).sort());
    const status = await getRunStatus(stack.client, close.workflowId);
    expect(status.state).toBe('rejected');
    expect(status.steps.find((s) => s.step === 'postAccruals')!.state).toBe('compensated');
    expect(status.steps.find((s) => s.step === 'lockPeriod')!.state).toBe('compensated');
  });
});

describe('a worker killed during the fan-out', () => {
  beforeAll(async () => stack.stopWorker());

  it('resumes on another worker with each entity reconciled once', async () => {
    const period = freshPeriod({ liveRates: true });
    const first = spawnWorker(stack.env);
    workers.push(first);
    await first.ready;
    const close = await startClose(period);
    // The fan-out is under way: acme-uk's child waits for a person, the others have run.
    await statusWhen(
      stack,
      `${close.workflowId}/reconcileEntities/acme-uk`,
      (s) => s.questions.some((q) => q.open),
      'acme-uk to escalate',
      30_000,
    );
    await kill(first.child, 'SIGKILL');

    const second = spawnWorker(stack.env);
    workers.push(second);
    await second.ready;
    await adjustAcmeUk(close.workflowId);
    await waitForSignOff(close.workflowId);
    await answerQuestion(stack.client, close.workflowId, { decision: 'approve', ...decidedBy('the.controller') });
    const result = (await close.handle.result()) as FinancialCloseResult;
    expect(result.reconciliations.map((r) => r.entity)).toEqual(ENTITIES);
    // Each entity reconciled by exactly one child run, the adjustment posted once.
    for (const entity of ENTITIES) {
      const runs = [];
      for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${close.workflowId}/reconcileEntities/${entity}'` }))
        runs.push(run);
      expect(runs).toHaveLength(1);
    }
    expect((await books.entries('acme-uk', period)).filter((e) => e.kind === 'adjustment')).toHaveLength(1);
    expect(
      stack.mail.messages().filter((m) => m.to.includes(CONTROLLER) && m.subject.includes(period) && !m.subject.includes('approve')),
    ).toHaveLength(1);
  });
});
