/**
 * The embedded general ledger: a real SQLite database (better-sqlite3) of entities, accounts, balanced journal
 * entries in integer cents, period locks and exchange-rate sets. This class is the storage only: it looks the facts
 * up and writes the entries, while what the entries say comes from the close's accounting rules (accounting-rules.ts)
 * and the shape of the file from its schema (ledger-schema.ts).
 *
 * Each multi-step write runs in an IMMEDIATE transaction, so two attempts of one activity racing each other
 * (a timed-out attempt still running while its retry starts) see each other's keys. Triggers make the journal
 * append-only: an entry is undone by a reversing entry, never by a DELETE or an UPDATE.
 */
import type Database from 'better-sqlite3';
import { PermanentError } from '../kit/errors';
import { openDatabase } from '../../src/stores/sqlite';
import {
  accrualDrafts,
  accrualReversal,
  incomeStatementOf,
  INCOME_STATEMENT_TYPES,
  needsTranslation,
  nextAccrualBatch,
  periodLockApplies,
  requireBalanced,
  requireDateInPeriod,
  requireOneSidedLine,
  requireOpenPeriod,
  requirePeriod,
  requireTranslationRates,
  requireTwoLines,
  revaluationEntry,
  revaluationKey,
  revaluationLines,
  revaluedCents,
  trialBalanceOf,
  TRIAL_BALANCE_TYPES,
  type AccountBalance,
  type GroupBalances,
  type StatementRange,
} from './accounting-rules';
import {
  CASH_ACCOUNT,
  type AccountType,
  type Entity,
  type EntryKind,
  type GeneralLedger,
  type IncomeStatement,
  type JournalEntry,
  type NewEntry,
  type PeriodStatus,
  type PostedEntry,
  type RateSet,
  type TrialBalance,
} from './general-ledger';
import {
  LEDGER_SCHEMA,
  rowIdOf,
  toAccountBalance,
  toForeignCashHolding,
  toJournalEntry,
  toRateSet,
  toRecurringAccrual,
  type EntryRow,
  type ForeignCashRow,
  type LineRow,
  type NetBalanceRow,
  type RateSetRow,
  type RecurringAccrualRow,
} from './ledger-schema';
import { readLedgerFile } from './ledger-file';
import { toCents } from './money';

const nowIso = () => new Date().toISOString();

/** A GeneralLedger on a SQLite file. */
export class SqliteGeneralLedger implements GeneralLedger {
  readonly db: Database.Database;

  constructor(file: string) {
    this.db = openDatabase(file, { pragmas: ['foreign_keys = ON'], schema: LEDGER_SCHEMA });
  }

  async lockPeriod(period: string, entities: string[]): Promise<string[]> {
    return this.setPeriodStatus(period, entities, 'locked');
  }

  async unlockPeriod(period: string, entities: string[]): Promise<string[]> {
    return this.setPeriodStatus(period, entities, 'open');
  }

  private setPeriodStatus(period: string, entities: string[], status: PeriodStatus): string[] {
    requirePeriod(period);
    const change = this.db.transaction(() => {
      const changed: string[] = [];
      for (const entity of entities) {
        this.requireEntity(entity);
        if (this.status(entity, period) === status) continue;
        this.db
          .prepare(
            `INSERT INTO periods (entity, period, status, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (entity, period) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at`,
          )
          .run(entity, period, status, nowIso());
        changed.push(entity);
      }
      return changed;
    });
    return change.immediate();
  }

  async periodStatus(entity: string, period: string): Promise<PeriodStatus> {
    this.requireEntity(entity);
    return this.status(entity, period);
  }

  /** A period nobody has locked yet is open: periods come into being by being posted to. */
  private status(entity: string, period: string): PeriodStatus {
    const row = this.db.prepare('SELECT status FROM periods WHERE entity = ? AND period = ?').get(entity, period) as
      { status: PeriodStatus } | undefined;
    return row?.status ?? 'open';
  }

  async baseCurrency(): Promise<string> {
    return this.setting('baseCurrency');
  }

  async entity(entity: string): Promise<Entity> {
    return this.requireEntity(entity);
  }

  async cashBalance(entity: string, period: string): Promise<number> {
    this.requireEntity(entity);
    requirePeriod(period);
    return this.accountBalance(entity, CASH_ACCOUNT, period);
  }

  /** Debit minus credit on one account through the end of the period. */
  private accountBalance(entity: string, account: string, period: string): number {
    const row = this.db
      .prepare(
        `SELECT COALESCE(SUM(l.debit_cents - l.credit_cents), 0) AS balance
         FROM journal_lines l JOIN journal_entries e ON e.entry_id = l.entry_id
         WHERE l.entity = ? AND l.account = ? AND e.period <= ?`,
      )
      .get(entity, account, period) as { balance: number };
    return row.balance;
  }

