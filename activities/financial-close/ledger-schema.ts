/**
 * The embedded general ledger's SQLite schema, and the rows its queries return with their mapping to the ledger's
 * business objects. Kept apart from the queries so the shape of the books can be read in one place; the
 * triggers here are what make the journal append-only, whoever writes to the file.
 */
import type { Account, EntryKind, JournalEntry, RateSet, RateSource } from './general-ledger';
import type { AccountBalance, ForeignCashHolding, RecurringAccrual } from './accounting-rules';

/** Tables, index and append-only triggers of the ledger file; every statement is idempotent, run on each open. */
export const LEDGER_SCHEMA = `
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

/** A journal_entries row as the entry queries select it (without posted_at). */
export interface EntryRow {
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

/** A journal_lines row as an entry's lines are selected. */
export interface LineRow {
  account: string;
  debit_cents: number;
  credit_cents: number;
}

/** A rate_sets row as `SELECT *` returns it, less recorded_at, which is no part of a rate set. */
export interface RateSetRow {
  rate_set_id: string;
  period: string;
  rates_period: string;
  source: RateSource;
  published_at: string;
  base: string;
  rates: string;
}

/** A recurring_accruals row of one entity. */
export interface RecurringAccrualRow {
  code: string;
  memo: string;
  expense_account: string;
  liability_account: string;
  amount_cents: number;
}

/** A foreign_currency_cash row of one entity. */
export interface ForeignCashRow {
  account: string;
  currency: string;
  amount_cents: number;
}

/** An account with its summed net (debit minus credit) cents, as the statements' balance query returns it. */
export type NetBalanceRow = Account & { net: number };

/** The entry id people see, 'JE-000042', from the row id. */
export const formatEntryId = (id: number) => `JE-${String(id).padStart(6, '0')}`;

/** The row id back from an entry id people see: 'JE-000042' is 42. */
export const rowIdOf = (entryId: string) => Number(entryId.slice(3));

/** An entry from its row and its line rows; the optional links appear only when set. */
export function toJournalEntry(row: EntryRow, lines: LineRow[]): JournalEntry {
  return {
    entryId: formatEntryId(row.entry_id),
    key: row.idempotency_key,
    entity: row.entity,
    period: row.period,
    date: row.entry_date,
    memo: row.memo,
    kind: row.kind,
    ...(row.batch === null ? {} : { batch: row.batch }),
    ...(row.reverses_entry_id === null ? {} : { reverses: formatEntryId(row.reverses_entry_id) }),
    ...(row.rate_set_id === null ? {} : { rateSetId: row.rate_set_id }),
    lines: lines.map((l) => ({
      account: l.account,
      debit: l.debit_cents,
      credit: l.credit_cents,
    })),
  };
}

/** A rate set from its row, the rates parsed from their JSON column. */
export function toRateSet(row: RateSetRow): RateSet {
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

/** A recurring accrual from its row. */
export function toRecurringAccrual(row: RecurringAccrualRow): RecurringAccrual {
  return {
    code: row.code,
    memo: row.memo,
    expenseAccount: row.expense_account,
    liabilityAccount: row.liability_account,
    amount: row.amount_cents,
  };
}

/** A foreign-currency holding from its row. */
export function toForeignCashHolding(row: ForeignCashRow): ForeignCashHolding {
  return { account: row.account, currency: row.currency, amount: row.amount_cents };
}

/** An account's net balance from its row. */
export function toAccountBalance({ net, ...account }: NetBalanceRow): AccountBalance {
  return { account, net };
}
