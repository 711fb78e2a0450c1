/**
 * The financial-close activities against real systems: a SQLite general ledger seeded from the example, the
 * example's bank statement files, rates from a file and from a local HTTP server, and the local SMTP receiver
 * through a real nodemailer transport. MockActivityEnvironment is the SDK's harness that gives one activity
 * function its Context (workflow execution, attempt number).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import { createAccountingActivities, type AccountingDependencies } from '../../../activities/financial-close/activities';
import type { Faultable } from '../../../activities/kit/step-attempt';
import { parseCsv } from '../../../activities/financial-close/bank-statement';
import type { JournalEntry } from '../../../activities/financial-close/general-ledger';
import { SqliteGeneralLedger } from '../../../activities/financial-close/sqlite-general-ledger';
import { SqliteDeliveryLedger } from '../../../src/stores/delivery-ledger/sqlite-ledger';
import { startMailReceiver, type MailReceiver } from '../../../src/tools/dev-stack/mail-receiver';
import { activityEnvFor, failureOf, type ActivityEnv } from '../../helpers/activity-env';

const EXAMPLES = path.join(__dirname, '../../../examples/financial-close');
const WORKFLOW_ID = 'financial-close-2026-10';
const PERIOD = '2026-10';
const ENTITIES = ['acme-us', 'acme-uk', 'acme-de'];

/** The activity Context of one attempt of one activity in this file's workflow run. */
function activityEnv(attempt = 1, runId = 'run-1'): ActivityEnv {
  return activityEnvFor(WORKFLOW_ID, attempt, runId);
}