  async postEntry(entry: NewEntry): Promise<PostedEntry> {
    return this.db.transaction(() => this.post(entry)).immediate();
  }

  /** Posts inside the caller's transaction; the key is checked first so a retry of a posted entry always succeeds. */
  private post(entry: NewEntry, links: { batch?: string; reverses?: number } = {}): PostedEntry {
    const existing = this.entryByKey(entry.key);
    if (existing) {
      if (existing.entity !== entry.entity || existing.kind !== entry.kind || existing.period !== entry.period) {
        throw new PermanentError(`idempotency key ${entry.key} was already used for a different entry (${existing.entryId})`);
      }
      return { entry: existing, alreadyPosted: true };
    }
    this.validate(entry);
    const result = this.db
      .prepare(
        `INSERT INTO journal_entries (idempotency_key, entity, period, entry_date, memo, kind, batch, reverses_entry_id, rate_set_id, posted_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        entry.key,
        entry.entity,
        entry.period,
        entry.date,
        entry.memo,
        entry.kind,
        links.batch ?? null,
        links.reverses ?? null,
        entry.rateSetId ?? null,
        nowIso(),
      );
    const insertLine = this.db.prepare(
      'INSERT INTO journal_lines (entry_id, line_no, entity, account, debit_cents, credit_cents) VALUES (?, ?, ?, ?, ?, ?)',
    );
    entry.lines.forEach((l, i) => insertLine.run(result.lastInsertRowid, i + 1, entry.entity, l.account, l.debit, l.credit));
    return { entry: this.entryByKey(entry.key)!, alreadyPosted: false };
  }

  /** The accounting rules for an entry, in order, with the entity, the period's lock and each account looked up here. */
  private validate(entry: NewEntry): void {
    this.requireEntity(entry.entity);
    requireDateInPeriod(entry);
    if (periodLockApplies(entry.kind)) requireOpenPeriod(entry, this.status(entry.entity, entry.period));
    requireTwoLines(entry);
    const knownAccount = this.db.prepare('SELECT 1 FROM accounts WHERE entity = ? AND code = ?');
    for (const l of entry.lines) {
      requireOneSidedLine(entry, l);
      if (!knownAccount.get(entry.entity, l.account))
        throw new PermanentError(`entry ${entry.key}: account ${l.account} does not exist for ${entry.entity}`);
    }
    requireBalanced(entry);
  }

  async accrualsFor(period: string, entity: string): Promise<NewEntry[]> {
    this.requireEntity(entity);
    requirePeriod(period);
    return this.accrualDrafts(period, entity, this.nextAccrualBatch(period, entity));
  }

  /** The batch the period's accruals would be posted in next, after the batches already posted. */
  private nextAccrualBatch(period: string, entity: string): string {
    const { n } = this.db
      .prepare("SELECT COUNT(DISTINCT batch) AS n FROM journal_entries WHERE kind = 'accrual' AND entity = ? AND period = ?")
      .get(entity, period) as { n: number };
    return nextAccrualBatch(period, n);
  }

  private accrualDrafts(period: string, entity: string, batch: string): NewEntry[] {
    const accruals = this.db
      .prepare('SELECT code, memo, expense_account, liability_account, amount_cents FROM recurring_accruals WHERE entity = ? ORDER BY code')
      .all(entity) as RecurringAccrualRow[];
    return accrualDrafts(period, entity, batch, accruals.map(toRecurringAccrual));
  }

  async postAccruals(period: string, entity: string): Promise<PostedEntry[]> {
    this.requireEntity(entity);
    requirePeriod(period);
    return this.db
      .transaction((): PostedEntry[] => {
        const inForce = this.unreversed(period, entity, 'accrual');
        if (inForce.length) return inForce.map((entry) => ({ entry, alreadyPosted: true }));
        const batch = this.nextAccrualBatch(period, entity);
        return this.accrualDrafts(period, entity, batch).map((draft) => this.post(draft, { batch }));
      })
      .immediate();
  }

  async reverseAccruals(period: string, entity: string): Promise<JournalEntry[]> {
    this.requireEntity(entity);
    requirePeriod(period);
    return this.db
      .transaction((): JournalEntry[] => {
        for (const accrual of this.unreversed(period, entity, 'accrual')) {
          this.post(accrualReversal(accrual), { reverses: rowIdOf(accrual.entryId) });
        }
        // The reversals of the latest batch: what this undo stands for, the same on every retry.
        const latest = this.db
          .prepare("SELECT batch FROM journal_entries WHERE kind = 'accrual' AND entity = ? AND period = ? ORDER BY entry_id DESC LIMIT 1")
          .get(entity, period) as { batch: string } | undefined;
        if (!latest) return [];
        return this.selectEntries(
          `WHERE e.reverses_entry_id IN (SELECT entry_id FROM journal_entries WHERE kind = 'accrual' AND entity = ? AND period = ? AND batch = ?)`,
          entity,
          period,
          latest.batch,
        );
      })
      .immediate();
  }

  private unreversed(period: string, entity: string, kind: EntryKind): JournalEntry[] {
    return this.selectEntries(
      `WHERE e.kind = ? AND e.entity = ? AND e.period = ?
         AND NOT EXISTS (SELECT 1 FROM journal_entries r WHERE r.reverses_entry_id = e.entry_id)`,
      kind,
      entity,
      period,
    );
  }

  async latestPublishedRates(beforePeriod: string): Promise<RateSet | undefined> {
    requirePeriod(beforePeriod);
    // Rates fetched live at an earlier close were the official rates of their month: they count as published.
    const row = this.db
      .prepare(
        `SELECT * FROM rate_sets WHERE source IN ('published', 'live') AND rates_period < ?
         ORDER BY rates_period DESC, published_at DESC, rowid DESC LIMIT 1`,
      )
      .get(beforePeriod) as RateSetRow | undefined;
    return row && toRateSet(row);
  }

  async ratesFor(period: string): Promise<RateSet | undefined> {
    requirePeriod(period);
    const row = this.db.prepare('SELECT * FROM rate_sets WHERE period = ? ORDER BY rowid DESC LIMIT 1').get(period) as
      RateSetRow | undefined;
    return row && toRateSet(row);
  }

  /** The rates the period's statements are translated at: those its close recorded, else the latest published. */
  private async translationRates(period: string): Promise<RateSet | undefined> {
    return (await this.ratesFor(period)) ?? this.latestPublishedRates(period);
  }

  async recordRateSet(rateSet: RateSet): Promise<RateSet> {
    requirePeriod(rateSet.period);
    requirePeriod(rateSet.ratesPeriod);
    this.db
      .prepare(
        `INSERT OR IGNORE INTO rate_sets (rate_set_id, period, rates_period, source, published_at, base, rates, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        rateSet.rateSetId,
        rateSet.period,
        rateSet.ratesPeriod,
        rateSet.source,
        rateSet.publishedAt,
        rateSet.base,
        JSON.stringify(rateSet.rates),
        nowIso(),
      );
    return toRateSet(this.db.prepare('SELECT * FROM rate_sets WHERE rate_set_id = ?').get(rateSet.rateSetId) as RateSetRow);
  }

  async revalueForeignCash(period: string, entity: string, rateSet: RateSet): Promise<JournalEntry | undefined> {
    const { currency } = this.requireEntity(entity);
    requirePeriod(period);
    const key = revaluationKey(period, entity);
    return this.db
      .transaction((): JournalEntry | undefined => {
        const existing = this.entryByKey(key);
        if (existing) return existing;
        const holdings = this.db
          .prepare('SELECT account, currency, amount_cents FROM foreign_currency_cash WHERE entity = ? ORDER BY account, currency')
          .all(entity) as ForeignCashRow[];
        const lines = revaluationLines(
          holdings.map(toForeignCashHolding).map((h) => ({
            account: h.account,
            revalued: revaluedCents(h, rateSet, currency),
            booked: this.accountBalance(entity, h.account, period),
          })),
        );
        if (!lines.length) return undefined;
        return this.post(revaluationEntry(period, entity, rateSet, lines)).entry;
      })
      .immediate();
  }

  async trialBalance(period: string, entities: string[]): Promise<TrialBalance> {
    return trialBalanceOf(period, await this.groupBalances(period, entities, 'through', TRIAL_BALANCE_TYPES));
  }

  async incomeStatement(period: string, entities: string[]): Promise<IncomeStatement> {
    return incomeStatementOf(period, await this.groupBalances(period, entities, 'in', INCOME_STATEMENT_TYPES));
  }

  /** What the group statements are drawn from: each entity's net balances and, when an entity needs translating, the rates. */
  private async groupBalances(
    period: string,
    entities: string[],
    range: StatementRange,
    types: readonly AccountType[],
  ): Promise<GroupBalances> {
    requirePeriod(period);
    const base = this.setting('baseCurrency');
    const group = entities.map((e) => ({ entity: this.requireEntity(e), balances: this.netBalances(e, period, range, types) }));
    const needsRates = needsTranslation(group, base);
    const rateSet = needsRates ? await this.translationRates(period) : undefined;
    requireTranslationRates(period, base, needsRates, rateSet);
    return { base, group, rateSet };
  }

  /** Net balances (debit minus credit) of the entity's accounts of the types, through or in the period. */
  private netBalances(entity: string, period: string, range: StatementRange, types: readonly AccountType[]): AccountBalance[] {
    const rows = this.db
      .prepare(
        `SELECT a.code, a.name, a.type, COALESCE(SUM(l.debit_cents - l.credit_cents), 0) AS net
         FROM accounts a
         LEFT JOIN (journal_lines l JOIN journal_entries e ON e.entry_id = l.entry_id AND e.period ${range === 'through' ? '<=' : '='} ?)
           ON l.entity = a.entity AND l.account = a.code
         WHERE a.entity = ? AND a.type IN (${types.map(() => '?').join(', ')})
         GROUP BY a.code ORDER BY a.code`,
      )
      .all(period, entity, ...types) as NetBalanceRow[];
    return rows.map(toAccountBalance);
  }

  async entries(entity: string, period: string): Promise<JournalEntry[]> {
    return this.selectEntries('WHERE e.entity = ? AND e.period = ?', entity, period);
  }

  async seedFrom(exampleFile: string): Promise<boolean> {
    const file = await readLedgerFile(exampleFile);
    return this.db
      .transaction((): boolean => {
        const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM entities').get() as { n: number };
        if (n > 0) return false;
        this.db.prepare("INSERT INTO ledger_settings (key, value) VALUES ('baseCurrency', ?)").run(file.baseCurrency);
        for (const e of file.entities) {
          this.db.prepare('INSERT INTO entities (entity, name, currency) VALUES (?, ?, ?)').run(e.entity, e.name, e.currency);
          for (const a of file.chartOfAccounts)
            this.db.prepare('INSERT INTO accounts (entity, code, name, type) VALUES (?, ?, ?, ?)').run(e.entity, a.code, a.name, a.type);
          for (const h of e.foreignCurrencyCash) {
            this.db
              .prepare('INSERT INTO foreign_currency_cash (entity, account, currency, amount_cents) VALUES (?, ?, ?, ?)')
              .run(e.entity, h.account, h.currency, toCents(h.amount));
          }
          for (const a of e.recurringAccruals) {
            this.db
              .prepare(
                'INSERT INTO recurring_accruals (entity, code, memo, expense_account, liability_account, amount_cents) VALUES (?, ?, ?, ?, ?, ?)',
              )
              .run(e.entity, a.code, a.memo, a.expenseAccount, a.liabilityAccount, toCents(a.amount));
          }
          for (const entry of e.entries) {
            const lines = entry.lines.map((l) => ({
              account: l.account,
              debit: l.debit ? toCents(l.debit) : 0,
              credit: l.credit ? toCents(l.credit) : 0,
            }));
            this.post({ ...entry, entity: e.entity, lines });
          }
        }
        for (const r of file.rateSets) {
          this.db
            .prepare(
              `INSERT INTO rate_sets (rate_set_id, period, rates_period, source, published_at, base, rates, recorded_at)
               VALUES (?, ?, ?, 'published', ?, ?, ?, ?)`,
            )
            .run(r.rateSetId, r.period, r.period, r.publishedAt, r.base, JSON.stringify(r.rates), nowIso());
        }
        return true;
      })
      .immediate();
  }

  private setting(key: string): string {
    const row = this.db.prepare('SELECT value FROM ledger_settings WHERE key = ?').get(key) as { value: string } | undefined;
    if (!row) throw new PermanentError(`the general ledger has no ${key}: seed it first`);
    return row.value;
  }

  private requireEntity(entity: string): Entity {
    const row = this.db.prepare('SELECT entity, name, currency FROM entities WHERE entity = ?').get(entity) as Entity | undefined;
    if (!row) throw new PermanentError(`entity ${entity} does not exist in the general ledger`);
    return row;
  }

  private entryByKey(key: string): JournalEntry | undefined {
    return this.selectEntries('WHERE e.idempotency_key = ?', key)[0];
  }

  private selectEntries(where: string, ...params: unknown[]): JournalEntry[] {
    const rows = this.db
      .prepare(
        `SELECT e.entry_id, e.idempotency_key, e.entity, e.period, e.entry_date, e.memo, e.kind, e.batch, e.reverses_entry_id, e.rate_set_id
         FROM journal_entries e ${where} ORDER BY e.entry_id`,
      )
      .all(...params) as EntryRow[];
    const linesOf = this.db.prepare('SELECT account, debit_cents, credit_cents FROM journal_lines WHERE entry_id = ? ORDER BY line_no');
    return rows.map((r) => toJournalEntry(r, linesOf.all(r.entry_id) as LineRow[]));
  }

  close(): void {
    this.db.close();
  }
}
