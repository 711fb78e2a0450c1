/**
 * What every GeneralLedger store promises, as one suite run against each real store (SQLite file, PostgreSQL), each
 * test on fresh books seeded from the financial-close example: posting once per key (also from two connections at
 * once), the accounting rules, period locks, accruals and their reversals, revaluation, the statements, and a
 * journal the database itself keeps append-only.
 */
import path from 'node:path';
import type { JournalEntry, NewEntry } from '../../activities/financial-close/general-ledger';
import type { OpenGeneralLedger } from '../../activities/financial-close/open-general-ledger';
import { PermanentError } from '../../activities/kit/errors';

const EXAMPLE = path.join(__dirname, '../../examples/financial-close/ledger.json');
const PERIOD = '2026-10';

/** One set of books under test. */
export interface BooksUnderTest {
  ledger: OpenGeneralLedger;
  /** A second instance on the same books (another process or host). */
  openAnother(): Promise<OpenGeneralLedger>;
  /** Rows in journal_entries, read past the ledger (what entries() cannot show: duplicates). */
  journalEntryCount(): Promise<number>;
  /** Runs SQL straight on the books' database, past the ledger's code. */
  execute(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** Sum of debit minus credit per account over some entries; accounts that net to zero are left out. */
function netByAccount(entries: JournalEntry[]): Record<string, number> {
  const net: Record<string, number> = {};
  for (const l of entries.flatMap((e) => e.lines)) net[l.account] = (net[l.account] ?? 0) + l.debit - l.credit;
  return Object.fromEntries(Object.entries(net).filter(([, v]) => v !== 0));
}

const sale = (key: string, kind: NewEntry['kind'] = 'posting'): NewEntry => ({
  key,
  entity: 'acme-us',
  period: PERIOD,
  date: '2026-10-30',
  memo: 'Invoice INV-US-1050',
  kind,
  lines: [
    { account: '1200', debit: 150_000, credit: 0 },
    { account: '4000', debit: 0, credit: 150_000 },
  ],
});

/** Declares the general-ledger contract's tests; `fresh` opens new, empty books for each test. */
export function describeGeneralLedgerContract(name: string, fresh: () => Promise<BooksUnderTest>, setupTimeoutMs = 5_000): void {
  describe(name, () => {
    let books: BooksUnderTest;
    let ledger: OpenGeneralLedger;

    beforeEach(async () => {
      books = await fresh();
      ledger = books.ledger;
      expect(await ledger.seedFrom(EXAMPLE)).toBe(true);
    }, setupTimeoutMs);

    afterEach(async () => {
      await books?.close();
    });

    describe('seeding', () => {
      it('loads the example: three entities, their currencies and the cash the bank statements start from', async () => {
        expect(await ledger.entity('acme-us')).toEqual({ entity: 'acme-us', name: 'Acme Inc.', currency: 'USD' });
        expect((await ledger.entity('acme-uk')).currency).toBe('GBP');
        expect((await ledger.entity('acme-de')).currency).toBe('EUR');
        expect(await ledger.baseCurrency()).toBe('USD');
        expect(await ledger.cashBalance('acme-us', PERIOD)).toBe(21_441_500);
        expect(await ledger.cashBalance('acme-uk', PERIOD)).toBe(10_990_000);
        expect(await ledger.cashBalance('acme-de', PERIOD)).toBe(8_281_000);
        // Before the period's postings only the opening balance counts.
        expect(await ledger.cashBalance('acme-us', '2026-09')).toBe(0);
        expect(await ledger.entries('acme-us', PERIOD)).toHaveLength(7);
      });

      it('is idempotent: a second seed, also from another connection, changes nothing', async () => {
        const before = await ledger.entries('acme-uk', PERIOD);
        expect(await ledger.seedFrom(EXAMPLE)).toBe(false);
        const other = await books.openAnother();
        try {
          expect(await other.seedFrom(EXAMPLE)).toBe(false);
        } finally {
          await other.close();
        }
        expect(await ledger.entries('acme-uk', PERIOD)).toEqual(before);
        expect(await books.journalEntryCount()).toBe(7 + 6 + 7);
      });

      it('refuses a malformed seed file, naming the field', async () => {
        await expect(ledger.seedFrom(path.join(__dirname, '../../examples/financial-close.json'))).rejects.toThrow(
          /invalid: .*baseCurrency/,
        );
      });
    });

    describe('posting', () => {
      it('posts once per key: a retry returns the entry already posted', async () => {
        const first = await ledger.postEntry(sale('test/sale-1'));
        const again = await ledger.postEntry(sale('test/sale-1'));

        expect(first.alreadyPosted).toBe(false);
        expect(again).toEqual({ entry: first.entry, alreadyPosted: true });
        expect((await ledger.entries('acme-us', PERIOD)).filter((e) => e.key === 'test/sale-1')).toHaveLength(1);
      });

      it('posts once when two connections (two hosts) post the same key at the same moment', async () => {
        const other = await books.openAnother();
        try {
          const keys = ['test/race-1', 'test/race-2', 'test/race-3'];
          const outcomes = await Promise.all(keys.flatMap((key) => [ledger.postEntry(sale(key)), other.postEntry(sale(key))]));
          expect(outcomes.filter((o) => !o.alreadyPosted)).toHaveLength(keys.length);
          for (const key of keys) {
            const posted = outcomes.filter((o) => o.entry.key === key);
            expect(posted[0]!.entry).toEqual(posted[1]!.entry);
          }
          expect((await ledger.entries('acme-us', PERIOD)).filter((e) => e.key.startsWith('test/race-'))).toHaveLength(keys.length);
          expect(await books.journalEntryCount()).toBe(7 + 6 + 7 + keys.length);
        } finally {
          await other.close();
        }
      });

      it('refuses a key already used for a different entry', async () => {
        await ledger.postEntry(sale('test/reused'));
        await expect(ledger.postEntry({ ...sale('test/reused'), entity: 'acme-uk' })).rejects.toThrow(
          'idempotency key test/reused was already used for a different entry',
        );
      });

      it('refuses an unbalanced entry and writes nothing', async () => {
        const unbalanced = sale('test/unbalanced');
        unbalanced.lines[1]!.credit = 149_999;

        const posting = ledger.postEntry(unbalanced);
        await expect(posting).rejects.toBeInstanceOf(PermanentError);
        await expect(posting).rejects.toThrow('entry test/unbalanced is unbalanced: debits 1500.00 and credits 1499.99 differ');
        expect((await ledger.entries('acme-us', PERIOD)).some((e) => e.key === 'test/unbalanced')).toBe(false);
      });

      it('refuses lines on an unknown account, a date outside the period, and a line with both sides', async () => {
        const unknown = sale('test/unknown');
        unknown.lines[0]!.account = '9999';
        await expect(ledger.postEntry(unknown)).rejects.toThrow('account 9999 does not exist for acme-us');
        await expect(ledger.postEntry({ ...sale('test/date'), date: '2026-11-02' })).rejects.toThrow(
          'date 2026-11-02 is not in period 2026-10',
        );
        const bothSides = sale('test/both');
        bothSides.lines = [
          { account: '1200', debit: 100, credit: 100 },
          { account: '4000', debit: 0, credit: 0 },
        ];
        await expect(ledger.postEntry(bothSides)).rejects.toThrow('either a debit or a credit');
      });

      it('keeps the journal append-only: the database itself refuses deletes and updates', async () => {
        // By message, not toThrow: better-sqlite3's native module is loaded once per jest worker and raises the
        // SqliteError class of the first test file that loaded it, which is no `Error` of a later file's realm.
        const refused = (text: string) => ({ message: expect.stringContaining(text) as unknown });
        await expect(books.execute('DELETE FROM journal_entries')).rejects.toMatchObject(refused('never deleted'));
        await expect(books.execute('DELETE FROM journal_lines')).rejects.toMatchObject(refused('never deleted'));
        await expect(books.execute("UPDATE journal_lines SET debit_cents = 1 WHERE account = '1000'")).rejects.toMatchObject(
          refused('never changed'),
        );
        expect(await books.journalEntryCount()).toBe(7 + 6 + 7);
      });
    });

    describe('period locks', () => {
      it('a locked period refuses ordinary postings but accepts the close entries', async () => {
        expect(await ledger.lockPeriod(PERIOD, ['acme-us', 'acme-uk'])).toEqual(['acme-us', 'acme-uk']);
        expect(await ledger.periodStatus('acme-us', PERIOD)).toBe('locked');
        expect(await ledger.periodStatus('acme-de', PERIOD)).toBe('open');

        const refused = ledger.postEntry(sale('test/late-sale'));
        await expect(refused).rejects.toBeInstanceOf(PermanentError);
        await expect(refused).rejects.toThrow('period 2026-10 is locked for acme-us');
        for (const kind of ['accrual', 'adjustment', 'revaluation'] as const) {
          expect((await ledger.postEntry(sale(`test/close-${kind}`, kind))).alreadyPosted).toBe(false);
        }
        // Another month stays open.
        expect((await ledger.postEntry({ ...sale('test/november'), period: '2026-11', date: '2026-11-02' })).alreadyPosted).toBe(false);
      });

      it('a posting that went through before the lock is still acknowledged when its retry arrives after', async () => {
        const posted = await ledger.postEntry(sale('test/before-lock'));
        await ledger.lockPeriod(PERIOD, ['acme-us']);
        expect(await ledger.postEntry(sale('test/before-lock'))).toEqual({ entry: posted.entry, alreadyPosted: true });
      });

      it('lock and unlock are idempotent and report what they changed', async () => {
        expect(await ledger.lockPeriod(PERIOD, ['acme-us'])).toEqual(['acme-us']);
        expect(await ledger.lockPeriod(PERIOD, ['acme-us', 'acme-de'])).toEqual(['acme-de']);
        expect(await ledger.unlockPeriod(PERIOD, ['acme-us', 'acme-uk'])).toEqual(['acme-us']);
        expect(await ledger.unlockPeriod(PERIOD, ['acme-us'])).toEqual([]);
        expect(await ledger.periodStatus('acme-us', PERIOD)).toBe('open');
        expect((await ledger.postEntry(sale('test/after-unlock'))).alreadyPosted).toBe(false);
      });

      it('refuses an entity the ledger does not know', async () => {
        await expect(ledger.lockPeriod(PERIOD, ['acme-fr'])).rejects.toThrow('entity acme-fr does not exist in the general ledger');
      });
    });

    describe('accruals', () => {
      it('computes the recurring accruals at the period end', async () => {
        const drafts = await ledger.accrualsFor(PERIOD, 'acme-uk');
        expect(drafts.map((d) => [d.key, d.date, d.lines])).toEqual([
          [
            'accruals/2026-10#1/acme-uk/payroll',
            '2026-10-31',
            [
              { account: '6000', debit: 426_000, credit: 0 },
              { account: '2100', debit: 0, credit: 426_000 },
            ],
          ],
          [
            'accruals/2026-10#1/acme-uk/utilities',
            '2026-10-31',
            [
              { account: '6200', debit: 72_000, credit: 0 },
              { account: '2100', debit: 0, credit: 72_000 },
            ],
          ],
        ]);
      });

      it('posts them once, reverses them with reversing entries, and a new close posts a new batch', async () => {
        const posted = await ledger.postAccruals(PERIOD, 'acme-us');
        expect(posted.map((p) => p.alreadyPosted)).toEqual([false, false]);
        expect((await ledger.postAccruals(PERIOD, 'acme-us')).map((p) => p.alreadyPosted)).toEqual([true, true]);

        const reversals = await ledger.reverseAccruals(PERIOD, 'acme-us');
        expect(await ledger.reverseAccruals(PERIOD, 'acme-us')).toEqual(reversals);
        expect(reversals.map((r) => r.reverses)).toEqual(posted.map((p) => p.entry.entryId));
        expect(reversals.every((r) => r.kind === 'accrual-reversal')).toBe(true);

        const entries = await ledger.entries('acme-us', PERIOD);
        const accrualsAndReversals = entries.filter((e) => e.kind === 'accrual' || e.kind === 'accrual-reversal');
        expect(accrualsAndReversals).toHaveLength(4);
        expect(netByAccount(accrualsAndReversals)).toEqual({});

        const second = await ledger.postAccruals(PERIOD, 'acme-us');
        expect(second.map((p) => [p.alreadyPosted, p.entry.batch])).toEqual([
          [false, 'accruals/2026-10#2'],
          [false, 'accruals/2026-10#2'],
        ]);
        expect(netByAccount((await ledger.entries('acme-us', PERIOD)).filter((e) => e.kind.startsWith('accrual')))).toEqual({
          '2100': -1_150_000,
          '6000': 970_000,
          '6200': 180_000,
        });
      });
    });

    describe('exchange rates and revaluation', () => {
      it('finds the latest rates published before a period', async () => {
        const rates = await ledger.latestPublishedRates(PERIOD);
        expect(rates).toMatchObject({
          rateSetId: 'published/2026-09',
          ratesPeriod: '2026-09',
          source: 'published',
          rates: { GBP: 1.25, EUR: 1.05 },
        });
        expect(await ledger.latestPublishedRates('2026-09')).toBeUndefined();
      });

      it('revalues foreign-currency cash once per period and entity; an entity without any is left alone', async () => {
        const rateSet = (await ledger.latestPublishedRates(PERIOD))!;
        const uk = await ledger.revalueForeignCash(PERIOD, 'acme-uk', rateSet);
        // USD 50,000.00 carried at GBP 38,461.54 is worth GBP 40,000.00 at 1.25.
        expect(uk?.lines).toEqual([
          { account: '1100', debit: 153_846, credit: 0 },
          { account: '4900', debit: 0, credit: 153_846 },
        ]);
        expect(uk?.rateSetId).toBe('published/2026-09');
        expect(await ledger.revalueForeignCash(PERIOD, 'acme-uk', { ...rateSet, rates: { GBP: 2, EUR: 2 } })).toEqual(uk);
        expect(await ledger.revalueForeignCash(PERIOD, 'acme-us', rateSet)).toBeUndefined();
        // Revaluation never touches the bank account that is reconciled.
        expect(await ledger.cashBalance('acme-uk', PERIOD)).toBe(10_990_000);
      });
    });

    describe('statements', () => {
      it('the trial balance balances per entity and consolidated in USD', async () => {
        const tb = await ledger.trialBalance(PERIOD, ['acme-us', 'acme-uk', 'acme-de']);
        expect(tb.rateSetId).toBe('published/2026-09');
        expect(tb.scopes.map((s) => [s.scope, s.currency])).toEqual([
          ['acme-us', 'USD'],
          ['acme-uk', 'GBP'],
          ['acme-de', 'EUR'],
          ['consolidated', 'USD'],
        ]);
        for (const s of tb.scopes) expect(s.totalDebit).toBe(s.totalCredit);
        const cash = tb.scopes.find((s) => s.scope === 'consolidated')!.rows.find((r) => r.code === '1000')!;
        // 214,415.00 USD + 109,900.00 GBP x 1.25 + 82,810.00 EUR x 1.05
        expect(cash.debit).toBe(21_441_500 + 13_737_500 + 8_695_050);
      });

      it('the income statement shows the period result per entity and for the group', async () => {
        const statement = await ledger.incomeStatement(PERIOD, ['acme-us', 'acme-uk']);
        const us = statement.scopes.find((s) => s.scope === 'acme-us')!;
        expect([us.totalRevenue, us.totalExpenses, us.netIncome]).toEqual([6_400_000, 6_058_500, 341_500]);
        const group = statement.scopes.find((s) => s.scope === 'consolidated')!;
        // acme-uk: 38,000.00 - 27,800.00 = 10,200.00 GBP = 12,750.00 USD at 1.25
        expect(group.netIncome).toBe(341_500 + 1_275_000);
      });
    });
  });
}
