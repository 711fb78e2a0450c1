/**
 * The embedded general ledger: a real SQLite database (better-sqlite3) of entities, accounts, balanced journal
 * entries in integer cents, period locks and exchange-rate sets.
 *
 * Each multi-step write runs in an IMMEDIATE transaction, so two attempts of one activity racing each other
 * (a timed-out attempt still running while its retry starts) see each other's keys. Triggers make the journal
 * append-only: an entry is undone by a reversing entry, never by a DELETE or an UPDATE.
 */
import type Database from 'better-sqlite3';
import { PermanentError } from '../kit/errors';
import { openDatabase } from '../../src/stores/sqlite';
import {
  CASH_ACCOUNT,
  CLOSE_ENTRY_KINDS,
  periodEnd,
  type Account,
  type AccountType,
  type BalanceScope,
  type Entity,
  type EntryKind,
  type GeneralLedger,
  type IncomeStatement,
  type IncomeStatementLine,
  type JournalEntry,
  type JournalLine,
  type NewEntry,
  type PeriodStatus,
  type PostedEntry,
  type RateSet,
  type RateSource,
  type TrialBalance,
  type TrialBalanceRow,
} from './general-ledger';
import { readLedgerFile } from './ledger-file';
import { convertCents, formatCents, toCents } from './money';

/** Where unrealized exchange gains (credit) and losses (debit) on revaluation go. */
export const FX_GAIN_LOSS_ACCOUNT = '4900';
/** Absorbs the cents lost when each account is translated and rounded separately in the consolidation. */
const TRANSLATION_ADJUSTMENT: Account = { code: '3900', name: 'Currency translation adjustment', type: 'equity' };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ledger_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entities (
  entity TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  currency TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
  entity TEXT NOT NULL REFERENCES entities (entity),
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('asset', 'liability', 'equity', 'revenue', 'expense')),
  PRIMARY KEY (entity, code)
);
CREATE TABLE IF NOT EXISTS foreign_currency_cash (
  entity TEXT NOT NULL,
  account TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount_cents INTEGER NOT NULL,
  PRIMARY KEY (entity, account, currency),
  FOREIGN KEY (entity, account) REFERENCES accounts (entity, code)
);
CREATE TABLE IF NOT EXISTS recurring_accruals (
  entity TEXT NOT NULL REFERENCES entities (entity),
  code TEXT NOT NULL,
  memo TEXT NOT NULL,
  expense_account TEXT NOT NULL,
  liability_account TEXT NOT NULL,
  amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
  PRIMARY KEY (entity, code)
);
CREATE TABLE IF NOT EXISTS periods (
  entity TEXT NOT NULL REFERENCES entities (entity),
  period TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'locked')),
  updated_at TEXT NOT NULL,
  PRIMARY KEY (entity, period)
);
CREATE TABLE IF NOT EXISTS journal_entries (
  entry_id INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  entity TEXT NOT NULL REFERENCES entities (entity),
  period TEXT NOT NULL,
  entry_date TEXT NOT NULL,
  memo TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('posting', 'accrual', 'accrual-reversal', 'adjustment', 'revaluation', 'opening')),
  batch TEXT,
  reverses_entry_id INTEGER UNIQUE REFERENCES journal_entries (entry_id),
  rate_set_id TEXT,
  posted_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_entries_by_period ON journal_entries (entity, period);
CREATE TABLE IF NOT EXISTS journal_lines (
  entry_id INTEGER NOT NULL REFERENCES journal_entries (entry_id),
  line_no INTEGER NOT NULL,
  entity TEXT NOT NULL,
  account TEXT NOT NULL,
  debit_cents INTEGER NOT NULL CHECK (debit_cents >= 0),
  credit_cents INTEGER NOT NULL CHECK (credit_cents >= 0),
  PRIMARY KEY (entry_id, line_no),
  FOREIGN KEY (entity, account) REFERENCES accounts (entity, code)
);
CREATE TABLE IF NOT EXISTS rate_sets (
  rate_set_id TEXT PRIMARY KEY,
  period TEXT NOT NULL,
  rates_period TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('published', 'live', 'last-published')),
  published_at TEXT NOT NULL,
  base TEXT NOT NULL,
  rates TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS journal_entries_append_only_delete BEFORE DELETE ON journal_entries