/** A local HTTP server answering every request with what `respond` says. */
async function startRatesServer(
  respond: (res: http.ServerResponse) => void,
): Promise<{ url: string; requests: () => number; stop: () => Promise<void> }> {
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests++;
    respond(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/rates/2026-10.json?apikey=secret-token`,
    requests: () => requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const ratesJson = (period: string) =>
  JSON.stringify({ period, publishedAt: `${period}-28T16:00:00Z`, base: 'USD', rates: { GBP: 1.27, EUR: 1.08 } });

const ofKind = (entries: JournalEntry[], kind: JournalEntry['kind']) => entries.filter((e) => e.kind === kind);

describe('financial-close activities on real systems', () => {
  let mail: MailReceiver;
  let tmp: string;
  let ledger: SqliteGeneralLedger;
  let deliveries: SqliteDeliveryLedger;

  const activities = (overrides: Partial<AccountingDependencies> = {}) =>
    createAccountingActivities({
      ledger,
      bankStatementsDir: path.join(EXAMPLES, 'bank'),
      ratesSource: path.join(EXAMPLES, 'rates-2026-10.json'),
      statementsDir: path.join(tmp, 'statements'),
      email: {
        transport: createTransport({ url: mail.url, ignoreTLS: true, connectionTimeout: 5_000 }),
        from: 'Overture Close <close@overture.local>',
        deliveries,
      },
      ratesTimeoutMs: 2_000,
      ...overrides,
    });

  beforeAll(async () => {
    mail = await startMailReceiver();
  });

  afterAll(async () => {
    await mail.stop();
  });

  beforeEach(async () => {
    mail.clear();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'overture-close-'));
    ledger = new SqliteGeneralLedger(path.join(tmp, 'ledger.db'));
    await ledger.seedFrom(path.join(EXAMPLES, 'ledger.json'));
    deliveries = new SqliteDeliveryLedger(path.join(tmp, 'overture.db'));
  });

  afterEach(() => {
    ledger.close();
    deliveries.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  describe('lockPeriod / unlockPeriod', () => {
    it('locks every entity, refuses ordinary postings, and the undo reopens the period', async () => {
      const { lockPeriod, unlockPeriod } = activities();

      const locked = await activityEnv().runActivity(lockPeriod, { period: PERIOD, entities: ENTITIES });
      const retried = await activityEnv(2).runActivity(lockPeriod, { period: PERIOD, entities: ENTITIES });

      expect(locked).toEqual({ output: { lockedEntities: 'acme-us,acme-uk,acme-de' }, attempt: 1 });
      expect(retried).toEqual({ output: { lockedEntities: 'acme-us,acme-uk,acme-de' }, attempt: 2 });
      for (const entity of ENTITIES) expect(await ledger.periodStatus(entity, PERIOD)).toBe('locked');
      await expect(
        ledger.postEntry({
          key: 'late-invoice',
          entity: 'acme-de',
          period: PERIOD,
          date: '2026-10-31',
          memo: 'Rechnung RE-DE-2231',
          kind: 'posting',
          lines: [
            { account: '1200', debit: 5_000, credit: 0 },
            { account: '4000', debit: 0, credit: 5_000 },
          ],
        }),
      ).rejects.toThrow('period 2026-10 is locked for acme-de');

      expect(await activityEnv().runActivity(unlockPeriod, { period: PERIOD, entities: ENTITIES })).toEqual({
        unlocked: 'acme-us,acme-uk,acme-de',
      });
      for (const entity of ENTITIES) expect(await ledger.periodStatus(entity, PERIOD)).toBe('open');
    });

    it('an injected permanent fault fails before anything is locked', async () => {
      const { lockPeriod } = activities();
      const fault: Faultable['fault'] = { kind: 'permanent' };

      const failure = await failureOf(activityEnv().runActivity(lockPeriod, { period: PERIOD, entities: ENTITIES, fault }));

      expect(failure.type).toBe('InjectedPermanentFault');
      expect(await ledger.periodStatus('acme-us', PERIOD)).toBe('open');
    });
  });

  describe('reconcileEntity', () => {
    const reconcile = (entity: string, toleranceCents = 0, period = PERIOD) =>
      activityEnv().runActivity(activities().reconcileEntity, { period, entity, toleranceCents });

    it('matches when the ledger cash equals the bank statement closing balance', async () => {
      expect((await reconcile('acme-us')).output).toEqual({
        entity: 'acme-us',
        ledgerBalance: '214415.00',
        bankBalance: '214415.00',
        difference: '0.00',
        result: 'matched',
      });
      expect((await reconcile('acme-de')).output.result).toBe('matched');
    });

    it('a difference beyond tolerance is permanent, and the message names the entity, both balances and the difference', async () => {
      const failure = await failureOf(reconcile('acme-uk', 100));

      expect(failure.type).toBe('PermanentError');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toBe(
        'acme-uk 2026-10 does not reconcile: ledger cash 109900.00 GBP, bank statement 108650.00 GBP, difference -1250.00 GBP (bank minus ledger; tolerance 1.00)',
      );
    });

    it('a difference within tolerance matches', async () => {
      expect((await reconcile('acme-uk', 125_000)).output).toMatchObject({ difference: '-1250.00', result: 'matched' });
    });

    it('a missing statement is permanent and names the file', async () => {
      const failure = await failureOf(reconcile('acme-us', 0, '2026-11'));

      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toBe(`bank statement ${path.join(EXAMPLES, 'bank', 'acme-us-2026-11.csv')} does not exist`);
    });

    it('a statement whose running balance does not add up is refused', async () => {
      const dir = path.join(tmp, 'bank');
      mkdirSync(dir);
      writeFileSync(
        path.join(dir, 'acme-us-2026-10.csv'),
        'date,description,amount,balance\n2026-10-01,Opening,0.00,100.00\n2026-10-02,"Fee, monthly",-10.00,80.00\n',
      );
      const failure = await failureOf(
        activityEnv().runActivity(activities({ bankStatementsDir: dir }).reconcileEntity, {
          period: PERIOD,
          entity: 'acme-us',
          toleranceCents: 0,
        }),
      );
      expect(failure.message).toContain('line 3: the running balance does not follow');
    });
  });

  describe('postReconciliationAdjustment', () => {
    it('brings the ledger cash to the bank balance, posted once however often it runs, also in a locked period', async () => {
      const { postReconciliationAdjustment, lockPeriod } = activities();
      await activityEnv().runActivity(lockPeriod, { period: PERIOD, entities: ENTITIES });
      const input = { period: PERIOD, entity: 'acme-uk', amount: '-1250.00', memo: 'card processing fees missing in the ledger' };

      const first = await activityEnv().runActivity(postReconciliationAdjustment, input);
      const second = await activityEnv(2).runActivity(postReconciliationAdjustment, input);

      expect(second).toEqual(first);
      const adjustments = ofKind(await ledger.entries('acme-uk', PERIOD), 'adjustment');
      expect(adjustments).toHaveLength(1);
      expect(adjustments[0]!.entryId).toBe(first.entryId);
      expect(adjustments[0]!.lines).toEqual([
        { account: '1000', debit: 0, credit: 125_000 },
        { account: '1900', debit: 125_000, credit: 0 },
      ]);
      expect(await ledger.cashBalance('acme-uk', PERIOD)).toBe(10_865_000);
      const reconciled = await activityEnv().runActivity(activities().reconcileEntity, {
        period: PERIOD,
        entity: 'acme-uk',
        toleranceCents: 0,
      });
      expect(reconciled.output).toMatchObject({ ledgerBalance: '108650.00', bankBalance: '108650.00', result: 'matched' });
    });

    it('refuses an amount that is not a decimal', async () => {
      const failure = await failureOf(
        activityEnv().runActivity(activities().postReconciliationAdjustment, {
          period: PERIOD,
          entity: 'acme-uk',
          amount: '1,250',
          memo: 'typo',
        }),
      );
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toContain('"1,250" is not an amount');
    });
  });

  describe('revalueForeignCurrency', () => {
    it('revalues at the live rates from the file once, recording the rate set as live', async () => {
      const { revalueForeignCurrency } = activities();

      const first = await activityEnv().runActivity(revalueForeignCurrency, { period: PERIOD, entities: ENTITIES });
      const retried = await activityEnv(2).runActivity(revalueForeignCurrency, { period: PERIOD, entities: ENTITIES });

      expect(first.output).toEqual({ rateSetId: 'live/2026-10/2026-10-31T16:00:00Z', source: 'live', revalued: 2 });
      expect(retried.output).toEqual(first.output);
      expect(await ledger.ratesFor(PERIOD)).toMatchObject({ source: 'live', ratesPeriod: '2026-10', rates: { GBP: 1.27, EUR: 1.08 } });
      // USD 50,000.00 at 1.27 = GBP 39,370.08, carried at 38,461.54; USD 40,000.00 at 1.08 = EUR 37,037.04, carried at 36,363.64.
      const uk = ofKind(await ledger.entries('acme-uk', PERIOD), 'revaluation');
      const de = ofKind(await ledger.entries('acme-de', PERIOD), 'revaluation');
      expect(uk.map((e) => e.lines)).toEqual([
        [
          { account: '1100', debit: 90_854, credit: 0 },
          { account: '4900', debit: 0, credit: 90_854 },
        ],
      ]);
      expect(de.map((e) => e.lines[0])).toEqual([{ account: '1100', debit: 67_340, credit: 0 }]);
      expect(ofKind(await ledger.entries('acme-us', PERIOD), 'revaluation')).toHaveLength(0);
    });

    it('fetches the rates from an HTTP source', async () => {
      const server = await startRatesServer((res) => res.writeHead(200, { 'content-type': 'application/json' }).end(ratesJson('2026-10')));
      try {
        const result = await activityEnv().runActivity(activities({ ratesSource: server.url }).revalueForeignCurrency, {
          period: PERIOD,
          entities: ENTITIES,
        });
        expect(result.output).toEqual({ rateSetId: 'live/2026-10/2026-10-28T16:00:00Z', source: 'live', revalued: 2 });
        expect(server.requests()).toBe(1);
      } finally {
        await server.stop();
      }
    });

    const transientCases: Array<[string, (res: http.ServerResponse) => void, RegExp]> = [
      ['answers 503', (res) => res.writeHead(503).end('maintenance'), /answered HTTP 503/],
      ['publishes last month', (res) => res.writeHead(200).end(ratesJson('2026-09')), /are for 2026-09, not 2026-10/],
      ['sends garbage', (res) => res.writeHead(200).end('<html>login</html>'), /are not valid JSON/],
      ['never answers', () => undefined, /no answer within 300 ms/],
    ];

    it.each(transientCases)('a source that %s is transient, posts nothing, and hides the query string', async (_case, respond, message) => {
      const server = await startRatesServer(respond);
      try {
        const failure = await failureOf(
          activityEnv().runActivity(activities({ ratesSource: server.url, ratesTimeoutMs: 300 }).revalueForeignCurrency, {
            period: PERIOD,
            entities: ENTITIES,
          }),
        );
        expect(failure.type).toBe('TransientError');
        expect(failure.nonRetryable).toBe(false);
        expect(failure.message).toMatch(message);
        expect(failure.message).not.toContain('secret-token');
        expect(ofKind(await ledger.entries('acme-uk', PERIOD), 'revaluation')).toHaveLength(0);
        expect(await ledger.ratesFor(PERIOD)).toBeUndefined();
      } finally {
        await server.stop();
      }
    });

    it('an unreachable source is transient', async () => {
      const server = await startRatesServer((res) => res.end());
      await server.stop();
      const failure = await failureOf(
        activityEnv().runActivity(activities({ ratesSource: server.url }).revalueForeignCurrency, { period: PERIOD, entities: ENTITIES }),
      );
      expect(failure.type).toBe('TransientError');
      expect(failure.message).toMatch(/^exchange rates http:\/\/127\.0\.0\.1:\d+\/rates\/2026-10\.json: unreachable$/);
    });
  });

  describe('revalueAtLastPublishedRates', () => {
    it('falls back to the 2026-09 rates, records them as last-published, and posts the revaluation once', async () => {
      const { revalueAtLastPublishedRates } = activities();
      const input = { period: PERIOD, entities: ENTITIES, reason: 'rates source unreachable' };

      const first = await activityEnv().runActivity(revalueAtLastPublishedRates, input);
      expect(await activityEnv(2).runActivity(revalueAtLastPublishedRates, input)).toEqual(first);

      expect(first).toEqual({ rateSetId: 'last-published/2026-10/published/2026-09', source: 'last-published', ratesPeriod: '2026-09' });
      expect(await ledger.ratesFor(PERIOD)).toMatchObject({
        source: 'last-published',
        period: '2026-10',
        ratesPeriod: '2026-09',
        rates: { GBP: 1.25, EUR: 1.05 },
      });
      const [uk, ...more] = ofKind(await ledger.entries('acme-uk', PERIOD), 'revaluation');
      expect(more).toHaveLength(0);
      expect(uk!.rateSetId).toBe(first.rateSetId);
      // USD 50,000.00 at 1.25 = GBP 40,000.00, carried at 38,461.54.
      expect(uk!.lines[0]).toEqual({ account: '1100', debit: 153_846, credit: 0 });
      expect(ofKind(await ledger.entries('acme-de', PERIOD), 'revaluation')[0]!.lines[0]).toEqual({
        account: '1100',
        debit: 173_160,
        credit: 0,
      });
    });
  });

  describe('postAccruals / reverseAccruals', () => {
    it('posts the accruals once and the undo reverses them with reversing entries, deleting nothing', async () => {
      const { postAccruals, reverseAccruals } = activities();

      const posted = await activityEnv().runActivity(postAccruals, { period: PERIOD, entities: ENTITIES });
      expect((await activityEnv(2).runActivity(postAccruals, { period: PERIOD, entities: ENTITIES })).output).toEqual(posted.output);
      expect(posted.output).toEqual({ batchId: 'accruals/2026-10#1', entries: 6 });

      const reversed = await activityEnv().runActivity(reverseAccruals, { period: PERIOD, entities: ENTITIES });
      expect(await activityEnv(2).runActivity(reverseAccruals, { period: PERIOD, entities: ENTITIES })).toEqual(reversed);
      expect(reversed).toEqual({ reversed: 6 });

      for (const entity of ENTITIES) {
        const entries = await ledger.entries(entity, PERIOD);
        const accruals = ofKind(entries, 'accrual');
        const reversals = ofKind(entries, 'accrual-reversal');
        expect(accruals).toHaveLength(2);
        expect(reversals.map((r) => r.reverses).sort()).toEqual(accruals.map((a) => a.entryId).sort());
        const lines = [...accruals, ...reversals].flatMap((e) => e.lines);
        expect(lines).toHaveLength(8);
        expect(lines.reduce((sum, l) => sum + l.debit - l.credit, 0)).toBe(0);
        for (const account of ['2100', '6000', '6200']) {
          expect(lines.filter((l) => l.account === account).reduce((sum, l) => sum + l.debit - l.credit, 0)).toBe(0);
        }
      }
      // acme-us: the payroll accrual (9,700.00) is in the journal twice, once each way.
      const payroll = (await ledger.entries('acme-us', PERIOD))
        .flatMap((e) => e.lines)
        .filter((l) => l.account === '6000' && (l.debit === 970_000 || l.credit === 970_000));
      expect(payroll).toHaveLength(2);
    });
  });

  describe('publishStatements', () => {
    it('writes the trial balance and income statement and emails the controller exactly once, with both attached', async () => {
      const acts = activities();
      await activityEnv().runActivity(acts.postAccruals, { period: PERIOD, entities: ENTITIES });
      await activityEnv().runActivity(acts.revalueForeignCurrency, { period: PERIOD, entities: ENTITIES });
      const input = { period: PERIOD, entities: ENTITIES, controllerEmail: 'controller@example.com' };

      const first = await activityEnv().runActivity(acts.publishStatements, input);
      const retried = await activityEnv(2).runActivity(acts.publishStatements, input);

      expect(retried.output).toEqual(first.output);
      expect(first.output.trialBalancePath).toBe(path.join(tmp, 'statements', '2026-10', 'trial-balance.csv'));
      expect(first.output.incomeStatementPath).toBe(path.join(tmp, 'statements', '2026-10', 'income-statement.html'));

      const csv = readFileSync(first.output.trialBalancePath, 'utf8');
      const [header, ...rows] = parseCsv(csv);
      expect(header).toEqual(['scope', 'currency', 'account', 'name', 'type', 'debit', 'credit']);
      const totals = rows.filter((r) => r[2] === 'TOTAL');
      expect(totals.map((r) => [r[0], r[1]])).toEqual([
        ['acme-us', 'USD'],
        ['acme-uk', 'GBP'],
        ['acme-de', 'EUR'],
        ['consolidated', 'USD'],
      ]);
      for (const [scope, , , , , debit, credit] of totals) {
        expect(debit).toBe(credit);
        const accounts = rows.filter((r) => r[0] === scope && r[2] !== 'TOTAL');
        const sum = (i: number) => accounts.reduce((s, r) => s + Math.round(Number(r[i]) * 100), 0);
        expect(sum(5)).toBe(Math.round(Number(debit) * 100));
        expect(sum(6)).toBe(Math.round(Number(credit) * 100));
      }
      expect(rows).toContainEqual(['acme-us', 'USD', '1000', 'Cash at bank', 'asset', '214415.00', '0.00']);
      expect(rows).toContainEqual(['acme-us', 'USD', '2100', 'Accrued liabilities', 'liability', '0.00', '11500.00']);
      expect(rows).toContainEqual(['acme-uk', 'GBP', '4900', 'Foreign exchange gains and losses', 'revenue', '0.00', '908.54']);

      const html = readFileSync(first.output.incomeStatementPath, 'utf8');
      expect(html).toContain('<h2>Acme Deutschland GmbH &amp; Co. KG <small>(EUR)</small></h2>');
      expect(html).not.toContain('GmbH & Co');
      expect(html).toContain('Consolidated at the closing rates of rate set live/2026-10/2026-10-31T16:00:00Z.');
      // acme-us: 64,000.00 revenue - (12,000.00 + 58,200.00 + 1,800.00 + 85.00) = -8,085.00
      expect(html).toMatch(/<section id="acme-us">[\s\S]*?<tr class="net"><td>Net income<\/td><td class="amount">-8,085\.00<\/td><\/tr>/);

      expect(mail.messages()).toHaveLength(1);
      const [received] = mail.messages();
      expect(received!.to).toEqual(['controller@example.com']);
      expect(received!.subject).toBe('Month-end close 2026-10: financial statements');
      expect(received!.messageId).toBe(first.output.messageId);
      const parsed = await simpleParser(received!.raw);
      expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([
        ['trial-balance.csv', 'text/csv'],
        ['income-statement.html', 'text/html'],
      ]);
      expect(parsed.attachments[0]!.content.toString('utf8')).toBe(csv);
      expect(deliveries.count('email', `${WORKFLOW_ID}/run-1/`)).toBe(1);
    });
  });
});
