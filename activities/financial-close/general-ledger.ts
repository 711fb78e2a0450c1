/**
 * The general ledger the month-end close works on: entities with their chart of accounts, balanced journal
 * entries in integer cents, period locks, and the exchange-rate sets used to revalue and consolidate.
 *
 * Every write is idempotent on a key, so a retried activity never posts twice, and nothing is ever deleted:
 * an entry is undone by a reversing entry. The embedded default is a SQLite database; an ERP connector
 * implements the same interface.
 */

export type AccountType = 'asset' | 'liability' | 'equity' | 'revenue' | 'expense';

/** What an entry is for. Only 'posting' and 'opening' are ordinary business; the rest belong to the close. */
export type EntryKind = 'posting' | 'accrual' | 'accrual-reversal' | 'adjustment' | 'revaluation' | 'opening';

/** Entries the close itself posts: a locked period still accepts them, because locking is the close's first step. */
export const CLOSE_ENTRY_KINDS: readonly EntryKind[] = ['accrual', 'accrual-reversal', 'adjustment', 'revaluation'];

export type PeriodStatus = 'open' | 'locked';

export type RateSource = 'published' | 'live' | 'last-published';

/** The cash-at-bank account every entity reconciles against its bank statement. */
export const CASH_ACCOUNT = '1000';
/** Where a reconciliation difference waits, against cash, until someone explains it. */
export const RECONCILIATION_SUSPENSE_ACCOUNT = '1900';

export interface Entity {
  entity: string;
  name: string;
  /** ISO 4217 code of the entity's functional currency. */
  currency: string;
}

export interface Account {
  code: string;
  name: string;
  type: AccountType;
}

/** One side of an entry on one account, in the entity's currency: exactly one of debit and credit is non-zero. */
export interface JournalLine {
  account: string;
  debit: number;
  credit: number;
}

export interface NewEntry {
  /** Idempotency key: posting the same key again returns the entry already posted. */
  key: string;
  entity: string;
  /** YYYY-MM */
  period: string;
  /** YYYY-MM-DD */
  date: string;
  memo: string;
  kind: EntryKind;
  lines: JournalLine[];
  /** The rate set a revaluation used, kept for the audit trail. */
  rateSetId?: string;
}

export interface JournalEntry extends NewEntry {
  entryId: string;
  /** The posting of a set of entries this one belongs to, e.g. the period's accruals: 'accruals/2026-10#1'. */
  batch?: string;
  /** The entry this one reverses, if it is a reversal. */
  reverses?: string;
}

export interface PostedEntry {
  entry: JournalEntry;
  /** True when the key was already posted and nothing was written this time. */
  alreadyPosted: boolean;
}

/** Exchange rates as units of the base currency per unit of each other currency (GBP 1.27 = 1 GBP buys 1.27 USD). */
export interface RateSet {
  rateSetId: string;
  /** The period these rates are used for. */
  period: string;
  /** The period the rates were published for: differs from `period` only when last month's rates stand in. */
  ratesPeriod: string;
  source: RateSource;
  publishedAt: string;
  base: string;
  rates: Record<string, number>;
}

export interface TrialBalanceRow extends Account {
  debit: number;
  credit: number;
}

/** Balances of one entity, or of the group consolidated in the base currency. */
export interface BalanceScope<Row> {
  /** The entity id, or 'consolidated'. */
  scope: string;
  name: string;
  currency: string;
  rows: Row[];
}

export interface TrialBalance {
  period: string;
  /** The rate set used to translate entities into the base currency for the consolidated scope. */
  rateSetId: string;
  scopes: Array<BalanceScope<TrialBalanceRow> & { totalDebit: number; totalCredit: number }>;
}

export interface IncomeStatementLine extends Account {
  /** Revenue as a positive amount for revenue accounts, cost as a positive amount for expense accounts. */
  amount: number;
}

export interface IncomeStatement {
  period: string;
  rateSetId: string;
  scopes: Array<BalanceScope<IncomeStatementLine> & { totalRevenue: number; totalExpenses: number; netIncome: number }>;
}

export interface GeneralLedger {
  /** Locks the period for the entities; returns those that were open until now. Unknown entity: PermanentError. */
  lockPeriod(period: string, entities: string[]): Promise<string[]>;
  /** Reopens the period for the entities; returns those that were locked until now. */
  unlockPeriod(period: string, entities: string[]): Promise<string[]>;
  periodStatus(entity: string, period: string): Promise<PeriodStatus>;
  /** The currency the group reports in; rate sets are quoted against it. */
  baseCurrency(): Promise<string>;
  entity(entity: string): Promise<Entity>;
  /** Balance of the cash account through the end of the period, in cents of the entity's currency. */
  cashBalance(entity: string, period: string): Promise<number>;
  /** Posts a balanced entry once per key. Unbalanced, unknown account, or an ordinary posting into a locked period: PermanentError. */
  postEntry(entry: NewEntry): Promise<PostedEntry>;
  /** The accrual entries the entity's recurring accruals call for in the period (not posted). */
  accrualsFor(period: string, entity: string): Promise<NewEntry[]>;
  /** Posts the period's accruals unless unreversed ones are already there; returns the accruals in force. */
  postAccruals(period: string, entity: string): Promise<PostedEntry[]>;
  /** Posts a reversing entry for every accrual of the period not yet reversed; returns the reversals of the latest batch. */
  reverseAccruals(period: string, entity: string): Promise<JournalEntry[]>;
  /** The most recent published (or live-fetched) rate set of a period before the given one. */
  latestPublishedRates(beforePeriod: string): Promise<RateSet | undefined>;
  /** The rate set the period's close recorded last, if any. */
  ratesFor(period: string): Promise<RateSet | undefined>;
  /** Records a rate set once per id; returns the recorded one. */
  recordRateSet(rateSet: RateSet): Promise<RateSet>;
  /**
   * Revalues the entity's foreign-currency cash at the rates, posting the unrealized gain or loss once per
   * period and entity. Undefined when the entity holds no foreign currency or nothing changed.
   */
  revalueForeignCash(period: string, entity: string, rateSet: RateSet): Promise<JournalEntry | undefined>;
  trialBalance(period: string, entities: string[]): Promise<TrialBalance>;
  incomeStatement(period: string, entities: string[]): Promise<IncomeStatement>;
  entries(entity: string, period: string): Promise<JournalEntry[]>;
  /** Loads the example file into an empty ledger; returns false (and changes nothing) when the ledger has data. */
  seedFrom(exampleFile: string): Promise<boolean>;
}

/** The last day of a YYYY-MM period: where the close dates its own entries. */
export function periodEnd(period: string): string {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}