BEGIN SELECT RAISE(ABORT, 'journal entries are never deleted: post a reversing entry'); END;
CREATE TRIGGER IF NOT EXISTS journal_entries_append_only_update BEFORE UPDATE ON journal_entries
BEGIN SELECT RAISE(ABORT, 'journal entries are never changed: post a reversing entry'); END;
CREATE TRIGGER IF NOT EXISTS journal_lines_append_only_delete BEFORE DELETE ON journal_lines
BEGIN SELECT RAISE(ABORT, 'journal lines are never deleted: post a reversing entry'); END;
CREATE TRIGGER IF NOT EXISTS journal_lines_append_only_update BEFORE UPDATE ON journal_lines
BEGIN SELECT RAISE(ABORT, 'journal lines are never changed: post a reversing entry'); END;
`;

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const nowIso = () => new Date().toISOString();
const formatEntryId = (id: number) => `JE-${String(id).padStart(6, '0')}`;

function requirePeriod(period: string): void {
  if (!PERIOD.test(period)) throw new PermanentError(`"${period}" is not a period as YYYY-MM`);
}

/** A GeneralLedger on a SQLite file. */
export class SqliteGeneralLedger implements GeneralLedger {
  readonly db: Database.Database;

  constructor(file: string) {
    this.db = openDatabase(file, { pragmas: ['foreign_keys = ON'], schema: SCHEMA });
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

  private validate(entry: NewEntry): void {
    this.requireEntity(entry.entity);
    requirePeriod(entry.period);
    if (!DATE.test(entry.date) || !entry.date.startsWith(`${entry.period}-`)) {
      throw new PermanentError(`entry ${entry.key}: date ${entry.date} is not in period ${entry.period}`);
    }
    if (!CLOSE_ENTRY_KINDS.includes(entry.kind) && this.status(entry.entity, entry.period) === 'locked') {
      throw new PermanentError(
        `period ${entry.period} is locked for ${entry.entity}: ordinary postings are refused until the period is reopened`,
      );
    }
    if (entry.lines.length < 2) throw new PermanentError(`entry ${entry.key} needs at least two lines`);
    const knownAccount = this.db.prepare('SELECT 1 FROM accounts WHERE entity = ? AND code = ?');
    for (const l of entry.lines) {
      const amounts = [l.debit, l.credit];
      if (!amounts.every((a) => Number.isSafeInteger(a) && a >= 0) || l.debit > 0 === l.credit > 0) {
        throw new PermanentError(`entry ${entry.key}: each line needs either a debit or a credit, in whole non-negative cents`);
      }
      if (!knownAccount.get(entry.entity, l.account))
        throw new PermanentError(`entry ${entry.key}: account ${l.account} does not exist for ${entry.entity}`);
    }
    const debits = entry.lines.reduce((sum, l) => sum + l.debit, 0);
    const credits = entry.lines.reduce((sum, l) => sum + l.credit, 0);
    if (debits !== credits) {
      throw new PermanentError(
        `entry ${entry.key} is unbalanced: debits ${formatCents(debits)} and credits ${formatCents(credits)} differ`,
      );
    }
  }

  async accrualsFor(period: string, entity: string): Promise<NewEntry[]> {
    this.requireEntity(entity);
    requirePeriod(period);
    return this.accrualDrafts(period, entity, this.nextAccrualBatch(period, entity));
  }

  /**
   * A batch is one posting of the period's accruals. A close that was undone (accruals reversed) and run again
   * needs a new batch, so keys carry the batch and stay unique while retries within a batch reuse them.
   */
  private nextAccrualBatch(period: string, entity: string): string {
    const { n } = this.db
      .prepare("SELECT COUNT(DISTINCT batch) AS n FROM journal_entries WHERE kind = 'accrual' AND entity = ? AND period = ?")
      .get(entity, period) as { n: number };
    return `accruals/${period}#${n + 1}`;
  }

  private accrualDrafts(period: string, entity: string, batch: string): NewEntry[] {
    const accruals = this.db
      .prepare('SELECT code, memo, expense_account, liability_account, amount_cents FROM recurring_accruals WHERE entity = ? ORDER BY code')
      .all(entity) as Array<{ code: string; memo: string; expense_account: string; liability_account: string; amount_cents: number }>;
    return accruals.map((a) => ({
      key: `${batch}/${entity}/${a.code}`,
      entity,
      period,
      date: periodEnd(period),
      memo: a.memo,
      kind: 'accrual' as const,
      lines: [
        { account: a.expense_account, debit: a.amount_cents, credit: 0 },
        { account: a.liability_account, debit: 0, credit: a.amount_cents },
      ],
    }));
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
          this.post(
            {
              key: `reversal-of/${accrual.key}`,
              entity,
              period,
              date: accrual.date,
              memo: `Reversal of ${accrual.entryId}: ${accrual.memo}`,
              kind: 'accrual-reversal',
              lines: accrual.lines.map((l) => ({ account: l.account, debit: l.credit, credit: l.debit })),
            },
            { reverses: Number(accrual.entryId.slice(3)) },
          );
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
    const key = `revaluation/${period}/${entity}`;
    return this.db
      .transaction((): JournalEntry | undefined => {
        const existing = this.entryByKey(key);
        if (existing) return existing;
        const holdings = this.db
          .prepare('SELECT account, currency, amount_cents FROM foreign_currency_cash WHERE entity = ? ORDER BY account, currency')
          .all(entity) as Array<{
          account: string;
          currency: string;
          amount_cents: number;
        }>;
        const lines: JournalLine[] = [];
        for (const h of holdings) {
          const target = convertCents(h.amount_cents, rateOf(rateSet, h.currency) / rateOf(rateSet, currency));
          const change = target - this.accountBalance(entity, h.account, period);
          if (change !== 0) lines.push({ account: h.account, debit: Math.max(change, 0), credit: Math.max(-change, 0) });
        }
        if (!lines.length) return undefined;
        const net = lines.reduce((sum, l) => sum + l.debit - l.credit, 0);
        if (net !== 0) lines.push({ account: FX_GAIN_LOSS_ACCOUNT, debit: Math.max(-net, 0), credit: Math.max(net, 0) });
        const memo = `Unrealized FX revaluation of foreign-currency cash at ${rateSet.source} rates of ${rateSet.ratesPeriod}`;
        return this.post({ key, entity, period, date: periodEnd(period), memo, kind: 'revaluation', lines, rateSetId: rateSet.rateSetId })
          .entry;
      })
      .immediate();
  }

  async trialBalance(period: string, entities: string[]): Promise<TrialBalance> {
    const { rateSetId, scopes } = await this.statementScopes<TrialBalanceRow>(period, entities, 'through', (a, net) => ({
      ...a,
      debit: Math.max(net, 0),
      credit: Math.max(-net, 0),
    }));
    return {
      period,
      rateSetId,
      scopes: scopes.map((s) => ({
        ...s,
        totalDebit: s.rows.reduce((sum, r) => sum + r.debit, 0),
        totalCredit: s.rows.reduce((sum, r) => sum + r.credit, 0),
      })),
    };
  }

  async incomeStatement(period: string, entities: string[]): Promise<IncomeStatement> {
    const { rateSetId, scopes } = await this.statementScopes<IncomeStatementLine>(
      period,
      entities,
      'in',
      (a, net) => ({ ...a, amount: a.type === 'revenue' ? -net : net }),
      ['revenue', 'expense'],
    );
    return {
      period,
      rateSetId,
      scopes: scopes.map((s) => {
        const totalRevenue = s.rows.filter((r) => r.type === 'revenue').reduce((sum, r) => sum + r.amount, 0);
        const totalExpenses = s.rows.filter((r) => r.type === 'expense').reduce((sum, r) => sum + r.amount, 0);
        return { ...s, totalRevenue, totalExpenses, netIncome: totalRevenue - totalExpenses };
      }),
    };
  }

  /**
   * Net balances (debit minus credit) per account for each entity, and for the group translated into the base
   * currency at the period's rate set (the closing rate, for balances and results alike: a simplification).
   */
  private async statementScopes<Row>(
    period: string,
    entities: string[],
    range: 'through' | 'in',
    toRow: (account: Account, net: number) => Row,
    types: AccountType[] = ['asset', 'liability', 'equity', 'revenue', 'expense'],
  ): Promise<{ rateSetId: string; scopes: Array<BalanceScope<Row>> }> {
    requirePeriod(period);
    const base = this.setting('baseCurrency');
    const group = entities.map((e) => ({ entity: this.requireEntity(e), balances: this.netBalances(e, period, range, types) }));
    const needsRates = group.some((g) => g.entity.currency !== base);
    const rateSet = needsRates ? await this.translationRates(period) : undefined;
    if (needsRates && !rateSet)
      throw new PermanentError(`no exchange rates recorded for ${period} or earlier: the group cannot be consolidated`);
    if (rateSet && rateSet.base !== base)
      throw new PermanentError(`rate set ${rateSet.rateSetId} is based on ${rateSet.base}, the group reports in ${base}`);

    const consolidated = new Map<string, { account: Account; net: number }>();
    for (const { entity, balances } of group) {
      const rate = rateSet ? rateOf(rateSet, entity.currency) : 1;
      for (const { account, net } of balances) {
        const slot = consolidated.get(account.code) ?? { account, net: 0 };
        slot.net += convertCents(net, rate);
        consolidated.set(account.code, slot);
      }
    }
    const rounding = [...consolidated.values()].reduce((sum, s) => sum + s.net, 0);
    // Rounding only matters where balances sum to zero by construction: the trial balance, not the income statement.
    if (range === 'through' && rounding !== 0) {
      const slot = consolidated.get(TRANSLATION_ADJUSTMENT.code) ?? { account: TRANSLATION_ADJUSTMENT, net: 0 };
      slot.net -= rounding;
      consolidated.set(TRANSLATION_ADJUSTMENT.code, slot);
    }
    const rows = (balances: Array<{ account: Account; net: number }>) =>
      balances
        .filter((b) => b.net !== 0)
        .sort((a, b) => a.account.code.localeCompare(b.account.code))
        .map((b) => toRow(b.account, b.net));
    return {
      rateSetId: rateSet?.rateSetId ?? '',
      scopes: [
        ...group.map(({ entity, balances }) => ({
          scope: entity.entity,
          name: entity.name,
          currency: entity.currency,
          rows: rows(balances),
        })),
        { scope: 'consolidated', name: `Group consolidated (${base})`, currency: base, rows: rows([...consolidated.values()]) },
      ],
    };
  }

  private netBalances(
    entity: string,
    period: string,
    range: 'through' | 'in',
    types: AccountType[],
  ): Array<{ account: Account; net: number }> {
    const rows = this.db
      .prepare(
        `SELECT a.code, a.name, a.type, COALESCE(SUM(l.debit_cents - l.credit_cents), 0) AS net
         FROM accounts a
         LEFT JOIN (journal_lines l JOIN journal_entries e ON e.entry_id = l.entry_id AND e.period ${range === 'through' ? '<=' : '='} ?)
           ON l.entity = a.entity AND l.account = a.code
         WHERE a.entity = ? AND a.type IN (${types.map(() => '?').join(', ')})
         GROUP BY a.code ORDER BY a.code`,
      )
      .all(period, entity, ...types) as Array<Account & { net: number }>;
    return rows.map(({ net, ...account }) => ({ account, net }));
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
    return rows.map((r) => ({
      entryId: formatEntryId(r.entry_id),
      key: r.idempotency_key,
      entity: r.entity,
      period: r.period,
      date: r.entry_date,
      memo: r.memo,
      kind: r.kind,
      ...(r.batch === null ? {} : { batch: r.batch }),
      ...(r.reverses_entry_id === null ? {} : { reverses: formatEntryId(r.reverses_entry_id) }),
      ...(r.rate_set_id === null ? {} : { rateSetId: r.rate_set_id }),
      lines: (linesOf.all(r.entry_id) as Array<{ account: string; debit_cents: number; credit_cents: number }>).map((l) => ({
        account: l.account,
        debit: l.debit_cents,
        credit: l.credit_cents,
      })),
    }));
  }

  close(): void {
    this.db.close();
  }
}

/** Units of the base currency per unit of the currency; a rate set without it cannot be used for that entity. */
export function rateOf(rateSet: RateSet, currency: string): number {
  if (currency === rateSet.base) return 1;
  const rate = rateSet.rates[currency];
  if (rate === undefined) throw new PermanentError(`rate set ${rateSet.rateSetId} has no rate for ${currency}`);
  return rate;
}

interface EntryRow {
  entry_id: number;
  idempotency_key: string;
  entity: string;
  period: string;
  entry_date: string;
  memo: string;
  kind: EntryKind;
  batch: string | null;
  reverses_entry_id: number | null;
  rate_set_id: string | null;
}

interface RateSetRow {
  rate_set_id: string;
  period: string;
  rates_period: string;
  source: RateSource;
  published_at: string;
  base: string;
  rates: string;
}

function toRateSet(row: RateSetRow): RateSet {
  return {
    rateSetId: row.rate_set_id,
    period: row.period,
    ratesPeriod: row.rates_period,
    source: row.source,
    publishedAt: row.published_at,
    base: row.base,
    rates: JSON.parse(row.rates) as Record<string, number>,
  };
}
